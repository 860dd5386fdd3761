"""The RWG's meetings and decisions, as the assessment reads them."""

import datetime as dt

import pytest

from readmit.core.errors import DomainError, PermissionRefused
from readmit.core.security import SecurityLevel
from readmit.engagement import selectors, services
from readmit.engagement.models import Decision, DecisionKind, PlanStatus
from tests.engagement.conftest import DAY
from tests.factories import CountryFactory


def _decide(user, code, outcome, on, **kwargs):
    return services.record_country_decision(
        user=user,
        country_code=code,
        outcome=outcome,
        decided_on=on,
        reference=kwargs.pop("reference", "RWG-1"),
        rationale=kwargs.pop("rationale", "Because."),
        **kwargs,
    )


@pytest.mark.django_db
def test_latest_country_decisions_per_country(rwg, analyst):
    CountryFactory(code="XAA")
    CountryFactory(code="XBB")
    _decide(rwg, "XAA", "deferred", DAY)
    latest_xaa = _decide(rwg, "XAA", "targeted", DAY + dt.timedelta(days=30))
    same_day_first = _decide(rwg, "XBB", "monitored", DAY)
    same_day_last = _decide(rwg, "XBB", "not_targeted", DAY)
    latest = selectors.latest_country_decisions(user=analyst)
    assert latest == {"XAA": latest_xaa, "XBB": same_day_last}
    assert selectors.country_decisions(user=analyst, country_code="XBB") == [
        same_day_last,
        same_day_first,
    ]
    assert selectors.targeted_country_codes() == {"XAA"}


@pytest.mark.django_db
def test_a_user_without_targeting_sees_no_decision(rwg, viewer, uncleared_analyst):
    CountryFactory(code="XAA")
    _decide(rwg, "XAA", "targeted", DAY)
    for user in (viewer, uncleared_analyst):
        assert selectors.latest_country_decisions(user=user) == {}
        assert selectors.country_decisions(user=user, country_code="XAA") == []


@pytest.mark.django_db
def test_a_latest_decision_above_the_users_clearance_leaves_the_country_out(rwg, analyst):
    CountryFactory(code="XAA")
    _decide(rwg, "XAA", "monitored", DAY)
    _decide(rwg, "XAA", "targeted", DAY + dt.timedelta(days=1), security_level=SecurityLevel.SECRET)
    assert selectors.latest_country_decisions(user=analyst) == {}
    assert selectors.latest_country_decisions(user=rwg)["XAA"].outcome == "targeted"
    assert [d.outcome for d in selectors.country_decisions(user=analyst, country_code="XAA")] == [
        "monitored"
    ]


@pytest.mark.django_db
def test_a_country_decision_keeps_the_assessment_it_answered(rwg):
    CountryFactory(code="XAA")
    meeting = services.create_meeting(
        user=rwg, held_on=DAY, reference="RWG-2024-03", attending_departments=["GAC", "IRCC"]
    )
    decision = _decide(
        rwg,
        "XAA",
        "targeted",
        DAY,
        meeting=meeting,
        reference="",
        assessment_run_id=42,
        proposed_classification="recalcitrant",
    )
    assert decision.reference == "RWG-2024-03"
    assert decision.kind == DecisionKind.COUNTRY
    assert (decision.assessment_run_id, decision.proposed_classification) == (42, "recalcitrant")
    assert list(meeting.decisions.all()) == [decision]
    assert decision.security_level == SecurityLevel.PROTECTED_B
    assert decision.is_need_to_know


@pytest.mark.django_db
def test_decisions_are_refused_with_a_reason(rwg, analyst):
    CountryFactory(code="XAA")
    with pytest.raises(PermissionRefused):
        _decide(analyst, "XAA", "targeted", DAY)
    with pytest.raises(DomainError, match="Unknown outcome maybe"):
        _decide(rwg, "XAA", "maybe", DAY)
    with pytest.raises(DomainError, match="Unknown country code XQZ"):
        _decide(rwg, "XQZ", "targeted", DAY)
    with pytest.raises(DomainError, match="cannot be dated in the future"):
        _decide(rwg, "XAA", "targeted", dt.date.today() + dt.timedelta(days=1))
    with pytest.raises(DomainError, match="reference"):
        _decide(rwg, "XAA", "targeted", DAY, reference="")
    meeting = services.create_meeting(user=rwg, held_on=DAY, reference="RWG-9")
    with pytest.raises(DomainError, match="before its meeting"):
        _decide(rwg, "XAA", "targeted", DAY - dt.timedelta(days=1), meeting=meeting)
    with pytest.raises(DomainError, match="already recorded"):
        services.create_meeting(user=rwg, held_on=DAY, reference="RWG-9")


@pytest.mark.django_db
def test_methodology_approval_is_read_by_the_assessment(rwg):
    assert selectors.approved_methodology_version() is None
    services.record_methodology_approval(
        user=rwg, methodology_version="readmit-2026.1", decided_on=DAY, reference="RWG-1"
    )
    services.record_methodology_approval(
        user=rwg,
        methodology_version="readmit-2026.2",
        decided_on=DAY + dt.timedelta(days=1),
        reference="RWG-2",
    )
    assert selectors.approved_methodology_version() == "readmit-2026.2"


@pytest.mark.django_db
def test_meeting_attendance_is_in_the_history(rwg):
    meeting = services.create_meeting(
        user=rwg, held_on=DAY, reference="RWG-1", attending_departments=["GAC"]
    )
    services.update_meeting(user=rwg, meeting=meeting, attending_departments=["GAC", "PS"])
    versions = list(meeting.history.order_by("history_date"))
    attended = [sorted(r.department.code for r in v.attending_departments.all()) for v in versions]
    assert attended[-1] == ["GAC", "PS"]
    assert ["GAC"] in attended
    assert versions[-1].history_user == rwg


@pytest.mark.django_db
def test_a_decision_on_a_plan_is_seen_only_with_the_plan(make_plan, rwg, ps_officer, cbsa_analyst):
    plan = make_plan(status=PlanStatus.APPROVED, rwg=rwg)
    approval = Decision.objects.get(plan=plan)
    assert approval in selectors.visible_decisions(user=cbsa_analyst)
    assert approval not in selectors.visible_decisions(user=ps_officer)
    # The country decision itself is the RWG's record, open to the cleared.
    assert selectors.latest_country_decisions(user=ps_officer)["XAA"].outcome == "targeted"


@pytest.mark.django_db
def test_a_long_reason_is_kept_whole_on_the_transition(make_plan, ircc_officer):
    plan = make_plan(status=PlanStatus.SUBMITTED)
    reason = "The RWG asked for GAC's actions to be added before it considers the plan. " * 5
    services.return_plan_to_draft(user=ircc_officer, plan=plan, reason=reason)
    assert plan.transitions.last().reason == reason
    assert len(plan.history.latest().history_change_reason) <= 100


@pytest.mark.django_db
def test_records_under_a_raised_plan_take_its_level(make_plan, rwg, ircc_officer, cbsa_analyst):
    plan = make_plan(status=PlanStatus.ACTIVE, rwg=rwg)
    services.update_plan(user=rwg, plan=plan, security_level=SecurityLevel.SECRET)
    action = services.add_action(
        user=rwg, plan=plan, title="Quiet call", owner_department="IRCC", due_on=DAY
    )
    assert action.security_level == SecurityLevel.SECRET
    assert not selectors.visible_plans(user=ircc_officer).exists()
    assert not selectors.visible_actions(user=cbsa_analyst).exists()
    assert selectors.visible_actions(user=rwg).get() == action
