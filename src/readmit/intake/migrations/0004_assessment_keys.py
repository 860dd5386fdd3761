"""The requests' assessment and interview keys (docs/decisions/0003-assessment-key.md): two
plain columns filled from the columns they pack, and the assessment's covering index rebuilt
on them; no index on the ingest that last wrote a request or a case. The SQL is frozen here as
it was written."""

import django.db.models.deletion
from django.db import migrations, models

FILL_KEYS = """
UPDATE intake_traveldocumentrequest SET
assessment_key = ((CAST(requested_day AS BIGINT) + 1048576) * 33554432
    + (CASE WHEN interview_requested_day IS NULL AND interview_held_day IS NULL
            THEN 0 ELSE 16777216 END)
    + (CASE WHEN decided_day IS NULL THEN 3 WHEN outcome = 'issued' THEN 0
            WHEN outcome = 'refused' THEN 1 WHEN outcome = 'withdrawn' THEN 2 ELSE 3 END)
      * 4194304
    + COALESCE(decided_day - requested_day, 0)),
interview_key = (CASE WHEN interview_requested_day IS NULL AND interview_held_day IS NULL
    THEN NULL
    ELSE COALESCE(CAST(interview_requested_day AS BIGINT) + 1048576, 0) * 4194304
        + COALESCE(CAST(interview_held_day AS BIGINT) + 1048576, 0) END)
"""


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0002_iso_countries"),
        ("intake", "0003_unique_keys_without_like_indexes"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="traveldocumentrequest", name="tdrequest_assessment"),
        migrations.AddField(
            model_name="traveldocumentrequest",
            name="assessment_key",
            field=models.BigIntegerField(default=0, editable=False),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="traveldocumentrequest",
            name="interview_key",
            field=models.BigIntegerField(editable=False, null=True),
        ),
        migrations.RunSQL(FILL_KEYS, migrations.RunSQL.noop),
        migrations.AlterField(
            model_name="traveldocumentrequest",
            name="ingest",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="intake.ingest",
            ),
        ),
        migrations.AlterField(
            model_name="removalcase",
            name="ingest",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="intake.ingest",
            ),
        ),
        migrations.AddIndex(
            model_name="traveldocumentrequest",
            index=models.Index(
                fields=["country", "assessment_key", "interview_key"],
                name="tdrequest_assessment_key",
            ),
        ),
    ]
