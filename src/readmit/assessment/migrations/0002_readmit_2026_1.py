"""The methodology readmit-2026.1, the contract's defaults, stored as the default version.

The thresholds are written out here rather than imported: a migration must create the same
row whatever the code says later.
"""

from django.db import migrations

READMIT_2026_1 = {
    "methodology": "readmit-2026.1",
    "issuance_green": 0.80,
    "issuance_amber": 0.50,
    "timeliness_green": 0.60,
    "timeliness_amber": 0.30,
    "responsiveness_green": 0.10,
    "responsiveness_amber": 0.30,
    "returns_green": 0.50,
    "returns_amber": 0.25,
    "minimum_eligible": 10,
    "timeliness_horizon_days": 30,
    "overdue_after_days": 30,
    "unwilling_refusal_rate": 0.25,
    "unable_refusal_rate": 0.10,
    "unable_issuance_rate": 0.50,
    "confidence_z": 1.959964,
}


def create(apps, schema_editor):
    Methodology = apps.get_model("assessment", "Methodology")
    if Methodology.objects.filter(version="readmit-2026.1").exists():
        return
    Methodology.objects.create(
        version="readmit-2026.1",
        description=(
            "The contract's methodology: ../shared/contract/assessment.md, explained in "
            "docs/methodology.md."
        ),
        thresholds=READMIT_2026_1,
        is_default=not Methodology.objects.filter(is_default=True).exists(),
        security_level=0,
        is_need_to_know=False,
    )


def remove(apps, schema_editor):
    apps.get_model("assessment", "Methodology").objects.filter(version="readmit-2026.1").delete()


class Migration(migrations.Migration):
    dependencies = [("assessment", "0001_initial")]

    operations = [migrations.RunPython(create, remove)]
