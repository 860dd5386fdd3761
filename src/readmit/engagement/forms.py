"""The forms of the engagement pages: they read and check input, services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from readmit.accounts.models import Department
from readmit.core.security import SecurityLevel
from readmit.engagement.models import (
    ActionStatus,
    CommitmentKind,
    CountryOutcome,
    EngagementKind,
    Lever,
    NegotiationStatus,
    TriggerKind,
)
from readmit.engagement.triggers import INDICATORS, OPERATORS

LEVELS = [
    (level.value, level.label) for level in SecurityLevel if level >= SecurityLevel.PROTECTED_B
]


def departments_field(label, required=False):
    return forms.ModelMultipleChoiceField(
        label=label,
        queryset=Department.objects.filter(is_active=True),
        to_field_name="code",
        required=required,
        widget=forms.CheckboxSelectMultiple,
    )


def department_field(label):
    return forms.ModelChoiceField(
        label=label, queryset=Department.objects.filter(is_active=True), to_field_name="code"
    )


def level_field():
    return forms.TypedChoiceField(
        label=_("Security level"),
        choices=LEVELS,
        coerce=int,
        empty_value=None,
        initial=SecurityLevel.PROTECTED_B,
        required=False,
        help_text=_("Protected B by default; raise it for a more sensitive record."),
    )


class PlanForm(forms.Form):
    country = forms.CharField(
        label=_("Country code"), max_length=3, help_text=_("ISO 3166-1 alpha-3, such as XAA.")
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    lead_department = department_field(_("Lead department"))
    participating_departments = departments_field(_("Participating departments"))
    objectives = forms.CharField(label=_("Objectives"), widget=forms.Textarea, required=False)
    security_level = level_field()


class PlanChangeForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    objectives = forms.CharField(label=_("Objectives"), widget=forms.Textarea, required=False)
    participating_departments = departments_field(_("Participating departments"))
    security_level = level_field()
    reason = forms.CharField(label=_("Reason for the change"), required=False)


class TransitionForm(forms.Form):
    to_status = forms.CharField(widget=forms.HiddenInput)
    reason = forms.CharField(label=_("Reason"), required=False, widget=forms.Textarea)
    on = forms.DateField(
        label=_("Date (start or end of the plan)"),
        required=False,
        help_text=_("YYYY-MM-DD; today if left empty."),
    )


class DecisionForm(forms.Form):
    """The common part of every RWG decision."""

    decided_on = forms.DateField(label=_("Decided on"), help_text=_("YYYY-MM-DD"))
    meeting = forms.ModelChoiceField(label=_("Meeting"), queryset=None, required=False)
    reference = forms.CharField(
        label=_("Reference"),
        max_length=100,
        required=False,
        help_text=_("The meeting's reference is used if left empty."),
    )
    rationale = forms.CharField(label=_("Rationale"), widget=forms.Textarea, required=False)

    def __init__(self, *args, meetings=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["meeting"].queryset = meetings


class EscalationDecisionForm(DecisionForm):
    decision = forms.ChoiceField(
        label=_("The RWG's decision"),
        choices=[("approve", _("Approve the step")), ("decline", _("Decline the step"))],
    )


class RecordDecisionForm(DecisionForm):
    kind = forms.ChoiceField(
        label=_("Kind of decision"),
        choices=[
            ("country", _("Country decision")),
            ("approve_methodology", _("Approve a methodology version")),
            ("other", _("Other")),
        ],
    )
    country = forms.CharField(label=_("Country code"), max_length=3, required=False)
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=[("", "—"), *CountryOutcome.choices], required=False
    )
    assessment_run_id = forms.IntegerField(
        label=_("Assessment run answered"), required=False, min_value=1
    )
    proposed_classification = forms.CharField(
        label=_("Proposed classification"), max_length=40, required=False
    )
    methodology_version = forms.CharField(
        label=_("Methodology version"), max_length=40, required=False
    )
    subject = forms.CharField(label=_("Subject"), max_length=300, required=False)
    security_level = level_field()


class MeetingForm(forms.Form):
    held_on = forms.DateField(label=_("Held on"), help_text=_("YYYY-MM-DD"))
    reference = forms.CharField(label=_("Reference"), max_length=100)
    attending_departments = departments_field(_("Departments attending"))
    agenda = forms.CharField(label=_("Agenda"), widget=forms.Textarea, required=False)
    minutes = forms.CharField(label=_("Minutes"), widget=forms.Textarea, required=False)
    security_level = level_field()


class ActionForm(forms.Form):
    title = forms.CharField(label=_("Action"), max_length=300)
    owner_department = department_field(_("Owner department"))
    due_on = forms.DateField(label=_("Due on"), help_text=_("YYYY-MM-DD"))
    description = forms.CharField(label=_("Description"), widget=forms.Textarea, required=False)
    engagement = forms.IntegerField(
        label=_("Follow-up of the engagement"), widget=forms.HiddenInput, required=False
    )

    def offer_engagements(self, engagements) -> None:
        """Let the user pick the engagement the action follows up, among the plan's."""
        self.fields["engagement"].widget = forms.Select(
            choices=[("", "—"), *[(e.pk, str(e)) for e in engagements]]
        )


class CompletionForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Closed as"),
        choices=[(ActionStatus.DONE, _("Done")), (ActionStatus.CANCELLED, _("Cancelled"))],
    )
    closed_on = forms.DateField(label=_("Closed on"), help_text=_("YYYY-MM-DD"))
    completion_note = forms.CharField(label=_("Completion record"), widget=forms.Textarea)


class EngagementForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=EngagementKind.choices)
    held_on = forms.DateField(label=_("Date"), help_text=_("YYYY-MM-DD; a future date plans it."))
    departments = departments_field(_("Departments"))
    counterpart = forms.CharField(label=_("Counterpart"), max_length=300, required=False)
    summary = forms.CharField(label=_("Summary"), widget=forms.Textarea, required=False)
    outcome = forms.CharField(label=_("Outcome"), widget=forms.Textarea, required=False)


class CommitmentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=CommitmentKind.choices)
    title = forms.CharField(label=_("Title"), max_length=300)
    status = forms.ChoiceField(label=_("Negotiation status"), choices=NegotiationStatus.choices)
    status_since = forms.DateField(label=_("Status since"), help_text=_("YYYY-MM-DD"))
    description = forms.CharField(label=_("Description"), widget=forms.Textarea, required=False)


class CommitmentStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"), choices=NegotiationStatus.choices)
    changed_on = forms.DateField(label=_("Changed on"), help_text=_("YYYY-MM-DD"))
    note = forms.CharField(label=_("Note"), required=False)


class IndicatorForm(forms.Form):
    indicator = forms.ChoiceField(label=_("Indicator"), choices=[(k, k) for k in INDICATORS])
    baseline = forms.FloatField(label=_("Baseline"), required=False)
    target = forms.FloatField(label=_("Target"), required=False)
    target_on = forms.DateField(label=_("Target date"), required=False, help_text=_("YYYY-MM-DD"))


class StepForm(forms.Form):
    lever = forms.ChoiceField(label=_("Lever"), choices=Lever.choices)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea, required=False)


class TriggerForm(forms.Form):
    """One form for the three kinds; the fields that do not apply are left empty."""

    kind = forms.ChoiceField(label=_("Condition"), choices=TriggerKind.choices)
    indicator = forms.ChoiceField(
        label=_("Indicator"), choices=[("", "—"), *[(k, k) for k in INDICATORS]], required=False
    )
    operator = forms.ChoiceField(
        label=_("Comparison"), choices=[("", "—"), *[(o, o) for o in OPERATORS]], required=False
    )
    threshold = forms.FloatField(label=_("Threshold"), required=False)
    quarters = forms.IntegerField(label=_("Consecutive quarters"), required=False, min_value=1)
    by = forms.DateField(
        label=_("No progress by (date)"), required=False, help_text=_("YYYY-MM-DD")
    )
    days_after_start = forms.IntegerField(
        label=_("…or within days of the plan's start"), required=False, min_value=1
    )
    days = forms.IntegerField(label=_("Days overdue"), required=False, min_value=1)
    at_least = forms.IntegerField(
        label=_("At least this many actions"), required=False, min_value=1
    )

    PARAMETERS = {
        "indicator_run": ("indicator", "operator", "threshold", "quarters"),
        "no_commitment_progress": ("by", "days_after_start"),
        "actions_overdue": ("days", "at_least"),
    }

    def parameters(self) -> dict:
        data = self.cleaned_data
        values = {}
        for name in self.PARAMETERS[data["kind"]]:
            value = data.get(name)
            if value in (None, ""):
                continue
            values[name] = value.isoformat() if hasattr(value, "isoformat") else value
        return values


class EvaluateForm(forms.Form):
    as_of = forms.DateField(
        label=_("As of"), required=False, help_text=_("YYYY-MM-DD; today if empty.")
    )
