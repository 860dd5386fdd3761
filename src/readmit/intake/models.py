"""The records that files bring in: travel-document requests, removal cases, aggregates.

They follow ../shared/contract/data-formats.md column for column. Millions of rows arrive
by bulk ingest, so they are plain tables rather than audited records: each row names the
ingest that last wrote it, and every ingest is logged (`Ingest`) with who, when, the file's
checksum and its counts; the previous values of every row an ingest changed are kept in
`IngestChange` (docs/decisions/0002-bulk-intake.md). Dates are also stored as day numbers
(days since 1970-01-01) so that the assessment can group millions of rows in SQL without
parsing dates.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from readmit.core.models import Country
from readmit.core.security import SecurityLevel
from readmit.intake import keys


class IngestKind(models.TextChoices):
    REQUESTS = "requests", _("Travel-document requests")
    CASES = "cases", _("Removal cases")
    AGGREGATES = "aggregates", _("Aggregates")
    COUNTRIES = "countries", _("Countries")


class IngestStatus(models.TextChoices):
    RUNNING = "running", pgettext_lazy("ingest status", "Running")
    SUCCEEDED = "succeeded", pgettext_lazy("ingest status", "Succeeded")
    REFUSED = "refused", pgettext_lazy("ingest status", "Refused")
    # Stopped by an unexpected error (not the file's fault); nothing was stored either.
    FAILED = "failed", pgettext_lazy("ingest status", "Failed")


class Ingest(models.Model):
    """One file ingested (or refused): who, when, what file, and what it changed."""

    kind = models.CharField(_("kind"), max_length=20, choices=IngestKind.choices)
    file_name = models.CharField(_("file name"), max_length=255)
    checksum = models.CharField(_("SHA-256 checksum"), max_length=64)
    size_bytes = models.BigIntegerField(_("size in bytes"), default=0)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ingested by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    channel = models.CharField(_("channel"), max_length=20, default="command")
    started_at = models.DateTimeField(_("started at"), default=timezone.now, editable=False)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=IngestStatus.choices, default=IngestStatus.RUNNING
    )
    rows = models.BigIntegerField(_("rows"), default=0)
    created = models.BigIntegerField(_("created"), default=0)
    updated = models.BigIntegerField(_("updated"), default=0)
    unchanged = models.BigIntegerField(_("unchanged"), default=0)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    error_count = models.BigIntegerField(_("error count"), default=0)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("ingest")
        verbose_name_plural = _("ingests")

    def __str__(self) -> str:
        return f"{self.kind} {self.file_name} ({self.status})"

    @property
    def unlisted_error_count(self) -> int:
        """Problems found beyond those the log lists."""
        return max(self.error_count - len(self.errors), 0)


class IngestChange(models.Model):
    """The values a row had before an ingest changed it: nothing an ingest overwrites is lost."""

    ingest = models.ForeignKey(Ingest, on_delete=models.PROTECT, related_name="changes")
    kind = models.CharField(max_length=20, choices=IngestKind.choices)
    # An aggregate's key is "country, period, measure, source", the source up to 300 characters.
    key = models.CharField(max_length=400)
    previous = models.JSONField()

    class Meta:
        indexes = [models.Index(fields=["kind", "key"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.key} before ingest {self.ingest_id}"


class DocumentType(models.TextChoices):
    PASSPORT = "passport", _("Passport")
    EMERGENCY_TRAVEL_DOCUMENT = "emergency_travel_document", _("Emergency travel document")
    LAISSEZ_PASSER = "laissez_passer", _("Laissez-passer")
    OTHER = "other", _("Other")


class RequestOutcome(models.TextChoices):
    ISSUED = "issued", _("Issued")
    REFUSED = "refused", _("Refused")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    PENDING = "pending", _("Pending")


class ByteOrderedTextField(models.CharField):
    """Text that sorts byte by byte on every database: SQLite's default, PostgreSQL's "C"
    collation (a locale's collation would order it the same, at a cost on every comparison)."""

    def db_parameters(self, connection):
        parameters = super().db_parameters(connection)
        if connection.vendor == "postgresql":
            parameters["collation"] = "C"
        return parameters


class TravelDocumentRequestQuerySet(models.QuerySet):
    def bulk_create(self, objs, *args, **kwargs):
        """Fill each request's keys first (bulk_create does not call save)."""
        objs = list(objs)
        for request in objs:
            request.fill_keys()
        return super().bulk_create(objs, *args, **kwargs)

    def update(self, **kwargs):
        """Refused for the columns the keys are made of: the keys would go stale."""
        packed = set(kwargs) & set(keys.PACKED_COLUMNS)
        if packed:
            raise ValueError(
                f"{', '.join(sorted(packed))}: save each request (or ingest a file) so that its "
                "assessment key follows."
            )
        return super().update(**kwargs)


class TravelDocumentRequest(models.Model):
    """A request sent to a foreign authority for a travel document (contract: `requests`)."""

    security_level = SecurityLevel.PROTECTED_B

    # Unique by a constraint (below), not `unique=True`: on PostgreSQL that would add a
    # second index, for LIKE queries nobody makes, to every one of millions of inserts.
    request_id = models.CharField(_("request id"), max_length=64)
    case_id = models.CharField(_("case id"), max_length=64, blank=True)
    # No index of its own: the composite indexes below start with the country (ADR 0002).
    country = models.ForeignKey(
        Country,
        verbose_name=_("country"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    requested_on = models.DateField(_("requested on"))
    requested_day = models.IntegerField()
    document_type = models.CharField(
        _("document type"), max_length=30, choices=DocumentType.choices, default="other"
    )
    interview_requested_on = models.DateField(_("interview requested on"), null=True, blank=True)
    interview_requested_day = models.IntegerField(null=True)
    interview_held_on = models.DateField(_("interview held on"), null=True, blank=True)
    interview_held_day = models.IntegerField(null=True)
    outcome = models.CharField(_("outcome"), max_length=20, choices=RequestOutcome.choices)
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    decided_day = models.IntegerField(null=True)
    # No index: nothing looks rows up by the ingest that last wrote them, and millions
    # of entries would slow every ingest (ADR 0002).
    ingest = models.ForeignKey(Ingest, on_delete=models.PROTECT, related_name="+", db_index=False)
    # The request as the assessment reads it, in one short text made of the columns above
    # (ADR 0003, `intake.keys`): the day it was made, its outcome, how many days the decision
    # took, its interview days. Every writer fills it: `storage` in SQL, `save` and
    # `bulk_create` here; `update` refuses to change what it is made of.
    assessment_key = ByteOrderedTextField(max_length=2 * keys.UNIT_DIGITS, editable=False)

    objects = TravelDocumentRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("travel-document request")
        verbose_name_plural = _("travel-document requests")
        constraints = [models.UniqueConstraint(fields=["request_id"], name="tdrequest_key")]
        indexes = [
            # Covers every column the assessment reads, so that its scan in country order
            # never looks a row up in the table, and keeps the key short (ADR 0003).
            models.Index(fields=["country", "assessment_key"], name="tdrequest_assessment_key")
        ]

    def __str__(self) -> str:
        return self.request_id

    def save(self, *args, **kwargs) -> None:
        self.fill_keys()
        super().save(*args, **kwargs)

    def fill_keys(self) -> None:
        """Make assessment_key from the columns it packs."""
        self.assessment_key = keys.request_key(
            self.requested_day,
            self.outcome,
            self.decided_day,
            self.interview_requested_day,
            self.interview_held_day,
        )


class CaseStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    REMOVED = "removed", _("Removed")
    CLOSED = "closed", _("Closed")


class Impediment(models.TextChoices):
    NONE = "none", _("None")
    TRAVEL_DOCUMENT = "travel_document", _("Travel document")
    LEGAL = "legal", _("Legal")
    MEDICAL = "medical", _("Medical")
    WHEREABOUTS_UNKNOWN = "whereabouts_unknown", _("Whereabouts unknown")
    OPERATIONAL = "operational", _("Operational")


class CaseCategory(models.TextChoices):
    FAILED_CLAIMANT = "failed_claimant", _("Failed claimant")
    CRIMINALITY = "criminality", _("Criminality")
    OTHER = "other", _("Other")


class RemovalMode(models.TextChoices):
    ESCORTED = "escorted", _("Escorted")
    UNESCORTED = "unescorted", _("Unescorted")


class Flight(models.TextChoices):
    COMMERCIAL = "commercial", _("Commercial")
    CHARTER = "charter", _("Charter")


class RemovalCase(models.Model):
    """A person under an enforceable removal order (contract: `cases`)."""

    security_level = SecurityLevel.PROTECTED_B

    # Unique by a constraint, as TravelDocumentRequest.request_id.
    case_id = models.CharField(_("case id"), max_length=64)
    # No index of its own: the composite indexes below start with the country (ADR 0002).
    country = models.ForeignKey(
        Country,
        verbose_name=_("country"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    order_enforceable_on = models.DateField(_("order enforceable on"))
    order_enforceable_day = models.IntegerField()
    status = models.CharField(_("status"), max_length=20, choices=CaseStatus.choices)
    removed_on = models.DateField(_("removed on"), null=True, blank=True)
    removed_day = models.IntegerField(null=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    closed_day = models.IntegerField(null=True)
    impediment = models.CharField(
        _("impediment"), max_length=30, choices=Impediment.choices, default="none"
    )
    category = models.CharField(
        _("category"), max_length=30, choices=CaseCategory.choices, default="other"
    )
    removal_mode = models.CharField(
        _("removal mode"), max_length=20, choices=RemovalMode.choices, blank=True
    )
    flight = models.CharField(_("flight"), max_length=20, choices=Flight.choices, blank=True)
    # No index: nothing looks rows up by the ingest that last wrote them, and millions
    # of entries would slow every ingest (ADR 0002).
    ingest = models.ForeignKey(Ingest, on_delete=models.PROTECT, related_name="+", db_index=False)

    class Meta:
        verbose_name = _("removal case")
        verbose_name_plural = _("removal cases")
        constraints = [models.UniqueConstraint(fields=["case_id"], name="case_key")]
        indexes = [
            # The assessment's pass over the cases: orders and removals (ADR 0002).
            models.Index(
                fields=["country", "order_enforceable_day", "status", "removed_day"],
                name="case_orders",
            ),
            # The travel-document backlog: a small share of the cases.
            models.Index(
                fields=["country", "order_enforceable_day"],
                condition=models.Q(
                    status=CaseStatus.PENDING, impediment=Impediment.TRAVEL_DOCUMENT
                ),
                name="case_backlog",
            ),
        ]

    def __str__(self) -> str:
        return self.case_id


class Measure(models.TextChoices):
    ORDERS = "orders", _("Orders")
    RETURNS = "returns", _("Returns")
    TD_REQUESTED = "td_requested", _("Travel documents requested")
    TD_ISSUED = "td_issued", _("Travel documents issued")
    TD_REFUSED = "td_refused", _("Travel documents refused")


class Aggregate(models.Model):
    """A published or reported total for a country and period (contract: `aggregates`)."""

    security_level = SecurityLevel.UNCLASSIFIED

    # No index of its own: the composite indexes below start with the country (ADR 0002).
    country = models.ForeignKey(
        Country,
        verbose_name=_("country"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    period = models.CharField(_("period"), max_length=7)
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    measure = models.CharField(_("measure"), max_length=20, choices=Measure.choices)
    value = models.BigIntegerField(_("value"))
    source = models.CharField(_("source"), max_length=300)
    ingest = models.ForeignKey(Ingest, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("aggregate")
        verbose_name_plural = _("aggregates")
        constraints = [
            models.UniqueConstraint(
                fields=["country", "period", "measure", "source"], name="aggregate_key"
            )
        ]
        indexes = [models.Index(fields=["country", "period_start", "period_end"])]

    def __str__(self) -> str:
        return f"{self.country_id} {self.period} {self.measure} {self.value} ({self.source})"


#: The security level of each kind of file, from the records it brings (a country is
#: reference data, unclassified): an ingest's errors and previous values quote its file.
KIND_SECURITY_LEVELS = {
    IngestKind.REQUESTS: TravelDocumentRequest.security_level,
    IngestKind.CASES: RemovalCase.security_level,
    IngestKind.AGGREGATES: Aggregate.security_level,
    IngestKind.COUNTRIES: SecurityLevel.UNCLASSIFIED,
}
