"""The Canadian default departments: IRCC, CBSA, GAC and Public Safety."""

from django.db import migrations


def add_departments(apps, schema_editor):
    from readmit.accounts.services import CANADIAN_DEPARTMENTS

    department_model = apps.get_model("accounts", "Department")
    for code, name_en, name_fr in CANADIAN_DEPARTMENTS:
        department_model.objects.get_or_create(
            code=code, defaults={"name_en": name_en, "name_fr": name_fr}
        )


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]
    operations = [migrations.RunPython(add_departments, migrations.RunPython.noop)]
