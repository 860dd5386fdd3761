"""Every read of engagement records, with the user's permissions applied here, once.

A user sees engagement records only with Protected B clearance and need-to-know
(`can_view_targeting`), and only those at or below their clearance. Plans, and what hangs on
them, are further limited to the departments that take part (`can_view_plan`), except for
the RWG and administrators. The RWG's country decisions are read by the assessment through
`latest_country_decisions`, `country_decisions` and `targeted_country_codes`.
"""

import datetime as dt
from collections import defaultdict

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from readmit.accounts import rules
from readmit.core.security import SecurityLevel
from readmit.engagement import figures, workflow
from readmit.engagement.explain import INDICATOR_LABELS, describe_finding, indicator_label
from readmit.engagement.models import (
    OPEN_ACTION_STATUSES,
    Action,
    Alert,
    AlertStatus,
    Commitment,
    CommitmentKind,
    CommitmentStatusChange,
    CountryOutcome,
    Decision,
    DecisionKind,
    Engagement,
    EngagementPlan,
    EscalationStep,
    Meeting,
    NegotiationStatus,
    PlanStatus,
    PlanTransition,
    TrackedIndicator,
    Trigger,
)

# Plans -----------------------------------------------------------------------------------


def visible_plans(*, user) -> QuerySet[EngagementPlan]:
    """The plans the user may see (see `accounts.rules.can_view_plan`)."""
    if not rules.can_view_targeting(user):
        return EngagementPlan.objects.none()
    plans = EngagementPlan.objects.filter(security_level__lte=user.clearance)
    if not rules.sees_every_department(user):
        if user.department_id is None:
            return EngagementPlan.objects.none()
        taking_part = EngagementPlan.objects.filter(
            Q(lead_department_id=user.department_id)
            | Q(participating_departments__id=user.department_id)
        ).values("pk")
        plans = plans.filter(pk__in=taking_part)
    return plans.select_related("country", "lead_department").prefetch_related(
        "participating_departments"
    )


def plans_by_status(*, user, status: str | None = None) -> list[dict]:
    """The visible plans grouped by status, in the workflow's order."""
    plans = visible_plans(user=user).order_by("country_id", "-id")
    if status:
        plans = plans.filter(status=status)
    grouped: dict[str, list] = defaultdict(list)
    for plan in plans:
        grouped[plan.status].append(plan)
    open_alerts = set(
        Alert.objects.filter(plan__in=plans, status=AlertStatus.OPEN).values_list(
            "plan_id", flat=True
        )
    )
    for plan in plans:
        plan.has_open_alert = plan.pk in open_alerts
    return [
        {"status": value, "label": label, "plans": grouped.get(value, [])}
        for value, label in PlanStatus.choices
        if not status or status == value
    ]


def _children(model, *, user, plan_path: str = "plan") -> QuerySet:
    if not rules.can_view_targeting(user):
        return model.objects.none()
    return model.objects.filter(
        **{f"{plan_path}__in": visible_plans(user=user).values("pk")},
        security_level__lte=user.clearance,
    )


def visible_actions(*, user) -> QuerySet[Action]:
    return _children(Action, user=user).select_related("plan", "owner_department")


def visible_engagements(*, user) -> QuerySet[Engagement]:
    return _children(Engagement, user=user).select_related("plan").prefetch_related("departments")


def visible_commitments(*, user) -> QuerySet[Commitment]:
    return _children(Commitment, user=user).select_related("plan")


def visible_commitment_changes(*, user) -> QuerySet[CommitmentStatusChange]:
    return _children(CommitmentStatusChange, user=user, plan_path="commitment__plan")


def visible_steps(*, user) -> QuerySet[EscalationStep]:
    return _children(EscalationStep, user=user).prefetch_related("triggers")


def visible_triggers(*, user) -> QuerySet[Trigger]:
    return _children(Trigger, user=user, plan_path="step__plan")


def visible_alerts(*, user, status: str | None = None) -> QuerySet[Alert]:
    alerts = _children(Alert, user=user).select_related("plan", "plan__country", "step", "decision")
    return alerts.filter(status=status) if status else alerts


def visible_transitions(*, user) -> QuerySet[PlanTransition]:
    return _children(PlanTransition, user=user).select_related("created_by", "decision")


def visible_tracked_indicators(*, user) -> QuerySet[TrackedIndicator]:
    return _children(TrackedIndicator, user=user)


def plan_page(*, user, plan: EngagementPlan, today: dt.date | None = None) -> dict:
    """Everything the plan page shows, each list filtered for the user."""
    today = today or timezone.localdate()
    actions = list(visible_actions(user=user).filter(plan=plan).order_by("due_on", "id"))
    for action in actions:
        action.days_late = action.days_overdue(today)
    steps = list(visible_steps(user=user).filter(plan=plan).order_by("order"))
    alerts = list(visible_alerts(user=user).filter(plan=plan))
    for alert in alerts:
        alert.explanations = alert_explanations(alert)
    return {
        "plan": plan,
        "actions": actions,
        "engagements": list(visible_engagements(user=user).filter(plan=plan)),
        "commitments": list(
            visible_commitments(user=user).filter(plan=plan).prefetch_related("status_changes")
        ),
        "steps": steps,
        "alerts": alerts,
        "transitions": list(visible_transitions(user=user).filter(plan=plan)),
        "decisions": list(visible_decisions(user=user).filter(plan=plan)),
        "tracked": list(visible_tracked_indicators(user=user).filter(plan=plan)),
        "allowed_statuses": workflow.allowed_from(plan.status),
    }


# RWG meetings and decisions --------------------------------------------------------------


def visible_meetings(*, user) -> QuerySet[Meeting]:
    if not rules.can_view_targeting(user):
        return Meeting.objects.none()
    return Meeting.objects.filter(security_level__lte=user.clearance).prefetch_related(
        "attending_departments"
    )


def visible_decisions(*, user) -> QuerySet[Decision]:
    """Decisions the user may see; one about a plan needs the plan to be visible too."""
    if not rules.can_view_targeting(user):
        return Decision.objects.none()
    decisions = Decision.objects.filter(security_level__lte=user.clearance)
    if not rules.sees_every_department(user):
        decisions = decisions.filter(
            Q(plan__isnull=True) | Q(plan__in=visible_plans(user=user).values("pk"))
        )
    return decisions.select_related("meeting", "country", "plan", "step")


def _latest_country_decisions() -> dict[str, Decision]:
    latest: dict[str, Decision] = {}
    decisions = Decision.objects.filter(kind=DecisionKind.COUNTRY).order_by(
        "country_id", "-decided_on", "-created_at", "-id"
    )
    for decision in decisions.select_related("meeting", "country"):
        latest.setdefault(decision.country_id, decision)
    return latest


def latest_country_decisions(*, user) -> dict[str, Decision]:
    """Country code -> the RWG's latest decision on it; {} for a user who may not see targeting.

    The latest is the one with the latest `decided_on` (the one recorded last on the same
    day). Where the latest is above the user's clearance the country is left out rather than
    showing an older decision in its place.
    """
    if not rules.can_view_targeting(user):
        return {}
    return {
        code: decision
        for code, decision in _latest_country_decisions().items()
        if rules.can_view_record(user, decision)
    }


def country_decisions(*, user, country_code: str) -> list[Decision]:
    """The RWG's decisions on one country, newest first (empty for a user without access)."""
    return list(
        visible_decisions(user=user)
        .filter(kind=DecisionKind.COUNTRY, country_id=country_code)
        .order_by("-decided_on", "-created_at", "-id")
    )


def targeted_country_codes() -> set[str]:
    """Countries whose latest RWG country decision is "targeted". Internal: no user."""
    return {
        code
        for code, decision in _latest_country_decisions().items()
        if decision.outcome == CountryOutcome.TARGETED
    }


def approved_methodology_version() -> str | None:
    """The methodology version the RWG approved last, if any. Internal: no user."""
    decision = (
        Decision.objects.filter(kind=DecisionKind.APPROVE_METHODOLOGY)
        .order_by("-decided_on", "-created_at", "-id")
        .first()
    )
    return decision.methodology_version if decision else None


def methodology_approvals(*, user) -> list[Decision]:
    return list(
        visible_decisions(user=user)
        .filter(kind=DecisionKind.APPROVE_METHODOLOGY)
        .order_by("-decided_on", "-id")
    )


# Alerts ----------------------------------------------------------------------------------


def alert_explanations(alert: Alert) -> list[str]:
    """What fired, on which figures, in the active language (only the conditions that held)."""
    return [describe_finding(f) for f in alert.findings if f.get("holds")]


# Calendar and programme summary ----------------------------------------------------------


def calendar(*, user, today: dt.date | None = None, days: int = 120) -> list[dict]:
    """Open actions (overdue ones first) and engagements to come, across the visible plans."""
    today = today or timezone.localdate()
    until = today + dt.timedelta(days=days)
    entries = []
    for action in visible_actions(user=user).filter(
        status__in=OPEN_ACTION_STATUSES, due_on__lte=until
    ):
        entries.append(
            {
                "date": action.due_on,
                "kind": "action",
                "title": action.title,
                "plan": action.plan,
                "departments": [action.owner_department.code],
                "days_overdue": action.days_overdue(today),
                "status": action.get_status_display(),
            }
        )
    for engagement in visible_engagements(user=user).filter(held_on__gte=today, held_on__lte=until):
        entries.append(
            {
                "date": engagement.held_on,
                "kind": "engagement",
                "title": engagement.get_kind_display(),
                "plan": engagement.plan,
                "departments": [d.code for d in engagement.departments.all()],
                "days_overdue": 0,
                "status": engagement.counterpart,
            }
        )
    entries.sort(key=lambda e: (e["date"], e["kind"], e["title"]))
    return entries


def _countable(model, user) -> QuerySet:
    """Records counted in programme totals: every one at Protected B, and those raised higher
    only for a user cleared for them (a total names no country; see decision 0203)."""
    ceiling = max(SecurityLevel.PROTECTED_B, getattr(user, "clearance", 0) or 0)
    return model.objects.filter(security_level__lte=ceiling)


def programme_summary(*, user) -> dict:
    """The counts the seed note quotes: countries identified, plans approved, commitments
    received, MOUs under negotiation; plus plans by status and open alerts."""
    targeted = {
        code
        for code, decision in _latest_country_decisions().items()
        if decision.outcome == CountryOutcome.TARGETED
        and decision.security_level <= max(SecurityLevel.PROTECTED_B, user.clearance)
    }
    plans = _countable(EngagementPlan, user)
    approved_plan_ids = set(
        _countable(Decision, user)
        .filter(kind=DecisionKind.APPROVE_PLAN, plan__in=plans)
        .values_list("plan_id", flat=True)
    )
    received = (
        _countable(CommitmentStatusChange, user)
        .filter(
            commitment__kind=CommitmentKind.WRITTEN_COMMITMENT,
            status__in=[NegotiationStatus.SIGNED, NegotiationStatus.IN_FORCE],
            commitment__in=_countable(Commitment, user),
        )
        .values("commitment_id")
        .distinct()
        .count()
    )
    mous = (
        _countable(Commitment, user)
        .filter(
            kind=CommitmentKind.MOU,
            status__in=[NegotiationStatus.NEGOTIATING, NegotiationStatus.INITIALLED],
        )
        .count()
    )
    by_status = dict.fromkeys(PlanStatus.values, 0)
    for status in plans.values_list("status", flat=True):
        by_status[status] += 1
    return {
        "countries_identified": len(targeted),
        "plans_approved": len(approved_plan_ids),
        "commitments_received": received,
        "mous_under_negotiation": mous,
        "plans_by_status": [
            {"status": value, "label": label, "count": by_status[value]}
            for value, label in PlanStatus.choices
        ],
        "open_alerts": _countable(Alert, user).filter(status=AlertStatus.OPEN).count(),
    }


# The plan's timeline over its indicator trends -------------------------------------------


def plan_timeline(*, user, plan: EngagementPlan) -> list[dict]:
    """Dated events of the plan, oldest first: actions, engagements, commitments, decisions."""
    events = []
    for action in visible_actions(user=user).filter(plan=plan):
        events.append(
            {
                "date": action.closed_on or action.due_on,
                "category": str(_("Actions")),
                "title": action.title,
                "detail": action.get_status_display(),
            }
        )
    for engagement in visible_engagements(user=user).filter(plan=plan):
        events.append(
            {
                "date": engagement.held_on,
                "category": str(_("Engagements")),
                "title": engagement.get_kind_display(),
                "detail": engagement.counterpart,
            }
        )
    for change in visible_commitment_changes(user=user).filter(commitment__plan=plan):
        events.append(
            {
                "date": change.changed_on,
                "category": str(_("Commitments")),
                "title": change.commitment.title,
                "detail": change.get_status_display(),
            }
        )
    for decision in visible_decisions(user=user).filter(plan=plan):
        events.append(
            {
                "date": decision.decided_on,
                "category": str(_("RWG decisions")),
                "title": decision.subject,
                "detail": decision.reference,
            }
        )
    events.sort(key=lambda e: (e["date"], e["category"]))
    return events


def plan_series(*, plan: EngagementPlan, as_of: dt.date | None = None) -> list[dict] | None:
    """The plan's country's quarterly figures (None when the assessment has none)."""
    as_of = as_of or timezone.localdate()
    series = figures.fetch_quarterly_series(country_codes=[plan.country_id], as_of=as_of)
    if series is None:
        return None
    return series.get(plan.country_id, [])


def plan_chart_spec(*, user, plan: EngagementPlan, as_of: dt.date | None = None) -> dict:
    """A Vega-Lite spec: the tracked indicators' quarterly trends with the plan's start and
    targets marked, above a strip of the plan's dated events on the same time axis."""
    series = plan_series(plan=plan, as_of=as_of) or []
    tracked = list(visible_tracked_indicators(user=user).filter(plan=plan)) or []
    keys = [t.indicator for t in tracked] or ["issuance_rate"]
    targets = {t.indicator: t.target for t in tracked}
    events = plan_timeline(user=user, plan=plan)
    dates = [row["from"] for row in series] + [row["to"] for row in series]
    dates += [e["date"] for e in events]
    if plan.starts_on:
        dates.append(plan.starts_on)
    if not dates:
        dates = [timezone.localdate()]
    domain = [min(dates).isoformat(), max(dates).isoformat()]
    x = {"field": "date", "type": "temporal", "title": None, "scale": {"domain": domain}}
    start = (
        [{"date": plan.starts_on.isoformat(), "label": str(_("Plan start"))}]
        if plan.starts_on
        else []
    )
    charts = []
    for key in keys:
        label = indicator_label(key)
        values = [
            {"date": row["from"].isoformat(), "quarter": row["quarter"], "value": row.get(key)}
            for row in series
        ]
        layers = [
            {
                "data": {"values": values},
                "mark": {"type": "line", "point": True},
                "encoding": {
                    "x": x,
                    "y": {"field": "value", "type": "quantitative", "title": label},
                    "tooltip": [
                        {"field": "quarter", "title": str(_("Quarter"))},
                        {"field": "value", "title": label, "format": ".3~f"},
                    ],
                },
            }
        ]
        if start:
            layers.append(
                {
                    "data": {"values": start},
                    "mark": {"type": "rule", "strokeDash": [4, 4], "color": "#a62a1e"},
                    "encoding": {"x": x, "tooltip": [{"field": "label"}, {"field": "date"}]},
                }
            )
        if targets.get(key) is not None:
            layers.append(
                {
                    "data": {"values": [{"target": targets[key], "label": str(_("Target"))}]},
                    "mark": {"type": "rule", "color": "#03662a"},
                    "encoding": {
                        "y": {"field": "target", "type": "quantitative"},
                        "tooltip": [{"field": "label"}, {"field": "target"}],
                    },
                }
            )
        charts.append({"height": 160, "width": 700, "title": label, "layer": layers})
    event_layers = [
        {
            "data": {"values": [{**e, "date": e["date"].isoformat()} for e in events]},
            "mark": {"type": "point", "filled": True, "size": 80},
            "encoding": {
                "x": x,
                "y": {"field": "category", "type": "nominal", "title": None},
                "color": {"field": "category", "type": "nominal", "legend": None},
                "tooltip": [
                    {"field": "date", "type": "temporal", "title": str(_("Date"))},
                    {"field": "title", "title": str(_("Event"))},
                    {"field": "detail", "title": str(_("Detail"))},
                ],
            },
        }
    ]
    if start:
        event_layers.append(
            {
                "data": {"values": start},
                "mark": {"type": "rule", "strokeDash": [4, 4], "color": "#a62a1e"},
                "encoding": {"x": x},
            }
        )
    charts.append({"height": 120, "width": 700, "title": str(_("Timeline")), "layer": event_layers})
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "description": str(_("Indicator trends and the plan's timeline")),
        "vconcat": charts,
        "resolve": {"scale": {"x": "shared"}},
        "config": {"view": {"stroke": None}},
    }


def indicator_choices() -> list[tuple[str, str]]:
    return [(key, f"{key} – {label}") for key, label in INDICATOR_LABELS.items()]
