from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from readmit.core.sections import Section


class EngagementConfig(AppConfig):
    name = "readmit.engagement"
    label = "engagement"
    verbose_name = _("Engagement")
    readmit_sections = [
        Section(
            _("Engagement Plans"),
            "engagement:plans",
            _("Country Engagement Plans, actions, engagements, commitments and escalation."),
            "can_view_targeting",
        ),
        Section(
            _("Removals Working Group"),
            "engagement:meetings",
            _("RWG meetings and the record of their decisions, and the alerts to consider."),
            "can_view_targeting",
        ),
        Section(
            _("Programme summary"),
            "engagement:summary",
            _("Countries identified, plans approved, commitments received, MOUs in negotiation."),
            "is_signed_in",
        ),
    ]
