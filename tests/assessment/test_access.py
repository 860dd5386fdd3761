"""Who sees what: a user without Protected B and need-to-know sees no country's figures or
classification on any route (pages, downloads, API, errors, logs), only totals.

The data: Avalonia (XAA) is recalcitrant and unwilling, Borduria (XBB) cooperative, in the
twelve months to today.
"""

import datetime as dt
import io
import logging
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from readmit.assessment import services
from readmit.assessment.models import AssessmentRun
from tests.assessment.builders import country, request
from tests.words import names

# Words that would give away a classification, a pattern or a country with figures.
SECRETS = (
    "recalcitrant",
    "Recalcitrant",
    "Récalcitrant",
    "récalcitrant",
    "cooperative",
    "Cooperative",
    "Coopératif",
    "at_risk",
    "At risk",
    "unwilling",
    "Unwilling",
    "insufficient_data",
    "Avalonia",
    "Avalonie",
    "Borduria",
    "Bordurie",
    "readmit-rating--red",
)


def days_ago(days: int) -> str:
    return (timezone.localdate() - dt.timedelta(days=days)).isoformat()


@pytest.fixture
def two_countries(db):
    country("XAA", "Avalonia")
    country("XBB", "Borduria")
    request("XAA", days_ago(90), "issued", days_ago(80), count=2)
    request("XAA", days_ago(90), "refused", days_ago(85), count=10)
    request("XBB", days_ago(60), "issued", days_ago(55), count=12)


def assert_no_secret(text: str, where: str) -> None:
    # Whole words: "unwilling_refusal_rate", a threshold's name, gives nothing away.
    for secret in SECRETS:
        assert not re.search(rf"\b{re.escape(secret)}\b", text), f"{secret!r} shows in {where}"


def assert_no_country(text: str, where: str) -> None:
    assert_no_secret(text, where)
    for code in ("XAA", "XBB"):
        assert not names(text, code), f"{code} shows in {where}"


def xlsx_text(content: bytes) -> str:
    workbook = load_workbook(io.BytesIO(content))
    return " ".join(
        str(cell)
        for sheet in workbook.worksheets
        for row in sheet.iter_rows(values_only=True)
        for cell in row
        if cell is not None
    )


@pytest.fixture
def saved_run(two_countries, analyst):
    return services.save_run(user=analyst)


UNCLEARED = ["viewer", "uncleared_analyst"]


@pytest.fixture(params=UNCLEARED)
def uncleared(request):
    return request.getfixturevalue(request.param)


# ---------------------------------------------------------------------------
# Pages


def test_an_uncleared_user_sees_totals_and_no_country_on_the_scorecard(
    client, uncleared, two_countries
):
    client.force_login(uncleared)
    for query in ("", "?sort=classification&order=desc", "?classification=recalcitrant"):
        response = client.get(reverse("assessment:scorecard") + query)
        assert response.status_code == 200
        # The language toggle repeats the user's own query; that reveals nothing.
        text = response.content.decode().replace(query[1:].replace("&", "&amp;"), "")
        assert_no_country(text, f"the scorecard{query}")
        assert "All countries together (2 countries assessed)" in text
        assert ">24<" in text  # total requests


def test_the_htmx_table_of_an_uncleared_user_is_empty(client, uncleared, two_countries):
    client.force_login(uncleared)
    response = client.get(
        reverse("assessment:scorecard") + "?sort=issuance_rate",
        headers={"HX-Request": "true", "HX-Target": "scorecard-table"},
    )
    assert_no_country(response.content.decode(), "the htmx table")


def test_a_cleared_user_sees_every_country_with_its_classification(client, analyst, two_countries):
    client.force_login(analyst)
    text = client.get(reverse("assessment:scorecard")).content.decode()
    assert "Avalonia" in text
    assert "Recalcitrant" in text
    assert "readmit-rating readmit-rating--red" in text
    assert "Cooperative" in text


@pytest.mark.parametrize("code", ["XAA", "XBB", "XZZ", "nonsense"])
def test_a_country_page_refuses_an_uncleared_user_with_the_same_words(
    client, uncleared, two_countries, code, caplog
):
    client.force_login(uncleared)
    with caplog.at_level(logging.DEBUG):
        response = client.get(reverse("assessment:country", args=[code]))
    assert response.status_code == 403
    text = response.content.decode()
    assert_no_secret(text, f"the refusal for {code}")
    assert "need Protected B clearance and the need-to-know grant" in text
    assert_no_secret(caplog.text, "the logs")


def test_recording_a_decision_is_refused_without_the_rule(
    client, uncleared, analyst, two_countries
):
    for user in (uncleared, analyst):  # the analyst may see, not decide
        client.force_login(user)
        response = client.post(
            reverse("assessment:record_decision", args=["XAA"]),
            {"outcome": "targeted", "decided_on": "2026-01-01", "reference": "R", "rationale": "x"},
        )
        assert response.status_code == 403
        assert_no_secret(response.content.decode(), "the refusal")


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_downloads_of_an_uncleared_user_hold_totals_only(
    client, uncleared, two_countries, file_format
):
    client.force_login(uncleared)
    response = client.get(reverse(f"assessment:scorecard_{file_format}"))
    assert response.status_code == 200
    assert "totals-" in response["Content-Disposition"]
    text = response.content.decode() if file_format == "csv" else xlsx_text(response.content)
    assert_no_country(text, f"the {file_format} download")
    assert "all countries" in text


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_downloads_of_a_cleared_user_hold_every_country(
    client, analyst, two_countries, file_format
):
    client.force_login(analyst)
    response = client.get(reverse(f"assessment:scorecard_{file_format}"))
    assert "protected-b-scorecard-" in response["Content-Disposition"]
    text = response.content.decode() if file_format == "csv" else xlsx_text(response.content)
    assert "XAA" in text
    assert "recalcitrant" in text


def test_runs_are_not_shown_to_a_viewer(client, viewer, saved_run):
    client.force_login(viewer)
    for url in (
        reverse("assessment:runs"),
        reverse("assessment:run", args=[saved_run.pk]),
        reverse("assessment:run", args=[saved_run.pk]) + "?verify=1",
    ):
        response = client.get(url)
        assert response.status_code == 403
        assert_no_country(response.content.decode(), url)


def test_an_uncleared_analyst_may_run_but_sees_totals_only(client, uncleared_analyst, saved_run):
    client.force_login(uncleared_analyst)
    listing = client.get(reverse("assessment:runs")).content.decode()
    assert_no_country(listing, "the runs page")
    detail = client.get(reverse("assessment:run", args=[saved_run.pk])).content.decode()
    assert_no_country(detail, "a run's page")
    assert "All countries together" in detail
    response = client.post(reverse("assessment:runs"), {})
    assert response.status_code == 302
    run = AssessmentRun.objects.latest("id")
    followed = client.get(reverse("assessment:run", args=[run.pk])).content.decode()
    assert_no_country(followed, "the new run's page")


def test_an_uncleared_analyst_may_not_run_an_assessment_of_named_countries(
    client, uncleared_analyst, two_countries
):
    client.force_login(uncleared_analyst)
    response = client.post(reverse("assessment:runs"), {"countries": "XAA"})
    assert response.status_code == 403
    assert_no_secret(response.content.decode(), "the refusal")
    assert not AssessmentRun.objects.exists()


def test_a_cleared_user_sees_a_runs_countries(client, analyst, saved_run):
    client.force_login(analyst)
    text = client.get(reverse("assessment:run", args=[saved_run.pk])).content.decode()
    assert "Avalonia" in text
    assert "Recalcitrant" in text


# ---------------------------------------------------------------------------
# API


def test_the_api_scorecard_of_an_uncleared_user_has_totals_and_no_countries(
    api_as, uncleared, two_countries
):
    response = api_as(uncleared).get("/api/v1/assessment/scorecard/")
    assert response.status_code == 200
    body = response.json()
    assert "countries" not in body
    assert body["totals"]["requests"] == 24
    assert body["totals"]["countries"] == 2
    assert_no_country(response.content.decode(), "the API scorecard")


@pytest.mark.parametrize("code", ["XAA", "XZZ"])
def test_the_api_refuses_an_uncleared_user_a_country_with_the_same_words(
    api_as, uncleared, two_countries, code
):
    client = api_as(uncleared)
    for url in (
        f"/api/v1/assessment/scorecard/?country={code}",
        f"/api/v1/assessment/countries/{code}/",
    ):
        response = client.get(url)
        assert response.status_code == 403
        assert response.json() == {
            "detail": "Per-country assessment figures need Protected B clearance and the "
            "need-to-know grant for targeted countries."
        }


def test_the_api_runs_of_an_uncleared_analyst_hide_countries(api_as, uncleared_analyst, saved_run):
    client = api_as(uncleared_analyst)
    listing = client.get("/api/v1/assessment/runs/")
    assert listing.status_code == 200
    assert listing.json()[0]["country_codes"] is None
    detail = client.get(f"/api/v1/assessment/runs/{saved_run.pk}/")
    assert detail.json()["results"] is None
    assert_no_country(listing.content.decode() + detail.content.decode(), "the API runs")
    created = client.post("/api/v1/assessment/runs/", {}, format="json")
    assert created.status_code == 201
    assert created.json()["results"] is None
    assert_no_country(created.content.decode(), "the created run")


def test_the_api_refuses_runs_to_a_viewer(api_as, viewer, saved_run):
    client = api_as(viewer)
    assert client.get("/api/v1/assessment/runs/").status_code == 403
    assert client.get(f"/api/v1/assessment/runs/{saved_run.pk}/").status_code == 403
    assert client.post("/api/v1/assessment/runs/", {}, format="json").status_code == 403


def test_the_api_gives_a_cleared_user_the_contract_figures(api_as, analyst, two_countries):
    body = api_as(analyst).get("/api/v1/assessment/scorecard/").json()
    classes = {c["country"]: c["classification"] for c in body["countries"]}
    assert classes == {"XAA": "recalcitrant", "XBB": "cooperative"}
    detail = api_as(analyst).get("/api/v1/assessment/countries/XAA/").json()
    assert detail["country"]["pattern"] == "unwilling"
    assert len(detail["series"]) == 12


def test_nothing_of_a_country_reaches_the_logs(
    client, api_as, uncleared_analyst, analyst, saved_run, caplog
):
    with caplog.at_level(logging.DEBUG):
        client.force_login(uncleared_analyst)
        client.get(reverse("assessment:scorecard"))
        client.get(reverse("assessment:country", args=["XAA"]))
        client.post(reverse("assessment:runs"), {"countries": "XAA"})
        api_as(uncleared_analyst).get("/api/v1/assessment/countries/XAA/")
        client.force_login(analyst)
        client.get(reverse("assessment:country", args=["XAA"]))
        client.post(reverse("assessment:runs"), {})
    assert_no_secret(caplog.text, "the logs")
