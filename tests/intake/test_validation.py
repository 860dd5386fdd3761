"""Every rule of the intake contract, one test each, as the user sees it: messages.

The contract is /work/shared/contract/data-formats.md. Files are built in memory and
passed to `read_file` as binary streams; no database is involved.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from readmit.intake import validation
from readmit.intake.formats import (
    AGGREGATES,
    CASES,
    COUNTRIES,
    MAX_REPORTED_PROBLEMS,
    REQUESTS,
    FileRejected,
    Problem,
)
from readmit.intake.validation import (
    ValidChunk,
    iso_dates,
    parse_period,
    read_file,
    stored_period_overlaps,
)

UK_RETURNS = Path("/work/shared/data/uk-returns")

VALID_REQUEST = {
    "request_id": "R1",
    "case_id": "C1",
    "country": "NGA",
    "requested_on": "2020-03-01",
    "document_type": "passport",
    "interview_requested_on": "2020-03-05",
    "interview_held_on": "2020-03-20",
    "outcome": "issued",
    "decided_on": "2020-04-01",
}
VALID_CASE = {
    "case_id": "C1",
    "country": "NGA",
    "order_enforceable_on": "2019-06-01",
    "status": "removed",
    "removed_on": "2020-05-01",
    "closed_on": "",
    "impediment": "",
    "category": "failed_claimant",
    "removal_mode": "escorted",
    "flight": "commercial",
}
VALID_AGGREGATE = {
    "country": "AFG",
    "period": "2019",
    "measure": "returns",
    "value": "49",
    "source": "UK Home Office",
}


# --- Helpers ------------------------------------------------------------------------


def csv_text(records: Iterable[Sequence[str]], line_end: str = "\n") -> str:
    """RFC 4180 text. (Python 3.11's csv.writer leaves a lone CR unquoted unless the line
    terminator holds one, which makes a different file; this writer quotes it.)"""
    return "".join(",".join(map(_csv_field, record)) + line_end for record in records)


def _csv_field(value: str) -> str:
    if any(special in value for special in ',"\r\n'):
        return '"' + value.replace('"', '""') + '"'
    return value


def csv_file(rows: Sequence[dict[str, str]], header: Sequence[str] | None = None) -> io.BytesIO:
    """A CSV file (as a binary stream) with `header` (default: the first row's keys)."""
    header = list(header if header is not None else rows[0])
    text = csv_text([header, *([row.get(name, "") for name in header] for row in rows)])
    return io.BytesIO(text.encode("utf-8", "surrogateescape"))


def requests(*overrides: dict[str, str]) -> list[dict[str, str]]:
    """Valid request rows, one per override, with distinct request ids."""
    return [
        {**VALID_REQUEST, "request_id": f"R{number}", **override}
        for number, override in enumerate(overrides, start=1)
    ]


def read_all(
    source: io.BytesIO, kind: str, declared: Iterable[str] = (), chunk_rows: int = 50_000
) -> list[ValidChunk]:
    return list(read_file(source, kind, frozenset(declared), chunk_rows=chunk_rows))


def problems(source: io.BytesIO, kind: str, declared: Iterable[str] = ()) -> list[str]:
    """The rendered problems of a file that must be refused."""
    with pytest.raises(FileRejected) as refusal:
        read_all(source, kind, declared)
    return [str(problem) for problem in refusal.value.problems]


def request_problems(*overrides: dict[str, str]) -> list[str]:
    return problems(csv_file(requests(*overrides)), "requests")


def single_chunk(source: io.BytesIO, kind: str, declared: Iterable[str] = ()) -> ValidChunk:
    chunks = read_all(source, kind, declared)
    assert len(chunks) == 1
    return chunks[0]


# --- The message --------------------------------------------------------------------


def test_problem_renders_as_row_column_message_and_value() -> None:
    problem = Problem(7, "decided_on", "must be empty when outcome is pending", "2020-03-01")

    assert str(problem) == (
        "row 7, column decided_on: must be empty when outcome is pending (2020-03-01)"
    )


def test_decided_on_given_for_a_pending_request_is_reported_at_its_row() -> None:
    rows = requests(*[{}] * 5, {"outcome": "pending", "decided_on": "2020-03-01"})

    assert problems(csv_file(rows), "requests") == [
        "row 7, column decided_on: must be empty when outcome is pending (2020-03-01)"
    ]


def test_an_empty_value_is_shown_as_empty() -> None:
    assert str(Problem(3, "outcome", "is required", "")) == (
        "row 3, column outcome: is required (empty)"
    )


def test_a_value_with_a_line_break_is_shown_on_one_line() -> None:
    shown = str(Problem(3, "request_id", "is wrong", "a\nb"))

    assert shown == "row 3, column request_id: is wrong (a\\nb)"


def test_refusal_report_shows_the_count_and_the_problems() -> None:
    refusal = FileRejected([Problem(2, "outcome", "is required", "")], problem_count=1)

    assert refusal.report() == (
        "The file was refused: 1 problem found; nothing was stored.\n"
        "row 2, column outcome: is required (empty)"
    )


# --- requests -----------------------------------------------------------------------


def test_valid_requests_are_typed_for_the_database() -> None:
    rows = requests(
        {},
        {
            "case_id": "",
            "document_type": "",
            "interview_requested_on": "",
            "interview_held_on": "",
            "outcome": "pending",
            "decided_on": "",
        },
    )

    chunk = single_chunk(csv_file(rows), "requests")

    assert chunk.kind == "requests"
    assert chunk.lines.tolist() == [2, 3]
    assert list(chunk.columns) == list(REQUESTS.column_names)
    assert list(chunk.columns["request_id"]) == ["R1", "R2"]
    assert list(chunk.columns["case_id"]) == ["C1", None]
    assert list(chunk.columns["document_type"]) == ["passport", "other"]
    assert chunk.columns["requested_on"].dtype == np.dtype("datetime64[D]")
    assert chunk.columns["decided_on"][0] == np.datetime64("2020-04-01")
    assert np.isnat(chunk.columns["decided_on"][1])
    assert chunk.day_numbers("decided_on") == [
        (dt.date(2020, 4, 1) - dt.date(1970, 1, 1)).days,
        None,
    ]
    assert list(chunk.rows())[1] == (
        "R2",
        None,
        "NGA",
        dt.date(2020, 3, 1),
        "other",
        None,
        None,
        "pending",
        None,
    )


def test_request_id_is_required() -> None:
    assert request_problems({"request_id": ""}) == ["row 2, column request_id: is required (empty)"]


def test_request_id_of_64_characters_is_accepted_and_65_refused() -> None:
    rows = requests({"request_id": "a" * 64}, {"request_id": "b" * 65})

    assert problems(csv_file(rows), "requests") == [
        f"row 3, column request_id: must be at most 64 characters; it has 65 ({'b' * 65})"
    ]


def test_request_id_length_counts_characters_not_bytes() -> None:
    chunk = single_chunk(csv_file(requests({"request_id": "é" * 64})), "requests")

    assert chunk.columns["request_id"][0] == "é" * 64


def test_case_id_longer_than_64_characters_is_refused() -> None:
    assert request_problems({"case_id": "c" * 65}) == [
        f"row 2, column case_id: must be at most 64 characters; it has 65 ({'c' * 65})"
    ]


def test_country_is_required() -> None:
    assert request_problems({"country": ""}) == ["row 2, column country: is required (empty)"]


def test_country_in_lower_case_is_refused_with_the_right_spelling() -> None:
    assert request_problems({"country": "nga"}) == [
        "row 2, column country: must be written exactly NGA (nga)"
    ]


def test_country_that_is_no_iso_code_is_refused() -> None:
    assert request_problems({"country": "ABC"}) == [
        "row 2, column country: is not an ISO 3166-1 alpha-3 country code (ABC)"
    ]


def test_two_letter_country_code_is_refused_with_the_three_letter_one() -> None:
    assert request_problems({"country": "NG"}) == [
        "row 2, column country: must be the 3-letter code NGA, not the 2-letter one (NG)"
    ]


def test_withdrawn_country_code_is_refused() -> None:
    [message] = request_problems({"country": "SCG"})

    assert message.startswith("row 2, column country: is a withdrawn ISO 3166-1 code")


def test_undeclared_user_assigned_code_must_be_declared_in_the_countries_table_first() -> None:
    assert request_problems({"country": "XKX"}) == [
        "row 2, column country: is a user-assigned code; declare it in the countries table "
        "first (XKX)"
    ]


@pytest.mark.parametrize("code", ["XKX", "XAA", "XZZ", "QMA", "QZZ"])
def test_declared_user_assigned_code_is_accepted(code: str) -> None:
    chunk = single_chunk(csv_file(requests({"country": code})), "requests", declared={code})

    assert chunk.columns["country"][0] == code


def test_declaring_a_code_outside_the_user_assigned_ranges_does_not_allow_it() -> None:
    source = csv_file(requests({"country": "QLZ"}))

    assert problems(source, "requests", declared={"QLZ"}) == [
        "row 2, column country: is not an ISO 3166-1 alpha-3 country code (QLZ)"
    ]


def test_requested_on_is_required() -> None:
    assert request_problems({"requested_on": ""}) == [
        "row 2, column requested_on: is required (empty)"
    ]


def test_a_month_alone_is_not_a_date() -> None:
    assert request_problems({"requested_on": "2020-01"}) == [
        "row 2, column requested_on: must be a full date written YYYY-MM-DD; a month alone "
        "is not enough (2020-01)"
    ]


def test_a_year_alone_is_not_a_date() -> None:
    assert request_problems({"requested_on": "2020"}) == [
        "row 2, column requested_on: must be a full date written YYYY-MM-DD; a year alone "
        "is not enough (2020)"
    ]


@pytest.mark.parametrize("impossible", ["2021-02-29", "2020-04-31", "2020-13-01", "2020-00-10"])
def test_a_date_that_is_not_on_the_calendar_is_refused(impossible: str) -> None:
    rows = requests(
        {"requested_on": impossible, "interview_requested_on": "", "interview_held_on": ""}
    )

    assert problems(csv_file(rows), "requests") == [
        f"row 2, column requested_on: is not a real calendar date ({impossible})"
    ]


def test_leap_day_of_a_leap_year_is_a_date() -> None:
    rows = requests({"requested_on": "2020-02-29", "interview_requested_on": ""})

    chunk = single_chunk(csv_file(rows), "requests")

    assert chunk.columns["requested_on"][0] == np.datetime64("2020-02-29")


@pytest.mark.parametrize("written", ["01/03/2020", "2020-3-1", "2020/03/01", " 2020-03-01"])
def test_a_date_not_written_yyyy_mm_dd_is_refused(written: str) -> None:
    assert request_problems({"requested_on": written}) == [
        f"row 2, column requested_on: must be a date written YYYY-MM-DD ({written})"
    ]


def test_a_date_with_a_time_of_day_is_refused() -> None:
    assert request_problems({"decided_on": "2020-04-01T10:00"}) == [
        "row 2, column decided_on: must be a date without a time of day, written YYYY-MM-DD "
        "(2020-04-01T10:00)"
    ]


def test_document_type_defaults_to_other() -> None:
    chunk = single_chunk(csv_file(requests({"document_type": ""})), "requests")

    assert chunk.columns["document_type"][0] == "other"


def test_document_type_column_may_be_absent() -> None:
    header = [name for name in REQUESTS.column_names if name != "document_type"]

    chunk = single_chunk(csv_file(requests({}), header), "requests")

    assert chunk.columns["document_type"][0] == "other"


def test_unknown_document_type_is_refused_with_the_allowed_values() -> None:
    assert request_problems({"document_type": "visa"}) == [
        "row 2, column document_type: must be one of passport, emergency_travel_document, "
        "laissez_passer, other (visa)"
    ]


def test_outcome_is_required() -> None:
    assert request_problems({"outcome": "", "decided_on": ""}) == [
        "row 2, column outcome: is required (empty)"
    ]


def test_outcome_in_capitals_is_refused_with_the_right_spelling() -> None:
    assert request_problems({"outcome": "Issued"}) == [
        "row 2, column outcome: must be written exactly issued; the values are issued, "
        "refused, withdrawn, pending (Issued)"
    ]


@pytest.mark.parametrize("outcome", ["issued", "refused", "withdrawn"])
def test_decided_on_is_required_when_the_outcome_is_a_decision(outcome: str) -> None:
    assert request_problems({"outcome": outcome, "decided_on": ""}) == [
        f"row 2, column decided_on: is required when outcome is {outcome} (empty)"
    ]


def test_decided_on_column_may_be_absent_when_every_request_is_pending() -> None:
    header = [name for name in REQUESTS.column_names if name != "decided_on"]

    chunk = single_chunk(csv_file(requests({"outcome": "pending"}), header), "requests")

    assert np.isnat(chunk.columns["decided_on"][0])


def test_decided_on_before_requested_on_is_refused() -> None:
    rows = requests(
        {
            "requested_on": "2020-03-01",
            "interview_requested_on": "",
            "interview_held_on": "",
            "decided_on": "2020-02-28",
        }
    )

    assert problems(csv_file(rows), "requests") == [
        "row 2, column decided_on: must not be before requested_on 2020-03-01 (2020-02-28)"
    ]


def test_decided_on_the_day_of_the_request_is_accepted() -> None:
    rows = requests(
        {
            "requested_on": "2020-03-01",
            "interview_requested_on": "",
            "interview_held_on": "",
            "decided_on": "2020-03-01",
        }
    )

    assert single_chunk(csv_file(rows), "requests").columns["decided_on"][0] == np.datetime64(
        "2020-03-01"
    )


def test_interview_requested_before_the_request_is_refused() -> None:
    assert request_problems({"interview_requested_on": "2020-02-01", "interview_held_on": ""}) == [
        "row 2, column interview_requested_on: must not be before requested_on 2020-03-01 "
        "(2020-02-01)"
    ]


def test_interview_held_before_it_was_requested_is_refused() -> None:
    assert request_problems({"interview_held_on": "2020-03-04"}) == [
        "row 2, column interview_held_on: must not be before interview_requested_on "
        "2020-03-05 (2020-03-04)"
    ]


def test_interview_held_without_a_request_date_is_accepted() -> None:
    rows = requests({"interview_requested_on": "", "interview_held_on": "2020-03-20"})

    chunk = single_chunk(csv_file(rows), "requests")

    assert chunk.columns["interview_held_on"][0] == np.datetime64("2020-03-20")


def test_cross_column_rules_are_not_applied_to_an_invalid_date() -> None:
    # The bad date is reported once; it is not also "before" anything.
    assert request_problems({"requested_on": "2020-02-30"}) == [
        "row 2, column requested_on: is not a real calendar date (2020-02-30)"
    ]


def test_bytes_that_are_not_utf8_are_reported_at_their_cell() -> None:
    text = "request_id,country,requested_on,outcome\nR\xe9f,NGA,2020-01-01,pending\n"
    source = io.BytesIO(text.encode("latin-1"))

    assert problems(source, "requests") == [
        "row 2, column request_id: is not valid UTF-8 text; save the file as CSV UTF-8 (R\\xe9f)"
    ]


# --- cases --------------------------------------------------------------------------


def case_problems(*overrides: dict[str, str]) -> list[str]:
    rows = [
        {**VALID_CASE, "case_id": f"C{number}", **override}
        for number, override in enumerate(overrides, start=1)
    ]
    return problems(csv_file(rows), "cases")


def test_valid_cases_get_their_defaults() -> None:
    rows = [{**VALID_CASE, "impediment": "", "category": "", "removal_mode": "", "flight": ""}]

    chunk = single_chunk(csv_file(rows), "cases")

    assert list(chunk.columns) == list(CASES.column_names)
    assert chunk.columns["impediment"][0] == "none"
    assert chunk.columns["category"][0] == "other"
    assert chunk.columns["removal_mode"][0] is None
    assert chunk.columns["flight"][0] is None


def test_removed_on_is_required_for_a_removed_case() -> None:
    assert case_problems({"removed_on": ""}) == [
        "row 2, column removed_on: is required when status is removed (empty)"
    ]


def test_removed_on_must_be_empty_unless_removed() -> None:
    assert case_problems({"status": "pending", "removal_mode": "", "flight": ""}) == [
        "row 2, column removed_on: must be empty when status is pending (2020-05-01)"
    ]


def test_closed_on_is_required_for_a_closed_case() -> None:
    assert case_problems({"status": "closed", "removed_on": ""}) == [
        "row 2, column closed_on: is required when status is closed (empty)"
    ]


def test_closed_on_must_be_empty_unless_closed() -> None:
    assert case_problems({"closed_on": "2020-06-01"}) == [
        "row 2, column closed_on: must be empty when status is removed (2020-06-01)"
    ]


def test_removal_before_the_order_was_enforceable_is_refused() -> None:
    assert case_problems({"removed_on": "2019-05-31"}) == [
        "row 2, column removed_on: must not be before order_enforceable_on 2019-06-01 (2019-05-31)"
    ]


def test_closing_before_the_order_was_enforceable_is_refused() -> None:
    assert case_problems({"status": "closed", "removed_on": "", "closed_on": "2019-01-01"}) == [
        "row 2, column closed_on: must not be before order_enforceable_on 2019-06-01 (2019-01-01)"
    ]


def test_order_enforceable_on_is_required() -> None:
    assert case_problems({"order_enforceable_on": ""}) == [
        "row 2, column order_enforceable_on: is required (empty)"
    ]


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("status", "deported"),
        ("impediment", "health"),
        ("category", "criminal"),
        ("removal_mode", "solo"),
        ("flight", "scheduled"),
    ],
)
def test_case_choices_outside_the_contract_are_refused(column: str, value: str) -> None:
    [message] = case_problems({column: value})

    assert message.startswith(f"row 2, column {column}: must be one of ")
    assert message.endswith(f"({value})")


def test_case_id_of_65_characters_is_refused() -> None:
    assert case_problems({"case_id": "c" * 65}) == [
        f"row 2, column case_id: must be at most 64 characters; it has 65 ({'c' * 65})"
    ]


# --- aggregates ---------------------------------------------------------------------


def aggregate_problems(*rows: dict[str, str], declared: Iterable[str] = ()) -> list[str]:
    return problems(csv_file([{**VALID_AGGREGATE, **row} for row in rows]), "aggregates", declared)


@pytest.mark.parametrize(
    "name",
    [
        "aggregates-ukho-ret-d01-annual.csv",
        "aggregates-ukho-ret-d01-enf-vol-annual.csv",
        "aggregates-ukho-ret-d01-quarterly.csv",
    ],
)
def test_uk_home_office_returns_validate_with_kosovo_declared(name: str) -> None:
    path = UK_RETURNS / name
    if not path.exists():
        pytest.skip(f"{path} is absent: the shared UK returns data is not on this machine")
    with path.open(newline="", encoding="utf-8") as stream:
        expected_rows = sum(1 for _ in stream) - 1

    chunks = list(read_file(path, "aggregates", {"XKX"}))

    assert sum(len(chunk) for chunk in chunks) == expected_rows
    assert all(chunk.columns["value"].min() >= 0 for chunk in chunks)


def test_uk_home_office_returns_need_kosovo_declared() -> None:
    path = UK_RETURNS / "aggregates-ukho-ret-d01-annual.csv"
    if not path.exists():
        pytest.skip(f"{path} is absent: the shared UK returns data is not on this machine")

    with pytest.raises(FileRejected) as refusal:
        list(read_file(path, "aggregates", frozenset()))

    assert {problem.value for problem in refusal.value.problems} == {"XKX"}


def test_aggregate_periods_get_their_first_and_last_day() -> None:
    rows = [
        {**VALID_AGGREGATE, "period": period, "source": period}
        for period in ("2019", "2019-Q3", "2020-02")
    ]

    chunk = single_chunk(csv_file(rows), "aggregates")

    assert list(chunk.columns) == [*AGGREGATES.column_names, "period_first_day", "period_last_day"]
    assert chunk.columns["period_first_day"].astype(str).tolist() == [
        "2019-01-01",
        "2019-07-01",
        "2020-02-01",
    ]
    assert chunk.columns["period_last_day"].astype(str).tolist() == [
        "2019-12-31",
        "2019-09-30",
        "2020-02-29",
    ]
    assert chunk.columns["value"].tolist() == [49, 49, 49]


@pytest.mark.parametrize(
    ("period", "message"),
    [
        ("2019-Q5", "a quarter is written YYYY-Qn with a capital Q and n from 1 to 4"),
        ("2019-q1", "a quarter is written YYYY-Qn with a capital Q and n from 1 to 4"),
        ("2019-13", "a month is written YYYY-MM with MM from 01 to 12"),
        ("2019-00", "a month is written YYYY-MM with MM from 01 to 12"),
        ("2019-1", "must be a year (2019), a quarter (2019-Q1) or a month (2019-01)"),
        ("19", "must be a year (2019), a quarter (2019-Q1) or a month (2019-01)"),
        ("2019-01-01", "must be a year (2019), a quarter (2019-Q1) or a month (2019-01)"),
        ("0000", "the year must be 0001 or later"),
        ("", "is required"),
    ],
)
def test_period_must_be_a_year_a_quarter_or_a_month(period: str, message: str) -> None:
    assert aggregate_problems({"period": period}) == [
        f"row 2, column period: {message} ({period or 'empty'})"
    ]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("-1", "must be 0 or more"),
        ("1.5", "must be a whole number written with digits only, such as 1234"),
        ("1,234", "must be a whole number written with digits only, such as 1234"),
        ("12.0", "must be a whole number written with digits only, such as 1234"),
        ("", "is required"),
        ("9" * 20, "is too large"),
    ],
)
def test_value_must_be_a_whole_number_of_zero_or_more(value: str, message: str) -> None:
    assert aggregate_problems({"value": value}) == [
        f"row 2, column value: {message} ({value or 'empty'})"
    ]


def test_value_zero_and_leading_zeros_are_accepted() -> None:
    rows = [
        {**VALID_AGGREGATE, "value": "0"},
        {**VALID_AGGREGATE, "value": "0000000000000000000000042", "source": "other"},
    ]

    chunk = single_chunk(csv_file(rows), "aggregates")

    assert chunk.columns["value"].tolist() == [0, 42]


def test_source_longer_than_its_database_column_is_refused() -> None:
    assert aggregate_problems({"source": "s" * 301}) == [
        f"row 2, column source: must be at most 300 characters; it has 301 ({'s' * 79}…)"
    ]


def test_measure_outside_the_contract_is_refused() -> None:
    assert aggregate_problems({"measure": "removals"}) == [
        "row 2, column measure: must be one of orders, returns, td_requested, td_issued, "
        "td_refused (removals)"
    ]


def test_a_year_and_one_of_its_quarters_from_one_source_overlap() -> None:
    assert aggregate_problems({"period": "2019"}, {"period": "2019-Q1"}) == [
        "row 3, column period: overlaps 2019 at row 2 for the same country, measure and "
        "source; a total would be counted twice (2019-Q1)"
    ]


def test_a_quarter_and_a_month_inside_it_overlap() -> None:
    assert aggregate_problems({"period": "2019-02"}, {"period": "2019-Q1"}) == [
        "row 3, column period: overlaps 2019-02 at row 2 for the same country, measure and "
        "source; a total would be counted twice (2019-Q1)"
    ]


def test_each_period_inside_a_wider_one_is_reported() -> None:
    reported = aggregate_problems(
        {"period": "2019-Q1"}, {"period": "2019-Q2"}, {"period": "2019"}, {"period": "2020"}
    )

    assert reported == [
        "row 4, column period: overlaps 2019-Q1 at row 2 for the same country, measure and "
        "source; a total would be counted twice (2019)",
        "row 4, column period: overlaps 2019-Q2 at row 3 for the same country, measure and "
        "source; a total would be counted twice (2019)",
    ]


def test_overlapping_periods_of_different_sources_measures_or_countries_are_fine() -> None:
    rows = [
        {**VALID_AGGREGATE, "period": "2019"},
        {**VALID_AGGREGATE, "period": "2019-Q1", "source": "other source"},
        {**VALID_AGGREGATE, "period": "2019-Q1", "measure": "orders"},
        {**VALID_AGGREGATE, "period": "2019-Q1", "country": "ALB"},
        {**VALID_AGGREGATE, "period": "2020-Q1"},
    ]

    assert len(single_chunk(csv_file(rows), "aggregates")) == 5


def test_the_same_aggregate_twice_is_refused() -> None:
    assert aggregate_problems({"value": "1"}, {"value": "2"}) == [
        "row 3, column period: repeats row 2: the same country, measure, source and period "
        "may appear only once in a file (2019)"
    ]


period_texts = st.one_of(
    st.integers(2018, 2020).map(str),
    st.builds("{}-Q{}".format, st.integers(2018, 2020), st.integers(1, 4)),
    st.builds("{}-{:02d}".format, st.integers(2018, 2020), st.integers(1, 12)),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(period_texts, min_size=1, max_size=12, unique=True))
def test_every_row_whose_period_overlaps_another_is_named(periods: list[str]) -> None:
    rows = [{**VALID_AGGREGATE, "period": period} for period in periods]
    covered = {period: parse_period(period) for period in periods}
    overlapping = {
        line
        for line, period in enumerate(periods, start=2)
        for other in periods
        if other != period and covered[period].overlaps(covered[other])
    }

    if not overlapping:
        assert len(single_chunk(csv_file(rows), "aggregates")) == len(periods)
        return
    with pytest.raises(FileRejected) as refusal:
        read_all(csv_file(rows), "aggregates")
    named = set()
    for problem in refusal.value.problems:
        assert problem.column == "period"
        other_line = int(re.search(r"at row (\d+)", problem.message)[1])
        assert covered[problem.value].overlaps(covered[periods[other_line - 2]])
        named |= {problem.line, other_line}
    assert named == overlapping


def test_periods_already_stored_that_overlap_the_file_are_reported() -> None:
    incoming = [
        (2, "AFG", "returns", "UKHO", "2019"),
        (3, "AFG", "returns", "UKHO", "2020-Q1"),
        (4, "AFG", "returns", "other", "2019"),
    ]
    stored = [("AFG", "returns", "UKHO", "2019-Q4"), ("AFG", "returns", "UKHO", "2020-Q1")]

    assert [str(problem) for problem in stored_period_overlaps(incoming, stored)] == [
        "row 2, column period: overlaps 2019-Q4 already stored for the same country, measure "
        "and source; a total would be counted twice; remove the stored periods or use the "
        "same ones (2019)"
    ]


@pytest.mark.parametrize(
    ("text", "months"),
    [
        ("2019", (2019 * 12, 2019 * 12 + 11)),
        ("2019-Q2", (2019 * 12 + 3, 2019 * 12 + 5)),
        ("2019-12", (2019 * 12 + 11, 2019 * 12 + 11)),
        ("2019-Q0", None),
        ("2019-Q1 ", None),
    ],
)
def test_parse_period_gives_the_months_covered(text: str, months: tuple | None) -> None:
    assert parse_period(text) == months


# --- countries ----------------------------------------------------------------------


def test_countries_declare_user_assigned_codes_with_their_names() -> None:
    rows = [
        {"code": "XKX", "name_en": "Kosovo", "name_fr": ""},
        {"code": "FRA", "name_en": "", "name_fr": ""},
    ]

    chunk = single_chunk(csv_file(rows), "countries")

    assert list(chunk.columns) == list(COUNTRIES.column_names)
    assert list(chunk.rows()) == [("XKX", "Kosovo", "Kosovo"), ("FRA", None, None)]


def test_name_en_is_required_for_a_user_assigned_code() -> None:
    rows = [{"code": "QMA", "name_en": "", "name_fr": "Pays test"}]

    assert problems(csv_file(rows), "countries") == [
        "row 2, column name_en: is required for the user-assigned code QMA (empty)"
    ]


def test_country_name_longer_than_its_database_column_is_refused() -> None:
    rows = [{"code": "XKX", "name_en": "K" * 201, "name_fr": ""}]

    [message] = problems(csv_file(rows), "countries")

    assert message.startswith("row 2, column name_en: must be at most 200 characters; it has 201")


def test_a_code_outside_iso_and_the_user_assigned_ranges_cannot_be_declared() -> None:
    rows = [{"code": "AAA", "name_en": "Test", "name_fr": ""}]

    assert problems(csv_file(rows), "countries") == [
        "row 2, column code: is neither an ISO 3166-1 alpha-3 code nor in a user-assigned "
        "range (XAA-XZZ, QMA-QZZ) (AAA)"
    ]


def test_a_country_listed_twice_is_refused() -> None:
    rows = [{"code": "XKX", "name_en": "Kosovo"}, {"code": "XKX", "name_en": "Kosova"}]

    assert problems(csv_file(rows), "countries") == [
        "row 3, column code: repeats row 2; each code may appear only once in a file (XKX)"
    ]


# --- The file as a whole ------------------------------------------------------------


def test_a_request_id_given_twice_names_the_first_row() -> None:
    rows = requests({}, {}, {})
    rows[2]["request_id"] = "R1"

    assert problems(csv_file(rows), "requests") == [
        "row 4, column request_id: repeats row 2; each request_id may appear only once in a file "
        "(R1)"
    ]


def test_a_key_repeated_in_another_chunk_is_found() -> None:
    rows = requests(*[{}] * 7)
    rows[6]["request_id"] = "R2"

    with pytest.raises(FileRejected) as refusal:
        read_all(csv_file(rows), "requests", chunk_rows=2)

    assert [str(problem) for problem in refusal.value.problems] == [
        "row 8, column request_id: repeats row 3; each request_id may appear only once in a file "
        "(R2)"
    ]


def test_a_hash_collision_does_not_make_keys_equal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(validation, "hash", lambda key: 7, raising=False)

    chunks = read_all(csv_file(requests({}, {}, {})), "requests")

    assert sum(len(chunk) for chunk in chunks) == 3


def test_every_bad_row_is_reported_not_only_the_first() -> None:
    reported = request_problems(
        {"country": "nga"}, {}, {"outcome": "maybe"}, {}, {"requested_on": "2020-1-1"}
    )

    assert [message.split(":")[0] for message in reported] == [
        "row 2, column country",
        "row 4, column outcome",
        "row 6, column requested_on",
    ]


def test_several_problems_of_one_row_are_all_reported_in_column_order() -> None:
    reported = request_problems({"request_id": "", "country": "", "outcome": "", "decided_on": ""})

    assert reported == [
        "row 2, column request_id: is required (empty)",
        "row 2, column country: is required (empty)",
        "row 2, column outcome: is required (empty)",
    ]


def test_problems_are_kept_up_to_the_cap_and_all_counted() -> None:
    bad_rows = MAX_REPORTED_PROBLEMS + 200
    rows = requests(*[{"country": "nga"}] * bad_rows)

    with pytest.raises(FileRejected) as refusal:
        read_all(csv_file(rows), "requests", chunk_rows=300)

    assert refusal.value.problem_count == bad_rows
    assert len(refusal.value.problems) == MAX_REPORTED_PROBLEMS
    report = refusal.value.report().splitlines()
    assert report[0] == f"The file was refused: {bad_rows:,} problems found; nothing was stored."
    assert report[1] == "row 2, column country: must be written exactly NGA (nga)"
    assert len(report) == 1 + 100 + 1
    assert report[-1] == f"... and {bad_rows - 100:,} more."


def test_no_chunk_is_handed_out_after_a_problem() -> None:
    rows = requests(*[{}] * 12)
    rows[8]["outcome"] = "maybe"  # row 10
    handed_out = []

    chunks = read_file(csv_file(rows), "requests", chunk_rows=2)
    with pytest.raises(FileRejected):
        handed_out.extend(line for chunk in chunks for line in chunk.lines.tolist())

    assert handed_out
    assert handed_out == list(range(2, 2 + len(handed_out)))
    assert max(handed_out) < 10


def test_a_chunk_that_repeats_its_own_key_is_not_handed_out() -> None:
    # The database applies a chunk in one statement, which a key given twice would break.
    rows = requests(*[{}] * 12)
    chunk_lines = [chunk.lines.tolist() for chunk in read_all(csv_file(rows), "requests", (), 2)]
    first, second = chunk_lines[2][:2]  # two rows of the third chunk (a CSV is cut by size)
    rows[second - 2]["request_id"] = rows[first - 2]["request_id"]  # as long: same chunks
    handed_out = []

    chunks = read_file(csv_file(rows), "requests", chunk_rows=2)
    with pytest.raises(FileRejected) as refusal:
        handed_out.extend(line for chunk in chunks for line in chunk.lines.tolist())

    assert handed_out == list(range(2, first))
    assert [str(problem) for problem in refusal.value.problems] == [
        f"row {second}, column request_id: repeats row {first}; each request_id may appear "
        f"only once in a file (R{first - 1})"
    ]


def test_a_chunk_that_repeats_a_key_of_an_earlier_chunk_is_handed_out_then_refused() -> None:
    rows = requests(*[{}] * 6)
    rows[5]["request_id"] = "R1"  # row 7 repeats row 2, in another chunk
    handed_out = []

    chunks = read_file(csv_file(rows), "requests", chunk_rows=2)
    with pytest.raises(FileRejected):
        handed_out.extend(line for chunk in chunks for line in chunk.lines.tolist())

    assert handed_out == list(range(2, 8))


def test_a_header_problem_is_raised_before_any_chunk() -> None:
    source = csv_file([{"request_id": "R1", "outcome": "pending"}])
    chunks = read_file(source, "requests")

    with pytest.raises(FileRejected) as refusal:
        next(chunks)

    assert [str(problem) for problem in refusal.value.problems] == [
        "row 1, column country: required column is missing from the header (request_id,outcome)",
        "row 1, column requested_on: required column is missing from the header "
        "(request_id,outcome)",
    ]


def test_an_unknown_kind_of_file_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="Unknown kind of file 'request'"):
        next(read_file(csv_file(requests({})), "request"))


# --- Dates in bulk ------------------------------------------------------------------


def reference_date(text: str) -> dt.date | None:
    """What `iso_dates` must find, written the slow and obvious way."""
    if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text):
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


date_like_texts = st.one_of(
    st.dates().map(dt.date.isoformat),
    st.from_regex(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", fullmatch=True),
    st.from_regex(r"[0-9 -]{0,12}", fullmatch=True),
    st.text(max_size=12),
    st.just(""),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(date_like_texts, max_size=40))
def test_bulk_date_parsing_agrees_with_the_calendar(texts: list[str]) -> None:
    dates, is_empty, is_malformed = iso_dates(texts)

    for text, date, empty, malformed in zip(texts, dates, is_empty, is_malformed, strict=True):
        expected = reference_date(text)
        assert empty == (text == "")
        assert malformed == (text != "" and expected is None)
        assert (None if np.isnat(date) else date.astype(dt.date)) == expected


# --- Round trips and corruption -----------------------------------------------------

identifiers = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=64)
ISO_SAMPLE = ["FRA", "NGA", "AFG", "CHN", "IND", "GBR", "XKX"]


@st.composite
def valid_requests(draw: st.DrawFn) -> list[dict[str, str]]:
    request_ids = draw(st.lists(identifiers, min_size=1, max_size=12, unique=True))
    rows = []
    for request_id in request_ids:
        requested = draw(st.dates(dt.date(1990, 1, 1), dt.date(2030, 12, 31)))
        interview_asked = draw(st.none() | st.dates(requested, dt.date(2031, 12, 31)))
        interview_held = draw(
            st.none() | st.dates(interview_asked or requested, dt.date(2032, 12, 31))
        )
        outcome = draw(st.sampled_from(REQUESTS.column("outcome").choices))
        decided = None if outcome == "pending" else draw(st.dates(requested, dt.date(2032, 12, 31)))
        rows.append(
            {
                "request_id": request_id,
                "case_id": draw(st.just("") | identifiers),
                "country": draw(st.sampled_from(ISO_SAMPLE)),
                "requested_on": requested.isoformat(),
                "document_type": draw(
                    st.sampled_from(("", *REQUESTS.column("document_type").choices))
                ),
                "interview_requested_on": interview_asked.isoformat() if interview_asked else "",
                "interview_held_on": interview_held.isoformat() if interview_held else "",
                "outcome": outcome,
                "decided_on": decided.isoformat() if decided else "",
            }
        )
    return rows


def written(rows: list[dict[str, str]], *, bom: bool, crlf: bool, extra: bool) -> io.BytesIO:
    header = list(REQUESTS.column_names)[::-1]
    if extra:
        header.insert(2, "x_note")
    records = [header, *([row.get(name, 'free, "text"\nhere') for name in header] for row in rows)]
    text = csv_text(records, "\r\n" if crlf else "\n")
    return io.BytesIO((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))


def expected_value(name: str, text: str) -> object:
    if name == "document_type":
        return text or "other"
    if REQUESTS.column(name).value_type == "date":
        return dt.date.fromisoformat(text) if text else None
    return text or None


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    valid_requests(),
    st.integers(min_value=1, max_value=5),
    st.booleans(),
    st.booleans(),
    st.booleans(),
)
def test_valid_requests_written_to_csv_read_back_identically(
    rows: list[dict[str, str]], chunk_rows: int, bom: bool, crlf: bool, extra: bool
) -> None:
    source = written(rows, bom=bom, crlf=crlf, extra=extra)

    chunks = read_all(source, "requests", declared={"XKX"}, chunk_rows=chunk_rows)

    read_back = [row for chunk in chunks for row in chunk.rows()]
    assert read_back == [
        tuple(expected_value(name, row[name]) for name in REQUESTS.column_names) for row in rows
    ]
    lines = [line for chunk in chunks for line in chunk.lines.tolist()]
    assert lines == list(range(2, len(rows) + 2))


CORRUPTIONS = {
    "request_id": st.sampled_from(["", "x" * 65]),
    "case_id": st.just("y" * 65),
    "country": st.sampled_from(["", "nga", "ZZZ", "XQQ", "NG", "N1A"]),
    "requested_on": st.sampled_from(["", "2020-01", "2021-02-29", "01/02/2020", "2020-1-1"]),
    "document_type": st.sampled_from(["visa", "Passport", " other"]),
    "interview_requested_on": st.sampled_from(["1989-12-31", "2020-13-01", "soon"]),
    "interview_held_on": st.sampled_from(["1989-12-31", "2019-02-29"]),
    "outcome": st.sampled_from(["", "granted", "ISSUED"]),
    "decided_on": st.sampled_from(["1989-12-31", "2020-02-30", "2020"]),
}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(valid_requests(), st.data())
def test_any_single_corrupted_field_is_reported_at_its_row_and_column(
    rows: list[dict[str, str]], data: st.DataObject
) -> None:
    row_index = data.draw(st.integers(min_value=0, max_value=len(rows) - 1))
    column = data.draw(st.sampled_from(sorted(CORRUPTIONS)))
    rows[row_index][column] = data.draw(CORRUPTIONS[column])
    if column == "decided_on" and rows[row_index]["outcome"] == "pending":
        rows[row_index]["outcome"] = "refused"  # a pending request must have no decision
    if column == "interview_held_on":
        rows[row_index]["interview_requested_on"] = rows[row_index]["requested_on"]

    with pytest.raises(FileRejected) as refusal:
        read_all(written(rows, bom=False, crlf=False, extra=False), "requests", {"XKX"})

    places = {(problem.line, problem.column) for problem in refusal.value.problems}
    assert (row_index + 2, column) in places
