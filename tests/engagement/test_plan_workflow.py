"""An Engagement Plan's life: draft to concluded, every transition kept, illegal ones refused."""

import datetime as dt

import pytest

from readmit.core.errors import DomainError, PermissionRefused
from readmit.engagement import services
from readmit.engagement.models import (
    DecisionKind,
    EngagementPlan,
    Lever,
    PlanStatus,
    StepStatus,
)
from readmit.engagement.selectors import targeted_country_codes
from tests.engagement.conftest import DAY


@pytest.mark.django_db
def test_the_full_life_of_a_plan_is_recorded(targeted, rwg, ircc_officer):
    plan = services.create_plan(
        user=ircc_officer,
        country_code="XAA",
        title="Timely documents from Avalonia",
        lead_department="IRCC",
        participating_departments=["CBSA", "GAC"],
        objectives="Travel documents within 30 days.",
    )
    assert plan.status == PlanStatus.DRAFT
    services.submit_plan(user=ircc_officer, plan=plan, reason="Ready for the RWG.")
    decision = services.approve_plan(
        user=rwg, plan=plan, decided_on=DAY, reference="RWG-2024-02", rationale="Sound plan."
    )
    services.activate_plan(user=ircc_officer, plan=plan, starts_on=dt.date(2024, 4, 1))
    step = plan.escalation_steps.get(order=1)
    escalation = services.approve_escalation(
        user=rwg, step=step, decided_on=DAY, reference="RWG-2024-03", rationale="No progress."
    )
    services.conclude_plan(
        user=rwg, plan=plan, reason="Issuance restored.", ends_on=dt.date(2024, 12, 31)
    )

    plan.refresh_from_db()
    assert plan.status == PlanStatus.CONCLUDED
    transitions = list(plan.transitions.all())
    assert [(t.from_status, t.to_status) for t in transitions] == [
        ("draft", "submitted"),
        ("submitted", "approved"),
        ("approved", "active"),
        ("active", "escalated"),
        ("escalated", "concluded"),
    ]
    assert transitions[0].created_by == ircc_officer
    assert transitions[0].reason == "Ready for the RWG."
    assert transitions[1].decision == decision
    assert transitions[1].created_by == rwg
    assert transitions[3].decision == escalation
    assert transitions[4].reason == "Issuance restored."
    assert all(t.created_at for t in transitions)
    assert decision.kind == DecisionKind.APPROVE_PLAN
    step.refresh_from_db()
    assert step.status == StepStatus.APPROVED
    assert plan.starts_on == dt.date(2024, 4, 1)
    assert plan.history.count() >= 6


@pytest.mark.django_db
def test_a_new_plan_has_the_default_ladder(make_plan):
    plan = make_plan()
    steps = list(plan.escalation_steps.order_by("order"))
    assert [s.lever for s in steps] == [
        Lever.OFFICIALS_ENGAGEMENT,
        Lever.AMBASSADOR_DEMARCHE,
        Lever.MINISTERIAL_ENGAGEMENT,
        Lever.PROGRAMMING_REVIEW,
        Lever.VISA_MEASURES,
    ]
    assert all(step.triggers.exists() for step in steps)


@pytest.mark.django_db
def test_the_default_ladder_is_configurable(settings, make_plan):
    settings.READMIT_ESCALATION_LADDER = [
        {
            "lever": "visa_measures",
            "triggers": [{"kind": "actions_overdue", "parameters": {"days": 5}}],
        }
    ]
    plan = make_plan()
    assert [s.lever for s in plan.escalation_steps.all()] == ["visa_measures"]


@pytest.mark.django_db
def test_an_illegal_transition_says_what_is_allowed(make_plan, ircc_officer, rwg):
    plan = make_plan()
    with pytest.raises(DomainError) as refused:
        services.change_plan_status(user=ircc_officer, plan=plan, to_status="active")
    assert refused.value.message == "The plan is draft; it can be submitted, not activated."

    with pytest.raises(DomainError) as refused:
        services.approve_plan(user=rwg, plan=plan, decided_on=DAY, reference="R")
    assert refused.value.message == "The plan is draft; it can be submitted, not approved."

    concluded = make_plan("XBB", PlanStatus.CONCLUDED, rwg=rwg)
    with pytest.raises(DomainError, match="concluded; no further change of status"):
        services.change_plan_status(user=rwg, plan=concluded, to_status="active")


@pytest.mark.django_db
def test_approval_only_through_an_rwg_decision(make_plan, ircc_officer, rwg):
    plan = make_plan(status=PlanStatus.SUBMITTED)
    with pytest.raises(DomainError, match="approved only by an RWG decision"):
        services.change_plan_status(user=rwg, plan=plan, to_status="approved")
    with pytest.raises(PermissionRefused):
        services.approve_plan(user=ircc_officer, plan=plan, decided_on=DAY, reference="R")
    plan.refresh_from_db()
    assert plan.status == PlanStatus.SUBMITTED


@pytest.mark.django_db
def test_escalation_only_through_an_rwg_decision(make_plan, rwg):
    plan = make_plan(status=PlanStatus.ACTIVE, rwg=rwg)
    with pytest.raises(DomainError, match="escalated only when the RWG approves"):
        services.change_plan_status(user=rwg, plan=plan, to_status="escalated")


@pytest.mark.django_db
def test_a_plan_is_approved_only_for_a_targeted_country(make_plan, rwg, country):
    plan = make_plan(status=PlanStatus.SUBMITTED)
    with pytest.raises(DomainError, match="XAA is not identified as targeted"):
        services.approve_plan(user=rwg, plan=plan, decided_on=DAY, reference="R")
    services.record_country_decision(
        user=rwg,
        country_code="XAA",
        outcome="monitored",
        decided_on=DAY,
        reference="RWG-1",
        rationale="Watch.",
    )
    with pytest.raises(DomainError, match="not identified as targeted"):
        services.approve_plan(user=rwg, plan=plan, decided_on=DAY, reference="R")


@pytest.mark.django_db
def test_one_live_plan_per_country_at_a_time(make_plan, rwg):
    make_plan(status=PlanStatus.ACTIVE, rwg=rwg, title="First")
    second = make_plan(status=PlanStatus.SUBMITTED, title="Second")
    with pytest.raises(DomainError, match="one live plan at a time: conclude it first"):
        services.approve_plan(user=rwg, plan=second, decided_on=DAY, reference="R")
    first = EngagementPlan.objects.get(title="First")
    services.conclude_plan(user=rwg, plan=first, reason="Replaced.", ends_on=DAY)
    services.approve_plan(user=rwg, plan=second, decided_on=DAY, reference="R")
    assert EngagementPlan.objects.get(title="Second").status == PlanStatus.APPROVED


@pytest.mark.django_db
def test_returning_to_draft_needs_a_reason(make_plan, ircc_officer):
    plan = make_plan(status=PlanStatus.SUBMITTED)
    with pytest.raises(DomainError, match="Say why"):
        services.return_plan_to_draft(user=ircc_officer, plan=plan, reason=" ")
    services.return_plan_to_draft(user=ircc_officer, plan=plan, reason="Add GAC's actions.")
    plan.refresh_from_db()
    assert plan.status == PlanStatus.DRAFT


@pytest.mark.django_db
def test_concluding_needs_the_rwg_and_a_reason(make_plan, ircc_officer, rwg):
    plan = make_plan(status=PlanStatus.ACTIVE, rwg=rwg)
    with pytest.raises(PermissionRefused):
        services.conclude_plan(user=ircc_officer, plan=plan, reason="Done.")
    with pytest.raises(DomainError, match="Say why the plan is concluded"):
        services.conclude_plan(user=rwg, plan=plan, reason="")


@pytest.mark.django_db
def test_submitting_needs_objectives(ircc_officer, country):
    plan = services.create_plan(
        user=ircc_officer, country_code="XAA", title="T", lead_department="IRCC"
    )
    with pytest.raises(DomainError, match="objectives"):
        services.submit_plan(user=ircc_officer, plan=plan)


@pytest.mark.django_db
def test_content_changes_only_in_draft_but_departments_until_concluded(
    make_plan, rwg, ircc_officer
):
    plan = make_plan(status=PlanStatus.ACTIVE, rwg=rwg)
    with pytest.raises(DomainError, match="change only in draft"):
        services.update_plan(user=ircc_officer, plan=plan, objectives="Other.")
    services.update_plan(user=ircc_officer, plan=plan, participating_departments=["CBSA", "PS"])
    assert {d.code for d in plan.participating_departments.all()} == {"CBSA", "PS"}
    # The change of departments is in the plan's history.
    latest = plan.history.latest()
    assert {d.department.code for d in latest.participating_departments.all()} == {"CBSA", "PS"}


@pytest.mark.django_db
def test_a_department_cannot_draft_a_plan_it_does_not_take_part_in(ps_officer, country):
    with pytest.raises(PermissionRefused):
        services.create_plan(user=ps_officer, country_code="XAA", title="T", lead_department="IRCC")


@pytest.mark.django_db
def test_a_level_can_be_raised_not_lowered(make_plan, ircc_officer, rwg):
    plan = make_plan()
    with pytest.raises(DomainError, match="above your own clearance"):
        services.raise_security_level(user=ircc_officer, record=plan, level=4, reason="x")
    plan = make_plan("XBB", security_level=None)
    services.update_plan(user=rwg, plan=plan, security_level=3)
    plan.refresh_from_db()
    assert plan.security_level == 3
    with pytest.raises(DomainError, match="can only be raised"):
        services.update_plan(user=rwg, plan=plan, security_level=2)


@pytest.mark.django_db
def test_country_decisions_decide_which_countries_are_targeted(rwg, country):
    services.record_country_decision(
        user=rwg,
        country_code="XAA",
        outcome="targeted",
        decided_on=DAY,
        reference="RWG-1",
        rationale="Red.",
    )
    assert targeted_country_codes() == {"XAA"}
    services.record_country_decision(
        user=rwg,
        country_code="XAA",
        outcome="not_targeted",
        decided_on=DAY + dt.timedelta(days=90),
        reference="RWG-2",
        rationale="Cooperating.",
    )
    assert targeted_country_codes() == set()
