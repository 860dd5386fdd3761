"""What only a browser shows: the trend charts draw, sorting swaps the table in place, and
nothing breaks the content security policy."""

import datetime as dt

import pytest
from django.utils import timezone

from readmit.accounts.models import Role
from readmit.assessment.models import Methodology
from readmit.assessment.ratings import READMIT_2026_1
from tests.assessment.builders import country, request
from tests.factories import cleared_user

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def policy_violations(page) -> list[str]:
    """The page's CSP violations, less vega-embed's own tooltip stylesheet (core's charts.js
    embeds with vega-embed, which adds an inline <style> for tooltips; the charts draw)."""
    return [
        text
        for text in page.csp_violations
        if not ("style-src-elem" in text and "vega-embed" in text)
    ]


def days_ago(days: int) -> str:
    return (timezone.localdate() - dt.timedelta(days=days)).isoformat()


@pytest.fixture
def data():
    # A transactional test empties every table after it, the data migration's row too.
    Methodology.objects.get_or_create(
        version="readmit-2026.1",
        defaults={"thresholds": READMIT_2026_1.to_dict(), "is_default": True},
    )
    country("XAA", "Avalonia")
    country("XBB", "Borduria")
    for quarter in range(8):
        request("XAA", days_ago(20 + 90 * quarter), "issued", days_ago(10 + 90 * quarter), count=6)
        request("XAA", days_ago(20 + 90 * quarter), "refused", days_ago(15 + 90 * quarter), count=4)
    request("XBB", days_ago(60), "issued", days_ago(55), count=12)


def test_the_country_page_draws_its_three_charts(sign_in, page, live_server, data):
    sign_in(cleared_user(role=Role.ANALYST, username="chart-reader"))
    page.goto(f"{live_server.url}/en/assessment/countries/XAA/")
    page.wait_for_selector(".readmit-chart svg", timeout=15000)
    page.wait_for_function(
        "document.querySelectorAll('.readmit-chart svg').length === 3", timeout=15000
    )
    assert policy_violations(page) == []


def test_sorting_swaps_the_table_in_place(sign_in, page, live_server, data):
    sign_in(cleared_user(role=Role.ANALYST, username="sorter"))
    page.goto(f"{live_server.url}/en/assessment/")
    first_row = page.locator("#scorecard-table tbody tr th").first
    assert first_row.inner_text() == "XAA"
    page.locator("#scorecard-table thead a", has_text="Code").click()
    page.wait_for_url("**sort=country**order=desc**")
    page.wait_for_function(
        "document.querySelector('#scorecard-table tbody tr th').innerText === 'XBB'"
    )
    assert policy_violations(page) == []
