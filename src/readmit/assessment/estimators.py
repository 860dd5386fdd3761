"""The statistics of methodology `readmit-2026.1`, computed over frequency-weighted histograms.

Why this module exists: every travel-document figure of a scorecard is a count, a ratio,
a Wilson interval, a Kaplan-Meier median or an Aalen-Johansen cumulative incidence. The
database layer does not hand over millions of requests; it groups them in SQL into a
histogram and this module computes every country's figures from it at once, with numpy
and without Django, so that a command, a view, a benchmark and a test get the same numbers.

The histogram (one-dimensional arrays of equal length, one entry per histogram row):

- ``group``: int in ``0 .. n_groups - 1``, the country's index (the caller keeps the
  index -> country code mapping; a group without rows is an empty country);
- ``t``: int days >= 0, ``decided_on - requested_on`` for a request decided on or before
  D, ``D - requested_on`` for a request pending at D;
- ``state``: a `RequestState` code (or a `Cause` code, or a boolean, per function);
- ``count``: int >= 0, the number of requests with that (group, t, state).

Rows may repeat and come in any order: a row of count 3 gives exactly the same result as
three rows of count 1. Results are arrays of length ``n_groups``: int64 for counts, float64
for everything else, unrounded, with NaN where the contract says null.

It also owns the small calendar helpers of the assessment (aggregate periods, trend
quarters) and the aggregates fallback of return_rate, which are pure too.
"""

import calendar
import datetime as dt
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import IntEnum

import numpy as np

Z_95 = 1.959964
TIMELINESS_HORIZON_DAYS = 30
OVERDUE_AFTER_DAYS = 30

# Survival estimates within this distance of one half are re-checked in exact rational
# arithmetic: a float product can land on either side of 0.5 when the true value is 0.5.
# Float error after k steps is about k * 1e-16, far inside the band.
_EXACT_CHECK_BAND = 1e-9


class RequestState(IntEnum):
    """A request's state at D, as coded in the histogram (the contract's order)."""

    ISSUED = 1
    REFUSED = 2
    WITHDRAWN = 3
    PENDING = 4


REQUEST_STATE_CODES: dict[str, int] = {state.name.lower(): int(state) for state in RequestState}


class Cause(IntEnum):
    """How a request leaves the risk set, for the competing-risks estimator."""

    CENSORED = 0
    ISSUED = 1
    REFUSED = 2


# ---------------------------------------------------------------------------
# Input checks


def _int_column(values: object, name: str) -> np.ndarray:
    column = np.asarray(values)
    if column.ndim != 1:
        raise ValueError(f"The histogram column {name} must be one-dimensional.")
    if column.size == 0:
        return np.zeros(0, dtype=np.int64)
    if column.dtype.kind not in "iub":
        raise ValueError(f"The histogram column {name} must hold integers ({column.dtype}).")
    return column.astype(np.int64, copy=False)


def _histogram(
    n_groups: int, group: object, count: object, **columns: object
) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    """Check a histogram and drop its empty rows (a count of 0 is no request at all)."""
    if n_groups < 0:
        raise ValueError("n_groups must be >= 0.")
    group_index = _int_column(group, "group")
    weight = _int_column(count, "count")
    others = {name: _int_column(values, name) for name, values in columns.items()}
    if any(column.shape != group_index.shape for column in (weight, *others.values())):
        raise ValueError("The histogram columns must all have the same length.")
    if group_index.size and (group_index.min() < 0 or group_index.max() >= n_groups):
        raise ValueError(f"Every group index must lie in 0 .. {n_groups - 1}.")
    if (weight < 0).any():
        raise ValueError("Counts must be >= 0.")
    if "t" in others and (others["t"] < 0).any():
        raise ValueError("Times must be whole days >= 0.")
    kept = weight > 0
    return group_index[kept], weight[kept], {name: c[kept] for name, c in others.items()}


def _count_by_group(group: np.ndarray, weight: np.ndarray, n_groups: int) -> np.ndarray:
    # float64 sums of integers are exact below 2**53, far above any request count.
    return np.rint(np.bincount(group, weights=weight, minlength=n_groups)).astype(np.int64)


def _rate(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    rate = np.full(np.shape(denominator), np.nan)
    np.divide(numerator, denominator, out=rate, where=denominator > 0)
    return rate


# ---------------------------------------------------------------------------
# Wilson score interval


def wilson_interval(
    successes: object, trials: object, z: float = Z_95
) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for successes out of trials, element by element.

    Returns (low, high) arrays; NaN where trials == 0. The upper bound is computed as one
    minus the lower bound of the failures, so that the interval is exactly symmetric and
    ends exactly at 0 (no success) and at 1 (no failure), without float rounding.
    """
    k = np.asarray(successes, dtype=np.float64)
    n = np.asarray(trials, dtype=np.float64)
    has_trials = n > 0
    low = np.where(has_trials, _wilson_low(k, n, z), np.nan)
    high = np.where(has_trials, 1 - _wilson_low(n - k, n, z), np.nan)
    return low, high


def _wilson_low(k: np.ndarray, n: np.ndarray, z: float) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        p = k / n
        z2_over_n = z * z / n
        centre = (p + z2_over_n / 2) / (1 + z2_over_n)
        half_width = z / (1 + z2_over_n) * np.sqrt(p * (1 - p) / n + z2_over_n / (4 * n))
    return np.where(k > 0, np.clip(centre - half_width, 0.0, 1.0), 0.0)


# ---------------------------------------------------------------------------
# Risk sets shared by the survival estimators


@dataclass(frozen=True)
class _RiskSets:
    """One entry per distinct (group, t) of a histogram, sorted by group then t."""

    group: np.ndarray  # the group of each risk set
    time: np.ndarray  # its time in days
    at_risk: np.ndarray  # requests of the group whose time is >= this time
    position: np.ndarray  # 0 for the group's earliest time, 1 for the next, ...


def _risk_sets(
    group: np.ndarray, t: np.ndarray, count: np.ndarray, *event_counts: np.ndarray
) -> tuple[_RiskSets, list[np.ndarray]]:
    """Collapse a histogram into risk sets, summing each of event_counts per set.

    A request with time t is at risk at every time <= t, whatever its outcome: censored
    requests are still at risk at their own time, as the contract says.
    """
    order = _group_then_time_order(group, t)
    group, t, count = group[order], t[order], count[order]
    if group.size == 0:
        empty = np.zeros(0, dtype=np.int64)
        return _RiskSets(empty, empty, empty, empty), [empty for _ in event_counts]

    is_new_set = np.ones(group.size, dtype=bool)
    is_new_set[1:] = (group[1:] != group[:-1]) | (t[1:] != t[:-1])
    set_start = np.flatnonzero(is_new_set)
    leaving = np.add.reduceat(count, set_start)
    events = [np.add.reduceat(event[order], set_start) for event in event_counts]
    set_group = group[set_start]

    is_group_start = np.ones(set_group.size, dtype=bool)
    is_group_start[1:] = set_group[1:] != set_group[:-1]
    group_start = np.flatnonzero(is_group_start)
    group_ordinal = np.cumsum(is_group_start) - 1
    position = np.arange(set_group.size) - group_start[group_ordinal]

    leaving_from_here = np.cumsum(leaving[::-1])[::-1]
    leaving_from_next_group = np.append(leaving_from_here, 0)[
        np.append(group_start[1:], set_group.size)
    ]
    at_risk = leaving_from_here - leaving_from_next_group[group_ordinal]
    return _RiskSets(set_group, t[set_start], at_risk, position), events


def _group_then_time_order(group: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Indices sorting the rows by group then t (one sort of a combined key is fastest; a
    stable sort takes the runs already in order, as in the assessment's histograms)."""
    if group.size == 0:
        return np.zeros(0, dtype=np.int64)
    span = int(t.max()) + 1
    if int(group.max()) + 1 > np.iinfo(np.int64).max // span:
        return np.lexsort((t, group))
    return np.argsort(group * span + t, kind="stable")


def _segmented_cumprod(factor: np.ndarray, position: np.ndarray) -> np.ndarray:
    """Running product of factor within each group (restarting where position == 0).

    A Hillis-Steele scan: log2(longest group) vectorised passes, each output a product of
    its own factors only (no division or logarithm, so no loss of precision across groups).
    """
    product = factor.astype(np.float64)
    longest = int(position.max()) + 1 if position.size else 0
    step = 1
    while step < longest:
        reaching_back = np.flatnonzero(position >= step)
        product[reaching_back] = product[reaching_back] * product[reaching_back - step]
        step *= 2
    return product


def _survival_after(sets: _RiskSets, events: np.ndarray) -> np.ndarray:
    """Kaplan-Meier S(t) just after each risk set's time: prod (1 - d_i / n_i)."""
    return _segmented_cumprod((sets.at_risk - events) / sets.at_risk, sets.position)


def _survival_before(sets: _RiskSets, survival_after: np.ndarray) -> np.ndarray:
    """Kaplan-Meier S(t-) just before each risk set's time (1 at a group's first time)."""
    before = np.ones_like(survival_after)
    later = np.flatnonzero(sets.position > 0)
    before[later] = survival_after[later - 1]
    return before


# ---------------------------------------------------------------------------
# Kaplan-Meier median


def kaplan_meier_median(
    group: object, t: object, is_event: object, count: object, n_groups: int
) -> np.ndarray:
    """Kaplan-Meier median time to the event, for every group at once.

    ``is_event`` is true for rows whose requests had the event (issued) at t; the others
    are censored at t and still at risk at t. S(t) = prod over times t_i <= t of
    (1 - d_i / n_i), n_i the requests with time >= t_i. The median is the smallest t with
    S(t) <= 0.5; NaN when S never gets there or the group is empty.

    Comparison with one half is exact: estimates within 1e-9 of 0.5 are settled by
    comparing 2 * prod(n_i - d_i) with prod(n_i) in Python integers.
    """
    group, count, columns = _histogram(n_groups, group, count, t=t, is_event=is_event)
    is_event = columns["is_event"] != 0
    sets, (events,) = _risk_sets(group, columns["t"], count, count * is_event)
    return _median_time(sets, events, n_groups)


def _median_time(sets: _RiskSets, events: np.ndarray, n_groups: int) -> np.ndarray:
    survival = _survival_after(sets, events)
    median = np.full(n_groups, np.nan)
    candidate = np.flatnonzero(survival <= 0.5 + _EXACT_CHECK_BAND)
    candidate_group = sets.group[candidate]
    reaching_group, first = np.unique(candidate_group, return_index=True)
    is_clearly_below = survival[candidate[first]] <= 0.5 - _EXACT_CHECK_BAND
    median[reaching_group[is_clearly_below]] = sets.time[candidate[first[is_clearly_below]]]
    for near_half in reaching_group[~is_clearly_below]:  # rare: S within 1e-9 of 0.5
        median[near_half] = _exact_median_time(
            sets, events, survival, candidate[candidate_group == near_half]
        )
    return median


def _exact_median_time(
    sets: _RiskSets, events: np.ndarray, survival: np.ndarray, candidates: np.ndarray
) -> float:
    """The first candidate risk set whose exact survival is <= 1/2, else NaN."""
    for index in candidates:
        if survival[index] <= 0.5 - _EXACT_CHECK_BAND or _is_at_most_half(sets, events, index):
            return float(sets.time[index])
    return math.nan


def _is_at_most_half(sets: _RiskSets, events: np.ndarray, index: int) -> bool:
    first = index - sets.position[index]
    at_risk = sets.at_risk[first : index + 1]
    deaths = events[first : index + 1]
    has_events = deaths > 0
    survivors = math.prod((at_risk - deaths)[has_events].tolist())
    return 2 * survivors <= math.prod(at_risk[has_events].tolist())


# ---------------------------------------------------------------------------
# Aalen-Johansen cumulative incidence


def cumulative_incidence(
    group: object,
    t: object,
    cause: object,
    count: object,
    n_groups: int,
    horizon_days: int = TIMELINESS_HORIZON_DAYS,
    cause_of_interest: int = Cause.ISSUED,
) -> np.ndarray:
    """Aalen-Johansen cumulative incidence of ``cause_of_interest`` by ``horizon_days``.

    ``cause`` codes each row with `Cause`: 0 censored at t (still at risk at t), 1 issued,
    2 refused (the competing event). CIF(h) = sum over times t_j <= h of
    S(t_j-) * d1_j / n_j, S the all-cause Kaplan-Meier estimate; events at t = 0 count, and
    all events at one time are handled together. NaN where the group is empty; 0 where it
    has requests but no event of interest by the horizon. The result is clipped to [0, 1]
    only to remove float rounding when every request has the event.
    """
    group, count, columns = _histogram(n_groups, group, count, t=t, cause=cause)
    cause = columns["cause"]
    if cause.size and (cause.min() < Cause.CENSORED or cause.max() > Cause.REFUSED):
        raise ValueError("Cause codes must be 0 (censored), 1 (issued) or 2 (refused).")
    sets, (any_event, interest) = _risk_sets(
        group,
        columns["t"],
        count,
        count * (cause != Cause.CENSORED),
        count * (cause == cause_of_interest),
    )
    return _incidence(sets, any_event, interest, n_groups, horizon_days)


def _incidence(
    sets: _RiskSets, any_event: np.ndarray, interest: np.ndarray, n_groups: int, horizon: int
) -> np.ndarray:
    survival_before = _survival_before(sets, _survival_after(sets, any_event))
    is_by_horizon = sets.time <= horizon
    increment = np.where(is_by_horizon, survival_before * interest / sets.at_risk, 0.0)
    incidence = np.clip(np.bincount(sets.group, weights=increment, minlength=n_groups), 0, 1)
    has_requests = np.bincount(sets.group, minlength=n_groups) > 0
    return np.where(has_requests, incidence, np.nan)


# ---------------------------------------------------------------------------
# Travel-document indicators


@dataclass(frozen=True)
class TravelDocumentIndicators:
    """The travel-document indicators of every country, one array entry per group."""

    requests: np.ndarray
    issued: np.ndarray
    refused: np.ndarray
    withdrawn: np.ndarray
    pending: np.ndarray
    eligible: np.ndarray
    issuance_rate: np.ndarray
    issuance_rate_ci_low: np.ndarray
    issuance_rate_ci_high: np.ndarray
    refusal_rate: np.ndarray
    median_days_to_issue: np.ndarray
    issued_within_30d: np.ndarray
    overdue_pending: np.ndarray
    overdue_share: np.ndarray

    def for_country(self, index: int) -> dict[str, object]:
        """One country's figures keyed as in the contract's JSON, None for null."""
        low, high = self.issuance_rate_ci_low[index], self.issuance_rate_ci_high[index]
        median = self.median_days_to_issue[index]
        return {
            "requests": int(self.requests[index]),
            "issued": int(self.issued[index]),
            "refused": int(self.refused[index]),
            "withdrawn": int(self.withdrawn[index]),
            "pending": int(self.pending[index]),
            "eligible": int(self.eligible[index]),
            "issuance_rate": _float_or_none(self.issuance_rate[index]),
            "issuance_rate_ci": None if np.isnan(low) else [float(low), float(high)],
            "refusal_rate": _float_or_none(self.refusal_rate[index]),
            # A Kaplan-Meier median is one of the observed times: a whole number of days.
            "median_days_to_issue": None if np.isnan(median) else int(median),
            "issued_within_30d": _float_or_none(self.issued_within_30d[index]),
            "overdue_pending": int(self.overdue_pending[index]),
            "overdue_share": _float_or_none(self.overdue_share[index]),
        }


def _float_or_none(value: float) -> float | None:
    return None if np.isnan(value) else float(value)


def travel_document_indicators(
    group: object,
    t: object,
    state: object,
    count: object,
    n_groups: int,
    *,
    horizon_days: int = TIMELINESS_HORIZON_DAYS,
    overdue_after_days: int = OVERDUE_AFTER_DAYS,
    z: float = Z_95,
) -> TravelDocumentIndicators:
    """Every travel-document indicator of the contract, for every group, in one call.

    ``state`` holds `RequestState` codes (the request's state at D). Interview counts are
    not here: they are plain counts the database layer takes directly.
    """
    group, count, columns = _histogram(n_groups, group, count, t=t, state=state)
    t, state = columns["t"], columns["state"]
    if state.size and (state.min() < RequestState.ISSUED or state.max() > RequestState.PENDING):
        raise ValueError("State codes must be 1 (issued), 2 (refused), 3 (withdrawn), 4 (pending).")

    def requests_in(is_selected: np.ndarray) -> np.ndarray:
        return _count_by_group(group, count * is_selected, n_groups)

    is_issued = state == RequestState.ISSUED
    is_refused = state == RequestState.REFUSED
    issued = requests_in(is_issued)
    refused = requests_in(is_refused)
    withdrawn = requests_in(state == RequestState.WITHDRAWN)
    pending = requests_in(state == RequestState.PENDING)
    requests = issued + refused + withdrawn + pending
    eligible = requests - withdrawn
    overdue_pending = requests_in((state == RequestState.PENDING) & (t > overdue_after_days))
    ci_low, ci_high = wilson_interval(issued, eligible, z)
    # One set of risk sets serves both estimators: issuance is the event of the median and
    # of interest for the incidence; refusal competes with it; the rest is censored.
    sets, (issued_at, decided_at) = _risk_sets(
        group, t, count, count * is_issued, count * (is_issued | is_refused)
    )
    return TravelDocumentIndicators(
        requests=requests,
        issued=issued,
        refused=refused,
        withdrawn=withdrawn,
        pending=pending,
        eligible=eligible,
        issuance_rate=_rate(issued, eligible),
        issuance_rate_ci_low=ci_low,
        issuance_rate_ci_high=ci_high,
        refusal_rate=_rate(refused, eligible),
        median_days_to_issue=_median_time(sets, issued_at, n_groups),
        issued_within_30d=_incidence(sets, decided_at, issued_at, n_groups, horizon_days),
        overdue_pending=overdue_pending,
        overdue_share=_rate(overdue_pending, eligible),
    )


# ---------------------------------------------------------------------------
# Removal-case helpers


def weighted_median(group: object, value: object, count: object, n_groups: int) -> np.ndarray:
    """Median of integer values per group, each row standing for ``count`` equal values.

    The mean of the two middle values when a group holds an even number of values; NaN
    when it holds none. Used for td_backlog_median_age_days over (group, age_days, count).
    """
    group, count, columns = _histogram(n_groups, group, count, value=value)
    total = _count_by_group(group, count, n_groups)
    order = np.lexsort((columns["value"], group))
    value, count = columns["value"][order], count[order]
    values_before_group = np.cumsum(total) - total
    has_values = total > 0
    lower_rank = (values_before_group + (total - 1) // 2)[has_values]
    upper_rank = (values_before_group + total // 2)[has_values]
    # The value of 0-based rank r is the first row whose running count exceeds r.
    running_count = np.cumsum(count)
    lower = value[np.searchsorted(running_count, lower_rank, side="right")]
    upper = value[np.searchsorted(running_count, upper_rank, side="right")]
    median = np.full(n_groups, np.nan)
    median[has_values] = (lower + upper) / 2
    return median


def aggregate_return_rate(
    rows: Iterable[tuple[str, str, int]],
) -> tuple[float | None, str | None]:
    """return_rate of a country without cases, from its published aggregates.

    ``rows`` are (source, measure, value) for one country, already limited to periods
    lying wholly inside the window; measures other than orders and returns are ignored.
    Returns (returns / orders, source) for the first source in alphabetical order whose
    orders sum is above 0 (a source without returns rows has returns 0), else (None, None).
    Alphabetical order ignores case, with ties broken by code point, so that it is total.
    """
    orders: dict[str, int] = {}
    returns: dict[str, int] = {}
    for source, measure, value in rows:
        if measure == "orders":
            orders[source] = orders.get(source, 0) + int(value)
        elif measure == "returns":
            returns[source] = returns.get(source, 0) + int(value)
    for source in sorted(orders, key=lambda name: (name.casefold(), name)):
        if orders[source] > 0:
            return returns.get(source, 0) / orders[source], source
    return None, None


# ---------------------------------------------------------------------------
# Calendar helpers

_YEAR = re.compile(r"(\d{4})")
_QUARTER = re.compile(r"(\d{4})-Q([1-4])")
_MONTH = re.compile(r"(\d{4})-(0[1-9]|1[0-2])")


def period_bounds(period: str) -> tuple[dt.date, dt.date]:
    """First and last day of an aggregates period `YYYY`, `YYYY-Qn` or `YYYY-MM`."""
    if match := _YEAR.fullmatch(period):
        year = int(match[1])
        return dt.date(year, 1, 1), dt.date(year, 12, 31)
    if match := _QUARTER.fullmatch(period):
        return _quarter_bounds(int(match[1]), int(match[2]))
    if match := _MONTH.fullmatch(period):
        year, month = int(match[1]), int(match[2])
        return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])
    raise ValueError(f"The period {period!r} is not YYYY, YYYY-Qn or YYYY-MM.")


def lies_within(period: str, start: dt.date, end: dt.date) -> bool:
    """Whether the period lies wholly inside the inclusive window [start, end]."""
    first_day, last_day = period_bounds(period)
    return start <= first_day and last_day <= end


def _quarter_bounds(year: int, quarter: int) -> tuple[dt.date, dt.date]:
    first_month = 3 * quarter - 2
    last_month = first_month + 2
    return (
        dt.date(year, first_month, 1),
        dt.date(year, last_month, calendar.monthrange(year, last_month)[1]),
    )


def quarter_bounds(day: dt.date) -> tuple[dt.date, dt.date]:
    """First and last day of the calendar quarter containing ``day``."""
    return _quarter_bounds(day.year, (day.month - 1) // 3 + 1)


def trend_quarters(as_of: dt.date, count: int = 12) -> list[tuple[dt.date, dt.date]]:
    """The last ``count`` calendar quarters, oldest first, ending with the one holding as_of."""
    latest = as_of.year * 4 + (as_of.month - 1) // 3
    return [
        _quarter_bounds(quarter // 4, quarter % 4 + 1)
        for quarter in range(latest - count + 1, latest + 1)
    ]
