"""The request's two assessment keys become one text of one or two hexadecimal units
(docs/decisions/0003-assessment-key.md), filled from the columns it packs, and the covering
index rebuilt on it. The SQL is frozen here as it was written, in each database's words for
12 hexadecimal digits."""

from django.db import migrations, models

import readmit.intake.models

REQUEST_UNIT = """(CAST(requested_day AS BIGINT) + 1048576) * 33554432
    + (CASE WHEN interview_requested_day IS NULL AND interview_held_day IS NULL
            THEN 0 ELSE 16777216 END)
    + (CASE WHEN decided_day IS NULL THEN 3 WHEN outcome = 'issued' THEN 0
            WHEN outcome = 'refused' THEN 1 WHEN outcome = 'withdrawn' THEN 2 ELSE 3 END)
      * 4194304
    + COALESCE(decided_day - requested_day, 0)"""

INTERVIEW_UNIT = """140737488355328
    + COALESCE(CAST(interview_requested_day AS BIGINT) + 1048576, 0) * 4194304
    + COALESCE(CAST(interview_held_day AS BIGINT) + 1048576, 0)"""

HEXADECIMAL = {
    "sqlite": "printf('%%012x', {})",
    "postgresql": "lpad(to_hex({}), 12, '0')",
}


def fill_keys(apps, schema_editor):
    hexadecimal = HEXADECIMAL[schema_editor.connection.vendor].format
    schema_editor.execute(
        f"""
        UPDATE intake_traveldocumentrequest SET assessment_key = {hexadecimal(REQUEST_UNIT)}
        || (CASE WHEN interview_requested_day IS NULL AND interview_held_day IS NULL THEN ''
            ELSE {hexadecimal(INTERVIEW_UNIT)} END)
        """
    )


class Migration(migrations.Migration):
    dependencies = [("intake", "0004_assessment_keys")]

    operations = [
        migrations.RemoveIndex(model_name="traveldocumentrequest", name="tdrequest_assessment_key"),
        migrations.RemoveField(model_name="traveldocumentrequest", name="interview_key"),
        migrations.RemoveField(model_name="traveldocumentrequest", name="assessment_key"),
        migrations.AddField(
            model_name="traveldocumentrequest",
            name="assessment_key",
            field=readmit.intake.models.ByteOrderedTextField(
                default="", editable=False, max_length=24
            ),
            preserve_default=False,
        ),
        migrations.RunPython(fill_keys, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="traveldocumentrequest",
            index=models.Index(
                fields=["country", "assessment_key"], name="tdrequest_assessment_key"
            ),
        ),
    ]
