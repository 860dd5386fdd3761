"""People: departments, roles, clearance and the need-to-know grant for targeted countries.

What each of these allows is decided in one place, `accounts/rules.py`.
"""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from readmit.core.security import SecurityLevel


class Department(models.Model):
    """A department of the government (the Canadian default: IRCC, CBSA, GAC, PS)."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=200)
    name_fr = models.CharField(_("name (French)"), max_length=200)
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")

    def __str__(self) -> str:
        return self.code

    @property
    def name(self) -> str:
        return self.name_fr if translation.get_language() == "fr" else self.name_en


class Role(models.TextChoices):
    VIEWER = "viewer", _("Viewer")
    ANALYST = "analyst", _("Analyst")
    PROGRAM_OFFICER = "program_officer", _("Program officer")
    RWG_MEMBER = "rwg_member", _("RWG member")
    ADMINISTRATOR = "administrator", _("Administrator")


class User(AbstractUser):
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.VIEWER)
    clearance = models.PositiveSmallIntegerField(
        _("clearance"), choices=SecurityLevel.choices, default=SecurityLevel.UNCLASSIFIED
    )
    has_need_to_know = models.BooleanField(_("need-to-know for targeted countries"), default=False)
    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
