"""`readmit assess --format json` against figures computed by hand from the contract's words.

Window 2019-01-01 .. 2019-12-31 as of D = 2020-03-31 unless a test says otherwise.
"""

import math
import subprocess
import sys

import pytest
from django.core.management.base import CommandError
from django.utils import timezone

from tests.assessment.builders import aggregate, assess, by_code, case, country, request

WINDOW = ("--from", "2019-01-01", "--to", "2019-12-31", "--as-of", "2020-03-31")
Z = 1.959964

CONTRACT_KEYS = [
    "country",
    "name",
    "requests",
    "issued",
    "refused",
    "withdrawn",
    "pending",
    "eligible",
    "issuance_rate",
    "issuance_rate_ci",
    "refusal_rate",
    "median_days_to_issue",
    "issued_within_30d",
    "overdue_pending",
    "overdue_share",
    "interviews_requested",
    "interviews_held",
    "orders",
    "removals",
    "return_rate",
    "return_rate_source",
    "td_backlog",
    "td_backlog_median_age_days",
    "ratings",
    "classification",
    "pattern",
    "reasons",
]


def wilson(k, n, z=Z):
    """The Wilson score interval written out from its textbook formula."""
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return [centre - half, centre + half]


@pytest.fixture
def small_country(db):
    """XAA: six requests in the window, two outside it, nine cases."""
    country("XAA", "Avalonia")
    request(
        "XAA",
        "2019-01-01",
        "issued",
        "2019-01-11",  # t = 10, issued
        interview_requested_on="2019-01-02",
        interview_held_on="2019-01-05",
    )
    request("XAA", "2019-02-01", "issued", "2019-03-03")  # t = 30, issued
    request("XAA", "2019-03-01", "refused", "2019-03-21")  # t = 20, refused
    request("XAA", "2019-04-01", "withdrawn", "2019-04-06")  # t = 5, withdrawn
    # Issued after D: pending at D, t = D - requested = 121 days; interview asked before D,
    # held after it.
    request(
        "XAA",
        "2019-12-01",
        "issued",
        "2020-04-10",
        interview_requested_on="2020-03-01",
        interview_held_on="2020-04-02",
    )
    # Pending, t = 102; its interview is asked after D.
    request("XAA", "2019-12-20", "pending", interview_requested_on="2020-04-05")
    request("XAA", "2018-12-31", "issued", "2019-01-02")  # before the window
    request("XAA", "2020-01-05", "issued", "2020-01-06")  # after the window

    case("XAA", "2019-02-01", "removed", removed_on="2019-06-01")  # an order and a removal
    case("XAA", "2018-06-01", "removed", removed_on="2019-03-01")  # a removal only
    case("XAA", "2019-05-01", "removed", removed_on="2020-02-01")  # an order; removed after to
    case("XAA", "2019-07-01", impediment="travel_document")  # an order; backlog, age 274
    case("XAA", "2017-01-01", impediment="travel_document")  # backlog, age 1185
    case("XAA", "2020-03-01", impediment="travel_document")  # after to, before D: age 30
    case("XAA", "2020-04-15", impediment="travel_document")  # ordered after D: not yet
    case("XAA", "2019-08-01", impediment="legal")  # an order, not a TD backlog
    case("XAA", "2019-09-01", "closed", closed_on="2019-10-01")  # an order


def test_json_has_the_contract_keys_in_the_contract_order(small_country):
    result = assess(*WINDOW)
    assert list(result) == ["methodology", "from", "to", "as_of", "countries"]
    assert result["methodology"] == "readmit-2026.1"
    assert (result["from"], result["to"], result["as_of"]) == (
        "2019-01-01",
        "2019-12-31",
        "2020-03-31",
    )
    assert list(result["countries"][0]) == CONTRACT_KEYS
    assert list(result["countries"][0]["ratings"]) == [
        "issuance",
        "timeliness",
        "responsiveness",
        "returns",
    ]


def test_travel_document_figures_match_hand_computation(small_country):
    xaa = by_code(assess(*WINDOW))["XAA"]
    assert xaa["name"] == "Avalonia"
    # R: the six requests of 2019. The one issued after D is pending at D.
    assert (xaa["requests"], xaa["issued"], xaa["refused"]) == (6, 2, 1)
    assert (xaa["withdrawn"], xaa["pending"], xaa["eligible"]) == (1, 2, 5)
    assert xaa["issuance_rate"] == 2 / 5
    assert xaa["issuance_rate_ci"] == pytest.approx(wilson(2, 5), abs=1e-12)
    assert xaa["refusal_rate"] == 1 / 5
    # Kaplan-Meier: t=5 censored (6 at risk); t=10 issued, S = 4/5; t=20 censored;
    # t=30 issued with 3 at risk, S = 4/5 * 2/3 = 0.533; then only censored: never <= 0.5.
    assert xaa["median_days_to_issue"] is None
    # Aalen-Johansen by day 30: t=10: 1 * 1/5 = 0.2, S = 0.8; t=20 refused: S = 0.8 * 3/4
    # = 0.6; t=30: 0.6 * 1/3 = 0.2 more. 0.4 in all.
    assert xaa["issued_within_30d"] == pytest.approx(0.4, abs=1e-15)
    # Both pending requests are older than 30 days at D (121 and 102 days).
    assert (xaa["overdue_pending"], xaa["overdue_share"]) == (2, 2 / 5)
    # Interviews asked on or before D: 2019-01-02 and 2020-03-01; held: 2019-01-05 only.
    assert (xaa["interviews_requested"], xaa["interviews_held"]) == (2, 1)


def test_case_figures_match_hand_computation(small_country):
    xaa = by_code(assess(*WINDOW))["XAA"]
    # Orders enforceable in 2019: 02-01, 05-01, 07-01, 08-01, 09-01.
    assert xaa["orders"] == 5
    # Removed in 2019: 06-01 and 03-01 (the order of the latter was in 2018).
    assert xaa["removals"] == 2
    assert (xaa["return_rate"], xaa["return_rate_source"]) == (2 / 5, "cases")
    # Pending, travel document, ordered on or before D: ages 274, 1185 and 30 days.
    assert xaa["td_backlog"] == 3
    assert xaa["td_backlog_median_age_days"] == 274


def test_verdict_of_a_country_with_fewer_than_ten_eligible(small_country):
    xaa = by_code(assess(*WINDOW))["XAA"]
    # issuance 0.4 red, timeliness 0.4 amber, overdue 0.4 red, returns 0.4 amber.
    assert xaa["ratings"] == {
        "issuance": "red",
        "timeliness": "amber",
        "responsiveness": "red",
        "returns": "amber",
    }
    assert xaa["classification"] == "insufficient_data"
    assert xaa["pattern"] is None
    assert len(xaa["reasons"]) == 4
    assert xaa["reasons"][0].startswith("Issuance rate 40.0% (95% CI ")
    assert xaa["reasons"][0].endswith("is below the 50% threshold for amber.")


def test_a_later_as_of_sees_the_decision_taken_after_the_earlier_one(small_country):
    xaa = by_code(assess("--from", "2019-01-01", "--to", "2019-12-31", "--as-of", "2020-04-10"))[
        "XAA"
    ]
    # The request of 2019-12-01 is issued on 2020-04-10 = D: issued now.
    assert (xaa["issued"], xaa["pending"]) == (3, 1)
    # Its interview was held on 2020-04-02, and the other one asked on 2020-04-05.
    assert (xaa["interviews_requested"], xaa["interviews_held"]) == (3, 2)
    # The case ordered on 2020-04-15 is still after D.
    assert xaa["td_backlog"] == 3


def test_an_at_risk_unwilling_country_with_a_median_at_exactly_one_half(db):
    request("XBB", "2019-06-01", "issued", "2019-06-11", count=6)  # t = 10
    request("XBB", "2019-06-01", "issued", "2019-07-11", count=2)  # t = 40
    request("XBB", "2019-06-01", "refused", "2019-06-16", count=3)  # t = 15
    request("XBB", "2019-06-01", "pending")  # t = 304 at D
    xbb = by_code(assess(*WINDOW))["XBB"]
    assert (xbb["eligible"], xbb["issued"], xbb["refused"]) == (12, 8, 3)
    # Kaplan-Meier at t=10: 12 at risk, 6 issued: S = 1/2 exactly, so the median is 10.
    assert xbb["median_days_to_issue"] == 10
    # By day 30: 6/12 issued at t=10; the refusals at t=15 compete; t=40 is too late.
    assert xbb["issued_within_30d"] == 0.5
    assert xbb["overdue_share"] == 1 / 12
    assert xbb["ratings"] == {
        "issuance": "amber",  # 8/12 = 0.667
        "timeliness": "amber",  # 0.5
        "responsiveness": "green",  # 0.083
        "returns": "n/a",  # no cases, no aggregates
    }
    assert xbb["return_rate"] is None
    assert xbb["return_rate_source"] is None
    assert xbb["classification"] == "at_risk"  # two ambers
    assert xbb["pattern"] == "unwilling"  # refusal rate 3/12 = 0.25, on the threshold


def test_a_removal_after_the_window_is_not_counted(db):
    case("XCC", "2019-03-01", "removed", removed_on="2020-01-01")
    xcc = by_code(assess("--from", "2019-01-01", "--to", "2019-12-31"))["XCC"]
    assert (xcc["orders"], xcc["removals"], xcc["return_rate"]) == (1, 0, 0.0)


def test_backlog_median_age_of_an_even_number_of_cases_is_the_mean_of_the_middle_two(db):
    case("XDD", "2020-03-21", impediment="travel_document")  # age 10 at D
    case("XDD", "2020-03-10", impediment="travel_document")  # age 21
    case("XDD", "2020-01-01", impediment="travel_document")  # age 90
    case("XDD", "2019-12-31", impediment="travel_document")  # age 91
    xdd = by_code(assess(*WINDOW))["XDD"]
    assert xdd["td_backlog"] == 4
    assert xdd["td_backlog_median_age_days"] == (21 + 90) / 2


class TestAggregatesFallback:
    def test_first_source_in_alphabetical_order_ignoring_case_with_orders(self, db):
        # Upper case sorts before lower case by code point; the contract's alphabetical
        # order ignores case, so "alpha stats" comes before "Zeta Office".
        aggregate("XEE", "2019", "orders", 100, "Zeta Office")
        aggregate("XEE", "2019", "returns", 50, "Zeta Office")
        aggregate("XEE", "2019-Q1", "returns", 3, "Alpha")  # no orders: skipped
        aggregate("XEE", "2019-Q1", "orders", 10, "alpha stats")
        aggregate("XEE", "2019-Q2", "orders", 10, "alpha stats")
        aggregate("XEE", "2019-03", "returns", 4, "alpha stats")
        aggregate("XEE", "2019-Q4", "returns", 1, "alpha stats")
        aggregate("XEE", "2018-Q4", "orders", 50, "alpha stats")  # before the window
        aggregate("XEE", "2020", "orders", 50, "alpha stats")  # after it
        xee = by_code(assess(*WINDOW))["XEE"]
        assert xee["return_rate"] == 5 / 20
        assert xee["return_rate_source"] == "alpha stats"
        # The case figures themselves stay those of the (absent) cases.
        assert (xee["orders"], xee["removals"]) == (0, 0)
        assert xee["ratings"]["returns"] == "amber"

    def test_periods_partly_outside_the_window_are_ignored(self, db):
        aggregate("XEE", "2019", "orders", 100, "Alpha")  # straddles 2019-02-01
        aggregate("XEE", "2019", "returns", 90, "Alpha")
        aggregate("XEE", "2019-Q2", "orders", 40, "Beta")
        aggregate("XEE", "2019-Q3", "returns", 10, "Beta")
        aggregate("XEE", "2019-01", "returns", 10, "Beta")  # before 2019-02-01
        result = assess("--from", "2019-02-01", "--to", "2019-12-31", "--as-of", "2020-03-31")
        xee = by_code(result)["XEE"]
        assert (xee["return_rate"], xee["return_rate_source"]) == (10 / 40, "Beta")

    def test_a_source_with_orders_but_no_returns_gives_zero(self, db):
        aggregate("XEE", "2019", "orders", 40, "Alpha")
        xee = by_code(assess(*WINDOW))["XEE"]
        assert (xee["return_rate"], xee["return_rate_source"]) == (0.0, "Alpha")
        assert xee["ratings"]["returns"] == "red"

    def test_no_fallback_for_a_country_with_cases_even_outside_the_window(self, db):
        case("XFF", "2015-01-01", "closed", closed_on="2015-06-01")
        aggregate("XFF", "2019", "orders", 40, "Alpha")
        aggregate("XFF", "2019", "returns", 20, "Alpha")
        xff = by_code(assess(*WINDOW))["XFF"]
        assert (xff["orders"], xff["return_rate"], xff["return_rate_source"]) == (0, None, None)

    def test_no_source_with_orders_leaves_the_return_rate_null(self, db):
        aggregate("XEE", "2019", "returns", 20, "Alpha")
        aggregate("XEE", "2019", "orders", 0, "Beta")
        xee = by_code(assess(*WINDOW))["XEE"]
        assert (xee["return_rate"], xee["return_rate_source"]) == (None, None)


def test_countries_listed_are_those_the_contract_names_sorted_by_code(db):
    request("XJJ", "2019-05-01")  # a request in the window: listed
    request("XLL", "2018-05-01", "issued", "2018-06-01")  # only before the window: not
    case("XKK", "2019-05-01", "closed", closed_on="2019-06-01")  # an order in the window
    case("XNN", "2018-05-01", "removed", removed_on="2019-02-01")  # a removal in the window
    case("XHH", "2020-03-01", impediment="travel_document")  # in td_backlog at D: listed
    case("XII", "2020-04-01", impediment="travel_document")  # ordered after D: not
    case("XMM", "2018-01-01", "closed", closed_on="2018-06-01")  # nothing in the window
    case("XFF", "2018-01-01", "removed", removed_on="2020-02-01")  # removed after to: not
    aggregate("XEE", "2019-Q3", "td_requested", 5, "Alpha")  # wholly inside: listed
    aggregate("XGG", "2019", "orders", 5, "Alpha")  # straddles the window below: not
    country("XAB")  # declared, no data: not
    result = assess("--from", "2019-02-01", "--to", "2019-12-31", "--as-of", "2020-03-31")
    assert [c["country"] for c in result["countries"]] == ["XEE", "XHH", "XJJ", "XKK", "XNN"]


def test_a_country_asked_for_is_listed_even_without_data(db):
    country("XLL", "Latveria")
    request("XJJ", "2019-05-01")
    result = assess(*WINDOW, "--country", "xll")
    (xll,) = result["countries"]
    assert xll == {
        "country": "XLL",
        "name": "Latveria",
        "requests": 0,
        "issued": 0,
        "refused": 0,
        "withdrawn": 0,
        "pending": 0,
        "eligible": 0,
        "issuance_rate": None,
        "issuance_rate_ci": None,
        "refusal_rate": None,
        "median_days_to_issue": None,
        "issued_within_30d": None,
        "overdue_pending": 0,
        "overdue_share": None,
        "interviews_requested": 0,
        "interviews_held": 0,
        "orders": 0,
        "removals": 0,
        "return_rate": None,
        "return_rate_source": None,
        "td_backlog": 0,
        "td_backlog_median_age_days": None,
        "ratings": {
            "issuance": "n/a",
            "timeliness": "n/a",
            "responsiveness": "n/a",
            "returns": "n/a",
        },
        "classification": "insufficient_data",
        "pattern": None,
        "reasons": [],
    }


def test_several_countries_may_be_asked_for(db):
    request("XJJ", "2019-05-01")
    request("XKK", "2019-05-01")
    request("XLL", "2019-05-01")
    result = assess(*WINDOW, "--country", "XLL", "XJJ", "--country", "XJJ")
    assert [c["country"] for c in result["countries"]] == ["XJJ", "XLL"]


def test_only_withdrawn_requests_give_zero_incidence_and_null_rates(db):
    request("XJJ", "2019-05-01", "withdrawn", "2019-05-03", count=2)
    xjj = by_code(assess(*WINDOW))["XJJ"]
    assert (xjj["requests"], xjj["eligible"]) == (2, 0)
    assert xjj["issuance_rate"] is None
    assert xjj["issuance_rate_ci"] is None
    assert xjj["issued_within_30d"] == 0.0
    assert xjj["median_days_to_issue"] is None


def test_defaults_are_a_year_up_to_today_as_of_today(db, settings):
    import datetime as dt

    result = assess()
    today = timezone.localdate()
    assert result["to"] == today.isoformat()
    assert result["as_of"] == today.isoformat()
    start = dt.date.fromisoformat(result["from"])
    assert start.replace(year=start.year + 1) - dt.timedelta(days=1) == today or (
        today.month == 2 and today.day == 29
    )


def test_the_same_data_gives_identical_output(small_country):
    assert assess(*WINDOW) == assess(*WINDOW)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (("--from", "2019-13-01"), "Not a date"),
        (("--to", "yesterday"), "Not a date"),
        (("--to", "2019-12-31", "--as-of", "2019-12-30"), "before the end of the window"),
        (("--from", "2020-01-01", "--to", "2019-12-31"), "after its end"),
        (("--country", "QQQ"), "Unknown country code: QQQ"),
        (("--methodology", "readmit-1999.9"), "Unknown methodology readmit-1999.9"),
    ],
)
def test_mistakes_are_refused_with_a_message(db, arguments, message):
    with pytest.raises(CommandError, match=message):
        assess(*arguments)


def test_a_mistake_exits_non_zero_with_the_message_and_no_traceback():
    completed = subprocess.run(
        [sys.executable, "-m", "readmit", "assess", "--as-of", "2019-02-30"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode != 0
    assert "Not a date: '2019-02-30'" in completed.stderr
    assert "Traceback" not in completed.stderr
    assert completed.stdout == ""


@pytest.mark.parametrize(
    ("to", "start"),
    [
        ("2019-12-31", "2019-01-01"),
        ("2024-02-29", "2023-03-01"),  # a year before 29 February is 28 February
        ("2025-03-01", "2024-03-02"),
        ("2024-03-01", "2023-03-02"),
    ],
)
def test_the_default_window_is_twelve_months_ending_on_to(to, start):
    import datetime as dt

    from readmit.assessment.figures import window_from

    window = window_from(date_to=dt.date.fromisoformat(to))
    assert window.start == dt.date.fromisoformat(start)
    assert window.as_of == window.end == dt.date.fromisoformat(to)
