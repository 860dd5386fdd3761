"""The life of a plan through the web pages, and what the pages show."""

import datetime as dt
import json
import re

import pytest
from django.urls import reverse

from readmit.engagement import services
from readmit.engagement.models import (
    Action,
    Decision,
    DecisionKind,
    EngagementPlan,
    Meeting,
    PlanStatus,
)
from tests.engagement.conftest import DAY
from tests.words import names


def _notices(response) -> str:
    return response.content.decode()


@pytest.mark.django_db
def test_the_life_of_a_plan_through_the_web(client, targeted, rwg, ircc_officer, no_series):
    client.force_login(ircc_officer)
    response = client.post(
        reverse("engagement:plan_new"),
        {
            "country": "XAA",
            "title": "Documents within 30 days",
            "lead_department": "IRCC",
            "participating_departments": ["CBSA"],
            "objectives": "Issuance above 80 %.",
            "security_level": "2",
        },
    )
    plan = EngagementPlan.objects.get()
    assert response["Location"] == reverse("engagement:plan", kwargs={"pk": plan.pk})
    status_url = reverse("engagement:plan_status", kwargs={"pk": plan.pk})

    # An illegal transition is refused with what is allowed.
    page = client.post(status_url, {"to_status": "active"}, follow=True)
    assert "The plan is draft; it can be submitted, not activated." in _notices(page)

    client.post(status_url, {"to_status": "submitted", "reason": "For the RWG."})
    plan.refresh_from_db()
    assert plan.status == PlanStatus.SUBMITTED

    # The officer cannot approve; the RWG records the approval.
    approve_url = reverse("engagement:plan_approve", kwargs={"pk": plan.pk})
    assert client.post(approve_url, {"decided_on": "2024-03-01"}).status_code == 403
    client.force_login(rwg)
    client.post(approve_url, {"decided_on": "2024-03-01", "reference": "RWG-2024-02"})
    plan.refresh_from_db()
    assert plan.status == PlanStatus.APPROVED

    client.force_login(ircc_officer)
    client.post(status_url, {"to_status": "active", "on": "2024-03-15", "reason": "Launched."})
    plan.refresh_from_db()
    assert (plan.status, plan.starts_on) == (PlanStatus.ACTIVE, dt.date(2024, 3, 15))

    client.force_login(rwg)
    step = plan.escalation_steps.get(order=1)
    client.post(
        reverse("engagement:step_decide", kwargs={"pk": step.pk}),
        {
            "decision": "approve",
            "decided_on": "2024-06-01",
            "reference": "RWG-2024-05",
            "rationale": "No documents for two quarters.",
        },
    )
    plan.refresh_from_db()
    assert plan.status == PlanStatus.ESCALATED

    client.post(status_url, {"to_status": "concluded", "reason": "Cooperation restored."})
    plan.refresh_from_db()
    assert plan.status == PlanStatus.CONCLUDED

    page = client.get(reverse("engagement:plan", kwargs={"pk": plan.pk})).content.decode()
    for text in ("For the RWG.", "Launched.", "Cooperation restored.", "RWG-2024-05"):
        assert text in page
    history = client.get(reverse("engagement:plan_history", kwargs={"pk": plan.pk}))
    assert history.status_code == 200


@pytest.mark.django_db
def test_the_plan_page_marks_overdue_actions_and_draws_the_chart(
    client, make_plan, rwg, ircc_officer, quarterly
):
    plan = make_plan(status=PlanStatus.ACTIVE, rwg=rwg, starts_on=dt.date(2024, 1, 10))
    services.add_action(
        user=ircc_officer,
        plan=plan,
        title="Send the mission",
        owner_department="IRCC",
        due_on=dt.date.today() - dt.timedelta(days=12),
    )
    quarterly({"XAA": {"2023-Q4": {"issuance_rate": 0.3}, "2024-Q1": {"issuance_rate": 0.6}}})
    client.force_login(ircc_officer)
    page = client.get(reverse("engagement:plan", kwargs={"pk": plan.pk})).content.decode()
    assert "overdue by 12 days" in page
    spec = json.loads(
        re.search(
            r'<script id="plan-chart" type="application/json">(.*?)</script>', page, re.S
        ).group(1)
    )
    trend, timeline = spec["vconcat"]
    assert [v["value"] for v in trend["layer"][0]["data"]["values"]] == [0.3, 0.6]
    assert trend["layer"][1]["data"]["values"][0]["date"] == "2024-01-10"  # plan start
    assert "Send the mission" in json.dumps(timeline)
    assert 'data-vega-spec="plan-chart"' in page
    assert "<script>" not in page  # nothing inline: the CSP forbids it


@pytest.mark.django_db
def test_a_refused_action_shows_its_message(client, make_plan, rwg, ircc_officer, no_series):
    plan = make_plan(status=PlanStatus.ACTIVE, rwg=rwg)
    client.force_login(ircc_officer)
    page = client.post(
        reverse("engagement:plan_add_action", kwargs={"pk": plan.pk}),
        {"title": "X", "owner_department": "PS", "due_on": "2024-05-01"},
        follow=True,
    )
    assert "PS does not take part in this plan; add it to the plan first." in page.content.decode()
    assert not Action.objects.exists()


@pytest.mark.django_db
def test_an_rwg_meeting_page_keeps_its_record_of_decisions(client, rwg, country):
    client.force_login(rwg)
    client.post(
        reverse("engagement:meeting_new"),
        {
            "held_on": "2024-03-01",
            "reference": "RWG-2024-03",
            "attending_departments": ["GAC", "CBSA"],
            "agenda": "Country proposals.",
        },
    )
    meeting = Meeting.objects.get()
    client.post(
        reverse("engagement:decision_new"),
        {
            "kind": "country",
            "meeting": meeting.pk,
            "decided_on": "2024-03-01",
            "country": "XAA",
            "outcome": "targeted",
            "proposed_classification": "recalcitrant",
            "assessment_run_id": "7",
            "rationale": "Two red ratings.",
        },
    )
    decision = Decision.objects.get()
    assert (decision.kind, decision.reference, decision.assessment_run_id) == (
        DecisionKind.COUNTRY,
        "RWG-2024-03",
        7,
    )
    page = client.get(reverse("engagement:meeting", kwargs={"pk": meeting.pk})).content.decode()
    assert "Two red ratings." in page
    assert "recalcitrant" in page


@pytest.mark.django_db
def test_the_evaluate_button_raises_alerts(client, make_plan, rwg, ircc_officer, no_series):
    plan = make_plan(status=PlanStatus.ACTIVE, rwg=rwg)
    services.add_action(
        user=ircc_officer, plan=plan, title="Late", owner_department="IRCC", due_on=DAY
    )
    client.force_login(rwg)
    page = client.post(reverse("engagement:evaluate"), {"as_of": "2024-06-01"}, follow=True)
    content = page.content.decode()
    assert "1 plans evaluated as of 2024-06-01: 1 alerts raised" in content
    assert "Late, due 2024-03-01, 92 days late" in content
    assert "indicator triggers were not evaluated" in content


@pytest.mark.django_db
def test_calendar_shows_upcoming_engagements_and_overdue_actions(
    client, make_plan, rwg, ircc_officer
):
    plan = make_plan(status=PlanStatus.ACTIVE, rwg=rwg)
    today = dt.date.today()
    services.record_engagement(
        user=ircc_officer,
        plan=plan,
        kind="technical_mission",
        held_on=today + dt.timedelta(days=10),
        departments=["IRCC", "CBSA"],
    )
    services.add_action(
        user=ircc_officer,
        plan=plan,
        title="Reply to the note",
        owner_department="CBSA",
        due_on=today - dt.timedelta(days=3),
    )
    client.force_login(ircc_officer)
    page = client.get(reverse("engagement:calendar")).content.decode()
    assert "Technical mission" in page
    assert "overdue by 3 days" in page
    assert page.index("Reply to the note") < page.index("Technical mission")


@pytest.mark.django_db
def test_summary_counts_as_the_seed_quotes_them(client, make_plan, rwg, ircc_officer, viewer):
    active = make_plan("XAA", PlanStatus.ACTIVE, rwg=rwg)
    make_plan("XBB", PlanStatus.APPROVED, rwg=rwg)
    make_plan("XCC", PlanStatus.SUBMITTED, rwg=rwg)
    services.add_commitment(
        user=ircc_officer, plan=active, kind="written_commitment", title="Letter", status="signed",
        status_since=DAY,
    )  # fmt: skip
    services.add_commitment(
        user=ircc_officer, plan=active, kind="mou", title="MOU", status="negotiating",
        status_since=DAY,
    )  # fmt: skip
    client.force_login(viewer)
    page = client.get(reverse("engagement:summary")).content.decode()
    numbers = re.findall(r'<td class="number">(\d+)</td>', page)
    # countries identified, plans approved, commitments received, MOUs in negotiation, alerts
    assert numbers[:5] == ["2", "2", "1", "1", "0"]
    assert not names(page, "XAA")


@pytest.mark.django_db
def test_pages_read_in_french(client, make_plan, rwg, no_series):
    plan = make_plan(status=PlanStatus.ACTIVE, rwg=rwg)
    client.force_login(rwg)
    page = client.get(f"/fr/engagement/plans/{plan.pk}/").content.decode()
    assert "Échelle d’escalade" in page or "Échelle d'escalade" in page


@pytest.mark.django_db
def test_the_home_page_offers_engagement_to_the_cleared_only(client, ircc_officer, viewer):
    client.force_login(ircc_officer)
    page = client.get("/en/").content.decode()
    assert "Engagement Plans" in page
    assert "Removals Working Group" in page
    client.force_login(viewer)
    page = client.get("/en/").content.decode()
    assert "Engagement Plans" not in page
    assert "Programme summary" in page


@pytest.mark.django_db
def test_an_action_can_follow_up_an_engagement(client, make_plan, rwg, ircc_officer):
    plan = make_plan(status=PlanStatus.ACTIVE, rwg=rwg)
    demarche = services.record_engagement(
        user=ircc_officer, plan=plan, kind="demarche", held_on=DAY, departments=["IRCC"]
    )
    client.force_login(ircc_officer)
    page = client.get(reverse("engagement:plan", kwargs={"pk": plan.pk})).content.decode()
    assert f'<option value="{demarche.pk}">' in page
    client.post(
        reverse("engagement:plan_add_action", kwargs={"pk": plan.pk}),
        {"title": "Send the list", "owner_department": "IRCC", "due_on": "2024-04-01",
         "engagement": demarche.pk},
    )  # fmt: skip
    assert Action.objects.get().engagement == demarche


@pytest.mark.django_db
def test_when_the_assessment_cannot_compute_the_plan_page_still_opens(
    client, make_plan, rwg, monkeypatch
):
    from readmit.assessment import selectors as assessment_selectors
    from readmit.core.errors import DomainError

    def refuse(**kwargs):
        raise DomainError("No methodology is marked as the default; an analyst must choose one.")

    monkeypatch.setattr(assessment_selectors, "quarterly_series", refuse)
    plan = make_plan(status=PlanStatus.ACTIVE, rwg=rwg)
    client.force_login(rwg)
    assert client.get(reverse("engagement:plan", kwargs={"pk": plan.pk})).status_code == 200
    assert services.evaluate_triggers(user=rwg).figures_available is False
