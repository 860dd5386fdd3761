"""From the intake tables to the contract's figures, for one window or many at once.

Why this module exists: the contract (../shared/contract/assessment.md) defines every figure
over requests, cases and aggregates; `estimators` and `ratings` compute them from plain
arrays. This module is the bridge: a few GROUP BY queries over the intake tables (no Python
loop over requests), the histograms they return, and the contract's dict per country. It
applies no permission: `selectors` decides who sees what, `services` saves runs.

Several windows can be assessed in one pass (the quarterly series): the windows must not
overlap, and each request, order, removal and aggregate is counted in the window that holds
its date. Every choice of interpretation is written in docs/methodology.md.
"""

import datetime as dt
import hashlib
import itertools
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from readmit.assessment import estimators, ratings
from readmit.assessment.ratings import Thresholds
from readmit.core.errors import DomainError
from readmit.core.models import Country
from readmit.intake.models import Aggregate, RemovalCase, TravelDocumentRequest

EPOCH = dt.date(1970, 1, 1)

# The contract's keys, in the contract's order (the JSON output keeps it).
TRAVEL_DOCUMENT_KEYS = (
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
)
INTERVIEW_KEYS = ("interviews_requested", "interviews_held")
CASE_KEYS = (
    "orders",
    "removals",
    "return_rate",
    "return_rate_source",
    "td_backlog",
    "td_backlog_median_age_days",
)
INDICATOR_KEYS = TRAVEL_DOCUMENT_KEYS + INTERVIEW_KEYS + CASE_KEYS
VERDICT_KEYS = ("ratings", "classification", "pattern", "reasons")
COUNTRY_KEYS = ("country", "name", *INDICATOR_KEYS, *VERDICT_KEYS)
RATING_NAMES = ("issuance", "timeliness", "responsiveness", "returns")


def day_number(day: dt.date) -> int:
    """Days since 1970-01-01: the integer day columns of the intake tables."""
    return (day - EPOCH).days


@dataclass(frozen=True)
class Window:
    """An assessment window [start, end] as known on as_of (the contract's from, to, D)."""

    start: dt.date
    end: dt.date
    as_of: dt.date

    def __post_init__(self) -> None:
        if self.start > self.end:
            raise DomainError(
                _(
                    "The window starts on %(start)s, after its end %(end)s; "
                    "give a start on or before the end."
                )
                % {"start": self.start.isoformat(), "end": self.end.isoformat()}
            )
        if self.as_of < self.end:
            raise DomainError(
                _(
                    "The as-of date %(as_of)s is before the end of the window %(end)s; "
                    "it must be on or after it."
                )
                % {"as_of": self.as_of.isoformat(), "end": self.end.isoformat()}
            )


def one_year_before(end: dt.date) -> dt.date:
    """The contract's default start: the day after `end` minus one year (29 Feb -> 28 Feb)."""
    try:
        year_before = end.replace(year=end.year - 1)
    except ValueError:  # 29 February: a year before is 28 February
        year_before = end.replace(year=end.year - 1, day=28)
    return year_before + dt.timedelta(days=1)


def window_from(
    *,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    as_of: dt.date | None = None,
    today: dt.date | None = None,
) -> Window:
    """The contract's defaults: to = today, from = the day after to minus one year, as_of = to."""
    end = date_to or today or timezone.localdate()
    start = date_from or one_year_before(end)
    return Window(start=start, end=end, as_of=as_of or end)


@dataclass
class WindowFigures:
    """Every figure of one window: the listed countries (sorted by code) and the totals."""

    window: Window
    countries: list[dict[str, Any]]
    totals: dict[str, Any]


@dataclass
class Figures:
    """The result of `compute`: one WindowFigures per window, and the data's fingerprint."""

    windows: list[WindowFigures]
    by_country: dict[str, list[dict[str, Any]]]  # every window of each country listed in any
    fingerprint: str
    thresholds: Thresholds


# ---------------------------------------------------------------------------
# Queries


def _window_index_sql(column: str, windows: Sequence[Window], params: list) -> str:
    """SQL for the index of the window holding the day in `column` (NULL when none does)."""
    if len(windows) == 1:
        params += [day_number(windows[0].start), day_number(windows[0].end)]
        return f"CASE WHEN {column} BETWEEN %s AND %s THEN 0 END"
    whens = []
    for index, window in enumerate(windows):
        whens.append(f"WHEN {column} BETWEEN %s AND %s THEN {index}")
        params += [day_number(window.start), day_number(window.end)]
    return f"CASE {' '.join(whens)} END"


def _as_of_sql(column: str, windows: Sequence[Window], params: list) -> str:
    """SQL for D (as a day number) of the window holding the day in `column`."""
    if len(windows) == 1:
        params.append(day_number(windows[0].as_of))
        return "%s"
    whens = []
    for window in windows:
        whens.append(f"WHEN {column} BETWEEN %s AND %s THEN %s")
        params += [day_number(window.start), day_number(window.end), day_number(window.as_of)]
    return f"CASE {' '.join(whens)} END"


def _span(windows: Sequence[Window]) -> tuple[int, int]:
    return min(day_number(w.start) for w in windows), max(day_number(w.end) for w in windows)


def _country_filter(column: str, country_codes: Sequence[str] | None, params: list) -> str:
    if not country_codes:
        return ""
    params += list(country_codes)
    return f" AND {column} IN ({', '.join(['%s'] * len(country_codes))})"


def _fetch(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _fetch_grouped(sql: str, params: list) -> list[tuple]:
    """A query grouping millions of rows. On PostgreSQL, for this query only: enough memory
    for the hash of the groups (the default 4 MB spills it to disk) and no JIT compilation
    (it costs more than it saves on one scan)."""
    if connection.vendor != "postgresql":
        return _fetch(sql, params)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL work_mem = '128MB'")
        cursor.execute("SET LOCAL jit = off")
        cursor.execute(sql, params)
        return cursor.fetchall()


def _request_row_sql(windows: Sequence[Window], params: list) -> str:
    """SELECT list of one request: its window w, its state at D and t, its interview flags.

    The state at D is the outcome when it is not pending and decided_day <= D, else pending;
    t is decided_day - requested_day for the former, D - requested_day for the latter.
    """
    decided = "outcome <> 'pending' AND decided_day <= {d}"
    window_sql = _window_index_sql("requested_day", windows, params)
    d_state = _as_of_sql("requested_day", windows, params)
    d_t1 = _as_of_sql("requested_day", windows, params)
    d_t2 = _as_of_sql("requested_day", windows, params)
    d_asked = _as_of_sql("requested_day", windows, params)
    d_held = _as_of_sql("requested_day", windows, params)
    return f"""country_id,
        {window_sql} AS w,
        CASE WHEN {decided.format(d=d_state)}
            THEN CASE outcome WHEN 'issued' THEN 1 WHEN 'refused' THEN 2 ELSE 3 END
            ELSE 4 END AS state,
        CASE WHEN {decided.format(d=d_t1)}
            THEN decided_day - requested_day ELSE {d_t2} - requested_day END AS t,
        CASE WHEN interview_requested_day <= {d_asked} THEN 1 ELSE 0 END AS interview_requested,
        CASE WHEN interview_held_day <= {d_held} THEN 1 ELSE 0 END AS interview_held"""


def _are_contiguous(windows: Sequence[Window]) -> bool:
    """Whether the windows follow each other day after day (then every day between the first
    start and the last end lies in one of them)."""
    return all(
        later.start == earlier.end + dt.timedelta(days=1)
        for earlier, later in itertools.pairwise(windows)
    )


@dataclass
class _RequestHistogram:
    """(country, window, state at D, t) -> count, and the interview counts per (country, w)."""

    codes: np.ndarray  # the country of each histogram row
    window: np.ndarray
    state: np.ndarray
    t: np.ndarray
    count: np.ndarray
    interview_codes: np.ndarray  # the country of each interview row
    interview_window: np.ndarray
    interviews_requested: np.ndarray
    interviews_held: np.ndarray


def _request_histogram(
    windows: Sequence[Window], country_codes: Sequence[str] | None
) -> _RequestHistogram:
    """The requests of the windows, grouped: one GROUP BY on PostgreSQL, a sort-free pass of
    the index on SQLite. Why: docs/decisions/0303-assessment-queries-and-indexes.md"""
    if connection.vendor == "sqlite":
        return _request_histogram_streamed(windows, country_codes)
    return _request_histogram_grouped(windows, country_codes)


def _request_histogram_grouped(windows, country_codes) -> _RequestHistogram:
    """One GROUP BY country, window, state at D, t over the requests, interviews summed in."""
    table = TravelDocumentRequest._meta.db_table
    params: list = []
    row_sql = _request_row_sql(windows, params)
    first_day, last_day = _span(windows)
    params += [first_day, last_day]
    where = _country_filter("country_id", country_codes, params)
    outside = "" if _are_contiguous(windows) else "WHERE w IS NOT NULL"
    sql = f"""
        SELECT country_id, w, state, t, COUNT(*), SUM(interview_requested), SUM(interview_held)
        FROM (
            SELECT {row_sql} FROM {table}
            WHERE requested_day BETWEEN %s AND %s{where}
        ) AS histogram
        {outside}
        GROUP BY country_id, w, state, t
    """
    rows = _fetch_grouped(sql, params)
    window, state, t, count, requested, held = _int_columns(rows, 1, 7)
    codes = _codes(rows)
    return _RequestHistogram(codes, window, state, t, count, codes, window, requested, held)


# A request packed in one integer: ((window << 3 | state) << 2 | interviews) << 20 | t, with
# t below 2**20 days, the state below 8, and the interview flags (1 asked, 2 held by D).
_T_BITS, _INTERVIEW_BITS, _STATE_BITS = 20, 2, 3


def _request_histogram_streamed(windows, country_codes) -> _RequestHistogram:
    """The same histogram on SQLite, without the sort SQLite's GROUP BY needs.

    SQLite groups by sorting, about a microsecond a row. Read in the order of the index
    tdrequest_assessment (country first; the index holds every column needed here), the
    requests of one country come together: `GROUP BY country_id` streams, and `group_concat`
    hands over each request's window, state at D, interview flags and t packed in one
    integer; numpy counts them.
    """
    table = TravelDocumentRequest._meta.db_table
    params: list = []
    # One CASE for state and t, so that SQLite tests "decided by D" once a request.
    window_sql = _window_index_sql("requested_day", windows, params)
    d_asked = _as_of_sql("requested_day", windows, params)
    d_held = _as_of_sql("requested_day", windows, params)
    d_decided = _as_of_sql("requested_day", windows, params)
    d_pending = _as_of_sql("requested_day", windows, params)
    state_shift = _INTERVIEW_BITS + _T_BITS
    packed = f"""({window_sql} << {_STATE_BITS + state_shift})
        + (CASE WHEN interview_requested_day <= {d_asked} THEN 1 << {_T_BITS} ELSE 0 END)
        + (CASE WHEN interview_held_day <= {d_held} THEN 2 << {_T_BITS} ELSE 0 END)
        + CASE WHEN outcome <> 'pending' AND decided_day <= {d_decided}
            THEN (CASE outcome WHEN 'issued' THEN 1 WHEN 'refused' THEN 2 ELSE 3 END
                  << {state_shift}) + decided_day - requested_day
            ELSE (4 << {state_shift}) + {d_pending} - requested_day END"""
    first_day, last_day = _span(windows)
    params += [first_day, last_day]
    where = _country_filter("country_id", country_codes, params)
    rows = _fetch(
        f"""
        SELECT country_id, group_concat(packed) FROM (
            SELECT country_id, {packed} AS packed FROM {table}
            WHERE requested_day BETWEEN %s AND %s{where}
        ) AS requests
        WHERE packed IS NOT NULL
        GROUP BY country_id
        """,
        params,
    )
    per_country = [np.fromstring(text, dtype=np.int64, sep=",") for _code, text in rows]
    sizes = np.array([values.size for values in per_country], dtype=np.int64)
    country = np.repeat(np.arange(len(rows), dtype=np.int64), sizes)
    packed_values = np.concatenate(per_country) if per_country else np.zeros(0, dtype=np.int64)
    codes = np.asarray([code for code, _text in rows], dtype="<U3")

    # Count each distinct (country, window, state, interviews, t) once.
    t = packed_values & ((1 << _T_BITS) - 1)
    rest = packed_values >> _T_BITS  # (window << 3 | state) << 2 | interviews
    t_span = int(t.max()) + 1 if t.size else 1
    rest_span = len(windows) << (_STATE_BITS + _INTERVIEW_BITS)
    distinct, count = _distinct_counts((country * rest_span + rest) * t_span + t)
    t = distinct % t_span
    rest = (distinct // t_span) % rest_span
    country = distinct // t_span // rest_span
    window = rest >> (_STATE_BITS + _INTERVIEW_BITS)
    state = (rest >> _INTERVIEW_BITS) & ((1 << _STATE_BITS) - 1)
    interviews = rest & ((1 << _INTERVIEW_BITS) - 1)

    # Requests by (country, window, state, t), whatever their interviews.
    request_keys, request_position = np.unique(
        ((country * len(windows) + window) * 8 + state) * t_span + t, return_inverse=True
    )
    request_count = np.bincount(request_position, weights=count, minlength=request_keys.size)
    request_t = request_keys % t_span
    request_state = (request_keys // t_span) % 8
    request_group = request_keys // t_span // 8
    # Interviews by (country, window).
    group = country * len(windows) + window
    interview_keys, position = np.unique(group, return_inverse=True)
    asked = np.bincount(position, weights=count * (interviews & 1), minlength=interview_keys.size)
    held = np.bincount(position, weights=count * (interviews >> 1), minlength=interview_keys.size)
    return _RequestHistogram(
        codes=codes[request_group // len(windows)],
        window=request_group % len(windows),
        state=request_state,
        t=request_t,
        count=np.rint(request_count).astype(np.int64),
        interview_codes=codes[interview_keys // len(windows)],
        interview_window=interview_keys % len(windows),
        interviews_requested=np.rint(asked).astype(np.int64),
        interviews_held=np.rint(held).astype(np.int64),
    )


# Up to this many possible keys, counting is one bincount (linear); beyond, a sort.
_DENSE_COUNT_LIMIT = 10_000_000


def _distinct_counts(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct non-negative keys, ascending, and how many times each occurs."""
    if keys.size and int(keys.max()) < _DENSE_COUNT_LIMIT:
        counts = np.bincount(keys)
        distinct = np.flatnonzero(counts)
        return distinct, counts[distinct]
    return np.unique(keys, return_counts=True)


def _case_counts(windows, country_codes, day_column: str, status: str | None):
    """(country, window, count) of cases whose day_column lies in a window."""
    table = RemovalCase._meta.db_table
    params: list = []
    window_sql = _window_index_sql(day_column, windows, params)
    first_day, last_day = _span(windows)
    params += [first_day, last_day]
    status_sql = ""
    if status is not None:
        status_sql = " AND status = %s"
        params.append(status)
    where = _country_filter("country_id", country_codes, params)
    sql = f"""
        SELECT country_id, w, COUNT(*) FROM (
            SELECT country_id, {window_sql} AS w FROM {table}
            WHERE {day_column} BETWEEN %s AND %s{status_sql}{where}
        ) AS counted
        WHERE w IS NOT NULL
        GROUP BY country_id, w
    """
    return _fetch(sql, params)


def _backlog_by_order_day(windows, country_codes):
    """(country, order_enforceable_day, count) of pending cases held up by a travel document."""
    table = RemovalCase._meta.db_table
    params: list = ["pending", "travel_document", max(day_number(w.as_of) for w in windows)]
    where = _country_filter("country_id", country_codes, params)
    sql = f"""
        SELECT country_id, order_enforceable_day, COUNT(*) FROM {table}
        WHERE status = %s AND impediment = %s AND order_enforceable_day <= %s{where}
        GROUP BY country_id, order_enforceable_day
    """
    return _fetch(sql, params)


def _countries_with_cases(country_codes) -> set[str]:
    queryset = RemovalCase.objects.all()
    if country_codes:
        queryset = queryset.filter(country_id__in=country_codes)
    return set(queryset.values_list("country_id", flat=True).distinct())


def _aggregate_sums(windows, country_codes):
    """(country, window, source, measure, sum) over periods lying wholly inside a window."""
    table = Aggregate._meta.db_table
    params: list = []
    whens = []
    for index, window in enumerate(windows):
        whens.append(f"WHEN period_start >= %s AND period_end <= %s THEN {index}")
        params += [window.start, window.end]
    params += [min(w.start for w in windows), max(w.end for w in windows)]
    where = _country_filter("country_id", country_codes, params)
    sql = f"""
        SELECT country_id, w, source, measure, SUM(value) FROM (
            SELECT country_id, CASE {" ".join(whens)} END AS w, source, measure, value
            FROM {table}
            WHERE period_start >= %s AND period_end <= %s{where}
        ) AS inside
        WHERE w IS NOT NULL
        GROUP BY country_id, w, source, measure
    """
    return _fetch(sql, params)


# ---------------------------------------------------------------------------
# Arrays


def _int_columns(rows: list[tuple], first: int, last: int) -> list[np.ndarray]:
    if not rows:
        return [np.zeros(0, dtype=np.int64) for _ in range(first, last)]
    columns = list(zip(*rows, strict=True))
    return [np.asarray(columns[i], dtype=np.int64) for i in range(first, last)]


def _codes(rows: list[tuple]) -> np.ndarray:
    if not rows:
        return np.zeros(0, dtype="<U3")
    return np.asarray(next(iter(zip(*rows, strict=True))), dtype=str)


@dataclass
class _Data:
    """Everything the queries returned, as arrays indexed by (country, window) group."""

    codes: np.ndarray  # every country that appears, sorted
    n_windows: int
    request_group: np.ndarray
    request_state: np.ndarray
    request_t: np.ndarray
    request_count: np.ndarray
    interviews_requested: np.ndarray  # per group
    interviews_held: np.ndarray
    orders: np.ndarray
    removals: np.ndarray
    backlog_group: np.ndarray
    backlog_age: np.ndarray
    backlog_count: np.ndarray
    has_cases: np.ndarray  # per country
    aggregates: dict[tuple[int, int], list[tuple[str, str, int]]]  # group -> rows
    has_aggregate: np.ndarray  # per group

    @property
    def n_groups(self) -> int:
        return len(self.codes) * self.n_windows


def _load(windows: Sequence[Window], country_codes: Sequence[str] | None) -> _Data:
    requests = _request_histogram(windows, country_codes)
    orders = _case_counts(windows, country_codes, "order_enforceable_day", None)
    removals = _case_counts(windows, country_codes, "removed_day", "removed")
    backlog = _backlog_by_order_day(windows, country_codes)
    with_cases = _countries_with_cases(country_codes)
    aggregates = _aggregate_sums(windows, country_codes)

    codes = np.unique(
        np.concatenate(
            [
                requests.codes,
                requests.interview_codes,
                _codes(orders),
                _codes(removals),
                _codes(backlog),
                _codes(aggregates),
                np.asarray(sorted(country_codes or []), dtype="<U3"),
            ]
        )
    )
    n_windows = len(windows)
    n_groups = len(codes) * n_windows

    def group_of(countries: np.ndarray, window: np.ndarray) -> np.ndarray:
        return np.searchsorted(codes, countries).astype(np.int64) * n_windows + window

    def groups(rows: list[tuple]) -> np.ndarray:
        return group_of(_codes(rows), _int_columns(rows, 1, 2)[0])

    def per_group(rows: list[tuple], column: int) -> np.ndarray:
        values = _int_columns(rows, column, column + 1)[0]
        total = np.bincount(groups(rows), weights=values, minlength=n_groups)
        return np.rint(total).astype(np.int64)

    request_group = group_of(requests.codes, requests.window)
    interview_group = group_of(requests.interview_codes, requests.interview_window)

    # The backlog at each window's D: cases ordered on or before D, aged D - order day.
    backlog_country = np.searchsorted(codes, _codes(backlog)).astype(np.int64)
    (order_day, backlog_n) = _int_columns(backlog, 1, 3)
    backlog_parts = ([], [], [])
    for index, window in enumerate(windows):  # one pass per window, not per case
        d = day_number(window.as_of)
        kept = order_day <= d
        backlog_parts[0].append(backlog_country[kept] * n_windows + index)
        backlog_parts[1].append(d - order_day[kept])
        backlog_parts[2].append(backlog_n[kept])

    aggregate_rows: dict[tuple[int, int], list[tuple[str, str, int]]] = defaultdict(list)
    has_aggregate = np.zeros(n_groups, dtype=bool)
    if aggregates:
        aggregate_groups = groups(aggregates)
        has_aggregate[aggregate_groups] = True
        for group, (_code, _w, source, measure, value) in zip(
            aggregate_groups.tolist(), aggregates, strict=True
        ):
            aggregate_rows[group].append((source, measure, int(value)))

    return _Data(
        codes=codes,
        n_windows=n_windows,
        request_group=request_group,
        request_state=requests.state,
        request_t=requests.t,
        request_count=requests.count,
        interviews_requested=np.rint(
            np.bincount(interview_group, weights=requests.interviews_requested, minlength=n_groups)
        ).astype(np.int64),
        interviews_held=np.rint(
            np.bincount(interview_group, weights=requests.interviews_held, minlength=n_groups)
        ).astype(np.int64),
        orders=per_group(orders, 2),
        removals=per_group(removals, 2),
        backlog_group=np.concatenate(backlog_parts[0]),
        backlog_age=np.concatenate(backlog_parts[1]),
        backlog_count=np.concatenate(backlog_parts[2]),
        has_cases=np.isin(codes, np.asarray(sorted(with_cases), dtype="<U3")),
        aggregates=dict(aggregate_rows),
        has_aggregate=has_aggregate,
    )


def _fingerprint(data: _Data, windows: Sequence[Window]) -> str:
    """SHA-256 of every input the figures were computed from, in a canonical order."""
    digest = hashlib.sha256()

    def add(label: str, *arrays: np.ndarray) -> None:
        digest.update(label.encode())
        if arrays and arrays[0].size:
            order = np.lexsort(arrays[::-1])
            for array in arrays:
                digest.update(np.ascontiguousarray(array[order], dtype=np.int64).tobytes())

    for window in windows:
        digest.update(f"{window.start}|{window.end}|{window.as_of};".encode())
    digest.update(",".join(data.codes.tolist()).encode())
    add(
        "requests",
        data.request_group,
        data.request_state,
        data.request_t,
        data.request_count,
    )
    add("interviews", data.interviews_requested, data.interviews_held)
    add("orders", data.orders, data.removals)
    add("backlog", data.backlog_group, data.backlog_age, data.backlog_count)
    digest.update(b"cases" + np.packbits(data.has_cases).tobytes())
    digest.update(b"aggregates")
    for group in sorted(data.aggregates):
        for source, measure, value in sorted(data.aggregates[group]):
            digest.update(f"{group}|{source}|{measure}|{value};".encode())
    return digest.hexdigest()


# ---------------------------------------------------------------------------
# Figures


def _travel_document_figures(
    group: np.ndarray, data: _Data, n_groups: int, thresholds: Thresholds
) -> estimators.TravelDocumentIndicators:
    return estimators.travel_document_indicators(
        group,
        data.request_t,
        data.request_state,
        data.request_count,
        n_groups,
        horizon_days=thresholds.timeliness_horizon_days,
        overdue_after_days=thresholds.overdue_after_days,
        z=thresholds.confidence_z,
    )


def _median_or_none(value: float) -> float | int | None:
    if np.isnan(value):
        return None
    return int(value) if float(value).is_integer() else float(value)


def _case_figures(
    orders: int,
    removals: int,
    backlog: int,
    backlog_median: float,
    has_cases: bool,
    aggregate_rows: list[tuple[str, str, int]],
) -> dict[str, Any]:
    if has_cases:
        rate = removals / orders if orders > 0 else None
        source = "cases" if rate is not None else None
    else:
        rate, source = estimators.aggregate_return_rate(aggregate_rows)
    return {
        "orders": orders,
        "removals": removals,
        "return_rate": rate,
        "return_rate_source": source,
        "td_backlog": backlog,
        "td_backlog_median_age_days": _median_or_none(backlog_median),
    }


def country_verdict(
    indicators: dict[str, Any],
    thresholds: Thresholds,
    gettext: Callable[[str], str] = ratings.gettext_noop,
) -> dict[str, Any]:
    """Ratings, classification, pattern and reason sentences (English unless gettext says)."""
    return ratings.verdict(indicators, thresholds, gettext)


def compute(
    windows: Sequence[Window],
    *,
    thresholds: Thresholds,
    country_codes: Sequence[str] | None = None,
) -> Figures:
    """The contract's figures of every window, from the database as it is now.

    ``country_codes``: only these countries, each listed even without data (unknown codes
    are refused); None lists every country the contract's membership rules select.
    """
    codes_asked = _known_codes(country_codes)
    data = _load(windows, codes_asked)
    n_windows, n_groups = data.n_windows, data.n_groups

    per_group = _travel_document_figures(data.request_group, data, n_groups, thresholds)
    backlog_median = estimators.weighted_median(
        data.backlog_group, data.backlog_age, data.backlog_count, n_groups
    )
    backlog = np.rint(
        np.bincount(data.backlog_group, weights=data.backlog_count, minlength=n_groups)
    ).astype(np.int64)

    is_listed = (
        (per_group.requests > 0)
        | (data.orders > 0)
        | (data.removals > 0)
        | (backlog > 0)
        | data.has_aggregate
    )
    if codes_asked:
        is_listed[:] = True

    names = dict(
        Country.all_objects.filter(code__in=data.codes.tolist()).values_list("code", "name_en")
    )
    by_country: dict[str, list[dict[str, Any]]] = {}
    listed_groups: list[list[int]] = [[] for _ in windows]
    for country_index, code in enumerate(data.codes.tolist()):
        groups = range(country_index * n_windows, (country_index + 1) * n_windows)
        if not is_listed[groups.start : groups.stop].any():
            continue
        by_country[code] = []
        for index, group in enumerate(groups):
            if is_listed[group]:
                listed_groups[index].append(group)
            indicators = {
                **per_group.for_country(group),
                "interviews_requested": int(data.interviews_requested[group]),
                "interviews_held": int(data.interviews_held[group]),
                **_case_figures(
                    int(data.orders[group]),
                    int(data.removals[group]),
                    int(backlog[group]),
                    backlog_median[group],
                    bool(data.has_cases[country_index]),
                    data.aggregates.get(group, []),
                ),
            }
            by_country[code].append(
                {
                    "country": code,
                    "name": names.get(code, code),
                    **indicators,
                    **country_verdict(indicators, thresholds),
                }
            )
    results = []
    for index, window in enumerate(windows):
        countries = [
            rows[index]
            for code, rows in by_country.items()
            if is_listed[_group_of(data, code, index)]
        ]
        totals = _totals(data, np.asarray(listed_groups[index], dtype=np.int64), thresholds)
        results.append(WindowFigures(window=window, countries=countries, totals=totals))
    return Figures(
        windows=results,
        by_country=by_country,
        fingerprint=_fingerprint(data, windows),
        thresholds=thresholds,
    )


def _group_of(data: _Data, code: str, window_index: int) -> int:
    return int(np.searchsorted(data.codes, code)) * data.n_windows + window_index


def _totals(data: _Data, groups: np.ndarray, thresholds: Thresholds) -> dict[str, Any]:
    """The figures of all listed countries together, as if they were one (no verdict).

    The rates are pooled (every request weighs the same); return_rate pools the cases only.
    """
    if groups.size == 0:
        return {"countries": 0, **_empty_totals(thresholds)}
    in_total = np.isin(data.request_group, groups)
    pooled = estimators.travel_document_indicators(
        np.zeros(int(in_total.sum()), dtype=np.int64),
        data.request_t[in_total],
        data.request_state[in_total],
        data.request_count[in_total],
        1,
        horizon_days=thresholds.timeliness_horizon_days,
        overdue_after_days=thresholds.overdue_after_days,
        z=thresholds.confidence_z,
    ).for_country(0)
    backlog_kept = np.isin(data.backlog_group, groups)
    backlog_median = estimators.weighted_median(
        np.zeros(int(backlog_kept.sum()), dtype=np.int64),
        data.backlog_age[backlog_kept],
        data.backlog_count[backlog_kept],
        1,
    )[0]
    orders = int(data.orders[groups].sum())
    removals = int(data.removals[groups].sum())
    return {
        "countries": int(groups.size),
        **pooled,
        "interviews_requested": int(data.interviews_requested[groups].sum()),
        "interviews_held": int(data.interviews_held[groups].sum()),
        "orders": orders,
        "removals": removals,
        "return_rate": removals / orders if orders else None,
        "td_backlog": int(data.backlog_count[backlog_kept].sum()),
        "td_backlog_median_age_days": _median_or_none(backlog_median),
    }


def _empty_totals(thresholds: Thresholds) -> dict[str, Any]:
    empty = np.zeros(0, dtype=np.int64)
    pooled = estimators.travel_document_indicators(
        empty, empty, empty, empty, 1, z=thresholds.confidence_z
    ).for_country(0)
    return {
        **pooled,
        "interviews_requested": 0,
        "interviews_held": 0,
        "orders": 0,
        "removals": 0,
        "return_rate": None,
        "td_backlog": 0,
        "td_backlog_median_age_days": None,
    }


TOTAL_KEYS = (
    "countries",
    *TRAVEL_DOCUMENT_KEYS,
    *INTERVIEW_KEYS,
    "orders",
    "removals",
    "return_rate",
    "td_backlog",
    "td_backlog_median_age_days",
)


def _known_codes(country_codes: Sequence[str] | None) -> list[str] | None:
    """Upper-cased, de-duplicated codes, sorted; an unknown code is refused by name."""
    if not country_codes:
        return None
    codes = sorted({code.strip().upper() for code in country_codes if code.strip()})
    known = set(Country.objects.filter(code__in=codes).values_list("code", flat=True))
    unknown = [code for code in codes if code not in known]
    if unknown:
        raise DomainError(
            _(
                "Unknown country code: %(codes)s. Use ISO 3166-1 alpha-3 codes, or "
                "user-assigned codes declared in the country table."
            )
            % {"codes": ", ".join(unknown)}
        )
    return codes or None
