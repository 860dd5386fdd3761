"""The RWG's decision beside the proposal: recorded with the run it answered, shown side by
side, and flagged where it differs from what the proposal points to."""

import datetime as dt

import pytest
from django.utils import timezone

from readmit.assessment import selectors, services
from readmit.assessment.models import AssessmentRun
from readmit.assessment.selectors import compare
from readmit.core.errors import PermissionRefused
from readmit.engagement.models import Decision
from tests.assessment.builders import country, request

TODAY = timezone.localdate()


def days_ago(days: int) -> str:
    return (TODAY - dt.timedelta(days=days)).isoformat()


@pytest.mark.parametrize(
    ("proposal", "outcome", "differs", "direction"),
    [
        ("recalcitrant", "targeted", False, None),
        ("recalcitrant", "monitored", True, "weaker"),
        ("recalcitrant", "not_targeted", True, "weaker"),
        ("at_risk", "monitored", False, None),
        ("at_risk", "targeted", True, "stronger"),
        ("at_risk", "not_targeted", True, "weaker"),
        ("cooperative", "not_targeted", False, None),
        ("cooperative", "monitored", True, "stronger"),
        ("cooperative", "targeted", True, "stronger"),
        ("insufficient_data", "targeted", False, None),
        ("recalcitrant", "deferred", False, None),
    ],
)
def test_a_decision_differs_when_it_is_not_where_the_proposal_points(
    proposal, outcome, differs, direction
):
    comparison = compare(proposal, {"outcome": outcome})
    assert (comparison.differs, comparison.direction) == (differs, direction)


def test_no_decision_means_nothing_to_compare():
    assert compare("recalcitrant", None) is None


@pytest.fixture
def recalcitrant(db):
    country("XAA", "Avalonia")
    request("XAA", days_ago(90), "issued", days_ago(80), count=2)
    request("XAA", days_ago(90), "refused", days_ago(85), count=10)


def test_the_decision_is_recorded_with_the_proposal_and_its_run(recalcitrant, rwg_member):
    decision = services.record_decision_on_proposal(
        user=rwg_member,
        country_code="XAA",
        outcome="not_targeted",
        decided_on=TODAY,
        reference="RWG-2026-03",
        rationale="A new consul; give it a quarter.",
    )
    run = AssessmentRun.objects.get()
    assert decision.proposed_classification == "recalcitrant"
    assert decision.assessment_run_id == run.pk
    assert run.country_codes == ["XAA"]
    assert run.results["countries"][0]["classification"] == "recalcitrant"
    assert decision.outcome == "not_targeted"


def test_only_the_rwg_records_decisions(recalcitrant, analyst):
    with pytest.raises(PermissionRefused):
        services.record_decision_on_proposal(
            user=analyst,
            country_code="XAA",
            outcome="targeted",
            decided_on=TODAY,
            reference="R",
            rationale="x",
        )
    assert not AssessmentRun.objects.exists()


def test_a_refused_decision_leaves_no_run(recalcitrant, rwg_member):
    from readmit.core.errors import DomainError

    with pytest.raises(DomainError):
        services.record_decision_on_proposal(
            user=rwg_member,
            country_code="XAA",
            outcome="targeted",
            decided_on=TODAY + dt.timedelta(days=5),  # engagement refuses a future date
            reference="R",
            rationale="x",
        )
    assert not AssessmentRun.objects.exists()


def test_the_country_page_records_and_shows_the_decision_beside_the_proposal(
    client, recalcitrant, rwg_member
):
    client.force_login(rwg_member)
    page = client.get("/en/assessment/countries/XAA/").content.decode()
    assert "Record the RWG’s decision on this proposal" in page
    assert "The RWG has recorded no decision on this country." in page
    response = client.post(
        "/en/assessment/countries/XAA/decision/",
        {
            "outcome": "monitored",
            "decided_on": TODAY.isoformat(),
            "reference": "RWG-2026-03",
            "rationale": "Watch two more quarters.",
            "meeting": "",
        },
    )
    assert response.status_code == 302
    assert response["Location"].endswith("/en/assessment/countries/XAA/")
    page = client.get(response["Location"]).content.decode()
    assert "Monitored" in page
    assert "Differs from the proposal" in page
    assert "The RWG went less far than the proposal." in page
    assert "RWG-2026-03" in page
    scorecard = client.get("/en/assessment/").content.decode()
    assert "differs from the proposal" in scorecard


def test_an_incomplete_decision_is_shown_again_with_what_is_missing(
    client, recalcitrant, rwg_member
):
    client.force_login(rwg_member)
    response = client.post(
        "/en/assessment/countries/XAA/decision/",
        {"outcome": "targeted", "decided_on": TODAY.isoformat(), "reference": "R"},
    )
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert not Decision.objects.exists()


def test_the_api_gives_the_decisions_and_the_comparison(api_as, recalcitrant, rwg_member):
    services.record_decision_on_proposal(
        user=rwg_member,
        country_code="XAA",
        outcome="targeted",
        decided_on=TODAY,
        reference="RWG-1",
        rationale="Two démarches unanswered.",
    )
    body = api_as(rwg_member).get("/api/v1/assessment/countries/XAA/").json()
    assert body["decisions"][0]["outcome"] == "targeted"
    assert body["decisions"][0]["proposed_classification"] == "recalcitrant"
    assert body["comparison"] == {
        "proposal": "recalcitrant",
        "outcome": "targeted",
        "expected": "targeted",
        "differs": False,
        "direction": None,
    }


def test_users_without_need_to_know_get_no_decisions(recalcitrant, rwg_member, viewer):
    services.record_decision_on_proposal(
        user=rwg_member,
        country_code="XAA",
        outcome="targeted",
        decided_on=TODAY,
        reference="RWG-1",
        rationale="x",
    )
    assert selectors.latest_decisions(user=viewer) == {}
    assert selectors.country_decisions(user=viewer, country_code="XAA") == []
    assert set(selectors.latest_decisions(user=rwg_member)) == {"XAA"}
