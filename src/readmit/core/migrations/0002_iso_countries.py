"""Load ISO 3166-1 countries with English and French names from pycountry."""

from django.db import migrations


def add_iso_countries(apps, schema_editor):
    from readmit.core.services import iso_country_names

    country_model = apps.get_model("core", "Country")
    existing = set(country_model.objects.values_list("code", flat=True))
    country_model.objects.bulk_create(
        country_model(code=code, name_en=english, name_fr=french)
        for code, (english, french) in iso_country_names().items()
        if code not in existing
    )


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(add_iso_countries, migrations.RunPython.noop)]
