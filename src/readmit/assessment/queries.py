"""What the assessment reads from the intake tables: a few statements, read side by side.

Why this module exists: the assessment of millions of requests spends its time reading
them, and this is the only place that does (docs/decisions/0303-assessment-queries-and-
indexes.md). Each statement walks one covering index in country order and groups by
country alone, which needs no sort on either database:

- the requests: per country, the `assessment_key` of every request made in the windows'
  span, end to end in one text (`group_concat` on SQLite, `string_agg` on PostgreSQL) that
  `bytes.fromhex` makes numbers; the keys say everything the figures need (`intake.keys`),
  and numpy does the rest in `histograms` and `figures`. Without a country filter the
  countries are cut into a few lists of codes, one statement each;
- the cases: in one pass, each country's orders and removals per window; the order days of
  its travel-document backlog, from an index of those cases alone; the aggregates per
  window.

The statements are independent, so where the database allows (not inside a transaction,
not an in-memory SQLite database) they run READMIT_ASSESSMENT_READERS at a time, each in a
connection of its own; the answers are the same either way.
"""

from __future__ import annotations

import functools
import queue
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
from django.conf import settings
from django.db import connection, connections

from readmit.assessment import histograms
from readmit.assessment.histograms import Period, RequestHistogram
from readmit.core.models import Country
from readmit.intake import keys
from readmit.intake.keys import day_number
from readmit.intake.models import (
    Aggregate,
    CaseStatus,
    Impediment,
    RemovalCase,
    TravelDocumentRequest,
)

#: Statements the requests are cut into when no country is asked for (lists of codes).
REQUEST_PARTS = 16


@dataclass(frozen=True)
class Statement:
    sql: str
    params: tuple
    parse: Callable[[list[tuple]], list] = list  # made of the rows, where they are read


@dataclass
class Backlog:
    """Pending cases held up by a travel document: how many per country and order day."""

    codes: np.ndarray
    order_day: np.ndarray
    count: np.ndarray


@dataclass
class Answers:
    """The rows of every statement, by what they hold."""

    requests: histograms.RequestHistogram
    orders: list[tuple]  # (country, orders_0, orders_1, ...), every country with cases
    removals: list[tuple]  # (country, removals_0, removals_1, ...)
    backlog: Backlog
    aggregates: list[tuple]  # (country, window, source, measure, sum)


def read(windows: Sequence[Period], country_codes: Sequence[str] | None) -> Answers:
    """Everything the figures of `windows` need, for the countries asked (None: all)."""
    request_statements = _request_statements(windows, country_codes)
    # The longest first (one pass over the cases, then the parts of the requests), so that
    # the short ones fill in after.
    statements = [
        _cases_statement(windows, country_codes),
        *request_statements,
        _backlog_statement(windows, country_codes),
        _aggregates_statement(windows, country_codes),
    ]
    results = _run(statements)
    orders, removals = results[0]
    return Answers(
        requests=histograms.end_to_end(results[1 : 1 + len(request_statements)]),
        orders=orders,
        removals=removals,
        backlog=results[-2],
        aggregates=results[-1],
    )


# --- Running the statements -----------------------------------------------------------


def _run(statements: Sequence[Statement]) -> list:
    readers = min(settings.READMIT_ASSESSMENT_READERS, len(statements))
    if readers < 2 or not _may_read_side_by_side():
        return [_fetch(statement) for statement in statements]
    waiting: queue.SimpleQueue[int] = queue.SimpleQueue()
    for index in range(len(statements)):
        waiting.put(index)
    results: list = [None] * len(statements)

    def reader() -> None:
        """Take the next statement until none is left, in one connection of its own (Django
        gives each thread its own), closed after."""
        try:
            while True:
                try:
                    index = waiting.get_nowait()
                except queue.Empty:
                    return
                results[index] = _fetch(statements[index])
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=readers) as pool:
        for done in [pool.submit(reader) for _ in range(readers)]:
            done.result()  # raises what a reader raised
    return results


def _may_read_side_by_side() -> bool:
    """Other connections see what this one sees: it is in no transaction, and the database
    is not SQLite's in-memory one (each connection would have its own)."""
    if connection.in_atomic_block:
        return False
    return not (connection.vendor == "sqlite" and connection.is_in_memory_db())


def _fetch(statement: Statement) -> list:
    with connection.cursor() as cursor:
        cursor.execute(statement.sql, statement.params)
        return statement.parse(cursor.fetchall())


# --- The statements ----------------------------------------------------------------------


def _days(window: Period) -> tuple[int, int, int]:
    return day_number(window.start), day_number(window.end), day_number(window.as_of)


def _span(windows: Sequence[Period]) -> tuple[int, int]:
    return (
        min(day_number(window.start) for window in windows),
        max(day_number(window.end) for window in windows),
    )


def _in_countries(country_codes: Sequence[str] | None, params: list) -> str:
    if not country_codes:
        return ""
    params += list(country_codes)
    return f" AND country_id IN ({', '.join(['%s'] * len(country_codes))})"


def _request_statements(windows: Sequence[Period], country_codes) -> list[Statement]:
    """Per country: the keys of its requests made in the windows' span, end to end, counted
    into a histogram where they are read."""
    key_range = keys.key_range(*_span(windows))
    statements = []
    for codes in _country_parts(country_codes):
        sql = f"""
            SELECT country_id, {_concatenated("assessment_key", separator="")}
            FROM {TravelDocumentRequest._meta.db_table}
            WHERE country_id IN ({", ".join(["%s"] * len(codes))})
            AND assessment_key >= %s AND assessment_key < %s
            GROUP BY country_id"""
        count = functools.partial(_request_histogram, windows=windows)
        statements.append(Statement(sql, (*codes, *key_range), parse=count))
    return statements


def _concatenated(column: str, separator: str = ",") -> str:
    """The values of a column of one group, as one text."""
    if connection.vendor == "postgresql":
        return f"string_agg({column}::text, '{separator}')"
    return f"group_concat({column}, '{separator}')"


def _request_histogram(rows: list[tuple], windows: Sequence[Period]) -> RequestHistogram:
    """The texts made arrays and counted. The units are read in the order they were written,
    so the i-th interview unit of a country is that of its i-th request flagged as having
    one."""
    codes, request_units, interview_units = [], [], []
    for code, concatenated_keys in rows:
        codes.append(code)
        requests, interviews = keys.split_units(keys.units(concatenated_keys))
        request_units.append(requests)
        interview_units.append(interviews)
    return histograms.request_histogram(codes, request_units, interview_units, windows)


def _country_parts(country_codes: Sequence[str] | None) -> list[list[str]]:
    """The countries asked for, or every country cut in REQUEST_PARTS lists of codes. A list
    lets the database seek each country's range of keys in the index instead of walking it
    all, in country order (so that grouping needs no sort)."""
    if country_codes:
        return [sorted(country_codes)]
    codes = sorted(Country.all_objects.values_list("code", flat=True))
    size = -(-len(codes) // REQUEST_PARTS)
    return [codes[at : at + size] for at in range(0, len(codes), size)]


def _cases_statement(windows: Sequence[Period], country_codes) -> Statement:
    """Per country with cases, in one pass over the index `case_orders`: its orders in each
    window, and its removals in each window (a removal after D has not happened; D is never
    before the window's end, so the window bounds it)."""
    params: list = []
    counts = []
    for window in windows:
        start, end, _as_of = _days(window)
        counts.append("COUNT(CASE WHEN order_enforceable_day BETWEEN %s AND %s THEN 1 END)")
        params += [start, end]
    for window in windows:
        start, end, _as_of = _days(window)
        counts.append("COUNT(CASE WHEN status = %s AND removed_day BETWEEN %s AND %s THEN 1 END)")
        params += [CaseStatus.REMOVED.value, start, end]
    where = _in_countries(country_codes, params)
    sql = f"""
        SELECT country_id, {", ".join(counts)}
        FROM {RemovalCase._meta.db_table}
        WHERE true{where}
        GROUP BY country_id"""
    parse = functools.partial(_orders_and_removals, n_windows=len(windows))
    return Statement(sql, tuple(params), parse=parse)


def _orders_and_removals(rows: list[tuple], n_windows: int) -> tuple[list[tuple], list[tuple]]:
    orders = [row[: 1 + n_windows] for row in rows]
    removals = [(row[0], *row[1 + n_windows :]) for row in rows]
    return orders, removals


def _backlog_statement(windows: Sequence[Period], country_codes) -> Statement:
    """Per country: the order days of its pending cases held up by a travel document, ordered
    on or before the latest D. The conditions are written out, not bound, so that both
    databases read the partial index `case_backlog`, which holds those cases alone."""
    params: list = [max(_days(window)[2] for window in windows)]
    where = _in_countries(country_codes, params)
    sql = f"""
        SELECT country_id, {_concatenated("order_enforceable_day")}
        FROM {RemovalCase._meta.db_table}
        WHERE status = '{CaseStatus.PENDING.value}'
        AND impediment = '{Impediment.TRAVEL_DOCUMENT.value}'
        AND order_enforceable_day <= %s{where}
        GROUP BY country_id"""
    return Statement(sql, tuple(params), parse=_backlog)


def _backlog(rows: list[tuple]) -> Backlog:
    """How many cases of each country were ordered on each day."""
    codes, days, counts = [], [], []
    for code, order_days_text in rows:
        order_days, count = np.unique(
            np.fromstring(order_days_text, dtype=np.int64, sep=","), return_counts=True
        )
        codes += [code] * order_days.size
        days.append(order_days)
        counts.append(count)
    return Backlog(
        codes=np.asarray(codes, dtype="<U3"),
        order_day=histograms.concatenated(days),
        count=histograms.concatenated(counts),
    )


def _aggregates_statement(windows: Sequence[Period], country_codes) -> Statement:
    """(country, window, source, measure, sum) over periods lying wholly inside a window."""
    params: list = []
    whens = []
    for index, window in enumerate(windows):
        whens.append(f"WHEN period_start >= %s AND period_end <= %s THEN {index}")
        params += [window.start, window.end]
    params += [min(w.start for w in windows), max(w.end for w in windows)]
    where = _in_countries(country_codes, params)
    sql = f"""
        SELECT country_id, w, source, measure, SUM(value) FROM (
            SELECT country_id, CASE {" ".join(whens)} END AS w, source, measure, value
            FROM {Aggregate._meta.db_table}
            WHERE period_start >= %s AND period_end <= %s{where}
        ) AS inside
        WHERE w IS NOT NULL
        GROUP BY country_id, w, source, measure"""
    return Statement(sql, tuple(params))
