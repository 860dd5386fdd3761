"""`evaluate_triggers`: alerts raised from the assessment's figures and the plan's facts, once
per step and quarter; escalation only through the RWG's recorded decision."""

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command

from readmit.core.errors import DomainError, PermissionRefused
from readmit.engagement import services
from readmit.engagement.models import (
    Alert,
    AlertStatus,
    DecisionKind,
    EscalationStep,
    PlanStatus,
    StepStatus,
)
from readmit.engagement.selectors import alert_explanations
from tests.engagement.conftest import DAY

AS_OF = dt.date(2024, 10, 15)
LOW = {
    "2024-Q1": {"issuance_rate": 0.40, "overdue_share": 0.1, "refusal_rate": 0.1},
    "2024-Q2": {"issuance_rate": 0.35, "overdue_share": 0.1, "refusal_rate": 0.1},
    "2024-Q3": {"issuance_rate": 0.30, "overdue_share": 0.1, "refusal_rate": 0.1},
}


@pytest.mark.django_db
def test_an_alert_explains_what_fired_on_which_figures(make_plan, rwg, quarterly):
    plan = make_plan(status=PlanStatus.ACTIVE, rwg=rwg)
    calls = quarterly({"XAA": LOW})

    evaluation = services.evaluate_triggers(user=rwg, as_of=AS_OF)

    assert calls == [{"country_codes": ["XAA"], "as_of": AS_OF, "quarters": 12}]
    # Issuance below 0.5 for the last 3 complete quarters: steps 1 (2 quarters) and 2 (3).
    raised = {alert.step.order for alert in evaluation.raised}
    assert raised == {1, 2}
    alert = plan.alerts.get(step__order=2)
    assert alert.quarter == "2024-Q4"
    assert alert.status == AlertStatus.OPEN
    assert alert.created_by == rwg
    assert alert_explanations(alert) == [
        "issuance rate below 0.500 for 3 consecutive quarters: it held in each quarter "
        "(2024-Q1 0.400, 2024-Q2 0.350, 2024-Q3 0.300)."
    ]
    plan.refresh_from_db()
    assert plan.status == PlanStatus.ACTIVE  # nothing escalates by itself


@pytest.mark.django_db
def test_no_alert_when_the_condition_does_not_hold(make_plan, rwg, quarterly):
    make_plan(status=PlanStatus.ACTIVE, rwg=rwg)
    quarterly({"XAA": {**LOW, "2024-Q3": {"issuance_rate": 0.9}}})
    assert services.evaluate_triggers(user=rwg, as_of=AS_OF).raised == []


@pytest.mark.django_db
def test_no_duplicate_alert_for_the_same_step_and_quarter(make_plan, rwg, quarterly):
    plan = make_plan(status=PlanStatus.ACTIVE, rwg=rwg)
    quarterly({"XAA": LOW})
    first = services.evaluate_triggers(user=rwg, as_of=AS_OF)
    again = services.evaluate_triggers(user=None, as_of=AS_OF + dt.timedelta(days=20))
    assert len(first.raised) == 2
    assert again.raised == []
    assert again.already_raised == 2
    assert plan.alerts.count() == 2
    # A new quarter is a new alert.
    quarterly({"XAA": {**LOW, "2024-Q4": {"issuance_rate": 0.2}}})
    later = services.evaluate_triggers(user=None, as_of=dt.date(2025, 1, 2))
    assert {a.quarter for a in later.raised} == {"2025-Q1"}


@pytest.mark.django_db
def test_only_active_and_escalated_plans_are_evaluated(make_plan, rwg, quarterly):
    make_plan("XAA", PlanStatus.APPROVED, rwg=rwg)
    make_plan("XBB", PlanStatus.CONCLUDED, rwg=rwg)
    escalated = make_plan("XCC", PlanStatus.ESCALATED, rwg=rwg)
    quarterly(dict.fromkeys(("XAA", "XBB", "XCC"), LOW))
    evaluation = services.evaluate_triggers(user=rwg, as_of=AS_OF)
    assert evaluation.plans == 1
    # Step 1 was approved when the plan escalated: only step 2 is alerted.
    assert [(a.plan_id, a.step.order) for a in evaluation.raised] == [(escalated.pk, 2)]


@pytest.mark.django_db
def test_overdue_actions_raise_an_alert_without_figures(make_plan, rwg, ircc_officer, no_series):
    plan = make_plan(status=PlanStatus.ACTIVE, rwg=rwg)
    services.add_action(
        user=ircc_officer,
        plan=plan,
        title="Send the technical mission",
        owner_department="IRCC",
        due_on=dt.date(2024, 9, 1),
    )
    evaluation = services.evaluate_triggers(user=rwg, as_of=dt.date(2024, 10, 1))
    assert evaluation.figures_available is False
    assert [a.step.order for a in evaluation.raised] == [1]
    texts = alert_explanations(evaluation.raised[0])
    assert texts == [
        "1 action overdue by 30 days or more: Send the technical mission, due 2024-09-01, "
        "30 days late."
    ]


@pytest.mark.django_db
def test_no_commitment_progress_raises_an_alert(make_plan, rwg, ircc_officer, no_series):
    plan = make_plan(status=PlanStatus.ACTIVE, rwg=rwg, starts_on=dt.date(2023, 1, 2))
    services.add_commitment(
        user=ircc_officer,
        plan=plan,
        kind="mou",
        title="Removals MOU",
        status="negotiating",
        status_since=dt.date(2022, 11, 1),
    )
    evaluation = services.evaluate_triggers(user=rwg, as_of=dt.date(2024, 1, 2))
    assert [a.step.order for a in evaluation.raised] == [3]
    assert alert_explanations(evaluation.raised[0]) == [
        "no commitment progress within 365 days of the plan's start: by 2024-01-02 no "
        "commitment had moved forward (Removals MOU: negotiating since 2022-11-01)."
    ]


@pytest.mark.django_db
def test_the_rwg_approves_the_step_and_the_plan_escalates(make_plan, rwg, quarterly):
    plan = make_plan(status=PlanStatus.ACTIVE, rwg=rwg)
    quarterly({"XAA": LOW})
    services.evaluate_triggers(user=rwg, as_of=AS_OF)
    alert = plan.alerts.get(step__order=1)
    meeting = services.create_meeting(
        user=rwg, held_on=DAY, reference="RWG-2024-04", attending_departments=["GAC", "CBSA"]
    )
    decision = services.approve_escalation(
        user=rwg,
        step=alert.step,
        decided_on=DAY,
        meeting=meeting,
        reference="",
        rationale="Two quarters below half.",
    )
    alert.refresh_from_db()
    plan.refresh_from_db()
    assert decision.kind == DecisionKind.APPROVE_ESCALATION
    assert decision.reference == "RWG-2024-04"
    assert decision.meeting == meeting
    assert alert.status == AlertStatus.APPROVED
    assert alert.decision == decision
    assert plan.status == PlanStatus.ESCALATED
    assert EscalationStep.objects.get(pk=alert.step_id).status == StepStatus.APPROVED
    assert plan.transitions.last().decision == decision


@pytest.mark.django_db
def test_the_rwg_declines_with_a_reason_and_nothing_escalates(make_plan, rwg, quarterly):
    plan = make_plan(status=PlanStatus.ACTIVE, rwg=rwg)
    quarterly({"XAA": LOW})
    services.evaluate_triggers(user=rwg, as_of=AS_OF)
    alert = plan.alerts.get(step__order=1)
    with pytest.raises(DomainError, match="Say why the escalation is declined"):
        services.decline_escalation(
            user=rwg, step=alert.step, decided_on=DAY, reference="R", rationale=" "
        )
    decision = services.decline_escalation(
        user=rwg,
        step=alert.step,
        decided_on=DAY,
        reference="RWG-2024-05",
        rationale="A ministerial visit is planned next month.",
    )
    alert.refresh_from_db()
    plan.refresh_from_db()
    assert decision.kind == DecisionKind.DECLINE_ESCALATION
    assert alert.status == AlertStatus.DECLINED
    assert plan.status == PlanStatus.ACTIVE
    assert EscalationStep.objects.get(pk=alert.step_id).status == StepStatus.PENDING


@pytest.mark.django_db
def test_only_the_rwg_decides_on_escalation(make_plan, rwg, ircc_officer):
    plan = make_plan(status=PlanStatus.ACTIVE, rwg=rwg)
    with pytest.raises(PermissionRefused):
        services.approve_escalation(
            user=ircc_officer,
            step=plan.escalation_steps.first(),
            decided_on=DAY,
            reference="R",
        )


@pytest.mark.django_db
def test_a_step_cannot_be_approved_on_a_plan_not_yet_active(make_plan, rwg):
    plan = make_plan(status=PlanStatus.APPROVED, rwg=rwg)
    with pytest.raises(DomainError, match="it can be activated or concluded, not escalated"):
        services.approve_escalation(
            user=rwg, step=plan.escalation_steps.first(), decided_on=DAY, reference="R"
        )


@pytest.mark.django_db
def test_only_the_rwg_presses_the_button(ircc_officer):
    with pytest.raises(PermissionRefused):
        services.evaluate_triggers(user=ircc_officer)


@pytest.mark.django_db
def test_the_command_evaluates_and_reports(make_plan, rwg, quarterly):
    make_plan(status=PlanStatus.ACTIVE, rwg=rwg)
    quarterly({"XAA": LOW})
    out = io.StringIO()
    call_command("evaluate_triggers", "--as-of", "2024-10-15", stdout=out)
    assert "1 plan evaluated as of 2024-10-15: 2 alerts raised, 0 already raised" in out.getvalue()
    assert Alert.objects.count() == 2
    out = io.StringIO()
    call_command("evaluate_triggers", "--as-of", "2024-10-15", stdout=out)
    assert "0 alerts raised, 2 already raised" in out.getvalue()


@pytest.mark.django_db
def test_the_command_refuses_a_bad_date():
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("evaluate_triggers", "--as-of", "15/10/2024")
