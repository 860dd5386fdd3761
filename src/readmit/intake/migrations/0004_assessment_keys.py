"""The requests' assessment and interview keys (docs/decisions/0003-assessment-key.md): two
plain columns filled from the columns they pack, held right by a CHECK constraint, and the
assessment's covering index rebuilt on them. The SQL is frozen here as it was written."""

import django.db.models.expressions
import django.db.models.functions.comparison
from django.db import migrations, models

FILL_KEYS = """
UPDATE intake_traveldocumentrequest SET
assessment_key = ((CAST(requested_day AS BIGINT) + 1048576) * 16777216
    + (CASE WHEN decided_day IS NULL THEN 3 WHEN outcome = 'issued' THEN 0
            WHEN outcome = 'refused' THEN 1 WHEN outcome = 'withdrawn' THEN 2 ELSE 3 END)
      * 4194304
    + COALESCE(decided_day - requested_day, 0)),
interview_key = (COALESCE(CAST(interview_requested_day AS BIGINT) + 1048576, 0) * 4194304
    + COALESCE(CAST(interview_held_day AS BIGINT) + 1048576, 0))
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
            field=models.BigIntegerField(default=0, editable=False),
            preserve_default=False,
        ),
        migrations.RunSQL(FILL_KEYS, migrations.RunSQL.noop),
        migrations.AddConstraint(
            model_name="traveldocumentrequest",
            constraint=models.CheckConstraint(condition=models.Q(('assessment_key', django.db.models.expressions.CombinedExpression(django.db.models.expressions.CombinedExpression(django.db.models.expressions.CombinedExpression(django.db.models.expressions.CombinedExpression(django.db.models.functions.comparison.Cast(models.F('requested_day'), models.BigIntegerField()), '+', models.Value(1048576)), '*', models.Value(16777216)), '+', django.db.models.expressions.CombinedExpression(models.Case(models.When(decided_day__isnull=True, then=models.Value(3)), models.When(outcome='issued', then=models.Value(0)), models.When(outcome='refused', then=models.Value(1)), models.When(outcome='withdrawn', then=models.Value(2)), default=models.Value(3)), '*', models.Value(4194304))), '+', django.db.models.functions.comparison.Coalesce(django.db.models.expressions.CombinedExpression(models.F('decided_day'), '-', models.F('requested_day')), models.Value(0)))), ('interview_key', django.db.models.expressions.CombinedExpression(django.db.models.expressions.CombinedExpression(django.db.models.functions.comparison.Coalesce(django.db.models.expressions.CombinedExpression(django.db.models.functions.comparison.Cast(models.F('interview_requested_day'), models.BigIntegerField()), '+', models.Value(1048576)), models.Value(0), output_field=models.BigIntegerField()), '*', models.Value(4194304)), '+', django.db.models.functions.comparison.Coalesce(django.db.models.expressions.CombinedExpression(django.db.models.functions.comparison.Cast(models.F('interview_held_day'), models.BigIntegerField()), '+', models.Value(1048576)), models.Value(0), output_field=models.BigIntegerField())))), name='tdrequest_keys_made_of_columns'),
        ),
        migrations.AddIndex(
            model_name="traveldocumentrequest",
            index=models.Index(
                fields=["country", "assessment_key", "interview_key"],
                name="tdrequest_assessment_key",
            ),
        ),
    ]
