from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from readmit.core.sections import Section


class EnvelopeConfig(AppConfig):
    name = "readmit.envelope"
    label = "envelope"
    verbose_name = _("Envelope")
    readmit_sections = [
        Section(
            _("Envelope"),
            "envelope:index",
            _(
                "Grant and contribution funding by fiscal year: authority, amendments, projects "
                "with partners, payments, lapse risk and the IATI export."
            ),
            "can_view_envelope",
        ),
    ]
