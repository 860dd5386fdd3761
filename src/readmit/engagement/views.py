"""The engagement pages: plans by status, a plan's page, RWG meetings, alerts, the calendar
and the programme summary. Thin: forms read the input, services act, selectors read.

A plan the user may not see is a 404, as if it did not exist; an action the user may not
take is a 403; a refusal of the domain is shown as a notice with its message.
"""

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from readmit.accounts import rules
from readmit.core.errors import DomainError, PermissionRefused
from readmit.engagement import forms, selectors, services
from readmit.engagement.explain import describe_condition
from readmit.engagement.models import AlertStatus, PlanStatus
from readmit.engagement.workflow import RWG_ONLY


def _need_targeting(request) -> None:
    if not rules.can_view_targeting(request.user):
        raise PermissionDenied


def _plan(request, pk):
    _need_targeting(request)
    return get_object_or_404(selectors.visible_plans(user=request.user), pk=pk)


def _may_edit(request, plan) -> None:
    if not rules.can_edit_plan(request.user, plan):
        raise PermissionDenied


def _act(request, action, *, success: str) -> bool:
    """Run a service call; a refusal becomes a notice. True when it went through."""
    try:
        action()
    except PermissionRefused as error:
        raise PermissionDenied(error.message) from error
    except DomainError as error:
        messages.error(request, error.message)
        return False
    messages.success(request, success)
    return True


def _invalid(request, form) -> None:
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}: {error}" if label else error)


# Plans -----------------------------------------------------------------------------------


def plan_list(request):
    _need_targeting(request)
    status = request.GET.get("status") or None
    if status and status not in PlanStatus.values:
        status = None
    return render(
        request,
        "engagement/plan_list.html",
        {
            "groups": selectors.plans_by_status(user=request.user, status=status),
            "statuses": PlanStatus.choices,
            "current_status": status,
            "may_create": rules.can_view_targeting(request.user)
            and rules.can_edit_engagement(request.user, [request.user.department_id]),
            "open_alerts": selectors.visible_alerts(
                user=request.user, status=AlertStatus.OPEN
            ).count(),
        },
    )


def plan_new(request):
    _need_targeting(request)
    if not rules.can_edit_engagement(request.user, [request.user.department_id]):
        raise PermissionDenied
    form = forms.PlanForm(
        request.POST or None, initial={"lead_department": request.user.department}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        created = {}

        def create():
            created["plan"] = services.create_plan(
                user=request.user,
                country_code=data["country"],
                title=data["title"],
                lead_department=data["lead_department"],
                participating_departments=data["participating_departments"],
                objectives=data["objectives"],
                security_level=data["security_level"],
            )

        if _act(request, create, success=_("The plan is drafted.")):
            return redirect("engagement:plan", pk=created["plan"].pk)
    return render(request, "engagement/plan_form.html", {"form": form, "plan": None})


def plan_detail(request, pk):
    plan = _plan(request, pk)
    context = selectors.plan_page(user=request.user, plan=plan)
    meetings = selectors.visible_meetings(user=request.user)
    context.update(
        {
            "may_edit": rules.can_edit_plan(request.user, plan),
            "may_decide": rules.can_record_rwg_decision(request.user),
            "transitions_offered": [
                (status, PlanStatus(status).label)
                for status in context["allowed_statuses"]
                if status not in RWG_ONLY
            ],
            "may_approve": plan.status == PlanStatus.SUBMITTED,
            "chart": selectors.plan_chart_spec(user=request.user, plan=plan),
            "timeline": selectors.plan_timeline(user=request.user, plan=plan),
            "transition_form": forms.TransitionForm(),
            "approval_form": forms.DecisionForm(meetings=meetings),
            "action_form": forms.ActionForm(initial={"owner_department": plan.lead_department}),
            "completion_form": forms.CompletionForm(initial={"closed_on": dt.date.today()}),
            "engagement_form": forms.EngagementForm(),
            "commitment_form": forms.CommitmentForm(initial={"status_since": dt.date.today()}),
            "status_form": forms.CommitmentStatusForm(initial={"changed_on": dt.date.today()}),
            "indicator_form": forms.IndicatorForm(),
            "step_form": forms.StepForm(),
            "trigger_form": forms.TriggerForm(),
        }
    )
    context["action_form"].offer_engagements(context["engagements"])
    for step in context["steps"]:
        step.conditions = [
            describe_condition(trigger.kind, trigger.parameters) for trigger in step.triggers.all()
        ]
    return render(request, "engagement/plan_detail.html", context)


def plan_edit(request, pk):
    plan = _plan(request, pk)
    if not rules.can_edit_plan(request.user, plan):
        raise PermissionDenied
    initial = {
        "title": plan.title,
        "objectives": plan.objectives,
        "participating_departments": list(plan.participating_departments.all()),
        "security_level": plan.security_level,
    }
    form = forms.PlanChangeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        changes = {
            "participating_departments": data["participating_departments"],
            "reason": data["reason"],
        }
        if data["title"] != plan.title:
            changes["title"] = data["title"]
        if data["objectives"] != plan.objectives:
            changes["objectives"] = data["objectives"]
        if data["security_level"] and data["security_level"] != plan.security_level:
            changes["security_level"] = data["security_level"]
        if _act(
            request,
            lambda: services.update_plan(user=request.user, plan=plan, **changes),
            success=_("The plan is updated."),
        ):
            return redirect("engagement:plan", pk=plan.pk)
    return render(request, "engagement/plan_form.html", {"form": form, "plan": plan})


def plan_history(request, pk):
    plan = _plan(request, pk)
    versions = plan.history.select_related("history_user").order_by("-history_date")
    return render(
        request,
        "engagement/plan_history.html",
        {"plan": plan, "versions": versions, "transitions": plan.transitions.all()},
    )


@require_POST
def plan_status(request, pk):
    plan = _plan(request, pk)
    if not (rules.can_edit_plan(request.user, plan) or rules.can_record_rwg_decision(request.user)):
        raise PermissionDenied
    form = forms.TransitionForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        _act(
            request,
            lambda: services.change_plan_status(
                user=request.user,
                plan=plan,
                to_status=data["to_status"],
                reason=data["reason"],
                on=data["on"],
            ),
            success=_("The plan's status is changed."),
        )
    else:
        _invalid(request, form)
    return redirect("engagement:plan", pk=plan.pk)


@require_POST
def plan_approve(request, pk):
    plan = _plan(request, pk)
    if not rules.can_record_rwg_decision(request.user):
        raise PermissionDenied
    form = forms.DecisionForm(request.POST, meetings=selectors.visible_meetings(user=request.user))
    if form.is_valid():
        _act(
            request,
            lambda: services.approve_plan(user=request.user, plan=plan, **form.cleaned_data),
            success=_("The RWG's approval is recorded; the plan is approved."),
        )
    else:
        _invalid(request, form)
    return redirect("engagement:plan", pk=plan.pk)


def _plan_post(form_class, call, success):
    """A POST-only view on a plan: validate the form, call the service, back to the plan."""

    def view(request, pk):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        plan = _plan(request, pk)
        _may_edit(request, plan)
        form = form_class(request.POST)
        if form.is_valid():
            _act(request, lambda: call(request, plan, form), success=success())
        else:
            _invalid(request, form)
        return redirect("engagement:plan", pk=plan.pk)

    return view


def _engagement_for(request, plan, engagement_id):
    if not engagement_id:
        return None
    return get_object_or_404(
        selectors.visible_engagements(user=request.user).filter(plan=plan), pk=engagement_id
    )


plan_add_action = _plan_post(
    forms.ActionForm,
    lambda request, plan, form: services.add_action(
        user=request.user,
        plan=plan,
        title=form.cleaned_data["title"],
        owner_department=form.cleaned_data["owner_department"],
        due_on=form.cleaned_data["due_on"],
        description=form.cleaned_data["description"],
        engagement=_engagement_for(request, plan, form.cleaned_data["engagement"]),
    ),
    lambda: _("The action is added."),
)

plan_add_engagement = _plan_post(
    forms.EngagementForm,
    lambda request, plan, form: services.record_engagement(
        user=request.user, plan=plan, **form.cleaned_data
    ),
    lambda: _("The engagement is recorded."),
)

plan_add_commitment = _plan_post(
    forms.CommitmentForm,
    lambda request, plan, form: services.add_commitment(
        user=request.user, plan=plan, **form.cleaned_data
    ),
    lambda: _("The commitment is recorded."),
)

plan_track_indicator = _plan_post(
    forms.IndicatorForm,
    lambda request, plan, form: services.track_indicator(
        user=request.user, plan=plan, **form.cleaned_data
    ),
    lambda: _("The indicator is tracked."),
)

plan_add_step = _plan_post(
    forms.StepForm,
    lambda request, plan, form: services.add_escalation_step(
        user=request.user, plan=plan, **form.cleaned_data
    ),
    lambda: _("The step is added to the ladder."),
)


def _child(request, selector, pk):
    _need_targeting(request)
    return get_object_or_404(selector(user=request.user), pk=pk)


@require_POST
def action_complete(request, pk):
    action = _child(request, selectors.visible_actions, pk)
    _may_edit(request, action.plan)
    form = forms.CompletionForm(request.POST)
    if form.is_valid():
        _act(
            request,
            lambda: services.complete_action(user=request.user, action=action, **form.cleaned_data),
            success=_("The action is closed."),
        )
    else:
        _invalid(request, form)
    return redirect("engagement:plan", pk=action.plan_id)


@require_POST
def commitment_status(request, pk):
    commitment = _child(request, selectors.visible_commitments, pk)
    _may_edit(request, commitment.plan)
    form = forms.CommitmentStatusForm(request.POST)
    if form.is_valid():
        _act(
            request,
            lambda: services.record_commitment_status(
                user=request.user, commitment=commitment, **form.cleaned_data
            ),
            success=_("The negotiation status is recorded."),
        )
    else:
        _invalid(request, form)
    return redirect("engagement:plan", pk=commitment.plan_id)


@require_POST
def step_add_trigger(request, pk):
    step = _child(request, selectors.visible_steps, pk)
    _may_edit(request, step.plan)
    form = forms.TriggerForm(request.POST)
    if form.is_valid():
        _act(
            request,
            lambda: services.add_trigger(
                user=request.user,
                step=step,
                kind=form.cleaned_data["kind"],
                parameters=form.parameters(),
            ),
            success=_("The trigger is added."),
        )
    else:
        _invalid(request, form)
    return redirect("engagement:plan", pk=step.plan_id)


def step_decide(request, pk):
    """The RWG approves or declines an escalation step (from an alert or on its own)."""
    step = _child(request, selectors.visible_steps, pk)
    if not rules.can_record_rwg_decision(request.user):
        raise PermissionDenied
    meetings = selectors.visible_meetings(user=request.user)
    form = forms.EscalationDecisionForm(request.POST or None, meetings=meetings)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        decide = (
            services.approve_escalation
            if data.pop("decision") == "approve"
            else services.decline_escalation
        )
        if _act(
            request,
            lambda: decide(user=request.user, step=step, **data),
            success=_("The RWG's decision is recorded."),
        ):
            return redirect("engagement:plan", pk=step.plan_id)
    alerts = selectors.visible_alerts(user=request.user).filter(step=step)
    for alert in alerts:
        alert.explanations = selectors.alert_explanations(alert)
    return render(
        request,
        "engagement/step_decide.html",
        {
            "step": step,
            "plan": step.plan,
            "form": form,
            "alerts": alerts,
            "conditions": [describe_condition(t.kind, t.parameters) for t in step.triggers.all()],
        },
    )


# Alerts and evaluation -------------------------------------------------------------------


def alert_list(request):
    _need_targeting(request)
    alerts = list(selectors.visible_alerts(user=request.user))
    for alert in alerts:
        alert.explanations = selectors.alert_explanations(alert)
    return render(
        request,
        "engagement/alert_list.html",
        {
            "open": [a for a in alerts if a.status == AlertStatus.OPEN],
            "decided": [a for a in alerts if a.status != AlertStatus.OPEN],
            "may_evaluate": rules.can_evaluate_triggers(request.user),
            "evaluate_form": forms.EvaluateForm(),
        },
    )


@require_POST
def evaluate(request):
    _need_targeting(request)
    if not rules.can_evaluate_triggers(request.user):
        raise PermissionDenied
    form = forms.EvaluateForm(request.POST)
    if not form.is_valid():
        _invalid(request, form)
        return redirect("engagement:alerts")
    result = {}

    def run():
        result["evaluation"] = services.evaluate_triggers(
            user=request.user, as_of=form.cleaned_data["as_of"]
        )

    try:
        run()
    except PermissionRefused as error:
        raise PermissionDenied(error.message) from error
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("engagement:alerts")
    evaluation = result["evaluation"]
    messages.success(
        request,
        _(
            "%(plans)s plans evaluated as of %(as_of)s: %(raised)s alerts raised, "
            "%(already)s already raised this quarter."
        )
        % {
            "plans": evaluation.plans,
            "as_of": evaluation.as_of.isoformat(),
            "raised": len(evaluation.raised),
            "already": evaluation.already_raised,
        },
    )
    if not evaluation.figures_available:
        messages.warning(
            request,
            _(
                "The assessment's quarterly figures are not available: indicator triggers "
                "were not evaluated."
            ),
        )
    return redirect("engagement:alerts")


# RWG meetings ----------------------------------------------------------------------------


def meeting_list(request):
    _need_targeting(request)
    return render(
        request,
        "engagement/meeting_list.html",
        {
            "meetings": selectors.visible_meetings(user=request.user),
            "may_record": rules.can_record_rwg_decision(request.user),
            "decisions": selectors.visible_decisions(user=request.user).filter(
                meeting__isnull=True
            ),
        },
    )


def meeting_new(request):
    _need_targeting(request)
    if not rules.can_record_rwg_decision(request.user):
        raise PermissionDenied
    form = forms.MeetingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        created = {}

        def create():
            created["meeting"] = services.create_meeting(user=request.user, **form.cleaned_data)

        if _act(request, create, success=_("The meeting is recorded.")):
            return redirect("engagement:meeting", pk=created["meeting"].pk)
    return render(request, "engagement/meeting_form.html", {"form": form})


def meeting_detail(request, pk):
    meeting = _child(request, selectors.visible_meetings, pk)
    form = forms.RecordDecisionForm(
        initial={"decided_on": meeting.held_on, "meeting": meeting.pk},
        meetings=selectors.visible_meetings(user=request.user),
    )
    return render(
        request,
        "engagement/meeting_detail.html",
        {
            "meeting": meeting,
            "decisions": selectors.visible_decisions(user=request.user).filter(meeting=meeting),
            "may_record": rules.can_record_rwg_decision(request.user),
            "form": form,
        },
    )


@require_POST
def decision_new(request):
    _need_targeting(request)
    if not rules.can_record_rwg_decision(request.user):
        raise PermissionDenied
    form = forms.RecordDecisionForm(
        request.POST, meetings=selectors.visible_meetings(user=request.user)
    )
    back = reverse("engagement:meetings")
    if not form.is_valid():
        _invalid(request, form)
        return redirect(back)
    data = dict(form.cleaned_data)
    if data["meeting"] is not None:
        back = reverse("engagement:meeting", kwargs={"pk": data["meeting"].pk})
    common = {
        "user": request.user,
        "decided_on": data["decided_on"],
        "meeting": data["meeting"],
        "reference": data["reference"],
        "rationale": data["rationale"],
    }
    kind = data["kind"]
    if kind == "country":

        def record():
            services.record_country_decision(
                **common,
                country_code=data["country"],
                outcome=data["outcome"],
                assessment_run_id=data["assessment_run_id"],
                proposed_classification=data["proposed_classification"],
                security_level=data["security_level"],
            )
    elif kind == "approve_methodology":

        def record():
            services.record_methodology_approval(
                **common, methodology_version=data["methodology_version"]
            )
    else:

        def record():
            services.record_other_decision(
                **common, subject=data["subject"], security_level=data["security_level"]
            )

    _act(request, record, success=_("The RWG's decision is recorded."))
    return redirect(back)


# Calendar and summary --------------------------------------------------------------------


def calendar(request):
    _need_targeting(request)
    return render(
        request, "engagement/calendar.html", {"entries": selectors.calendar(user=request.user)}
    )


def summary(request):
    return render(
        request,
        "engagement/summary.html",
        {
            "summary": selectors.programme_summary(user=request.user),
            "may_view_targeting": rules.can_view_targeting(request.user),
        },
    )
