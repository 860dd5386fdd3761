"""Saved runs: parameters, thresholds, fingerprint and results kept; the same figures after new
data arrives; the same data and parameters give identical figures and fingerprint."""

import datetime as dt

import pytest

from readmit.assessment import selectors, services
from readmit.assessment.figures import Window
from readmit.assessment.models import AssessmentRun
from readmit.core.errors import PermissionRefused
from tests.assessment.builders import aggregate, assess, case, request

WINDOW = Window(start=dt.date(2019, 1, 1), end=dt.date(2019, 12, 31), as_of=dt.date(2020, 3, 31))
ARGUMENTS = ("--from", "2019-01-01", "--to", "2019-12-31", "--as-of", "2020-03-31")


@pytest.fixture
def data(db):
    request("XAA", "2019-03-01", "issued", "2019-03-11", count=8)
    request("XAA", "2019-03-01", "refused", "2019-03-21", count=4)
    case("XAA", "2019-05-01", "removed", removed_on="2019-06-01")
    case("XAA", "2019-05-01", impediment="travel_document")
    aggregate("XBB", "2019", "orders", 10, "Office")


def test_a_run_keeps_its_parameters_thresholds_fingerprint_and_figures(data, analyst):
    run = services.save_run(user=analyst, window=WINDOW)
    run.refresh_from_db()
    assert (run.date_from, run.date_to, run.as_of) == (WINDOW.start, WINDOW.end, WINDOW.as_of)
    assert run.methodology_version == "readmit-2026.1"
    assert run.thresholds == run.methodology.thresholds
    assert run.created_by == analyst
    assert len(run.data_fingerprint) == 64
    assert run.results == assess(*ARGUMENTS)
    assert run.country_count == 2
    assert run.totals["requests"] == 12
    assert run.security_level == 2
    assert run.is_need_to_know


def test_a_saved_run_shows_the_same_figures_after_new_data_arrives(data, analyst):
    run = services.save_run(user=analyst, window=WINDOW)
    before = run.results
    request("XAA", "2019-07-01", "refused", "2019-07-02", count=20)
    request("XCC", "2019-07-01", "issued", "2019-07-02")
    run.refresh_from_db()
    assert run.results == before
    assert selectors.run_scorecard(user=analyst, run=run).countries == before["countries"]
    assert not selectors.run_is_current(run)
    assert assess(*ARGUMENTS) != before


def test_the_same_data_and_parameters_give_identical_figures_and_fingerprint(data, analyst):
    first = services.save_run(user=analyst, window=WINDOW)
    second = services.save_run(user=analyst, window=WINDOW)
    assert first.results == second.results
    assert first.totals == second.totals
    assert first.data_fingerprint == second.data_fingerprint
    assert selectors.run_is_current(first)


def test_the_fingerprint_changes_with_any_input(data, analyst):
    first = services.save_run(user=analyst, window=WINDOW).data_fingerprint
    aggregate("XBB", "2019-Q1", "returns", 1, "Office")
    second = services.save_run(user=analyst, window=WINDOW).data_fingerprint
    case("XAA", "2012-01-01", "closed", closed_on="2012-02-01")  # changes no figure
    third = services.save_run(user=analyst, window=WINDOW).data_fingerprint
    later = Window(start=WINDOW.start, end=WINDOW.end, as_of=dt.date(2020, 4, 1))
    fourth = services.save_run(user=analyst, window=later).data_fingerprint
    assert len({first, second, fourth}) == 3
    assert third == second  # a case outside every figure is not data the run used


def test_a_run_of_some_countries_keeps_the_countries_asked_for(data, analyst):
    run = services.save_run(user=analyst, window=WINDOW, country_codes=["xbb"])
    assert run.country_codes == ["XBB"]
    assert [c["country"] for c in run.results["countries"]] == ["XBB"]
    assert selectors.run_is_current(run)


def test_a_viewer_may_not_save_a_run(data, viewer):
    with pytest.raises(PermissionRefused):
        services.save_run(user=viewer, window=WINDOW)
    assert not AssessmentRun.objects.exists()


def test_runs_are_listed_newest_first_with_their_page(client, data, analyst):
    older = services.save_run(user=analyst, window=WINDOW)
    newer = services.save_run(user=analyst)
    client.force_login(analyst)
    page = client.get("/en/assessment/runs/").content.decode()
    assert page.index(f"/en/assessment/runs/{newer.pk}/") < page.index(
        f"/en/assessment/runs/{older.pk}/"
    )
    detail = client.get(f"/en/assessment/runs/{older.pk}/?verify=1").content.decode()
    assert "The data this run read is unchanged" in detail
    request("XAA", "2019-07-01", "refused", "2019-07-02")
    detail = client.get(f"/en/assessment/runs/{older.pk}/?verify=1").content.decode()
    assert "Data has changed since this run" in detail
    assert client.get("/en/assessment/runs/999999/").status_code == 404


def test_a_run_is_saved_from_the_page_and_the_api(client, api_as, data, analyst):
    client.force_login(analyst)
    response = client.post(
        "/en/assessment/runs/",
        {"date_from": "2019-01-01", "date_to": "2019-12-31", "as_of": "2020-03-31"},
    )
    run = AssessmentRun.objects.get()
    assert response.status_code == 302
    assert response["Location"].endswith(f"/en/assessment/runs/{run.pk}/")
    assert run.results == assess(*ARGUMENTS)
    created = api_as(analyst).post(
        "/api/v1/assessment/runs/",
        {"date_from": "2019-01-01", "date_to": "2019-12-31", "as_of": "2020-03-31"},
        format="json",
    )
    assert created.status_code == 201
    assert created.json()["results"] == run.results
    assert created.json()["data_fingerprint"] == run.data_fingerprint


def test_a_run_with_mistaken_parameters_is_refused_with_the_message(client, api_as, analyst):
    client.force_login(analyst)
    response = client.post(
        "/en/assessment/runs/",
        {"date_from": "2019-01-01", "date_to": "2019-12-31", "as_of": "2019-06-30"},
    )
    assert response.status_code == 400
    assert "is before the end of the window" in response.content.decode()
    refused = api_as(analyst).post(
        "/api/v1/assessment/runs/", {"methodology": "nope"}, format="json"
    )
    assert refused.status_code == 400
    assert refused.json()["detail"].startswith("Unknown methodology nope")
    assert not AssessmentRun.objects.exists()
