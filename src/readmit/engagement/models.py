"""Engagement: the RWG's meetings and decisions, country Engagement Plans with their actions,
engagements, commitments and escalation ladder, and the alerts the ladder's triggers raise.

Every record here is Protected B and need-to-know by default (it says which countries are
targeted and what is done about them); a record can be raised to a higher level, never
lowered below that. Who sees which plan is decided in `accounts.rules` (`can_view_plan`).
State changes go through `engagement.services`; the plan's workflow is the table in
`engagement.workflow`.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from readmit.accounts.models import Department
from readmit.core.models import AuditedRecord, Country, need_to_know_field, security_level_field
from readmit.core.security import SecurityLevel
from readmit.engagement import triggers, workflow


class EngagementRecord(AuditedRecord):
    """Protected B and need-to-know unless raised higher."""

    security_level = security_level_field(SecurityLevel.PROTECTED_B)
    is_need_to_know = need_to_know_field(True)

    class Meta(AuditedRecord.Meta):
        abstract = True

    def clean(self) -> None:
        super().clean()
        if self.security_level < SecurityLevel.PROTECTED_B:
            raise ValidationError(
                {"security_level": _("Engagement records are at least Protected B.")}
            )
        if not self.is_need_to_know:
            raise ValidationError(
                {"is_need_to_know": _("Engagement records are always need-to-know.")}
            )


# RWG meetings and decisions --------------------------------------------------------------


class Meeting(EngagementRecord):
    """A meeting of the Removals Working Group and its record."""

    held_on = models.DateField(_("held on"))
    reference = models.CharField(_("reference"), max_length=100)
    attending_departments = models.ManyToManyField(
        Department, verbose_name=_("departments attending"), related_name="+", blank=True
    )
    agenda = models.TextField(_("agenda"), blank=True)
    minutes = models.TextField(_("minutes"), blank=True)

    _history_m2m_fields = ["attending_departments"]

    class Meta:
        ordering = ["-held_on", "-id"]
        verbose_name = _("RWG meeting")
        verbose_name_plural = _("RWG meetings")
        constraints = [
            models.UniqueConstraint(
                fields=["reference"],
                condition=Q(deleted_at__isnull=True),
                name="engagement_meeting_unique_reference",
            )
        ]

    def __str__(self) -> str:
        return f"{self.reference} ({self.held_on.isoformat()})"


class DecisionKind(models.TextChoices):
    COUNTRY = "country", _("Country decision (identify as targeted or not)")
    APPROVE_PLAN = "approve_plan", _("Approve an Engagement Plan")
    APPROVE_ESCALATION = "approve_escalation", _("Approve an escalation step")
    DECLINE_ESCALATION = "decline_escalation", _("Decline an escalation")
    APPROVE_METHODOLOGY = "approve_methodology", _("Approve a methodology version")
    OTHER = "other", _("Other")


class CountryOutcome(models.TextChoices):
    TARGETED = "targeted", _("Identified as recalcitrant and targeted")
    MONITORED = "monitored", _("Monitored")
    NOT_TARGETED = "not_targeted", _("Not targeted")
    DEFERRED = "deferred", _("Deferred")


class Decision(EngagementRecord):
    """A decision of the RWG, recorded with its date, reference and rationale."""

    kind = models.CharField(_("kind"), max_length=30, choices=DecisionKind.choices)
    meeting = models.ForeignKey(
        Meeting,
        verbose_name=_("meeting"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="decisions",
    )
    decided_on = models.DateField(_("decided on"))
    reference = models.CharField(_("reference"), max_length=100)
    subject = models.CharField(_("subject"), max_length=300)
    rationale = models.TextField(_("rationale"), blank=True)
    country = models.ForeignKey(
        Country,
        verbose_name=_("country"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    outcome = models.CharField(
        _("outcome"), max_length=20, choices=CountryOutcome.choices, blank=True
    )
    # The assessment this decision answered; plain fields, read by the assessment app.
    assessment_run_id = models.PositiveBigIntegerField(_("assessment run"), null=True, blank=True)
    proposed_classification = models.CharField(
        _("proposed classification"), max_length=40, blank=True
    )
    methodology_version = models.CharField(_("methodology version"), max_length=40, blank=True)
    plan = models.ForeignKey(
        "EngagementPlan",
        verbose_name=_("Engagement Plan"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="decisions",
    )
    step = models.ForeignKey(
        "EscalationStep",
        verbose_name=_("escalation step"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="decisions",
    )

    class Meta:
        ordering = ["-decided_on", "-id"]
        verbose_name = _("RWG decision")
        verbose_name_plural = _("RWG decisions")
        indexes = [models.Index(fields=["kind", "country", "decided_on"])]

    def __str__(self) -> str:
        return f"{self.reference}: {self.subject}"

    def clean(self) -> None:
        super().clean()
        errors = {}
        if self.kind == DecisionKind.COUNTRY:
            if not self.country_id:
                errors["country"] = _("A country decision names the country.")
            if not self.outcome:
                errors["outcome"] = _("A country decision states its outcome.")
        elif self.outcome:
            errors["outcome"] = _("Only a country decision has an outcome.")
        if self.kind in {DecisionKind.APPROVE_PLAN, DecisionKind.APPROVE_ESCALATION} and (
            not self.plan_id
        ):
            errors["plan"] = _("This decision names the Engagement Plan it is about.")
        if (
            self.kind in {DecisionKind.APPROVE_ESCALATION, DecisionKind.DECLINE_ESCALATION}
            and not self.step_id
        ):
            errors["step"] = _("This decision names the escalation step it is about.")
        if self.kind == DecisionKind.DECLINE_ESCALATION and not self.rationale.strip():
            errors["rationale"] = _("Say why the escalation is declined.")
        if self.kind == DecisionKind.APPROVE_METHODOLOGY and not self.methodology_version:
            errors["methodology_version"] = _("Name the methodology version approved.")
        if errors:
            raise ValidationError(errors)


# Engagement Plans ------------------------------------------------------------------------


class PlanStatus(models.TextChoices):
    DRAFT = workflow.DRAFT, _("Draft")
    SUBMITTED = workflow.SUBMITTED, _("Submitted")
    APPROVED = workflow.APPROVED, _("Approved")
    ACTIVE = workflow.ACTIVE, _("Active")
    ESCALATED = workflow.ESCALATED, _("Escalated")
    CONCLUDED = workflow.CONCLUDED, _("Concluded")


class EngagementPlan(EngagementRecord):
    """A country's Engagement Plan: who does what, what it tracks, and its escalation path."""

    country = models.ForeignKey(
        Country, verbose_name=_("country"), on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("title"), max_length=200)
    lead_department = models.ForeignKey(
        Department, verbose_name=_("lead department"), on_delete=models.PROTECT, related_name="+"
    )
    participating_departments = models.ManyToManyField(
        Department, verbose_name=_("participating departments"), related_name="+", blank=True
    )
    objectives = models.TextField(_("objectives"), blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=PlanStatus.choices, default=PlanStatus.DRAFT
    )
    starts_on = models.DateField(_("starts on"), null=True, blank=True)
    ends_on = models.DateField(_("ended on"), null=True, blank=True)

    _history_m2m_fields = ["participating_departments"]

    class Meta:
        ordering = ["country_id", "-id"]
        verbose_name = _("Engagement Plan")
        verbose_name_plural = _("Engagement Plans")
        constraints = [
            models.UniqueConstraint(
                fields=["country"],
                condition=Q(status__in=sorted(workflow.LIVE), deleted_at__isnull=True),
                name="engagement_one_live_plan_per_country",
            )
        ]

    def __str__(self) -> str:
        return f"{self.country_id} – {self.title}"

    def department_ids(self) -> set[int]:
        """The lead and the participating departments: those that take part in the plan."""
        ids = {self.lead_department_id}
        if self.pk:
            ids.update(d.pk for d in self.participating_departments.all())
        return ids

    @property
    def is_live(self) -> bool:
        return self.status in workflow.LIVE

    @property
    def is_concluded(self) -> bool:
        return self.status == PlanStatus.CONCLUDED


class PlanTransition(EngagementRecord):
    """One change of a plan's status: who, when, why, and the RWG decision where there is one."""

    plan = models.ForeignKey(
        EngagementPlan, verbose_name=_("plan"), on_delete=models.PROTECT, related_name="transitions"
    )
    from_status = models.CharField(_("from"), max_length=20, choices=PlanStatus.choices)
    to_status = models.CharField(_("to"), max_length=20, choices=PlanStatus.choices)
    reason = models.TextField(_("reason"), blank=True)
    decision = models.ForeignKey(
        Decision,
        verbose_name=_("RWG decision"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("plan transition")
        verbose_name_plural = _("plan transitions")

    def __str__(self) -> str:
        return f"{self.plan_id}: {self.from_status} → {self.to_status}"


class TrackedIndicator(EngagementRecord):
    """An assessment indicator the plan tracks, with its baseline and target."""

    plan = models.ForeignKey(
        EngagementPlan,
        verbose_name=_("plan"),
        on_delete=models.PROTECT,
        related_name="tracked_indicators",
    )
    indicator = models.CharField(
        _("indicator"), max_length=40, choices=[(key, key) for key in triggers.INDICATORS]
    )
    baseline = models.FloatField(_("baseline"), null=True, blank=True)
    target = models.FloatField(_("target"), null=True, blank=True)
    target_on = models.DateField(_("target date"), null=True, blank=True)

    class Meta:
        ordering = ["plan_id", "indicator"]
        verbose_name = _("tracked indicator")
        verbose_name_plural = _("tracked indicators")
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "indicator"],
                condition=Q(deleted_at__isnull=True),
                name="engagement_indicator_once_per_plan",
            )
        ]

    def __str__(self) -> str:
        return self.indicator


# Actions and engagements -----------------------------------------------------------------


class ActionStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


OPEN_ACTION_STATUSES = (ActionStatus.PLANNED, ActionStatus.IN_PROGRESS)


class EngagementKind(models.TextChoices):
    OFFICIALS_MEETING = "officials_meeting", _("Officials' meeting")
    DEMARCHE = "demarche", _("Démarche")
    MINISTERIAL_MEETING = "ministerial_meeting", _("Ministerial meeting")
    TECHNICAL_MISSION = "technical_mission", _("Technical mission")
    VISIT = "visit", _("Visit")
    LETTER = "letter", _("Letter")


class Engagement(EngagementRecord):
    """An engagement held (or planned) with the country's officials."""

    plan = models.ForeignKey(
        EngagementPlan, verbose_name=_("plan"), on_delete=models.PROTECT, related_name="engagements"
    )
    kind = models.CharField(_("kind"), max_length=30, choices=EngagementKind.choices)
    held_on = models.DateField(_("date"))
    departments = models.ManyToManyField(
        Department, verbose_name=_("departments"), related_name="+", blank=True
    )
    counterpart = models.CharField(_("counterpart"), max_length=300, blank=True)
    summary = models.TextField(_("summary"), blank=True)
    outcome = models.TextField(_("outcome"), blank=True)

    _history_m2m_fields = ["departments"]

    class Meta:
        ordering = ["-held_on", "-id"]
        verbose_name = _("engagement")
        verbose_name_plural = _("engagements")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.held_on.isoformat()}"


class Action(EngagementRecord):
    """Something a department undertakes under a plan, by a date."""

    plan = models.ForeignKey(
        EngagementPlan, verbose_name=_("plan"), on_delete=models.PROTECT, related_name="actions"
    )
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    owner_department = models.ForeignKey(
        Department, verbose_name=_("owner department"), on_delete=models.PROTECT, related_name="+"
    )
    due_on = models.DateField(_("due on"))
    status = models.CharField(
        _("status"), max_length=20, choices=ActionStatus.choices, default=ActionStatus.PLANNED
    )
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    completion_note = models.TextField(_("completion record"), blank=True)
    engagement = models.ForeignKey(
        Engagement,
        verbose_name=_("follow-up of engagement"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="follow_up_actions",
    )

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("action")
        verbose_name_plural = _("actions")

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_ACTION_STATUSES

    def days_overdue(self, today: dt.date | None = None) -> int:
        """Days past the due date while open; 0 when not late."""
        if not self.is_open:
            return 0
        today = today or timezone.localdate()
        return max((today - self.due_on).days, 0)

    @property
    def is_overdue(self) -> bool:
        return self.days_overdue() > 0

    def clean(self) -> None:
        super().clean()
        if self.is_open and self.closed_on:
            raise ValidationError({"closed_on": _("An open action has no closing date.")})
        if not self.is_open and not self.closed_on:
            raise ValidationError({"closed_on": _("Give the date the action was closed.")})


# Commitments -----------------------------------------------------------------------------


class CommitmentKind(models.TextChoices):
    WRITTEN_COMMITMENT = "written_commitment", _("Formal written commitment")
    MOU = "mou", _("Memorandum of understanding")
    READMISSION_AGREEMENT = "readmission_agreement", _("Readmission agreement")


class NegotiationStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    NEGOTIATING = "negotiating", _("Negotiating")
    INITIALLED = "initialled", _("Initialled")
    SIGNED = "signed", _("Signed")
    IN_FORCE = "in_force", _("In force")
    LAPSED = "lapsed", _("Lapsed")


class Commitment(EngagementRecord):
    """A written commitment, MOU or readmission agreement, with its current negotiation status.

    The dated history of the status is in `CommitmentStatusChange`.
    """

    plan = models.ForeignKey(
        EngagementPlan, verbose_name=_("plan"), on_delete=models.PROTECT, related_name="commitments"
    )
    kind = models.CharField(_("kind"), max_length=30, choices=CommitmentKind.choices)
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(
        _("negotiation status"),
        max_length=20,
        choices=NegotiationStatus.choices,
        default=NegotiationStatus.NOT_STARTED,
    )
    status_since = models.DateField(_("status since"))

    class Meta:
        ordering = ["plan_id", "id"]
        verbose_name = _("commitment")
        verbose_name_plural = _("commitments")

    def __str__(self) -> str:
        return self.title


class CommitmentStatusChange(EngagementRecord):
    commitment = models.ForeignKey(
        Commitment,
        verbose_name=_("commitment"),
        on_delete=models.PROTECT,
        related_name="status_changes",
    )
    status = models.CharField(_("status"), max_length=20, choices=NegotiationStatus.choices)
    previous_status = models.CharField(
        _("previous status"), max_length=20, choices=NegotiationStatus.choices, blank=True
    )
    changed_on = models.DateField(_("changed on"))
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["changed_on", "id"]
        verbose_name = _("negotiation status change")
        verbose_name_plural = _("negotiation status changes")

    def __str__(self) -> str:
        return f"{self.commitment_id}: {self.status} {self.changed_on.isoformat()}"


# Escalation ladder, triggers and alerts --------------------------------------------------


class Lever(models.TextChoices):
    OFFICIALS_ENGAGEMENT = "officials_engagement", _("Officials-level engagement")
    AMBASSADOR_DEMARCHE = "ambassador_demarche", _("Ambassador démarche")
    MINISTERIAL_ENGAGEMENT = "ministerial_engagement", _("Ministerial engagement")
    PROGRAMMING_REVIEW = "programming_review", _("Review of bilateral programming")
    VISA_MEASURES = "visa_measures", _("Visa policy measures")
    OTHER = "other", _("Other measure")


class StepStatus(models.TextChoices):
    PENDING = "pending", _("Not taken")
    APPROVED = "approved", _("Approved by the RWG")


class EscalationStep(EngagementRecord):
    """A rung of the plan's escalation ladder; taken only when the RWG approves it."""

    plan = models.ForeignKey(
        EngagementPlan,
        verbose_name=_("plan"),
        on_delete=models.PROTECT,
        related_name="escalation_steps",
    )
    order = models.PositiveSmallIntegerField(_("order"))
    lever = models.CharField(_("lever"), max_length=30, choices=Lever.choices)
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=StepStatus.choices, default=StepStatus.PENDING
    )
    approved_on = models.DateField(_("approved on"), null=True, blank=True)

    class Meta:
        ordering = ["plan_id", "order"]
        verbose_name = _("escalation step")
        verbose_name_plural = _("escalation steps")
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "order"],
                condition=Q(deleted_at__isnull=True),
                name="engagement_step_order_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.order}. {self.get_lever_display()}"


class TriggerKind(models.TextChoices):
    INDICATOR_RUN = triggers.INDICATOR_RUN, _("Indicator beyond a threshold for N quarters")
    NO_COMMITMENT_PROGRESS = triggers.NO_COMMITMENT_PROGRESS, _("No commitment progress by a date")
    ACTIONS_OVERDUE = triggers.ACTIONS_OVERDUE, _("Actions overdue by N days")


class Trigger(EngagementRecord):
    """A condition of an escalation step; its parameters are read by `engagement.triggers`."""

    step = models.ForeignKey(
        EscalationStep, verbose_name=_("step"), on_delete=models.PROTECT, related_name="triggers"
    )
    kind = models.CharField(_("kind"), max_length=30, choices=TriggerKind.choices)
    parameters = models.JSONField(_("parameters"), default=dict, blank=True)

    class Meta:
        ordering = ["step_id", "id"]
        verbose_name = _("trigger")
        verbose_name_plural = _("triggers")

    def __str__(self) -> str:
        return f"{self.kind} {self.parameters}"

    def clean(self) -> None:
        super().clean()
        problems = triggers.parameter_problems(self.kind, self.parameters or {})
        if problems:
            from readmit.engagement.explain import parameter_problem_messages

            raise ValidationError({"parameters": parameter_problem_messages(problems)})

    def condition(self) -> triggers.Condition:
        return triggers.condition_from_parameters(self.kind, self.parameters)


class AlertStatus(models.TextChoices):
    OPEN = "open", _("Open: for the RWG to consider")
    APPROVED = "approved", _("Escalation approved")
    DECLINED = "declined", _("Escalation declined")


class Alert(EngagementRecord):
    """A step's triggers fired on a quarter: the RWG approves the step or declines it."""

    plan = models.ForeignKey(
        EngagementPlan, verbose_name=_("plan"), on_delete=models.PROTECT, related_name="alerts"
    )
    step = models.ForeignKey(
        EscalationStep, verbose_name=_("step"), on_delete=models.PROTECT, related_name="alerts"
    )
    quarter = models.CharField(_("quarter"), max_length=7)
    as_of = models.DateField(_("evaluated as of"))
    findings = models.JSONField(_("findings"), default=list)
    status = models.CharField(
        _("status"), max_length=20, choices=AlertStatus.choices, default=AlertStatus.OPEN
    )
    decision = models.ForeignKey(
        Decision,
        verbose_name=_("RWG decision"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="alerts",
    )

    class Meta:
        ordering = ["-as_of", "-id"]
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        constraints = [
            models.UniqueConstraint(
                fields=["step", "quarter"],
                condition=Q(deleted_at__isnull=True),
                name="engagement_one_alert_per_step_and_quarter",
            )
        ]

    def __str__(self) -> str:
        return f"{self.plan_id} {self.step} {self.quarter}"
