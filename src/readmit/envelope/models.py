"""The capacity-building envelope: authority by fiscal year, amendments, partners, projects.

An `Envelope` keeps its original authority profile (`OriginalAuthority`, one row a year);
each `Amendment` changes it by signed amounts per year (`AmendmentChange`) and, for an
extension, moves its end year. The current profile is never stored: it is the original
with every amendment applied in order (`figures.apply_amendments`), so the history of the
profile is the list of amendments itself. Projects carry their target countries
(`ProjectCountry`, each saying whether the country may be disclosed), their payment
schedule (`PlannedPayment`, one row a fiscal year) and their payments (`Payment`).

Every row is an audited record; every change goes through `envelope.services`.
The figures are defined in docs/envelope.md.
"""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from readmit.core.fiscal import FiscalYear
from readmit.core.models import AuditedRecord, Country, need_to_know_field, security_level_field
from readmit.core.security import SecurityLevel
from readmit.envelope.fields import FiscalYearField
from readmit.envelope.figures import AmendmentKind as Kind
from readmit.envelope.figures import ProjectStatus as Status


def money_field(verbose_name, **kwargs) -> models.DecimalField:
    return models.DecimalField(verbose_name, max_digits=15, decimal_places=2, **kwargs)


def default_currency() -> str:
    return settings.READMIT_CURRENCY


iati_identifier_validator = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9._/-]*$",
    _("Use letters, digits, hyphens, dots, slashes or underscores (an IATI identifier)."),
)
LIVE = Q(deleted_at__isnull=True)


class AmendmentKind(models.TextChoices):
    EXTENSION = Kind.EXTENSION.value, _("Extension of the end year")
    REPROFILING = Kind.REPROFILING.value, _("Reprofiling between years")
    INCREASE = Kind.INCREASE.value, _("Increase")
    DECREASE = Kind.DECREASE.value, _("Decrease")


class ProjectStatus(models.TextChoices):
    PIPELINE = Status.PIPELINE.value, _("Pipeline")
    APPROVED = Status.APPROVED.value, _("Approved")
    ACTIVE = Status.ACTIVE.value, _("Active")
    CLOSED = Status.CLOSED.value, _("Closed")
    CANCELLED = Status.CANCELLED.value, _("Cancelled")


class FundingType(models.TextChoices):
    GRANT = "grant", _("Grant")
    CONTRIBUTION = "contribution", _("Contribution")


class RiskRating(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")


class InitiativeType(models.TextChoices):
    BORDER_MANAGEMENT = "border_management", _("Border management")
    ENTRY_EXIT = "entry_exit_control", _("Entry and exit control systems")
    LAW_ENFORCEMENT = (
        "law_enforcement",
        _("Law-enforcement capacity against human trafficking and migrant smuggling"),
    )
    DETERRENCE_MESSAGING = "deterrence_messaging", _("Deterrence messaging campaigns")
    IDENTITY_MANAGEMENT = "identity_management", _("Identity management and civil registration")
    OTHER = "other", _("Other")


class OrganisationType(models.IntegerChoices):
    """The IATI OrganisationType codelist (2.03)."""

    GOVERNMENT = 10, _("Government")
    LOCAL_GOVERNMENT = 11, _("Local government")
    OTHER_PUBLIC_SECTOR = 15, _("Other public sector")
    INTERNATIONAL_NGO = 21, _("International NGO")
    NATIONAL_NGO = 22, _("National NGO")
    REGIONAL_NGO = 23, _("Regional NGO")
    PARTNER_COUNTRY_NGO = 24, _("Partner-country-based NGO")
    PUBLIC_PRIVATE_PARTNERSHIP = 30, _("Public-private partnership")
    MULTILATERAL = 40, _("Multilateral")
    FOUNDATION = 60, _("Foundation")
    PRIVATE_SECTOR = 70, _("Private sector")
    PRIVATE_SECTOR_PROVIDER = 71, _("Private sector in provider country")
    PRIVATE_SECTOR_RECIPIENT = 72, _("Private sector in aid recipient country")
    PRIVATE_SECTOR_THIRD = 73, _("Private sector in third country")
    ACADEMIC = 80, _("Academic, training and research")
    OTHER = 90, _("Other")


class PartnerCategory(models.TextChoices):
    MULTILATERAL = "multilateral", _("Multilateral")
    GOVERNMENT = "government", _("Government")
    CIVIL_SOCIETY = "civil_society", _("Civil society")
    PRIVATE = "private", _("Private")
    OTHER = "other", _("Other")


PARTNER_CATEGORY = {
    10: PartnerCategory.GOVERNMENT,
    11: PartnerCategory.GOVERNMENT,
    15: PartnerCategory.GOVERNMENT,
    21: PartnerCategory.CIVIL_SOCIETY,
    22: PartnerCategory.CIVIL_SOCIETY,
    23: PartnerCategory.CIVIL_SOCIETY,
    24: PartnerCategory.CIVIL_SOCIETY,
    60: PartnerCategory.CIVIL_SOCIETY,
    80: PartnerCategory.CIVIL_SOCIETY,
    30: PartnerCategory.PRIVATE,
    70: PartnerCategory.PRIVATE,
    71: PartnerCategory.PRIVATE,
    72: PartnerCategory.PRIVATE,
    73: PartnerCategory.PRIVATE,
    40: PartnerCategory.MULTILATERAL,
    90: PartnerCategory.OTHER,
}


class Envelope(AuditedRecord):
    """A grant and contribution envelope: a programme's authority over several fiscal years.

    Unclassified by default: the envelope, its authority and its amendments are public
    (the seed's briefing note states them).
    """

    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=30, blank=True)
    programme = models.CharField(_("programme"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    currency = models.CharField(
        _("currency"), max_length=3, default=default_currency, editable=False
    )
    start_fiscal_year = FiscalYearField(_("first fiscal year"))
    original_end_fiscal_year = FiscalYearField(_("original last fiscal year"))
    target_countries_min = models.PositiveSmallIntegerField(
        _("countries to reach (at least)"), default=0
    )
    target_countries_max = models.PositiveSmallIntegerField(
        _("countries to reach (at most)"), default=0
    )
    reporting_org_ref = models.CharField(
        _("IATI reporting organisation identifier"),
        max_length=100,
        blank=True,
        validators=[iati_identifier_validator],
    )
    reporting_org_name = models.CharField(
        _("IATI reporting organisation name"), max_length=200, blank=True
    )
    reporting_org_type = models.PositiveSmallIntegerField(
        _("IATI reporting organisation type"),
        choices=OrganisationType.choices,
        default=OrganisationType.GOVERNMENT,
    )

    class Meta:
        ordering = ["start_fiscal_year", "name"]
        verbose_name = _("envelope")
        verbose_name_plural = _("envelopes")

    def __str__(self) -> str:
        return self.short_name or self.name

    def clean(self) -> None:
        super().clean()
        if (
            self.start_fiscal_year
            and self.original_end_fiscal_year
            and self.original_end_fiscal_year < self.start_fiscal_year
        ):
            raise ValidationError(
                {"original_end_fiscal_year": _("The last fiscal year comes before the first.")}
            )
        if self.target_countries_max < self.target_countries_min:
            raise ValidationError(
                {"target_countries_max": _("The upper end of the target is below its lower end.")}
            )


class OriginalAuthority(AuditedRecord):
    """The authority a fiscal year received when the envelope was created."""

    envelope = models.ForeignKey(
        Envelope, on_delete=models.PROTECT, related_name="original_authority"
    )
    fiscal_year = FiscalYearField(_("fiscal year"))
    amount = money_field(_("authority"), validators=[MinValueValidator(Decimal("0.00"))])

    class Meta:
        ordering = ["envelope", "fiscal_year"]
        verbose_name = _("original authority")
        verbose_name_plural = _("original authority")
        constraints = [
            models.UniqueConstraint(
                fields=["envelope", "fiscal_year"], condition=LIVE, name="one_authority_a_year"
            )
        ]

    def __str__(self) -> str:
        return f"{self.envelope} {self.fiscal_year}: {self.amount}"


class Amendment(AuditedRecord):
    """A change to the envelope's authority, approved by an authority on a date, for a reason."""

    envelope = models.ForeignKey(Envelope, on_delete=models.PROTECT, related_name="amendments")
    number = models.PositiveSmallIntegerField(_("number"))
    kind = models.CharField(_("kind"), max_length=20, choices=AmendmentKind.choices)
    approving_authority = models.CharField(_("approving authority"), max_length=200)
    approved_on = models.DateField(_("approved on"))
    reason = models.TextField(_("reason"))
    new_end_fiscal_year = FiscalYearField(_("new last fiscal year"), null=True, blank=True)

    class Meta:
        ordering = ["envelope", "approved_on", "number"]
        verbose_name = _("amendment")
        verbose_name_plural = _("amendments")
        constraints = [
            models.UniqueConstraint(
                fields=["envelope", "number"], name="amendment_numbers_are_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.envelope} amendment {self.number}"


class AmendmentChange(AuditedRecord):
    """The signed change an amendment makes to one fiscal year's authority."""

    amendment = models.ForeignKey(Amendment, on_delete=models.PROTECT, related_name="changes")
    fiscal_year = FiscalYearField(_("fiscal year"))
    change = money_field(_("change"))

    class Meta:
        ordering = ["amendment", "fiscal_year"]
        verbose_name = _("amendment change")
        verbose_name_plural = _("amendment changes")
        constraints = [
            models.UniqueConstraint(
                fields=["amendment", "fiscal_year"], condition=LIVE, name="one_change_a_year"
            )
        ]

    def __str__(self) -> str:
        return f"{self.amendment} {self.fiscal_year}: {self.change:+}"


class Partner(AuditedRecord):
    """An organisation that delivers projects: multilateral, government, civil society, private."""

    name = models.CharField(_("name"), max_length=200)
    acronym = models.CharField(_("acronym"), max_length=30, blank=True)
    organisation_type = models.PositiveSmallIntegerField(
        _("IATI organisation type"), choices=OrganisationType.choices
    )
    iati_identifier = models.CharField(
        _("IATI organisation identifier"),
        max_length=100,
        blank=True,
        validators=[iati_identifier_validator],
        help_text=_("As registered with IATI, for example XM-DAC-47066."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("partner")
        verbose_name_plural = _("partners")
        constraints = [
            models.UniqueConstraint(
                fields=["iati_identifier"],
                condition=LIVE & ~Q(iati_identifier=""),
                name="partner_iati_identifier_unique",
            )
        ]

    def __str__(self) -> str:
        return self.acronym or self.name

    @property
    def category(self) -> PartnerCategory:
        return PARTNER_CATEGORY.get(self.organisation_type, PartnerCategory.OTHER)


class Project(AuditedRecord):
    """A grant or contribution agreement with a partner, under an envelope.

    Unclassified by default: the Government of Canada discloses its grant and
    contribution awards. Which countries a project targets is not: see `ProjectCountry`.
    """

    envelope = models.ForeignKey(Envelope, on_delete=models.PROTECT, related_name="projects")
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="projects")
    reference = models.CharField(_("reference"), max_length=50)
    title = models.CharField(
        _("title"),
        max_length=300,
        help_text=_("Published in the IATI file: never name a country that is not disclosed."),
    )
    title_fr = models.CharField(_("title (French)"), max_length=300, blank=True)
    description = models.TextField(
        _("description"),
        blank=True,
        help_text=_("Published in the IATI file: never name a country that is not disclosed."),
    )
    description_fr = models.TextField(_("description (French)"), blank=True)
    initiative_types = models.JSONField(_("initiative types"), default=list, blank=True)
    funding_type = models.CharField(
        _("grant or contribution"),
        max_length=20,
        choices=FundingType.choices,
        default=FundingType.GRANT,
    )
    status = models.CharField(
        _("status"), max_length=20, choices=ProjectStatus.choices, default=ProjectStatus.PIPELINE
    )
    status_changed_on = models.DateField(_("status changed on"), null=True, blank=True)
    approval_date = models.DateField(_("approval date"), null=True, blank=True)
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    agreement_value = money_field(
        _("agreement value"), validators=[MinValueValidator(Decimal("0.01"))]
    )
    expected_results = models.TextField(_("expected results"), blank=True)
    risk_rating = models.CharField(
        _("risk rating"), max_length=10, choices=RiskRating.choices, default=RiskRating.MEDIUM
    )
    iati_identifier = models.CharField(
        _("IATI activity identifier"),
        max_length=150,
        blank=True,
        validators=[iati_identifier_validator],
    )

    class Meta:
        ordering = ["envelope", "reference"]
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        constraints = [
            models.UniqueConstraint(
                fields=["envelope", "reference"], condition=LIVE, name="project_reference_unique"
            ),
            models.UniqueConstraint(
                fields=["iati_identifier"],
                condition=LIVE & ~Q(iati_identifier=""),
                name="project_iati_identifier_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    def clean(self) -> None:
        super().clean()
        unknown = sorted(set(self.initiative_types or []) - set(InitiativeType.values))
        if not isinstance(self.initiative_types, list) or unknown:
            raise ValidationError(
                {"initiative_types": _("Unknown initiative type: %s.") % ", ".join(unknown)}
            )
        self.initiative_types = [t for t in InitiativeType.values if t in self.initiative_types]
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("The end date comes before the start date.")})
        if self.status != ProjectStatus.PIPELINE and self.approval_date is None:
            raise ValidationError({"approval_date": _("An approved project has an approval date.")})

    @property
    def initiative_type_labels(self) -> list[str]:
        labels = dict(InitiativeType.choices)
        return [labels[t] for t in self.initiative_types if t in labels]

    @property
    def approval_fiscal_year(self) -> FiscalYear | None:
        return FiscalYear.of(self.approval_date) if self.approval_date else None


class ProjectCountry(AuditedRecord):
    """A country a project targets, and whether that may be disclosed.

    Which countries are targeted is Protected B and need-to-know: a link is withheld
    (not disclosed) unless a program officer cleared for targeting discloses it. Only a
    disclosed country reaches users without that clearance, and the IATI file.
    """

    security_level = security_level_field(SecurityLevel.PROTECTED_B)
    is_need_to_know = need_to_know_field(True)
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="country_links")
    country = models.ForeignKey(Country, on_delete=models.PROTECT, related_name="+")
    is_disclosed = models.BooleanField(_("may be disclosed"), default=False)

    class Meta:
        ordering = ["project", "country"]
        verbose_name = _("project country")
        verbose_name_plural = _("project countries")
        constraints = [
            models.UniqueConstraint(
                fields=["project", "country"], condition=LIVE, name="project_country_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.project.reference} {self.country_id}"

    def save(self, *args, **kwargs):
        # The record's markings follow the disclosure, so `rules.can_view_record` agrees.
        if self.is_disclosed:
            self.security_level, self.is_need_to_know = SecurityLevel.UNCLASSIFIED, False
        else:
            self.security_level = max(self.security_level, SecurityLevel.PROTECTED_B)
            self.is_need_to_know = True
        super().save(*args, **kwargs)


class PlannedPayment(AuditedRecord):
    """What a project's schedule plans to pay in one fiscal year."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="planned_payments")
    fiscal_year = FiscalYearField(_("fiscal year"))
    amount = money_field(_("amount"), validators=[MinValueValidator(Decimal("0.01"))])

    class Meta:
        ordering = ["project", "fiscal_year"]
        verbose_name = _("planned payment")
        verbose_name_plural = _("planned payments")
        constraints = [
            models.UniqueConstraint(
                fields=["project", "fiscal_year"], condition=LIVE, name="one_planned_payment_a_year"
            )
        ]

    def __str__(self) -> str:
        return f"{self.project.reference} {self.fiscal_year}: {self.amount}"


class Payment(AuditedRecord):
    """A payment made to a project's partner, on a date; it counts in that date's fiscal year."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="payments")
    paid_on = models.DateField(_("paid on"))
    fiscal_year = FiscalYearField(_("fiscal year"), editable=False)
    amount = money_field(_("amount"), validators=[MinValueValidator(Decimal("0.01"))])
    reference = models.CharField(
        _("payment reference"),
        max_length=100,
        blank=True,
        help_text=_("The financial system's document number, for reconciliation."),
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["project", "paid_on", "id"]
        verbose_name = _("payment")
        verbose_name_plural = _("payments")

    def __str__(self) -> str:
        return f"{self.project.reference} {self.paid_on}: {self.amount}"

    def clean_fields(self, exclude=None) -> None:
        # The fiscal year is the date's, always: set before the fields are validated.
        if self.paid_on:
            self.fiscal_year = FiscalYear.of(self.paid_on)
        super().clean_fields(exclude)

    def save(self, *args, **kwargs):
        if self.paid_on:
            self.fiscal_year = FiscalYear.of(self.paid_on)
        super().save(*args, **kwargs)
