"""Quarterly series: each calendar quarter assessed as known on its last day, oldest first,
all quarters from one pass, and each equal to the assessment of that quarter alone."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from readmit.assessment import figures, queries, selectors
from readmit.core.errors import DomainError
from tests.assessment.builders import aggregate, assess, by_code, case, country, request

AS_OF = dt.date(2020, 2, 15)


@pytest.fixture
def history(db):
    # 2019-Q2: issued within the quarter.
    request("XAA", "2019-04-10", "issued", "2019-04-20", count=3)
    # 2019-Q3: decided after the quarter's end: pending in that quarter's series.
    request("XAA", "2019-09-20", "issued", "2019-10-05", count=2)
    request("XAA", "2019-08-01", "refused", "2019-08-11")
    # 2019-Q4 and 2020-Q1.
    request("XAA", "2019-12-30", "withdrawn", "2019-12-31")
    request("XAA", "2020-01-05", "issued", "2020-01-06", interview_requested_on="2020-01-05")
    request("XAA", "2020-02-10", "issued", "2020-02-20")  # decided after as_of
    case("XAA", "2019-05-01", "removed", removed_on="2019-08-01")
    case("XAA", "2019-11-01", impediment="travel_document")
    aggregate("XBB", "2019-Q3", "orders", 10, "Office")
    aggregate("XBB", "2019-Q3", "returns", 4, "Office")
    aggregate("XBB", "2019", "orders", 99, "Office")  # straddles every quarter


def test_quarters_are_oldest_first_and_the_last_ends_on_as_of(history):
    series = selectors.quarterly_series(country_codes=None, as_of=AS_OF, quarters=4)
    assert sorted(series) == ["XAA", "XBB"]
    rows = series["XAA"]
    assert [row["quarter"] for row in rows] == ["2019-Q2", "2019-Q3", "2019-Q4", "2020-Q1"]
    assert [(row["from"], row["to"], row["as_of"]) for row in rows] == [
        (dt.date(2019, 4, 1), dt.date(2019, 6, 30), dt.date(2019, 6, 30)),
        (dt.date(2019, 7, 1), dt.date(2019, 9, 30), dt.date(2019, 9, 30)),
        (dt.date(2019, 10, 1), dt.date(2019, 12, 31), dt.date(2019, 12, 31)),
        (dt.date(2020, 1, 1), dt.date(2020, 2, 15), dt.date(2020, 2, 15)),
    ]


def test_every_row_has_every_indicator_and_the_verdict(history):
    row = selectors.quarterly_series(country_codes=["XAA"], as_of=AS_OF, quarters=4)["XAA"][0]
    for key in (*figures.INDICATOR_KEYS, "ratings", "classification", "pattern"):
        assert key in row


def test_a_quarter_is_as_known_on_its_last_day(history):
    rows = selectors.quarterly_series(country_codes=["XAA"], as_of=AS_OF, quarters=4)["XAA"]
    q2, q3, q4, q1 = rows
    assert (q2["requests"], q2["issued"], q2["median_days_to_issue"]) == (3, 3, 10)
    # The two issued on 2019-10-05 were pending on 2019-09-30, 10 days old.
    assert (q3["requests"], q3["issued"], q3["refused"], q3["pending"]) == (3, 0, 1, 2)
    assert q3["overdue_pending"] == 0
    assert (q3["orders"], q3["removals"]) == (0, 1)
    assert (q4["withdrawn"], q4["eligible"]) == (1, 0)
    assert (q1["issued"], q1["pending"], q1["interviews_requested"]) == (1, 1, 1)
    # The case ordered on 2019-11-01 is in the backlog from 2019-Q4 on.
    assert [row["td_backlog"] for row in rows] == [0, 0, 1, 1]
    assert q4["td_backlog_median_age_days"] == 60
    assert q1["td_backlog_median_age_days"] == 106


def test_aggregates_count_in_the_quarter_that_holds_their_period(history):
    rows = selectors.quarterly_series(country_codes=["XBB"], as_of=AS_OF, quarters=4)["XBB"]
    assert [row["return_rate"] for row in rows] == [None, 0.4, None, None]
    assert rows[1]["return_rate_source"] == "Office"


def test_each_quarter_equals_the_assessment_of_that_quarter_alone(history):
    series = selectors.quarterly_series(country_codes=["XAA", "XBB"], as_of=AS_OF, quarters=4)
    for code, rows in series.items():
        for row in rows:
            alone = assess(
                "--from",
                row["from"].isoformat(),
                "--to",
                row["to"].isoformat(),
                "--as-of",
                row["as_of"].isoformat(),
                "--country",
                code,
            )
            (country,) = alone["countries"]
            for key in (*figures.INDICATOR_KEYS, *figures.VERDICT_KEYS):
                assert row[key] == country[key], (code, row["quarter"], key)


def test_all_quarters_come_from_one_pass_over_the_requests(history):
    """One pass, cut into at most REQUEST_PARTS ranges of countries: not one per quarter."""
    with CaptureQueriesContext(connection) as captured:
        selectors.quarterly_series(country_codes=None, as_of=AS_OF, quarters=12)
    request_queries = [
        query for query in captured.captured_queries if "traveldocumentrequest" in query["sql"]
    ]
    assert 1 <= len(request_queries) <= queries.REQUEST_PARTS


def test_an_unknown_country_is_refused(history):
    with pytest.raises(DomainError, match="Unknown country code: QQQ"):
        selectors.quarterly_series(country_codes=["QQQ"], as_of=AS_OF)


def test_a_country_asked_for_without_data_has_every_quarter(history):
    country("XCC")
    rows = selectors.quarterly_series(country_codes=["XCC"], as_of=AS_OF)["XCC"]
    assert len(rows) == 12
    assert {row["requests"] for row in rows} == {0}


def test_the_series_uses_the_methodology_asked_for(history, analyst):
    from readmit.assessment import services

    services.create_methodology(user=analyst, version="lenient", thresholds={"minimum_eligible": 1})
    default = selectors.quarterly_series(country_codes=["XAA"], as_of=AS_OF, quarters=4)
    lenient = selectors.quarterly_series(
        country_codes=["XAA"], as_of=AS_OF, quarters=4, methodology="lenient"
    )
    assert default["XAA"][0]["classification"] == "insufficient_data"
    # Three eligible are enough now: every rating green but returns (0 removals of 1 order).
    assert lenient["XAA"][0]["ratings"]["returns"] == "red"
    assert lenient["XAA"][0]["classification"] == "at_risk"
    assert assess("--to", "2019-06-30", "--methodology", "lenient")["methodology"] == "lenient"


def test_the_scorecard_window_matches_the_sum_of_its_quarters(history):
    year = by_code(assess("--from", "2019-04-01", "--to", "2020-02-15"))["XAA"]
    rows = selectors.quarterly_series(country_codes=["XAA"], as_of=AS_OF, quarters=4)["XAA"]
    assert year["requests"] == sum(row["requests"] for row in rows)
