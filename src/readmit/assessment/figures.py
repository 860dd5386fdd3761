"""From the intake tables to the contract's figures, for one window or many at once.

Why this module exists: the contract (../shared/contract/assessment.md) defines every figure
over requests, cases and aggregates; `estimators` and `ratings` compute them from plain
arrays. This module is the bridge: the histograms made with numpy from what `queries` reads
(no Python loop over requests), and the contract's dict per country. It
applies no permission: `selectors` decides who sees what, `services` saves runs.

Several windows can be assessed in one pass (the quarterly series): the windows must not
overlap, and each request, order, removal and aggregate is counted in the window that holds
its date. Every choice of interpretation is written in docs/methodology.md.
"""

import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.utils import timezone
from django.utils.translation import gettext as _

from readmit.assessment import estimators, queries, ratings
from readmit.assessment.ratings import Thresholds
from readmit.core.errors import DomainError
from readmit.core.models import Country
from readmit.intake.keys import day_number

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
# From the answers of `queries` to arrays by (country, window)


def _per_window_rows(rows: list[tuple], first: int, n_windows: int) -> list[tuple]:
    """(country, count_0, count_1, ...) rows as (country, window, count) rows."""
    return [
        (row[0], index, row[first + index])
        for row in rows
        for index in range(n_windows)
        if row[first + index]
    ]


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
    answers = queries.read(windows, country_codes)
    n_windows = len(windows)
    requests = answers.requests
    orders = _per_window_rows(answers.orders, 1, n_windows)
    removals = _per_window_rows(answers.removals, 1, n_windows)
    backlog = answers.backlog
    with_cases = [row[0] for row in answers.orders]
    aggregates = answers.aggregates

    codes = np.unique(
        np.concatenate(
            [
                requests.codes,
                _codes(orders),
                _codes(removals),
                backlog.codes,
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
    # Interviews count in the windows of the countries that have requests there.
    has_requests = np.isin(requests.interview_codes, codes)
    interview_group = group_of(
        requests.interview_codes[has_requests], requests.interview_window[has_requests]
    )

    # The backlog at each window's D: cases ordered on or before D, aged D - order day.
    backlog_country = np.searchsorted(codes, backlog.codes).astype(np.int64)
    order_day, backlog_n = backlog.order_day, backlog.count
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
            np.bincount(
                interview_group,
                weights=requests.interviews_requested[has_requests],
                minlength=n_groups,
            )
        ).astype(np.int64),
        interviews_held=np.rint(
            np.bincount(
                interview_group, weights=requests.interviews_held[has_requests], minlength=n_groups
            )
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
            if not _is_sorted(arrays):
                order = np.lexsort(arrays[::-1])
                arrays = tuple(array[order] for array in arrays)
            for array in arrays:
                digest.update(np.ascontiguousarray(array, dtype=np.int64).tobytes())

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


def _is_sorted(arrays: Sequence[np.ndarray]) -> bool:
    """Whether the rows (one value from each array) are already in lexicographic order, as
    the histograms come from `queries`: then sorting them would change nothing."""
    undecided = np.ones(arrays[0].size - 1, dtype=bool)
    for array in arrays:
        step = np.diff(array)
        if (step[undecided] < 0).any():
            return False
        undecided &= step == 0
    return True


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
    listed_rows: list[list[dict[str, Any]]] = [[] for _ in windows]
    for country_index, code in enumerate(data.codes.tolist()):
        groups = range(country_index * n_windows, (country_index + 1) * n_windows)
        if not is_listed[groups.start : groups.stop].any():
            continue
        by_country[code] = []
        for index, group in enumerate(groups):
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
            row = {
                "country": code,
                "name": names.get(code, code),
                **indicators,
                **country_verdict(indicators, thresholds),
            }
            by_country[code].append(row)
            if is_listed[group]:
                listed_groups[index].append(group)
                listed_rows[index].append(row)
    results = []
    for index, window in enumerate(windows):
        totals = _totals(data, np.asarray(listed_groups[index], dtype=np.int64), thresholds)
        results.append(WindowFigures(window=window, countries=listed_rows[index], totals=totals))
    return Figures(
        windows=results,
        by_country=by_country,
        fingerprint=_fingerprint(data, windows),
        thresholds=thresholds,
    )


def _totals(data: _Data, groups: np.ndarray, thresholds: Thresholds) -> dict[str, Any]:
    """The figures of all listed countries together, as if they were one (no verdict).

    The rates are pooled (every request weighs the same); return_rate pools the cases only.
    """
    if groups.size == 0:
        return {"countries": 0, **_empty_totals(thresholds)}
    in_total = np.isin(data.request_group, groups)
    state, t, count = _pooled(
        data.request_state[in_total], data.request_t[in_total], data.request_count[in_total]
    )
    pooled = estimators.travel_document_indicators(
        np.zeros(count.size, dtype=np.int64),
        t,
        state,
        count,
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


def _pooled(
    state: np.ndarray, t: np.ndarray, count: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The rows of many countries' histograms as one histogram, a row per distinct
    (state, t): the estimators make the same of it, in far fewer rows."""
    span = int(t.max()) + 1 if t.size else 1
    summed = np.rint(np.bincount(state * span + t, weights=count)).astype(np.int64)
    distinct = np.flatnonzero(summed)
    return distinct // span, distinct % span, summed[distinct]


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
