"""The life of a plan through the API, with every step's record and the history."""

import pytest

from readmit.engagement.models import PlanStatus


@pytest.mark.django_db
def test_the_life_of_a_plan_through_the_api(api_as, country, rwg, ircc_officer, no_series):
    # api_as signs one client in as the user given: each call switches who is signed in.
    decision = api_as(rwg).post(
        "/api/v1/engagement/decisions/",
        {
            "kind": "country",
            "country": "XAA",
            "outcome": "targeted",
            "decided_on": "2024-02-01",
            "reference": "RWG-2024-01",
            "rationale": "Two red ratings.",
            "assessment_run_id": 3,
            "proposed_classification": "recalcitrant",
        },
        format="json",
    )
    assert decision.status_code == 201, decision.content
    officer = api_as(ircc_officer)
    created = officer.post(
        "/api/v1/engagement/plans/",
        {
            "country": "XAA",
            "title": "Documents within 30 days",
            "lead_department": "IRCC",
            "participating_departments": ["CBSA"],
            "objectives": "Issuance above 80 %.",
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    plan = created.json()
    assert plan["status"] == "draft"
    assert plan["allowed_statuses"] == ["submitted"]
    assert plan["security_level"] == 2
    assert plan["is_need_to_know"] is True
    url = f"/api/v1/engagement/plans/{plan['id']}/"

    refused = officer.post(url + "transition/", {"to_status": "approved"}, format="json")
    assert refused.status_code == 400
    assert refused.json()["detail"] == "The plan is draft; it can be submitted, not approved."

    submitted = officer.post(url + "transition/", {"to_status": "submitted"}, format="json")
    assert submitted.status_code == 200
    assert (
        officer.post(url + "approve/", {"decided_on": "2024-03-01"}, format="json").status_code
        == 403
    )
    board = api_as(rwg)
    approval = board.post(
        url + "approve/", {"decided_on": "2024-03-01", "reference": "RWG-2024-02"}, format="json"
    )
    assert approval.status_code == 201
    assert approval.json()["kind"] == "approve_plan"
    officer = api_as(ircc_officer)
    active = officer.post(
        url + "transition/", {"to_status": "active", "on": "2024-03-15"}, format="json"
    )
    assert active.json()["starts_on"] == "2024-03-15"
    steps = officer.get(f"/api/v1/engagement/steps/?plan={plan['id']}").json()["results"]
    board = api_as(rwg)
    escalation = board.post(
        f"/api/v1/engagement/steps/{steps[0]['id']}/approve/",
        {"decided_on": "2024-06-01", "reference": "RWG-2024-05", "rationale": "Two quarters."},
        format="json",
    )
    assert escalation.status_code == 201
    concluded = board.post(
        url + "transition/", {"to_status": "concluded", "reason": "Done."}, format="json"
    )
    assert concluded.json()["status"] == PlanStatus.CONCLUDED

    detail = board.get(url).json()
    assert [(t["from_status"], t["to_status"], t["created_by"]) for t in detail["transitions"]] == [
        ("draft", "submitted", ircc_officer.username),
        ("submitted", "approved", rwg.username),
        ("approved", "active", ircc_officer.username),
        ("active", "escalated", rwg.username),
        ("escalated", "concluded", rwg.username),
    ]
    history = board.get(url + "history/").json()
    statuses = [v["values"]["status"] for v in history]
    assert [s for i, s in enumerate(statuses) if i == 0 or statuses[i - 1] != s] == [
        "concluded", "escalated", "active", "approved", "submitted", "draft"
    ]  # fmt: skip
    assert history[-1]["change"] == "created"
    assert history[-1]["by"] == ircc_officer.username
    assert history[0]["values"]["participating_departments"] == ["CBSA"]


@pytest.mark.django_db
def test_commitments_keep_their_dated_history(api_as, make_plan, rwg, ircc_officer):
    plan = make_plan(status=PlanStatus.ACTIVE, rwg=rwg)
    client = api_as(ircc_officer)
    created = client.post(
        "/api/v1/engagement/commitments/",
        {"plan": plan.pk, "kind": "mou", "title": "MOU", "status": "negotiating",
         "status_since": "2024-01-10"},
        format="json",
    )  # fmt: skip
    commitment = created.json()
    later = client.post(
        f"/api/v1/engagement/commitments/{commitment['id']}/status/",
        {"status": "initialled", "changed_on": "2024-02-20", "note": "Text agreed."},
        format="json",
    )
    assert later.status_code == 201
    backdated = client.post(
        f"/api/v1/engagement/commitments/{commitment['id']}/status/",
        {"status": "signed", "changed_on": "2024-02-01"},
        format="json",
    )
    assert backdated.status_code == 400
    assert "dates from 2024-02-20" in backdated.json()["detail"]
    body = client.get(f"/api/v1/engagement/commitments/{commitment['id']}/").json()
    assert body["status"] == "initialled"
    assert [(c["status"], c["changed_on"]) for c in body["status_changes"]] == [
        ("negotiating", "2024-01-10"),
        ("initialled", "2024-02-20"),
    ]


@pytest.mark.django_db
def test_a_bad_trigger_is_refused_with_every_problem(api_as, make_plan, rwg, ircc_officer):
    plan = make_plan(status=PlanStatus.ACTIVE, rwg=rwg)
    step = plan.escalation_steps.first()
    response = api_as(ircc_officer).post(
        f"/api/v1/engagement/steps/{step.pk}/triggers/",
        {"kind": "indicator_run", "parameters": {"indicator": "vibes", "quarters": 0}},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["errors"] == [
        "indicator: not one of the allowed values.",
        "operator: not one of the allowed values.",
        "threshold: required.",
        "quarters: give a whole number of 1 or more.",
    ]


@pytest.mark.django_db
def test_alerts_in_the_api_explain_themselves(api_as, make_plan, rwg, quarterly):
    plan = make_plan(status=PlanStatus.ACTIVE, rwg=rwg)
    quarterly({"XAA": {"2024-Q2": {"issuance_rate": 0.2}, "2024-Q3": {"issuance_rate": 0.1}}})
    client = api_as(rwg)
    evaluated = client.post("/api/v1/engagement/evaluate/", {"as_of": "2024-10-01"}, format="json")
    assert evaluated.json()["raised"]
    alerts = client.get(f"/api/v1/engagement/alerts/?plan={plan.pk}").json()["results"]
    assert alerts[0]["explanations"] == [
        "issuance rate below 0.500 for 2 consecutive quarters: it held in each quarter "
        "(2024-Q2 0.200, 2024-Q3 0.100)."
    ]
    assert alerts[0]["findings"][0]["figures"][1] == {
        "quarter": "2024-Q3",
        "value": 0.1,
        "beyond": True,
    }
