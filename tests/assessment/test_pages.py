"""The scorecard and country pages as a cleared user uses them: the same figures as the
command, sorting, filtering, in-place updates, charts, and mistakes explained."""

import datetime as dt
import json
import re

import pytest
from django.utils import timezone

from tests.assessment.builders import assess, country, request

TODAY = timezone.localdate()


def days_ago(days: int) -> str:
    return (TODAY - dt.timedelta(days=days)).isoformat()


@pytest.fixture
def three_countries(db):
    country("XAA", "Avalonia")
    country("XBB", "Borduria")
    country("XCC", "Carpania")
    request("XAA", days_ago(90), "issued", days_ago(80), count=2)
    request("XAA", days_ago(90), "refused", days_ago(85), count=10)  # recalcitrant
    request("XBB", days_ago(60), "issued", days_ago(55), count=12)  # cooperative
    request("XCC", days_ago(60), "issued", days_ago(55), count=3)  # insufficient data


def codes_in_order(html: str) -> list[str]:
    return re.findall(r'<th scope="row"><a href="/en/assessment/countries/(\w+)/', html)


def test_the_api_scorecard_has_the_figures_of_the_command(api_as, analyst, three_countries):
    body = api_as(analyst).get("/api/v1/assessment/scorecard/").json()
    command = assess()
    assert {key: body[key] for key in command} == command
    assert body["totals"]["requests"] == 27
    assert len(body["data_fingerprint"]) == 64


def test_the_api_scorecard_takes_the_parameters(api_as, analyst, three_countries):
    query = f"?from={days_ago(70)}&to={days_ago(1)}&as_of={TODAY}&country=XBB&country=XCC"
    body = api_as(analyst).get("/api/v1/assessment/scorecard/" + query).json()
    assert (body["from"], body["to"], body["as_of"]) == (days_ago(70), days_ago(1), str(TODAY))
    assert [c["country"] for c in body["countries"]] == ["XBB", "XCC"]
    refused = api_as(analyst).get("/api/v1/assessment/scorecard/?to=2020-01-01&as_of=2019-01-01")
    assert refused.status_code == 400
    assert "before the end of the window" in refused.json()["detail"]
    malformed = api_as(analyst).get("/api/v1/assessment/scorecard/?to=yesterday")
    assert malformed.status_code == 400


def test_the_scorecard_lists_countries_sorted_by_code_by_default(client, analyst, three_countries):
    client.force_login(analyst)
    html = client.get("/en/assessment/").content.decode()
    assert codes_in_order(html) == ["XAA", "XBB", "XCC"]


def test_the_scorecard_sorts_by_a_column_either_way(client, analyst, three_countries):
    client.force_login(analyst)
    ascending = client.get("/en/assessment/?sort=issuance_rate").content.decode()
    assert codes_in_order(ascending) == ["XAA", "XBB", "XCC"]  # 1/6, then 1.0 by code
    descending = client.get("/en/assessment/?sort=issuance_rate&order=desc").content.decode()
    assert codes_in_order(descending) == ["XCC", "XBB", "XAA"]
    by_class = client.get("/en/assessment/?sort=classification").content.decode()
    assert codes_in_order(by_class) == ["XAA", "XBB", "XCC"]  # most severe first
    assert 'aria-sort="ascending"' in by_class


def test_the_scorecard_filters_by_classification(client, analyst, three_countries):
    client.force_login(analyst)
    html = client.get("/en/assessment/?classification=cooperative").content.decode()
    assert codes_in_order(html) == ["XBB"]


def test_ratings_show_by_colour_and_by_text(client, analyst, three_countries):
    client.force_login(analyst)
    html = client.get("/en/assessment/").content.decode()
    assert '<span class="readmit-rating readmit-rating--red">Red</span>' in html
    assert '<span class="readmit-rating readmit-rating--green">Green</span>' in html
    assert '<span class="readmit-rating readmit-rating--na">Not available</span>' in html


def test_htmx_sorting_replaces_the_table_only(client, analyst, three_countries):
    client.force_login(analyst)
    response = client.get(
        "/en/assessment/?sort=country&order=desc",
        headers={"HX-Request": "true", "HX-Target": "scorecard-table"},
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="scorecard-table"')
    assert "<html" not in html
    assert codes_in_order(html) == ["XCC", "XBB", "XAA"]


def test_mistaken_dates_are_explained_on_the_page(client, analyst, three_countries):
    client.force_login(analyst)
    html = client.get("/en/assessment/?to=2020-01-31&as_of=2020-01-01").content.decode()
    assert "The as-of date 2020-01-01 is before the end of the window 2020-01-31" in html
    assert codes_in_order(html) == []
    html = client.get("/en/assessment/?from=someday").content.decode()
    assert "Enter a valid date." in html


def test_the_country_page_shows_figures_reasons_and_trend_charts(client, analyst, three_countries):
    client.force_login(analyst)
    html = client.get("/en/assessment/countries/XAA/").content.decode()
    assert "Avalonia (XAA)" in html
    assert "Recalcitrant" in html
    assert "Issuance rate 16.7% (95% CI" in html
    for chart in ("chart-issuance", "chart-timeliness", "chart-backlog"):
        assert f'data-vega-spec="{chart}"' in html
        spec = json.loads(re.search(rf'<script id="{chart}" [^>]*>(.*?)</script>', html, re.S)[1])
        assert len(spec["data"]["values"]) == 12
    assert "vega-embed.min.js" in html
    band = json.loads(
        re.search(r'<script id="chart-issuance" [^>]*>(.*?)</script>', html, re.S)[1]
    )["layer"][0]
    assert band["mark"]["type"] == "area"
    assert band["encoding"]["y2"] == {"field": "high"}


def test_the_country_page_is_in_french_with_french_reasons(client, analyst, three_countries):
    client.force_login(analyst)
    html = client.get("/fr/assessment/countries/XAA/").content.decode()
    assert "Taux de délivrance, 16,7\u00a0% (IC à 95\u00a0% : " in html
    assert "est sous le seuil de 50\u00a0% de la cote ambre." in html
    assert "Récalcitrant" in html


def test_an_unknown_country_sends_a_cleared_user_back_with_the_reason(
    client, analyst, three_countries
):
    client.force_login(analyst)
    response = client.get("/en/assessment/countries/QQQ/", follow=True)
    assert "Unknown country code: QQQ" in response.content.decode()
