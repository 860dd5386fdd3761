from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from readmit.core.sections import Section


class AssessmentConfig(AppConfig):
    name = "readmit.assessment"
    label = "assessment"
    verbose_name = _("Cooperation assessment")
    readmit_sections = [
        Section(
            _("Cooperation assessment"),
            "assessment:scorecard",
            _("Scorecards of travel-document cooperation by country, trends, RWG decisions."),
            "is_signed_in",
        ),
        Section(
            _("Assessment runs"),
            "assessment:runs",
            _("Saved assessments with their parameters, methodology and data fingerprint."),
            "can_run_assessment",
        ),
    ]
