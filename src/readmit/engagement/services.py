"""Every action that changes engagement records: the RWG's decisions, plans and their
workflow, actions, engagements, commitments, the escalation ladder and trigger evaluation.

Each function takes keyword arguments and the acting user, runs in a transaction, checks
the user's right through `accounts.rules` and raises `DomainError` with a message that says
what is allowed instead. Nothing escalates by itself: `evaluate_triggers` only raises
alerts; a plan is approved or escalated only by `approve_plan` / `approve_escalation`, which
record the RWG's decision.
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from readmit.accounts import rules
from readmit.accounts.models import Department
from readmit.core.errors import DomainError, PermissionRefused
from readmit.core.models import Country
from readmit.core.security import SecurityLevel
from readmit.core.services import save_record
from readmit.engagement import figures, triggers, workflow
from readmit.engagement.ladder import default_ladder
from readmit.engagement.models import (
    OPEN_ACTION_STATUSES,
    Action,
    ActionStatus,
    Alert,
    AlertStatus,
    Commitment,
    CommitmentKind,
    CommitmentStatusChange,
    CountryOutcome,
    Decision,
    DecisionKind,
    Engagement,
    EngagementKind,
    EngagementPlan,
    EscalationStep,
    Lever,
    Meeting,
    NegotiationStatus,
    PlanStatus,
    PlanTransition,
    StepStatus,
    TrackedIndicator,
    Trigger,
    TriggerKind,
)

# Each target status in the words of an action, for "it can be submitted, not approved".
TRANSITION_WORDS = {
    PlanStatus.DRAFT: lambda: _("returned to draft"),
    PlanStatus.SUBMITTED: lambda: _("submitted"),
    PlanStatus.APPROVED: lambda: _("approved (by an RWG decision)"),
    PlanStatus.ACTIVE: lambda: _("activated"),
    PlanStatus.ESCALATED: lambda: _("escalated (by an RWG decision)"),
    PlanStatus.CONCLUDED: lambda: _("concluded"),
}


# Shared checks ---------------------------------------------------------------------------


# The history keeps a change reason of at most 100 characters; the full text stays on the
# record itself (a transition's reason, a decision's rationale, a deletion's reason).
HISTORY_REASON_LENGTH = 100


def _save(record, *, user, reason: str = ""):
    reason = " ".join((reason or "").split())
    if len(reason) > HISTORY_REASON_LENGTH:
        reason = reason[: HISTORY_REASON_LENGTH - 1] + "…"
    return save_record(record, user=user, reason=reason)


def _today() -> dt.date:
    return timezone.localdate()


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionRefused(_("You do not have access to do this."))


def _require_rwg(user) -> None:
    if not rules.can_record_rwg_decision(user):
        raise PermissionRefused(
            _("Only a member of the RWG with Protected B clearance and need-to-know may do this.")
        )


def _require_plan_editor(user, plan: EngagementPlan) -> None:
    _require(rules.can_edit_plan(user, plan))


def _not_in_future(day: dt.date, what: str) -> None:
    if day > _today():
        raise DomainError(
            _("%(what)s cannot be dated in the future (%(date)s).")
            % {"what": what, "date": day.isoformat()}
        )


def _level_for(security_level, *, parent=None) -> int:
    """A new record's level: Protected B, its parent's if higher, or the level asked if higher."""
    level = max(SecurityLevel.PROTECTED_B, parent.security_level if parent else 0)
    if security_level is not None:
        if int(security_level) < level:
            raise DomainError(
                _("The level can only be raised: this record is at least %(level)s.")
                % {"level": SecurityLevel(level).label}
            )
        level = int(security_level)
    return level


def _check_clearance(user, level: int) -> None:
    if user is not None and getattr(user, "clearance", SecurityLevel.SECRET) < level:
        raise DomainError(
            _("You cannot mark a record above your own clearance (%(level)s).")
            % {"level": user.get_clearance_display()}
        )


def _country(code: str) -> Country:
    country = Country.objects.filter(code=(code or "").strip().upper()).first()
    if country is None:
        raise DomainError(
            _("Unknown country code %(code)s; use an ISO 3166-1 alpha-3 code or declare it first.")
            % {"code": code}
        )
    return country


def _departments(values: Iterable) -> list[Department]:
    values = list(values or ())
    found = []
    for value in values:
        if isinstance(value, Department):
            found.append(value)
            continue
        department = Department.objects.filter(code=str(value).upper()).first()
        if department is None and str(value).isdigit():
            department = Department.objects.filter(pk=int(value)).first()
        if department is None:
            known = ", ".join(Department.objects.values_list("code", flat=True))
            raise DomainError(
                _("Unknown department %(code)s; known departments: %(known)s.")
                % {"code": value, "known": known}
            )
        found.append(department)
    return found


def _not_concluded(plan: EngagementPlan) -> None:
    if plan.is_concluded:
        raise DomainError(
            _("The plan is concluded; its record is closed and nothing can be added to it.")
        )


# RWG meetings and decisions --------------------------------------------------------------


@transaction.atomic
def create_meeting(
    *,
    user,
    held_on: dt.date,
    reference: str,
    attending_departments: Iterable = (),
    agenda: str = "",
    minutes: str = "",
    security_level: int | None = None,
) -> Meeting:
    _require_rwg(user)
    reference = (reference or "").strip()
    if not reference:
        raise DomainError(_("Give the meeting's reference (for example RWG-2024-03)."))
    if Meeting.objects.filter(reference=reference).exists():
        raise DomainError(
            _("A meeting with the reference %(reference)s is already recorded.")
            % {"reference": reference}
        )
    level = _level_for(security_level)
    _check_clearance(user, level)
    meeting = _save(
        Meeting(
            held_on=held_on,
            reference=reference,
            agenda=agenda,
            minutes=minutes,
            security_level=level,
        ),
        user=user,
        reason="meeting recorded",
    )
    meeting._history_user = user
    meeting.attending_departments.set(_departments(attending_departments))
    return meeting


@transaction.atomic
def update_meeting(
    *,
    user,
    meeting: Meeting,
    agenda: str | None = None,
    minutes: str | None = None,
    attending_departments: Iterable | None = None,
    held_on: dt.date | None = None,
    security_level: int | None = None,
    reason: str = "",
) -> Meeting:
    _require_rwg(user)
    _require(rules.can_view_record(user, meeting))
    if agenda is not None:
        meeting.agenda = agenda
    if minutes is not None:
        meeting.minutes = minutes
    if held_on is not None:
        meeting.held_on = held_on
    if security_level is not None:
        meeting.security_level = _level_for(security_level, parent=meeting)
        _check_clearance(user, meeting.security_level)
    _save(meeting, user=user, reason=reason or "meeting updated")
    if attending_departments is not None:
        meeting._history_user = user
        meeting.attending_departments.set(_departments(attending_departments))
    return meeting


def _decision(
    *,
    user,
    kind: str,
    decided_on: dt.date,
    meeting: Meeting | None,
    reference: str,
    subject: str,
    rationale: str,
    parent=None,
    security_level: int | None = None,
    **fields,
) -> Decision:
    _require_rwg(user)
    _not_in_future(decided_on, _("A decision"))
    if meeting is not None:
        _require(rules.can_view_record(user, meeting))
        if decided_on < meeting.held_on:
            raise DomainError(
                _("The decision is dated %(date)s, before its meeting of %(held_on)s.")
                % {"date": decided_on.isoformat(), "held_on": meeting.held_on.isoformat()}
            )
    reference = (reference or "").strip() or (meeting.reference if meeting else "")
    if not reference:
        raise DomainError(
            _("Give the decision's reference (the meeting's or the record of decision's).")
        )
    level = _level_for(security_level, parent=parent)
    _check_clearance(user, level)
    return _save(
        Decision(
            kind=kind,
            decided_on=decided_on,
            meeting=meeting,
            reference=reference,
            subject=subject,
            rationale=rationale or "",
            security_level=level,
            **fields,
        ),
        user=user,
        reason=f"RWG decision: {kind}",
    )


@transaction.atomic
def record_country_decision(
    *,
    user,
    country_code: str,
    outcome: str,
    decided_on: dt.date,
    meeting: Meeting | None = None,
    reference: str,
    rationale: str,
    assessment_run_id: int | None = None,
    proposed_classification: str = "",
    security_level: int | None = None,
) -> Decision:
    """The RWG's decision on a country: targeted, monitored, not targeted or deferred."""
    if outcome not in CountryOutcome.values:
        raise DomainError(
            _("Unknown outcome %(outcome)s; use one of %(allowed)s.")
            % {"outcome": outcome, "allowed": ", ".join(CountryOutcome.values)}
        )
    country = _country(country_code)
    return _decision(
        user=user,
        kind=DecisionKind.COUNTRY,
        decided_on=decided_on,
        meeting=meeting,
        reference=reference,
        subject=_("%(country)s: %(outcome)s")
        % {"country": country.code, "outcome": CountryOutcome(outcome).label},
        rationale=rationale,
        security_level=security_level,
        country=country,
        outcome=outcome,
        assessment_run_id=assessment_run_id,
        proposed_classification=proposed_classification or "",
    )


@transaction.atomic
def record_methodology_approval(
    *,
    user,
    methodology_version: str,
    decided_on: dt.date,
    meeting: Meeting | None = None,
    reference: str,
    rationale: str = "",
) -> Decision:
    """The RWG approves a version of the assessment methodology (read by the assessment)."""
    version = (methodology_version or "").strip()
    if not version:
        raise DomainError(_("Name the methodology version approved (for example readmit-2026.1)."))
    return _decision(
        user=user,
        kind=DecisionKind.APPROVE_METHODOLOGY,
        decided_on=decided_on,
        meeting=meeting,
        reference=reference,
        subject=_("Methodology %(version)s approved") % {"version": version},
        rationale=rationale,
        methodology_version=version,
    )


@transaction.atomic
def record_other_decision(
    *,
    user,
    subject: str,
    decided_on: dt.date,
    meeting: Meeting | None = None,
    reference: str,
    rationale: str = "",
    security_level: int | None = None,
) -> Decision:
    if not (subject or "").strip():
        raise DomainError(_("Say what the decision is about (its subject)."))
    return _decision(
        user=user,
        kind=DecisionKind.OTHER,
        decided_on=decided_on,
        meeting=meeting,
        reference=reference,
        subject=subject.strip(),
        rationale=rationale,
        security_level=security_level,
    )


# Engagement Plans ------------------------------------------------------------------------


@transaction.atomic
def create_plan(
    *,
    user,
    country_code: str,
    title: str,
    lead_department,
    participating_departments: Iterable = (),
    objectives: str = "",
    security_level: int | None = None,
    ladder: list[dict] | None = None,
) -> EngagementPlan:
    """A draft plan for a country, with the default escalation ladder (or `ladder`)."""
    country = _country(country_code)
    (lead,) = _departments([lead_department])
    participants = [d for d in _departments(participating_departments) if d.pk != lead.pk]
    _require(rules.can_edit_engagement(user, [lead, *participants]))
    if not (title or "").strip():
        raise DomainError(_("Give the plan a title."))
    level = _level_for(security_level)
    _check_clearance(user, level)
    plan = _save(
        EngagementPlan(
            country=country,
            title=title.strip(),
            lead_department=lead,
            objectives=objectives,
            security_level=level,
        ),
        user=user,
        reason="plan drafted",
    )
    plan._history_user = user
    plan.participating_departments.set(participants)
    for order, rung in enumerate(ladder if ladder is not None else default_ladder(), start=1):
        step = _save_step(
            user=user,
            plan=plan,
            order=order,
            lever=rung["lever"],
            description=rung.get("description", ""),
        )
        for condition in rung.get("triggers", ()):
            _save_trigger(
                user=user, step=step, kind=condition["kind"], parameters=condition["parameters"]
            )
    return plan


@transaction.atomic
def update_plan(
    *,
    user,
    plan: EngagementPlan,
    title: str | None = None,
    objectives: str | None = None,
    participating_departments: Iterable | None = None,
    security_level: int | None = None,
    reason: str = "",
) -> EngagementPlan:
    """Change a plan. Its title and objectives change only in draft (what the RWG approved
    stays as approved); its departments and level change until it is concluded."""
    _require_plan_editor(user, plan)
    _not_concluded(plan)
    if (title is not None and title != plan.title) or (
        objectives is not None and objectives != plan.objectives
    ):
        if plan.status != PlanStatus.DRAFT:
            raise DomainError(
                _(
                    "The plan is %(status)s; its title and objectives change only in draft. "
                    "Departments and the security level can still change."
                )
                % {"status": plan.get_status_display().lower()}
            )
        if title is not None:
            if not title.strip():
                raise DomainError(_("Give the plan a title."))
            plan.title = title.strip()
        if objectives is not None:
            plan.objectives = objectives
    if security_level is not None:
        plan.security_level = _level_for(security_level, parent=plan)
        _check_clearance(user, plan.security_level)
    _save(plan, user=user, reason=reason or "plan updated")
    if participating_departments is not None:
        participants = [
            d for d in _departments(participating_departments) if d.pk != plan.lead_department_id
        ]
        plan._history_user = user
        plan.participating_departments.set(participants)
    return plan


def _illegal_transition(plan: EngagementPlan, target: str) -> DomainError:
    current = PlanStatus(plan.status)
    allowed = workflow.allowed_from(plan.status)
    if not allowed:
        return DomainError(
            _("The plan is %(status)s; no further change of status is possible.")
            % {"status": current.label.lower()}
        )
    words = [TRANSITION_WORDS[PlanStatus(s)]() for s in allowed]
    return DomainError(
        _("The plan is %(status)s; it can be %(allowed)s, not %(target)s.")
        % {
            "status": current.label.lower(),
            "allowed": _(" or ").join(words),
            "target": TRANSITION_WORDS[PlanStatus(target)]().split(" (")[0],
        }
    )


def _transition(
    *,
    user,
    plan: EngagementPlan,
    target: str,
    reason: str = "",
    decision: Decision | None = None,
) -> PlanTransition:
    if not workflow.is_allowed(plan.status, target):
        raise _illegal_transition(plan, target)
    previous = plan.status
    plan.status = target
    _save(plan, user=user, reason=reason or f"{previous} → {target}")
    return _save(
        PlanTransition(
            plan=plan,
            from_status=previous,
            to_status=target,
            reason=reason,
            decision=decision,
            security_level=plan.security_level,
        ),
        user=user,
        reason=reason,
    )


def _locked(plan: EngagementPlan) -> EngagementPlan:
    """The plan re-read under a row lock, so that two transitions cannot interleave."""
    return EngagementPlan.objects.select_for_update().get(pk=plan.pk)


@transaction.atomic
def submit_plan(*, user, plan: EngagementPlan, reason: str = "") -> EngagementPlan:
    plan = _locked(plan)
    _require_plan_editor(user, plan)
    if plan.status == PlanStatus.DRAFT and not plan.objectives.strip():
        raise DomainError(_("Write the plan's objectives before submitting it to the RWG."))
    _transition(user=user, plan=plan, target=PlanStatus.SUBMITTED, reason=reason)
    return plan


@transaction.atomic
def return_plan_to_draft(*, user, plan: EngagementPlan, reason: str) -> EngagementPlan:
    plan = _locked(plan)
    _require(rules.can_edit_plan(user, plan) or rules.can_record_rwg_decision(user))
    if plan.status == PlanStatus.SUBMITTED and not (reason or "").strip():
        raise DomainError(_("Say why the plan goes back to draft."))
    _transition(user=user, plan=plan, target=PlanStatus.DRAFT, reason=reason)
    return plan


@transaction.atomic
def activate_plan(
    *, user, plan: EngagementPlan, starts_on: dt.date | None = None, reason: str = ""
) -> EngagementPlan:
    """An approved plan starts: its start date is marked on its timeline."""
    plan = _locked(plan)
    _require_plan_editor(user, plan)
    if not workflow.is_allowed(plan.status, PlanStatus.ACTIVE):
        raise _illegal_transition(plan, PlanStatus.ACTIVE)
    plan.starts_on = starts_on or _today()
    _transition(user=user, plan=plan, target=PlanStatus.ACTIVE, reason=reason)
    return plan


@transaction.atomic
def conclude_plan(
    *, user, plan: EngagementPlan, reason: str, ends_on: dt.date | None = None
) -> EngagementPlan:
    """The RWG closes a plan (its objectives met, or replaced); the reason is kept."""
    plan = _locked(plan)
    _require_rwg(user)
    _require(rules.can_view_plan(user, plan))
    if not workflow.is_allowed(plan.status, PlanStatus.CONCLUDED):
        raise _illegal_transition(plan, PlanStatus.CONCLUDED)
    if not (reason or "").strip():
        raise DomainError(_("Say why the plan is concluded."))
    plan.ends_on = ends_on or _today()
    if plan.starts_on and plan.ends_on < plan.starts_on:
        raise DomainError(
            _("The plan cannot end (%(end)s) before it started (%(start)s).")
            % {"end": plan.ends_on.isoformat(), "start": plan.starts_on.isoformat()}
        )
    _transition(user=user, plan=plan, target=PlanStatus.CONCLUDED, reason=reason)
    return plan


@transaction.atomic
def approve_plan(
    *,
    user,
    plan: EngagementPlan,
    decided_on: dt.date,
    reference: str,
    rationale: str = "",
    meeting: Meeting | None = None,
) -> Decision:
    """The RWG approves a submitted plan: a decision is recorded and the plan is approved.

    The country must be identified as targeted by the RWG, and have no other live plan.
    """
    plan = _locked(plan)
    _require_rwg(user)
    if not workflow.is_allowed(plan.status, PlanStatus.APPROVED):
        raise _illegal_transition(plan, PlanStatus.APPROVED)
    from readmit.engagement.selectors import targeted_country_codes

    if plan.country_id not in targeted_country_codes():
        raise DomainError(
            _(
                "%(country)s is not identified as targeted by the RWG; record that country "
                "decision before approving its plan."
            )
            % {"country": plan.country_id}
        )
    other = (
        EngagementPlan.objects.filter(country=plan.country, status__in=workflow.LIVE)
        .exclude(pk=plan.pk)
        .first()
    )
    if other is not None:
        raise DomainError(
            _(
                "%(country)s already has a plan that is %(status)s (“%(title)s”); a country has "
                "one live plan at a time: conclude it first."
            )
            % {
                "country": plan.country_id,
                "status": other.get_status_display().lower(),
                "title": other.title if rules.can_view_plan(user, other) else "…",
            }
        )
    decision = _decision(
        user=user,
        kind=DecisionKind.APPROVE_PLAN,
        decided_on=decided_on,
        meeting=meeting,
        reference=reference,
        subject=_("Engagement Plan approved: %(plan)s") % {"plan": str(plan)},
        rationale=rationale,
        parent=plan,
        plan=plan,
    )
    _transition(
        user=user, plan=plan, target=PlanStatus.APPROVED, reason=rationale, decision=decision
    )
    return decision


def change_plan_status(
    *, user, plan: EngagementPlan, to_status: str, reason: str = "", on: dt.date | None = None
) -> EngagementPlan:
    """The one entry for the web and the API: submit, return to draft, activate or conclude.

    Approval and escalation are refused here with the way to do them (an RWG decision).
    """
    _require(rules.can_edit_plan(user, plan) or rules.can_record_rwg_decision(user))
    if to_status not in PlanStatus.values:
        raise DomainError(
            _("Unknown status %(status)s; use one of %(allowed)s.")
            % {"status": to_status, "allowed": ", ".join(PlanStatus.values)}
        )
    if not workflow.is_allowed(plan.status, to_status):
        raise _illegal_transition(plan, to_status)
    if to_status == PlanStatus.APPROVED:
        raise DomainError(
            _("A plan is approved only by an RWG decision: record the approval on the plan.")
        )
    if to_status == PlanStatus.ESCALATED:
        raise DomainError(_("A plan is escalated only when the RWG approves an escalation step."))
    if to_status == PlanStatus.SUBMITTED:
        return submit_plan(user=user, plan=plan, reason=reason)
    if to_status == PlanStatus.DRAFT:
        return return_plan_to_draft(user=user, plan=plan, reason=reason)
    if to_status == PlanStatus.ACTIVE:
        return activate_plan(user=user, plan=plan, starts_on=on, reason=reason)
    return conclude_plan(user=user, plan=plan, reason=reason, ends_on=on)


@transaction.atomic
def track_indicator(
    *,
    user,
    plan: EngagementPlan,
    indicator: str,
    baseline: float | None = None,
    target: float | None = None,
    target_on: dt.date | None = None,
) -> TrackedIndicator:
    """Track an assessment indicator on the plan (or change its baseline and target)."""
    _require_plan_editor(user, plan)
    _not_concluded(plan)
    if indicator not in triggers.INDICATORS:
        raise DomainError(
            _("Unknown indicator %(indicator)s; use one of %(allowed)s.")
            % {"indicator": indicator, "allowed": ", ".join(triggers.INDICATORS)}
        )
    tracked = TrackedIndicator.objects.filter(plan=plan, indicator=indicator).first()
    if tracked is None:
        tracked = TrackedIndicator(
            plan=plan, indicator=indicator, security_level=plan.security_level
        )
    tracked.baseline, tracked.target, tracked.target_on = baseline, target, target_on
    return _save(tracked, user=user, reason="indicator tracked")


# Actions and engagements -----------------------------------------------------------------


def _department_of_plan(plan: EngagementPlan, department) -> Department:
    (found,) = _departments([department])
    if found.pk not in plan.department_ids():
        raise DomainError(
            _("%(department)s does not take part in this plan; add it to the plan first.")
            % {"department": found.code}
        )
    return found


@transaction.atomic
def add_action(
    *,
    user,
    plan: EngagementPlan,
    title: str,
    owner_department,
    due_on: dt.date,
    description: str = "",
    engagement: Engagement | None = None,
    security_level: int | None = None,
) -> Action:
    _require_plan_editor(user, plan)
    _not_concluded(plan)
    if not (title or "").strip():
        raise DomainError(_("Say what the action is (its title)."))
    if engagement is not None and engagement.plan_id != plan.pk:
        raise DomainError(_("The engagement followed up belongs to another plan."))
    level = _level_for(security_level, parent=plan)
    _check_clearance(user, level)
    return _save(
        Action(
            plan=plan,
            title=title.strip(),
            description=description,
            owner_department=_department_of_plan(plan, owner_department),
            due_on=due_on,
            engagement=engagement,
            security_level=level,
        ),
        user=user,
        reason="action added",
    )


@transaction.atomic
def update_action(
    *,
    user,
    action: Action,
    title: str | None = None,
    description: str | None = None,
    due_on: dt.date | None = None,
    owner_department=None,
    status: str | None = None,
    reason: str = "",
) -> Action:
    """Change an open action (its due date moves with a reason kept in its history)."""
    _require_plan_editor(user, action.plan)
    _not_concluded(action.plan)
    if not action.is_open:
        raise DomainError(
            _("The action is %(status)s; a closed action's record does not change.")
            % {"status": action.get_status_display().lower()}
        )
    if title is not None:
        action.title = title.strip() or action.title
    if description is not None:
        action.description = description
    if due_on is not None and due_on != action.due_on:
        if not (reason or "").strip():
            raise DomainError(_("Say why the due date moves."))
        action.due_on = due_on
    if owner_department is not None:
        action.owner_department = _department_of_plan(action.plan, owner_department)
    if status is not None:
        if status not in OPEN_ACTION_STATUSES:
            raise DomainError(
                _("To close an action, record its completion (done or cancelled) with its date.")
            )
        action.status = status
    return _save(action, user=user, reason=reason or "action updated")


@transaction.atomic
def complete_action(
    *,
    user,
    action: Action,
    closed_on: dt.date,
    completion_note: str,
    status: str = ActionStatus.DONE,
) -> Action:
    """Close an action as done (or cancelled), with the date and what was achieved."""
    _require_plan_editor(user, action.plan)
    if status not in (ActionStatus.DONE, ActionStatus.CANCELLED):
        raise DomainError(_("An action is closed as done or cancelled."))
    if not action.is_open:
        raise DomainError(
            _("The action is already %(status)s.") % {"status": action.get_status_display().lower()}
        )
    if not (completion_note or "").strip():
        raise DomainError(_("Record what was done (or why the action was cancelled)."))
    _not_in_future(closed_on, _("Closing an action"))
    action.status, action.closed_on, action.completion_note = status, closed_on, completion_note
    return _save(action, user=user, reason=f"action {status}")


@transaction.atomic
def record_engagement(
    *,
    user,
    plan: EngagementPlan,
    kind: str,
    held_on: dt.date,
    departments: Iterable = (),
    counterpart: str = "",
    summary: str = "",
    outcome: str = "",
    security_level: int | None = None,
) -> Engagement:
    """An engagement held with the country (or planned, when dated in the future)."""
    _require_plan_editor(user, plan)
    _not_concluded(plan)
    if kind not in EngagementKind.values:
        raise DomainError(
            _("Unknown kind of engagement %(kind)s; use one of %(allowed)s.")
            % {"kind": kind, "allowed": ", ".join(EngagementKind.values)}
        )
    level = _level_for(security_level, parent=plan)
    _check_clearance(user, level)
    engagement = _save(
        Engagement(
            plan=plan,
            kind=kind,
            held_on=held_on,
            counterpart=counterpart,
            summary=summary,
            outcome=outcome,
            security_level=level,
        ),
        user=user,
        reason="engagement recorded",
    )
    engagement._history_user = user
    engagement.departments.set([_department_of_plan(plan, d) for d in departments or ()])
    return engagement


@transaction.atomic
def update_engagement(
    *,
    user,
    engagement: Engagement,
    outcome: str | None = None,
    summary: str | None = None,
    counterpart: str | None = None,
    held_on: dt.date | None = None,
    reason: str = "",
) -> Engagement:
    _require_plan_editor(user, engagement.plan)
    _not_concluded(engagement.plan)
    for name, value in (("outcome", outcome), ("summary", summary), ("counterpart", counterpart)):
        if value is not None:
            setattr(engagement, name, value)
    if held_on is not None:
        engagement.held_on = held_on
    return _save(engagement, user=user, reason=reason or "engagement updated")


# Commitments -----------------------------------------------------------------------------


@transaction.atomic
def add_commitment(
    *,
    user,
    plan: EngagementPlan,
    kind: str,
    title: str,
    status: str = NegotiationStatus.NOT_STARTED,
    status_since: dt.date | None = None,
    description: str = "",
    security_level: int | None = None,
) -> Commitment:
    _require_plan_editor(user, plan)
    _not_concluded(plan)
    if kind not in CommitmentKind.values:
        raise DomainError(
            _("Unknown kind of commitment %(kind)s; use one of %(allowed)s.")
            % {"kind": kind, "allowed": ", ".join(CommitmentKind.values)}
        )
    if status not in NegotiationStatus.values:
        raise DomainError(
            _("Unknown negotiation status %(status)s; use one of %(allowed)s.")
            % {"status": status, "allowed": ", ".join(NegotiationStatus.values)}
        )
    if not (title or "").strip():
        raise DomainError(_("Give the commitment a title."))
    since = status_since or _today()
    _not_in_future(since, _("A negotiation status"))
    level = _level_for(security_level, parent=plan)
    _check_clearance(user, level)
    commitment = _save(
        Commitment(
            plan=plan,
            kind=kind,
            title=title.strip(),
            description=description,
            status=status,
            status_since=since,
            security_level=level,
        ),
        user=user,
        reason="commitment recorded",
    )
    _save(
        CommitmentStatusChange(
            commitment=commitment, status=status, changed_on=since, security_level=level
        ),
        user=user,
        reason="first status",
    )
    return commitment


@transaction.atomic
def record_commitment_status(
    *, user, commitment: Commitment, status: str, changed_on: dt.date, note: str = ""
) -> CommitmentStatusChange:
    """A dated change of negotiation status; the history keeps every one."""
    commitment = Commitment.objects.select_for_update().get(pk=commitment.pk)
    _require_plan_editor(user, commitment.plan)
    _not_concluded(commitment.plan)
    if status not in NegotiationStatus.values:
        raise DomainError(
            _("Unknown negotiation status %(status)s; use one of %(allowed)s.")
            % {"status": status, "allowed": ", ".join(NegotiationStatus.values)}
        )
    if status == commitment.status:
        raise DomainError(
            _("The commitment is already %(status)s.")
            % {"status": commitment.get_status_display().lower()}
        )
    _not_in_future(changed_on, _("A negotiation status"))
    if changed_on < commitment.status_since:
        raise DomainError(
            _("The current status dates from %(since)s; a later change cannot be dated before it.")
            % {"since": commitment.status_since.isoformat()}
        )
    change = _save(
        CommitmentStatusChange(
            commitment=commitment,
            status=status,
            previous_status=commitment.status,
            changed_on=changed_on,
            note=note,
            security_level=commitment.security_level,
        ),
        user=user,
        reason=note,
    )
    commitment.status, commitment.status_since = status, changed_on
    _save(commitment, user=user, reason=note or f"status {status}")
    return change


# Escalation ladder -----------------------------------------------------------------------


def _save_step(*, user, plan, order, lever, description="") -> EscalationStep:
    if lever not in Lever.values:
        raise DomainError(
            _("Unknown lever %(lever)s; use one of %(allowed)s.")
            % {"lever": lever, "allowed": ", ".join(Lever.values)}
        )
    return _save(
        EscalationStep(
            plan=plan,
            order=order,
            lever=lever,
            description=description,
            security_level=plan.security_level,
        ),
        user=user,
        reason="ladder step",
    )


def _save_trigger(*, user, step, kind, parameters) -> Trigger:
    if kind not in TriggerKind.values:
        raise DomainError(
            _("Unknown kind of trigger %(kind)s; use one of %(allowed)s.")
            % {"kind": kind, "allowed": ", ".join(TriggerKind.values)}
        )
    from readmit.engagement.explain import parameter_problem_messages

    problems = triggers.parameter_problems(kind, parameters or {})
    if problems:
        messages = parameter_problem_messages(problems)
        raise DomainError(
            _("The trigger's parameters are not valid: %(problems)s")
            % {"problems": " ".join(messages)},
            details=messages,
        )
    return _save(
        Trigger(
            step=step, kind=kind, parameters=dict(parameters), security_level=step.security_level
        ),
        user=user,
        reason="trigger set",
    )


@transaction.atomic
def add_escalation_step(
    *, user, plan: EngagementPlan, lever: str, description: str = ""
) -> EscalationStep:
    """A rung added at the top of the plan's ladder."""
    _require_plan_editor(user, plan)
    _not_concluded(plan)
    top = plan.escalation_steps.order_by("-order").values_list("order", flat=True).first() or 0
    return _save_step(user=user, plan=plan, order=top + 1, lever=lever, description=description)


@transaction.atomic
def add_trigger(*, user, step: EscalationStep, kind: str, parameters: dict) -> Trigger:
    _require_plan_editor(user, step.plan)
    _not_concluded(step.plan)
    if step.status == StepStatus.APPROVED:
        raise DomainError(_("This step has been approved; its triggers no longer matter."))
    return _save_trigger(user=user, step=step, kind=kind, parameters=parameters)


@transaction.atomic
def remove_trigger(*, user, trigger: Trigger, reason: str) -> Trigger:
    _require_plan_editor(user, trigger.step.plan)
    _not_concluded(trigger.step.plan)
    if not (reason or "").strip():
        raise DomainError(_("Say why the trigger is removed."))
    trigger.deleted_at, trigger.deleted_by, trigger.deletion_reason = timezone.now(), user, reason
    return _save(trigger, user=user, reason=reason)


def _escalation_decision_checks(user, step: EscalationStep) -> EngagementPlan:
    _require_rwg(user)
    plan = _locked(step.plan)
    _require(rules.can_view_plan(user, plan))
    if step.status == StepStatus.APPROVED:
        raise DomainError(
            _("This step was already approved on %(date)s.")
            % {"date": step.approved_on.isoformat() if step.approved_on else "?"}
        )
    return plan


@transaction.atomic
def approve_escalation(
    *,
    user,
    step: EscalationStep,
    decided_on: dt.date,
    reference: str,
    rationale: str = "",
    meeting: Meeting | None = None,
) -> Decision:
    """The RWG approves a step of the ladder: recorded as a decision; the plan is escalated."""
    plan = _escalation_decision_checks(user, step)
    if not workflow.is_allowed(plan.status, PlanStatus.ESCALATED):
        raise _illegal_transition(plan, PlanStatus.ESCALATED)
    decision = _decision(
        user=user,
        kind=DecisionKind.APPROVE_ESCALATION,
        decided_on=decided_on,
        meeting=meeting,
        reference=reference,
        subject=_("Escalation approved for %(plan)s: %(step)s")
        % {"plan": str(plan), "step": str(step)},
        rationale=rationale,
        parent=plan,
        plan=plan,
        step=step,
    )
    step.status, step.approved_on = StepStatus.APPROVED, decided_on
    _save(step, user=user, reason=f"approved by {decision.reference}")
    _transition(
        user=user,
        plan=plan,
        target=PlanStatus.ESCALATED,
        reason=_("Step %(step)s approved: %(rationale)s")
        % {"step": str(step), "rationale": rationale},
        decision=decision,
    )
    _close_alerts(user=user, step=step, status=AlertStatus.APPROVED, decision=decision)
    return decision


@transaction.atomic
def decline_escalation(
    *,
    user,
    step: EscalationStep,
    decided_on: dt.date,
    reference: str,
    rationale: str,
    meeting: Meeting | None = None,
) -> Decision:
    """The RWG declines a step for now, with its reason; the plan's status does not change."""
    plan = _escalation_decision_checks(user, step)
    if not (rationale or "").strip():
        raise DomainError(_("Say why the escalation is declined."))
    decision = _decision(
        user=user,
        kind=DecisionKind.DECLINE_ESCALATION,
        decided_on=decided_on,
        meeting=meeting,
        reference=reference,
        subject=_("Escalation declined for %(plan)s: %(step)s")
        % {"plan": str(plan), "step": str(step)},
        rationale=rationale,
        parent=plan,
        plan=plan,
        step=step,
    )
    _close_alerts(user=user, step=step, status=AlertStatus.DECLINED, decision=decision)
    return decision


def _close_alerts(*, user, step: EscalationStep, status: str, decision: Decision) -> None:
    for alert in Alert.objects.filter(step=step, status=AlertStatus.OPEN):
        alert.status, alert.decision = status, decision
        _save(alert, user=user, reason=f"{status} by {decision.reference}")


# Trigger evaluation ----------------------------------------------------------------------


@dataclass
class Evaluation:
    """What one evaluation did: plans evaluated, alerts raised, alerts already there."""

    as_of: dt.date
    quarter: str
    plans: int = 0
    raised: list[Alert] = field(default_factory=list)
    already_raised: int = 0
    figures_available: bool = True


def plan_facts(plan: EngagementPlan) -> triggers.PlanFacts:
    """The plan's facts in the plain shape `engagement.triggers` reads."""
    actions = tuple(
        triggers.ActionFact(id=a.pk, title=a.title, due_on=a.due_on, closed_on=a.closed_on)
        for a in plan.actions.all()
    )
    changes = tuple(
        triggers.CommitmentChange(
            commitment_id=c.commitment_id,
            title=c.commitment.title,
            status=c.status,
            changed_on=c.changed_on,
            previous_status=c.previous_status or None,
        )
        for c in CommitmentStatusChange.objects.filter(commitment__plan=plan).select_related(
            "commitment"
        )
    )
    return triggers.PlanFacts(starts_on=plan.starts_on, actions=actions, commitment_changes=changes)


def evaluate_plan(
    plan: EngagementPlan, *, as_of: dt.date, series: list[dict] | None
) -> list[tuple[EscalationStep, list[triggers.Finding]]]:
    """Each step not yet taken, with the findings of its triggers (nothing is saved)."""
    facts = plan_facts(plan)
    evaluated = []
    for step in plan.escalation_steps.filter(status=StepStatus.PENDING).order_by("order"):
        findings = [
            triggers.evaluate(trigger.condition(), as_of=as_of, series=series, facts=facts)
            for trigger in step.triggers.all()
        ]
        evaluated.append((step, findings))
    return evaluated


@transaction.atomic
def evaluate_triggers(*, user, as_of: dt.date | None = None) -> Evaluation:
    """Evaluate the ladder of every active or escalated plan and raise alerts for the RWG.

    `user` is the RWG member pressing the button, or None for the scheduled command. An
    alert is raised once per step and quarter; nothing escalates here.
    """
    if user is not None:
        _require(rules.can_evaluate_triggers(user))
    as_of = as_of or _today()
    if as_of > _today():
        raise DomainError(_("Triggers cannot be evaluated as of a future date."))
    evaluation = Evaluation(as_of=as_of, quarter=triggers.quarter_label(as_of))
    plans = list(
        EngagementPlan.objects.filter(status__in=workflow.EVALUATED).select_related("country")
    )
    codes = sorted({plan.country_id for plan in plans})
    all_series = (
        figures.fetch_quarterly_series(country_codes=codes, as_of=as_of, quarters=12)
        if codes
        else {}
    )
    evaluation.figures_available = all_series is not None
    for plan in plans:
        evaluation.plans += 1
        series = None if all_series is None else all_series.get(plan.country_id, [])
        for step, findings in evaluate_plan(plan, as_of=as_of, series=series):
            if not any(f.holds for f in findings):
                continue
            if Alert.objects.filter(step=step, quarter=evaluation.quarter).exists():
                evaluation.already_raised += 1
                continue
            try:
                with transaction.atomic():
                    alert = _save(
                        Alert(
                            plan=plan,
                            step=step,
                            quarter=evaluation.quarter,
                            as_of=as_of,
                            findings=[f.as_json() for f in findings],
                            security_level=plan.security_level,
                        ),
                        user=user,
                        reason="triggers fired",
                    )
            except IntegrityError:  # raised meanwhile by another evaluation
                evaluation.already_raised += 1
                continue
            evaluation.raised.append(alert)
    return evaluation


# Security level --------------------------------------------------------------------------


def _plan_of(record) -> EngagementPlan | None:
    if isinstance(record, EngagementPlan):
        return record
    for path in ("plan", "step", "commitment"):
        related = getattr(record, path, None)
        if related is not None:
            return _plan_of(related)
    return None


@transaction.atomic
def raise_security_level(*, user, record, level: int, reason: str):
    """Raise any engagement record to a higher level (never below Protected B)."""
    plan = _plan_of(record)
    if plan is not None:
        _require_plan_editor(user, plan)
    else:
        _require_rwg(user)
    _require(rules.can_view_record(user, record))
    if int(level) <= record.security_level:
        raise DomainError(
            _("The record is already %(level)s; a level can only be raised here.")
            % {"level": record.get_security_level_display()}
        )
    _check_clearance(user, int(level))
    if not (reason or "").strip():
        raise DomainError(_("Say why the level is raised."))
    record.security_level = int(level)
    return _save(record, user=user, reason=reason)
