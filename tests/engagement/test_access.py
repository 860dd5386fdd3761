"""Who sees and does what, on every engagement route (pages and API).

An IRCC-led plan with CBSA taking part: the RWG (GAC) and IRCC see it; Public Safety does
not (404, as if it did not exist); a user without need-to-know sees no engagement page at
all (403) and empty API lists; a viewer of IRCC reads but does not change. A test at the end
checks that every engagement route is in these tables, so a new route needs its own line.
"""

import datetime as dt
import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from readmit.engagement import services
from readmit.engagement.models import Alert, PlanStatus, Trigger
from tests.engagement.conftest import DAY

USERS = ("rwg", "ircc_officer", "ps_officer", "ircc_viewer", "uncleared_ircc")


@pytest.fixture
def world(make_plan, rwg, ircc_officer, no_series):
    plan = make_plan(status=PlanStatus.ACTIVE, rwg=rwg)
    action = services.add_action(
        user=ircc_officer,
        plan=plan,
        title="Technical mission",
        owner_department="IRCC",
        due_on=dt.date(2024, 1, 15),
    )
    engagement = services.record_engagement(
        user=ircc_officer,
        plan=plan,
        kind="demarche",
        held_on=dt.date(2024, 2, 1),
        departments=["IRCC"],
        counterpart="Director of consular affairs",
    )
    commitment = services.add_commitment(
        user=ircc_officer,
        plan=plan,
        kind="mou",
        title="Removals MOU",
        status="negotiating",
        status_since=DAY,
    )
    meeting = services.create_meeting(
        user=rwg, held_on=DAY, reference="RWG-2024-02", attending_departments=["GAC"]
    )
    services.evaluate_triggers(user=rwg, as_of=dt.date(2024, 3, 1))
    alert = Alert.objects.get(plan=plan)
    decision = plan.decisions.first()
    step = plan.escalation_steps.get(order=2)
    return {
        "plan": plan.pk,
        "action": action.pk,
        "engagement": engagement.pk,
        "commitment": commitment.pk,
        "meeting": meeting.pk,
        "alert": alert.pk,
        "decision": decision.pk,
        "step": step.pk,
        "trigger": Trigger.objects.filter(step=step).first().pk,
    }


@pytest.fixture
def people(rwg, ircc_officer, ps_officer, ircc_viewer, uncleared_ircc):
    return {
        "rwg": rwg,
        "ircc_officer": ircc_officer,
        "ps_officer": ps_officer,
        "ircc_viewer": ircc_viewer,
        "uncleared_ircc": uncleared_ircc,
    }


# Pages: (route name, object, GET statuses by user in USERS order) -------------------------

PAGE_READS = {
    "plans": (None, (200, 200, 200, 200, 403)),
    "plan_new": (None, (200, 200, 200, 403, 403)),
    "plan": ("plan", (200, 200, 404, 200, 403)),
    "plan_edit": ("plan", (200, 200, 404, 403, 403)),
    "plan_history": ("plan", (200, 200, 404, 200, 403)),
    "step_decide": ("step", (200, 403, 404, 403, 403)),
    "alerts": (None, (200, 200, 200, 200, 403)),
    "meetings": (None, (200, 200, 200, 200, 403)),
    "meeting_new": (None, (200, 403, 403, 403, 403)),
    "meeting": ("meeting", (200, 200, 200, 200, 403)),
    "calendar": (None, (200, 200, 200, 200, 403)),
    "summary": (None, (200, 200, 200, 200, 200)),
}

# POST-only pages: an empty POST by each user; 302 is "let through to the form's checks".
PAGE_WRITES = {
    "plan_status": ("plan", (302, 302, 404, 403, 403)),
    "plan_approve": ("plan", (302, 403, 404, 403, 403)),
    "plan_add_action": ("plan", (302, 302, 404, 403, 403)),
    "plan_add_engagement": ("plan", (302, 302, 404, 403, 403)),
    "plan_add_commitment": ("plan", (302, 302, 404, 403, 403)),
    "plan_track_indicator": ("plan", (302, 302, 404, 403, 403)),
    "plan_add_step": ("plan", (302, 302, 404, 403, 403)),
    "action_complete": ("action", (302, 302, 404, 403, 403)),
    "commitment_status": ("commitment", (302, 302, 404, 403, 403)),
    "step_add_trigger": ("step", (302, 302, 404, 403, 403)),
    "evaluate": (None, (302, 403, 403, 403, 403)),
    "decision_new": (None, (302, 403, 403, 403, 403)),
}


def _page(name, obj, world):
    from django.urls import reverse

    kwargs = {"pk": world[obj]} if obj else {}
    return reverse(f"engagement:{name}", kwargs=kwargs)


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(PAGE_READS))
def test_page_reads(client, world, people, name):
    obj, expected = PAGE_READS[name]
    url = _page(name, obj, world)
    for username, status in zip(USERS, expected, strict=True):
        client.force_login(people[username])
        assert client.get(url).status_code == status, (name, username)


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(PAGE_WRITES))
def test_page_writes(client, world, people, name):
    obj, expected = PAGE_WRITES[name]
    url = _page(name, obj, world)
    for username, status in zip(USERS, expected, strict=True):
        client.force_login(people[username])
        assert client.post(url, {}).status_code == status, (name, username)
        if status == 302:
            assert client.get(url).status_code == 405, (name, "GET on a POST-only page")


@pytest.mark.django_db
def test_pages_name_no_plan_to_a_department_that_does_not_take_part(client, world, people):
    client.force_login(people["ps_officer"])
    for name in ("plans", "alerts", "calendar"):
        assert "Plan for XAA" not in client.get(_page(name, None, world)).content.decode()
    client.force_login(people["ircc_officer"])
    assert "Plan for XAA" in client.get(_page("plans", None, world)).content.decode()


# API: every resource, list / detail / history, and its writes ----------------------------

API_RESOURCES = {
    "plans": "plan",
    "actions": "action",
    "engagements": "engagement",
    "commitments": "commitment",
    "steps": "step",
    "triggers": "trigger",
    "alerts": "alert",
    "meetings": "meeting",
    "decisions": "decision",
}
# Detail and history: RWG and IRCC see the plan's records; PS and the uncleared do not.
API_DETAIL = (200, 200, 404, 200, 404)
# Meetings and decisions not tied to a plan are the RWG's record, open to the cleared.
API_DETAIL_RWG_RECORD = (200, 200, 200, 200, 404)

API_WRITES = {
    # (path, object, body, statuses by user)
    "plan-transition": ("plans/{}/transition/", "plan", {"to_status": "submitted"},
                        (400, 400, 404, 403, 404)),
    "plan-approve": ("plans/{}/approve/", "plan", {"decided_on": "2024-03-01"},
                     (400, 403, 404, 403, 404)),
    "plan-indicators": ("plans/{}/indicators/", "plan", {"indicator": "issuance_rate"},
                        (201, 201, 404, 403, 404)),
    "plan-update": ("plans/{}/", "plan", {"reason": "x"}, (200, 200, 404, 403, 404)),
    "action-complete": ("actions/{}/complete/", "action",
                        {"closed_on": "2024-03-01", "completion_note": "Held."},
                        (200, 400, 404, 403, 404)),  # IRCC's is "already done"
    "action-update": ("actions/{}/", "action", {"description": "More."},
                      (200, 200, 404, 403, 404)),
    "engagement-update": ("engagements/{}/", "engagement", {"outcome": "Agreed."},
                          (200, 200, 404, 403, 404)),
    "commitment-status": ("commitments/{}/status/", "commitment",
                          {"status": "initialled", "changed_on": "2024-03-02"},
                          (201, 400, 404, 403, 404)),
    "step-triggers": ("steps/{}/triggers/", "step",
                      {"kind": "actions_overdue", "parameters": {"days": 10}},
                      (201, 201, 404, 403, 404)),
    "step-approve": ("steps/{}/approve/", "step", {"decided_on": "2024-03-01", "reference": "R"},
                     (201, 403, 404, 403, 404)),
    "step-decline": ("steps/{}/decline/", "step", {"decided_on": "2024-03-01", "reference": "R"},
                     (400, 403, 404, 403, 404)),
    "trigger-remove": ("triggers/{}/remove/", "trigger", {"reason": "Too early."},
                       (404, 200, 404, 403, 404)),  # IRCC removes it first: gone for the RWG
    "meeting-update": ("meetings/{}/", "meeting", {"minutes": "Noted."},
                       (200, 403, 403, 403, 404)),
}  # fmt: skip

API_CREATES = {
    "plans": {"country": "XBB", "title": "T", "lead_department": "IRCC"},
    "actions": {"plan": None, "title": "A", "owner_department": "IRCC", "due_on": "2024-05-01"},
    "engagements": {"plan": None, "kind": "letter", "held_on": "2024-05-01"},
    "commitments": {"plan": None, "kind": "mou", "title": "M", "status_since": "2024-03-01"},
    "steps": {"plan": None, "lever": "other"},
    "meetings": {"held_on": "2024-03-01", "reference": "RWG-X"},
    "decisions": {"kind": "other", "decided_on": "2024-03-01", "reference": "R", "subject": "S"},
}
API_CREATE_STATUSES = {
    "plans": (201, 201, 403, 403, 403),
    "actions": (201, 201, 404, 403, 404),
    "engagements": (201, 201, 404, 403, 404),
    "commitments": (201, 201, 404, 403, 404),
    "steps": (201, 201, 404, 403, 404),
    "meetings": (201, 403, 403, 403, 403),
    "decisions": (201, 403, 403, 403, 403),
}
API_OTHER = {
    "evaluate/": ("post", (200, 403, 403, 403, 403)),
    "summary/": ("get", (200, 200, 200, 200, 200)),
    "calendar/": ("get", (200, 200, 200, 200, 200)),
    "plans/{}/timeline/": ("get", (200, 200, 404, 200, 404)),
}


@pytest.mark.django_db
@pytest.mark.parametrize("resource", sorted(API_RESOURCES))
def test_api_reads(api_as, world, people, resource):
    obj = API_RESOURCES[resource]
    rwg_record = resource in {"meetings"}
    expected = API_DETAIL_RWG_RECORD if rwg_record else API_DETAIL
    for username, status in zip(USERS, expected, strict=True):
        client = api_as(people[username])
        listed = client.get(f"/api/v1/engagement/{resource}/")
        assert listed.status_code == 200
        ids = [row["id"] for row in listed.json()["results"]]
        assert (world[obj] in ids) is (status == 200), (resource, username)
        assert client.get(f"/api/v1/engagement/{resource}/{world[obj]}/").status_code == status
        history = client.get(f"/api/v1/engagement/{resource}/{world[obj]}/history/")
        assert history.status_code == status, (resource, username)


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(API_WRITES))
def test_api_writes(api_as, world, people, name):
    path, obj, body, expected = API_WRITES[name]
    url = "/api/v1/engagement/" + path.format(world[obj])
    method = "patch" if path.endswith("}/") else "post"
    # Those refused for want of access first, so that a success does not change what they
    # see; then the others in order (IRCC first for the removal).
    pairs = list(zip(USERS, expected, strict=True))
    refused = [p for p in pairs if p[0] in {"ps_officer", "ircc_viewer", "uncleared_ircc"}]
    others = [p for p in pairs if p not in refused]
    if name == "trigger-remove":
        others.reverse()
    for username, status in refused + others:
        response = getattr(api_as(people[username]), method)(url, body, format="json")
        assert response.status_code == status, (name, username, response.content)


@pytest.mark.django_db
@pytest.mark.parametrize("resource", sorted(API_CREATES))
def test_api_creates(api_as, world, people, resource):
    body = dict(API_CREATES[resource])
    if "plan" in body:
        body["plan"] = world["plan"]
    for username, status in sorted(
        zip(USERS, API_CREATE_STATUSES[resource], strict=True),
        key=lambda pair: pair[1] not in (403, 404),
    ):
        if resource == "plans":
            from tests.factories import CountryFactory

            CountryFactory(code="XBB")
        if resource == "meetings":
            body["reference"] = f"RWG-{username}"
        response = api_as(people[username]).post(
            f"/api/v1/engagement/{resource}/", body, format="json"
        )
        assert response.status_code == status, (resource, username, response.content)


@pytest.mark.django_db
@pytest.mark.parametrize("path", sorted(API_OTHER))
def test_api_other_routes(api_as, world, people, path):
    method, expected = API_OTHER[path]
    url = "/api/v1/engagement/" + path.format(world["plan"])
    for username, status in zip(USERS, expected, strict=True):
        response = getattr(api_as(people[username]), method)(url, {}, format="json")
        assert response.status_code == status, (path, username)


@pytest.mark.django_db
def test_an_uncleared_user_sees_only_totals(api_as, world, people):
    client = api_as(people["uncleared_ircc"])
    assert client.get("/api/v1/engagement/calendar/").json() == []
    summary = client.get("/api/v1/engagement/summary/").json()
    assert summary["countries_identified"] == 1
    assert "XAA" not in str(summary)


# Every route is in these tables ----------------------------------------------------------


def _walk(patterns, prefix="", namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            ns = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), ns)
        elif isinstance(pattern, URLPattern):
            yield f"{namespace}{pattern.name}", prefix + str(pattern.pattern)


def test_every_engagement_route_has_its_permission_test():
    pages, api = set(), set()
    for name, route in _walk(get_resolver().url_patterns):
        if name.startswith("engagement:"):
            pages.add(name.removeprefix("engagement:"))
        elif "engagement/" in route and route.startswith("api/v1/"):
            route = route.replace("^", "").removeprefix("api/v1/engagement/")
            api.add(re.sub(r"\(\?P<(?!format)\w+>[^)]*\)", "{}", route))
    assert pages == set(PAGE_READS) | set(PAGE_WRITES)
    covered = {f"{r}/" for r in API_RESOURCES} | {f"{r}/{{}}/" for r in API_RESOURCES}
    covered |= {f"{r}/{{}}/history/" for r in API_RESOURCES}
    covered |= {path for path, *_ in API_WRITES.values()} | set(API_OTHER)
    api = {p.replace("$", "") for p in api if "format" not in p}
    assert api <= covered, api - covered
