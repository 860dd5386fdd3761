"""The audited base every domain record stands on, and the country reference table.

Every domain model inherits `AuditedRecord`: a security level and a need-to-know flag
(each model sets its own defaults), who created and last changed it and when, a full
history through django-simple-history, and deletion that is recorded and reversible
(`core.services.delete_record` / `restore_record`) instead of final.
"""

from django.conf import settings
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from readmit.core.security import SecurityLevel


def security_level_field(default: SecurityLevel = SecurityLevel.UNCLASSIFIED) -> models.Field:
    """The security level column; a model redeclares it to change its default."""
    return models.PositiveSmallIntegerField(
        _("security level"), choices=SecurityLevel.choices, default=default
    )


def need_to_know_field(default: bool = False) -> models.Field:
    """Whether only users with a need-to-know grant for targeted countries may see it."""
    return models.BooleanField(_("need-to-know"), default=default)


class LiveRecordManager(models.Manager):
    """Records not deleted: what every page, API and export reads."""

    def get_queryset(self) -> models.QuerySet:
        return super().get_queryset().filter(deleted_at__isnull=True)


class AuditedRecord(models.Model):
    security_level = security_level_field()
    is_need_to_know = need_to_know_field()
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    deleted_at = models.DateTimeField(_("deleted at"), null=True, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("deleted by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    deletion_reason = models.TextField(_("reason for deletion"), blank=True)

    history = HistoricalRecords(inherit=True)
    objects = LiveRecordManager()
    all_objects = models.Manager()  # noqa: DJ012 - the live manager must stay the default

    class Meta:
        abstract = True
        base_manager_name = "all_objects"

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


class Country(AuditedRecord):
    """A state in ISO 3166-1, or a user-assigned code declared by a user (XAA-XZZ, QMA-QZZ)."""

    code = models.CharField(_("code"), max_length=3, primary_key=True)
    name_en = models.CharField(_("name (English)"), max_length=200)
    name_fr = models.CharField(_("name (French)"), max_length=200)
    is_user_assigned = models.BooleanField(_("user-assigned code"), default=False)

    class Meta:
        ordering = ["code"]
        verbose_name = _("country")
        verbose_name_plural = _("countries")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def name(self) -> str:
        """The name in the active language."""
        return self.name_fr if translation.get_language() == "fr" else self.name_en
