"""The assessment's indexes of the cases (docs/decisions/0303-assessment-queries-and-indexes.md):
one covering orders and removals, read in one pass; one holding only the pending cases held up
by a travel document, for the backlog."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0002_iso_countries"),
        ("intake", "0005_assessment_key_text"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="removalcase",
            name="case_removals",
        ),
        migrations.RemoveIndex(
            model_name="removalcase",
            name="case_orders",
        ),
        migrations.AddIndex(
            model_name="removalcase",
            index=models.Index(
                fields=["country", "order_enforceable_day", "status", "removed_day"],
                name="case_orders",
            ),
        ),
        migrations.AddIndex(
            model_name="removalcase",
            index=models.Index(
                condition=models.Q(("impediment", "travel_document"), ("status", "pending")),
                fields=["country", "order_enforceable_day"],
                name="case_backlog",
            ),
        ),
    ]
