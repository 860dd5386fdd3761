"""Methodology versions and saved assessment runs.

A methodology version is the set of thresholds of docs/methodology.md (`ratings.Thresholds`),
stored so that every run names the version it used; a version never changes once created
(docs/decisions/0301-methodology-versions-and-saved-runs.md). A run keeps its parameters,
the thresholds it applied, a fingerprint of the data it read and its full results, so that it
shows the same figures whatever data arrives later.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from readmit.assessment.ratings import Thresholds
from readmit.core.models import AuditedRecord, need_to_know_field, security_level_field
from readmit.core.security import SecurityLevel


class Methodology(AuditedRecord):
    """A version of the assessment methodology: its thresholds, frozen once created."""

    # The thresholds say nothing about any country.
    security_level = security_level_field(SecurityLevel.UNCLASSIFIED)
    is_need_to_know = need_to_know_field(False)

    version = models.CharField(_("version"), max_length=50, unique=True)
    description = models.TextField(_("description"), blank=True)
    thresholds = models.JSONField(_("thresholds"))
    is_default = models.BooleanField(_("default"), default=False)

    class Meta:
        ordering = ["version"]
        verbose_name = _("methodology")
        verbose_name_plural = _("methodologies")
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"],
                condition=models.Q(is_default=True),
                name="one_default_methodology",
            )
        ]

    def __str__(self) -> str:
        return self.version

    @property
    def rules(self) -> Thresholds:
        """The thresholds as the pure rating functions take them."""
        return Thresholds.from_dict(self.thresholds)


class AssessmentRun(AuditedRecord):
    """A saved assessment: parameters, methodology, data fingerprint and every figure.

    Protected B and need-to-know: the results hold every country's classification.
    """

    security_level = security_level_field(SecurityLevel.PROTECTED_B)
    is_need_to_know = need_to_know_field(True)

    methodology = models.ForeignKey(
        Methodology, verbose_name=_("methodology"), on_delete=models.PROTECT, related_name="runs"
    )
    methodology_version = models.CharField(_("methodology version"), max_length=50)
    thresholds = models.JSONField(_("thresholds applied"))
    date_from = models.DateField(_("from"))
    date_to = models.DateField(_("to"))
    as_of = models.DateField(_("as of"))
    country_codes = models.JSONField(
        _("countries asked for"), default=list, blank=True, help_text=_("Empty: every country.")
    )
    data_fingerprint = models.CharField(_("data fingerprint (SHA-256)"), max_length=64)
    results = models.JSONField(_("results"))
    totals = models.JSONField(_("totals across countries"))
    country_count = models.PositiveIntegerField(_("countries assessed"), default=0)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("assessment run")
        verbose_name_plural = _("assessment runs")

    def __str__(self) -> str:
        return f"{self.methodology_version} {self.date_from}..{self.date_to} as of {self.as_of}"
