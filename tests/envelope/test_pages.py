"""The envelope's pages and downloads: who sees what, who changes what."""

from datetime import date
from io import BytesIO

import pytest
from openpyxl import load_workbook

from readmit.core.security import SecurityLevel
from readmit.envelope import services
from readmit.envelope.models import Payment
from tests.words import names

pytestmark = pytest.mark.django_db

UNDISCLOSED = "Fictionland XAA"
DISCLOSED = "Fictionland XBB"


@pytest.fixture
def project(extended, make_project, program_officer):
    project = make_project(
        schedule={"FY2020-21": "500000.00", "FY2021-22": "1000000.00"},
        status="approved",
        countries=[("XAA", False), ("XBB", True)],
    )
    services.record_payment(
        user=program_officer, project=project, paid_on=date(2021, 3, 31), amount="100000.00"
    )
    return project


def page_urls(envelope, project):
    return [
        "/en/envelope/",
        f"/en/envelope/{envelope.pk}/",
        f"/en/envelope/{envelope.pk}/?as_of=2021-03-31",
        f"/en/envelope/{envelope.pk}/amendments/",
        f"/en/envelope/{envelope.pk}/projects/",
        f"/en/envelope/{envelope.pk}/projects/?status=approved",
        f"/en/envelope/projects/{project.pk}/",
        f"/fr/envelope/{envelope.pk}/",
    ]


@pytest.mark.parametrize(
    "fixture", ["viewer", "analyst", "uncleared_analyst", "program_officer", "rwg_member"]
)
def test_every_signed_in_user_reads_the_envelope(request, client, fixture, extended, project):
    client.force_login(request.getfixturevalue(fixture))
    for url in page_urls(extended, project):
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("fixture", ["viewer", "analyst", "uncleared_analyst", "rwg_member"])
def test_only_program_officers_and_administrators_change_anything(
    request, client, fixture, extended, project
):
    client.force_login(request.getfixturevalue(fixture))
    payment = {"paid_on": "2021-04-02", "amount": "10.00"}
    assert client.get(f"/en/envelope/projects/{project.pk}/payments/new/").status_code == 403
    assert (
        client.post(f"/en/envelope/projects/{project.pk}/payments/new/", payment).status_code == 403
    )
    assert (
        client.post(f"/en/envelope/projects/{project.pk}/status/", {"status": "active"}).status_code
        == 403
    )
    amendment = {
        "kind": "increase",
        "approving_authority": "TB",
        "approved_on": "2021-01-01",
        "reason": "x",
        "change_2021": "1.00",
    }
    assert client.post(f"/en/envelope/{extended.pk}/amendments/", amendment).status_code == 403
    assert Payment.objects.count() == 1
    page = client.get(f"/en/envelope/projects/{project.pk}/").content.decode()
    assert "Record a payment" not in page


@pytest.mark.parametrize("fixture", ["program_officer", "administrator"])
def test_program_officers_and_administrators_enter_payments_amendments_and_status(
    request, client, fixture, extended, project
):
    client.force_login(request.getfixturevalue(fixture))
    response = client.post(
        f"/en/envelope/projects/{project.pk}/payments/new/",
        {"paid_on": "2021-04-01", "amount": "250000.00", "reference": "FMS-1"},
    )
    assert response.status_code == 302
    assert Payment.objects.filter(reference="FMS-1", fiscal_year=2021).exists()
    response = client.post(
        f"/en/envelope/{extended.pk}/amendments/",
        {
            "kind": "increase",
            "approving_authority": "Treasury Board",
            "approved_on": "2021-01-01",
            "reason": "Top-up",
            "change_2021": "1000.00",
        },
    )
    assert response.status_code == 302
    response = client.post(
        f"/en/envelope/projects/{project.pk}/status/", {"status": "active", "on": "2020-07-01"}
    )
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.status == "active"


def test_payment_entry_shows_the_refusal_on_the_form(client, program_officer, project):
    client.force_login(program_officer)
    response = client.post(
        f"/en/envelope/projects/{project.pk}/payments/new/",
        {"paid_on": "2025-04-01", "amount": "10.00"},
    )
    assert response.status_code == 400
    assert "the envelope&#x27;s years are FY2019-20 to FY2024-25" in response.content.decode()
    response = client.post(
        f"/en/envelope/projects/{project.pk}/payments/new/", {"paid_on": "nope", "amount": "1.001"}
    )
    assert response.status_code == 400
    assert 'error-message="' in response.content.decode()


def test_an_amendment_below_commitments_is_shown_on_the_form(client, program_officer, project):
    client.force_login(program_officer)
    response = client.post(
        f"/en/envelope/{project.envelope_id}/amendments/",
        {
            "kind": "decrease",
            "approving_authority": "Treasury Board",
            "approved_on": "2021-01-01",
            "reason": "Cut",
            "change_2021": "-3500000.00",
        },
    )
    assert response.status_code == 400
    assert "below the $1,000,000.00 already committed" in response.content.decode()


def test_the_dashboard_shows_the_chart_table_and_targets(client, viewer, extended, project):
    client.force_login(viewer)
    page = client.get(f"/en/envelope/{extended.pk}/?as_of=2021-03-31").content.decode()
    assert 'data-vega-spec="envelope-chart"' in page
    assert 'id="envelope-chart"' in page
    assert "vega-embed" in page
    assert "against a target of 8 to 10" in page
    assert "1 project totalling $1,500,000.00" in page
    assert "$3,500,000.00" in page  # FY2020-21 available and lapse risk
    assert "<script>" not in page
    assert "style=" not in page


def _every_view(client, envelope, project) -> str:
    pages = [client.get(url).content.decode() for url in page_urls(envelope, project)]
    workbook = load_workbook(
        BytesIO(client.get(f"/en/envelope/{envelope.pk}/figures.xlsx").content)
    )
    cells = [str(cell.value) for sheet in workbook for row in sheet.iter_rows() for cell in row]
    iati = client.get(f"/en/envelope/{envelope.pk}/iati.xml").content.decode()
    return "\n".join([*pages, *cells, iati])


def test_an_uncleared_user_never_sees_an_undisclosed_country(
    client, api_as, uncleared_analyst, viewer, extended, project
):
    for user in (uncleared_analyst, viewer):
        client.force_login(user)
        everything = _every_view(client, extended, project)
        assert UNDISCLOSED not in everything
        assert not names(everything, "XAA")
        assert DISCLOSED in everything
        assert "not disclosed" in everything
        body = api_as(user).get(f"/api/v1/envelope/projects/{project.pk}/").json()
        assert [c["code"] for c in body["countries"]] == ["XBB"]
        assert body["countries_withheld"] is True
        listing = api_as(user).get("/api/v1/envelope/projects/?country=XAA").json()
        assert listing["count"] == 0
        figures = api_as(user).get(f"/api/v1/envelope/envelopes/{extended.pk}/figures/").json()
        assert figures["countries_reached"] == {
            "count": 2,
            "target_min": 8,
            "target_max": 10,
            "position": "below",
            "shown": ["XBB"],
            "withheld": 1,
        }


def test_a_cleared_user_sees_every_country_marked(client, analyst, extended, project):
    client.force_login(analyst)
    page = client.get(f"/en/envelope/projects/{project.pk}/").content.decode()
    assert UNDISCLOSED in page
    assert DISCLOSED in page
    workbook = load_workbook(
        BytesIO(client.get(f"/en/envelope/{extended.pk}/figures.xlsx").content)
    )
    assert workbook["Projects"]["K2"].value == "XAA, XBB"


def test_a_protected_project_is_hidden_from_those_not_cleared(
    client, api_as, viewer, extended, make_project
):
    secret = make_project(
        schedule={"FY2020-21": "100.00"}, security_level=SecurityLevel.PROTECTED_B
    )
    client.force_login(viewer)
    assert client.get(f"/en/envelope/projects/{secret.pk}/").status_code == 404
    assert api_as(viewer).get(f"/api/v1/envelope/projects/{secret.pk}/").status_code == 404
    assert (
        secret.reference not in client.get(f"/en/envelope/{extended.pk}/projects/").content.decode()
    )


def test_the_workbook_is_laid_out_for_a_finance_officer(client, viewer, extended, project):
    client.force_login(viewer)
    response = client.get(f"/en/envelope/{extended.pk}/figures.xlsx?as_of=2021-03-31")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = load_workbook(BytesIO(response.content))
    assert workbook.sheetnames == ["Figures by fiscal year", "Projects", "Payments"]
    figures = workbook["Figures by fiscal year"]
    assert figures.freeze_panes == "A2"
    assert [c.value for c in figures[1]][:5] == [
        "Fiscal year",
        "Authority",
        "Committed",
        "Paid",
        "Available",
    ]
    assert figures["A3"].value == "FY2020-21"
    assert figures["B3"].value == 4000000
    assert figures["C3"].value == 500000
    assert "#,##0.00" in figures["B3"].number_format
    assert figures["A8"].value == "Total"
    assert figures["B8"].value == 21000000
    assert figures["J8"].value == 3500000  # the current year's lapse risk
    payments = workbook["Payments"]
    assert payments.freeze_panes == "A2"
    assert payments["B2"].value == "FY2020-21"
    assert payments["D2"].value == 100000
    assert payments["A2"].number_format == "yyyy-mm-dd"


def test_the_dashboard_reads_in_french(client, viewer, extended, project):
    client.force_login(viewer)
    page = client.get(f"/fr/envelope/{extended.pk}/?as_of=2021-03-31").content.decode()
    assert "Risque de péremption" in page
    assert "21\u00a0000\u00a0000,00\u00a0$" in page
    assert "1 projet totalisant 1\u00a0500\u00a0000,00\u00a0$" in page


def test_an_officer_creates_and_changes_a_project_through_the_pages(
    client, program_officer, extended, partner, countries
):
    client.force_login(program_officer)
    assert client.get(f"/en/envelope/{extended.pk}/projects/new/").status_code == 200
    response = client.post(
        f"/en/envelope/{extended.pk}/projects/new/",
        {
            "partner": partner.pk,
            "reference": "WEB-1",
            "title": "Border posts",
            "initiative_types": ["border_management", "entry_exit_control"],
            "funding_type": "contribution",
            "agreement_value": "300000.00",
            "risk_rating": "low",
            "security_level": "0",
            "countries": "xaa, XBB",
            "disclosed": "XBB",
            "planned_2021": "100000.00",
            "planned_2022": "200000.00",
        },
    )
    assert response.status_code == 302, response.content.decode()
    from readmit.envelope.models import Project

    project = Project.objects.get(reference="WEB-1")
    assert project.status == "pipeline"
    assert project.initiative_types == ["border_management", "entry_exit_control"]
    assert sorted(project.country_links.values_list("country_id", "is_disclosed")) == [
        ("XAA", False),
        ("XBB", True),
    ]
    edit = client.get(f"/en/envelope/projects/{project.pk}/edit/").content.decode()
    assert 'value="XAA, XBB"' in edit
    response = client.post(
        f"/en/envelope/projects/{project.pk}/edit/",
        {
            "partner": partner.pk,
            "reference": "WEB-1",
            "title": "Border posts",
            "funding_type": "contribution",
            "agreement_value": "300000.00",
            "risk_rating": "low",
            "security_level": "0",
            "countries": "XAA",
            "planned_2022": "400000.00",
        },
    )
    assert response.status_code == 400
    assert "beyond the agreement value of $300,000.00" in response.content.decode()


@pytest.mark.parametrize("fixture", ["viewer", "analyst", "rwg_member"])
def test_only_editors_open_the_project_forms(request, client, fixture, extended, project):
    client.force_login(request.getfixturevalue(fixture))
    assert client.get(f"/en/envelope/{extended.pk}/projects/new/").status_code == 403
    assert client.get(f"/en/envelope/projects/{project.pk}/edit/").status_code == 403
    assert client.post(f"/en/envelope/projects/{project.pk}/edit/", {}).status_code == 403


def test_an_officer_without_targeting_clearance_sees_no_country_field(
    client, uncleared_analyst, extended, project
):
    from readmit.accounts.models import Role

    uncleared_analyst.role = Role.PROGRAM_OFFICER
    uncleared_analyst.save()
    client.force_login(uncleared_analyst)
    page = client.get(f"/en/envelope/projects/{project.pk}/edit/").content.decode()
    assert 'name="countries"' not in page
    assert not names(page, "XAA")
