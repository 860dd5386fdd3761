from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from readmit.core.sections import Section


class IntakeConfig(AppConfig):
    name = "readmit.intake"
    label = "intake"
    verbose_name = _("Data intake")
    readmit_sections = [
        Section(
            _("Data intake"),
            "intake:log",
            _(
                "Ingest travel-document requests, removal cases, aggregates and countries from "
                "CSV or XLSX files; the log of every ingest, with its errors and what it changed."
            ),
            "can_ingest_data",
        ),
    ]
