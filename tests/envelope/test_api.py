"""A scenario entered through the API gives the figures computed by hand."""

import pytest

from tests.factories import CountryFactory

pytestmark = pytest.mark.django_db


def post(client, url, body, expect=201):
    response = client.post(url, body, format="json")
    assert response.status_code == expect, response.content
    return response.json()


def test_a_scenario_through_the_api_gives_the_hand_computed_figures(api_as, program_officer):
    CountryFactory(code="XAA")
    CountryFactory(code="XBB")
    api = api_as(program_officer)
    envelope = post(
        api,
        "/api/v1/envelope/envelopes/",
        {
            "name": "Migration Cooperation and Engagement Envelope",
            "short_name": "MCEE",
            "programme": "International Migration Capacity Building Program",
            "start_fiscal_year": "FY2019-20",
            "end_fiscal_year": "FY2021-22",
            "authority": {"FY2019-20": "1000000", "FY2020-21": "10000000", "FY2021-22": 10000000},
            "total_authority": "21000000.00",
            "target_countries_min": 8,
            "target_countries_max": 10,
        },
    )
    assert envelope["total_authority"] == "21000000.00"
    post(
        api,
        "/api/v1/envelope/amendments/",
        {
            "envelope": envelope["id"],
            "kind": "extension",
            "approving_authority": "Department of Finance",
            "approved_on": "2020-10-15",
            "reason": "Pandemic",
            "new_end_fiscal_year": "FY2024-25",
            "changes": [
                {"fiscal_year": "FY2020-21", "amount": "-6000000.00"},
                {"fiscal_year": "FY2021-22", "amount": "-6000000.00"},
                {"fiscal_year": "FY2022-23", "amount": "4000000.00"},
                {"fiscal_year": "FY2023-24", "amount": "4000000.00"},
                {"fiscal_year": "FY2024-25", "amount": "4000000.00"},
            ],
        },
    )
    partner = post(
        api,
        "/api/v1/envelope/partners/",
        {"name": "IOM", "organisation_type": "multilateral", "iati_identifier": "XM-DAC-47066"},
    )
    assert partner["organisation_type"] == 40
    base = {"envelope": envelope["id"], "partner": partner["id"], "title": "Borders"}
    first = post(
        api,
        "/api/v1/envelope/projects/",
        {
            **base,
            "reference": "P1",
            "agreement_value": "1500000.00",
            "status": "approved",
            "approval_date": "2020-06-01",
            "countries": [{"code": "XAA", "is_disclosed": False}],
            "planned_payments": {"FY2020-21": "500000.00", "FY2021-22": "1000000.00"},
        },
    )
    # A pipeline project, then its schedule, then approval: the other way in.
    second = post(
        api,
        "/api/v1/envelope/projects/",
        {**base, "reference": "P2", "agreement_value": "1000000.00", "countries": ["XBB"]},
    )
    response = api.put(
        f"/api/v1/envelope/projects/{second['id']}/planned-payments/",
        {"planned_payments": [{"fiscal_year": "FY2021-22", "amount": "1000000.00"}]},
        format="json",
    )
    assert response.status_code == 200, response.content
    response = api.post(
        f"/api/v1/envelope/projects/{second['id']}/status/",
        {"status": "approved", "approval_date": "2020-11-01"},
        format="json",
    )
    assert response.status_code == 200, response.content
    post(
        api,
        "/api/v1/envelope/projects/",
        {
            **base,
            "reference": "P3",
            "agreement_value": "2000000.00",
            "planned_payments": {"FY2021-22": "2000000.00"},
        },
    )
    for project, day, amount in [
        (first, "2021-03-31", "500000.00"),
        (first, "2021-04-01", "300000.00"),
        (second, "2021-06-01", "200000.00"),
    ]:
        payment = post(
            api,
            "/api/v1/envelope/payments/",
            {"project": project["id"], "paid_on": day, "amount": amount},
        )
    assert payment["fiscal_year"] == "FY2021-22"
    response = api.patch(
        f"/api/v1/envelope/projects/{second['id']}/",
        {"status": "cancelled", "status_date": "2021-07-01", "status_reason": "Partner left"},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["committed"] == [{"fiscal_year": "FY2021-22", "amount": "200000.00"}]

    figures = api.get(
        f"/api/v1/envelope/envelopes/{envelope['id']}/figures/?as_of=2021-09-30"
    ).json()
    years = {row["fiscal_year"]: row for row in figures["years"]}
    assert list(years) == [f"FY{y}-{str(y + 1)[-2:]}" for y in range(2019, 2025)]
    assert years["FY2020-21"] == {
        "fiscal_year": "FY2020-21",
        "timing": "past",
        "authority": "4000000.00",
        "committed": "500000.00",
        "paid": "500000.00",
        "available": "3500000.00",
        "outstanding": "0.00",
        "pipeline": "0.00",
        "planned": "500000.00",
        "unplanned": "3500000.00",
        "lapse_risk": None,
        "lapsed": "3500000.00",
    }
    # FY2021-22: P1 1,000,000 planned + P2 cancelled after 200,000 paid = 1,200,000.
    assert years["FY2021-22"]["committed"] == "1200000.00"
    assert years["FY2021-22"]["paid"] == "500000.00"
    assert years["FY2021-22"]["available"] == "2800000.00"
    assert years["FY2021-22"]["pipeline"] == "2000000.00"
    assert years["FY2021-22"]["lapse_risk"] == "2800000.00"
    assert figures["lapse_risk"] == "2800000.00"
    assert figures["totals"]["authority"] == "21000000.00"
    assert figures["totals"]["committed"] == "1700000.00"
    assert figures["totals"]["paid"] == "1000000.00"
    assert figures["approved_projects"] == {"count": 1, "total_value": "1500000.00"}
    assert figures["countries_reached"]["count"] == 1
    assert figures["countries_reached"]["position"] == "below"


def test_refusals_come_back_as_400_with_the_message(api_as, program_officer, extended, partner):
    api = api_as(program_officer)
    project = post(
        api,
        "/api/v1/envelope/projects/",
        {
            "envelope": extended.pk,
            "partner": partner.pk,
            "reference": "P1",
            "title": "T",
            "agreement_value": "100.00",
            "planned_payments": {"FY2020-21": "100.00"},
        },
    )
    body = post(
        api,
        "/api/v1/envelope/payments/",
        {"project": project["id"], "paid_on": "2020-09-01", "amount": "10.00"},
        expect=400,
    )
    assert "has not been approved" in body["detail"]
    body = post(
        api,
        "/api/v1/envelope/payments/",
        {"project": project["id"], "paid_on": "2020-09-01", "amount": "10.001"},
        expect=400,
    )
    assert "amount" in body


def test_money_goes_out_as_strings(api_as, viewer, extended):
    body = api_as(viewer).get(f"/api/v1/envelope/envelopes/{extended.pk}/").json()
    assert body["authority"][0] == {"fiscal_year": "FY2019-20", "amount": "1000000.00"}
    assert body["end_fiscal_year"] == "FY2024-25"
    assert body["original_end_fiscal_year"] == "FY2021-22"
    assert body["amendments"][0]["changes"][0] == {
        "fiscal_year": "FY2020-21",
        "amount": "-6000000.00",
    }
    history = api_as(viewer).get(f"/api/v1/envelope/envelopes/{extended.pk}/authority/").json()
    assert [stage["total"] for stage in history] == ["21000000.00", "21000000.00"]
