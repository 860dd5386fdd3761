"""Every envelope API route: who may read, who may change, and what an uncleared user sees."""

from datetime import date

import pytest

from readmit.envelope import services

pytestmark = pytest.mark.django_db

READERS = ["viewer", "analyst", "uncleared_analyst", "rwg_member", "program_officer"]
NOT_EDITORS = ["viewer", "analyst", "uncleared_analyst", "rwg_member"]
EDITORS = ["program_officer", "administrator"]


@pytest.fixture
def scene(extended, make_project, partner, program_officer):
    project = make_project(
        schedule={"FY2020-21": "500000.00", "FY2021-22": "1000000.00"},
        status="approved",
        countries=[("XAA", False), ("XBB", True)],
    )
    payment = services.record_payment(
        user=program_officer, project=project, paid_on=date(2020, 9, 1), amount="1000.00"
    )
    return {"envelope": extended, "project": project, "partner": partner, "payment": payment}


def read_urls(scene):
    e, p = scene["envelope"].pk, scene["project"].pk
    return [
        "/api/v1/envelope/envelopes/",
        f"/api/v1/envelope/envelopes/{e}/",
        f"/api/v1/envelope/envelopes/{e}/figures/",
        f"/api/v1/envelope/envelopes/{e}/authority/",
        "/api/v1/envelope/amendments/",
        f"/api/v1/envelope/amendments/{scene['envelope'].amendments.get().pk}/",
        "/api/v1/envelope/partners/",
        f"/api/v1/envelope/partners/{scene['partner'].pk}/",
        "/api/v1/envelope/projects/",
        f"/api/v1/envelope/projects/{p}/",
        "/api/v1/envelope/payments/",
        f"/api/v1/envelope/payments/{scene['payment'].pk}/",
        "/api/v1/envelope/iati/",
    ]


def changes(scene):
    e, p = scene["envelope"].pk, scene["project"].pk
    return [
        (
            "post",
            "/api/v1/envelope/envelopes/",
            {
                "name": "E",
                "programme": "P",
                "start_fiscal_year": "FY2020-21",
                "end_fiscal_year": "FY2020-21",
                "authority": {"FY2020-21": "1.00"},
            },
            201,
        ),
        ("patch", f"/api/v1/envelope/envelopes/{e}/", {"description": "New"}, 200),
        (
            "post",
            "/api/v1/envelope/amendments/",
            {
                "envelope": e,
                "kind": "increase",
                "approving_authority": "Treasury Board",
                "approved_on": "2021-01-01",
                "reason": "More",
                "changes": {"FY2022-23": "1.00"},
            },
            201,
        ),
        ("post", "/api/v1/envelope/partners/", {"name": "N", "organisation_type": 21}, 201),
        ("patch", f"/api/v1/envelope/partners/{scene['partner'].pk}/", {"acronym": "X"}, 200),
        (
            "post",
            "/api/v1/envelope/projects/",
            {
                "envelope": e,
                "partner": scene["partner"].pk,
                "reference": "NEW",
                "title": "T",
                "agreement_value": "10.00",
            },
            201,
        ),
        ("patch", f"/api/v1/envelope/projects/{p}/", {"risk_rating": "high"}, 200),
        (
            "put",
            f"/api/v1/envelope/projects/{p}/planned-payments/",
            {"planned_payments": {"FY2020-21": "600000.00", "FY2021-22": "900000.00"}},
            200,
        ),
        (
            "post",
            "/api/v1/envelope/payments/",
            {"project": p, "paid_on": "2020-10-01", "amount": "10.00"},
            201,
        ),
        ("post", f"/api/v1/envelope/projects/{p}/status/", {"status": "active"}, 200),
        ("delete", f"/api/v1/envelope/payments/{scene['payment'].pk}/?reason=twice", None, 204),
    ]


@pytest.mark.parametrize("fixture", READERS)
def test_every_signed_in_user_reads_every_route(request, api_as, fixture, scene):
    api = api_as(request.getfixturevalue(fixture))
    for url in read_urls(scene):
        assert api.get(url).status_code == 200, url


@pytest.mark.parametrize("fixture", NOT_EDITORS)
def test_no_one_but_officers_and_administrators_changes_through_the_api(
    request, api_as, fixture, scene
):
    api = api_as(request.getfixturevalue(fixture))
    for method, url, body, _expected in changes(scene):
        response = getattr(api, method)(url, body, format="json")
        assert response.status_code == 403, (method, url, response.content)
    assert scene["project"].payments.count() == 1


@pytest.mark.parametrize("fixture", EDITORS)
def test_officers_and_administrators_change_through_the_api(request, api_as, fixture, scene):
    api = api_as(request.getfixturevalue(fixture))
    for method, url, body, expected in changes(scene):
        response = getattr(api, method)(url, body, format="json")
        assert response.status_code == expected, (method, url, response.content)


def test_an_officer_without_targeting_clearance_may_not_set_countries(
    api_as, uncleared_analyst, scene
):
    from readmit.accounts.models import Role

    uncleared_analyst.role = Role.PROGRAM_OFFICER
    uncleared_analyst.save()
    response = api_as(uncleared_analyst).patch(
        f"/api/v1/envelope/projects/{scene['project'].pk}/",
        {"countries": ["XCC"]},
        format="json",
    )
    assert response.status_code == 403
    assert "XAA" not in response.content.decode()


def test_the_undisclosed_country_never_reaches_an_uncleared_reader(api_as, viewer, scene):
    api = api_as(viewer)
    for url in read_urls(scene):
        assert "XAA" not in api.get(url).content.decode(), url
