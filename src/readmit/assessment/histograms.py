"""From the requests' keys to the histograms the estimators take, with numpy alone.

Why this module exists: `queries` reads each country's requests as two arrays, the request
units and the interview units of their keys (`intake.keys`), part by part; each part is
counted here, in the thread that read it, so that the counting of one part runs beside the
reading of the next. Parts hold different countries, so the histogram of all is the parts'
histograms put end to end.

The contract (../shared/contract/assessment.md): a request's state at D is its outcome when
it has one and decided_day <= D, else pending; t is decided_day - requested_day for the
former, D - requested_day for the latter; an interview counts where its day is on or before
D. A request counts in the window that holds its request day; requests in a gap between
windows are left out.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple, Protocol

import numpy as np

from readmit.intake import keys
from readmit.intake.keys import day_number

#: States at D, as the estimators number them.
ISSUED, REFUSED, WITHDRAWN, PENDING = 1, 2, 3, 4


class Period(Protocol):
    """An assessment window as counting needs it (figures.Window)."""

    start: dt.date
    end: dt.date
    as_of: dt.date


@dataclass
class RequestHistogram:
    """(country, window, state at D, t) -> count, and the interview counts per (country, w)."""

    codes: np.ndarray  # the country of each histogram row
    window: np.ndarray
    state: np.ndarray  # ISSUED, REFUSED, WITHDRAWN or PENDING at D
    t: np.ndarray
    count: np.ndarray
    interview_codes: np.ndarray  # the country of each interview row: every window of each
    interview_window: np.ndarray
    interviews_requested: np.ndarray
    interviews_held: np.ndarray


def request_histogram(
    codes: Sequence[str],
    request_keys: Sequence[np.ndarray],
    interview_keys: Sequence[np.ndarray],
    windows: Sequence[Period],
) -> RequestHistogram:
    """The histogram of the requests of `codes[i]`, whose request units are
    `request_keys[i]`, and whose interview units are `interview_keys[i]`, one for each
    request flagged as having one, in the same order.

    Counted country by country: a country's arrays stay in the processor's cache through
    the dozen steps below, where one pass over millions of requests each would not.
    """
    n_windows = len(windows)
    code_array = np.asarray(list(codes), dtype="<U3")
    counted = [
        _country_histogram(country_keys, country_interviews, windows)
        for country_keys, country_interviews in zip(request_keys, interview_keys, strict=True)
    ]
    rows = np.array([counts.window.size for counts in counted], dtype=np.int64)
    return RequestHistogram(
        codes=np.repeat(code_array, rows),
        window=concatenated([counts.window for counts in counted]),
        state=concatenated([counts.state for counts in counted]),
        t=concatenated([counts.t for counts in counted]),
        count=concatenated([counts.count for counts in counted]),
        interview_codes=np.repeat(code_array, n_windows),
        interview_window=np.tile(np.arange(n_windows, dtype=np.int64), len(code_array)),
        interviews_requested=concatenated([counts.interviews_requested for counts in counted]),
        interviews_held=concatenated([counts.interviews_held for counts in counted]),
    )


class _CountryHistogram(NamedTuple):
    window: np.ndarray
    state: np.ndarray
    t: np.ndarray
    count: np.ndarray
    interviews_requested: np.ndarray  # one per window
    interviews_held: np.ndarray


def _country_histogram(
    request_keys: np.ndarray, interview_keys: np.ndarray, windows: Sequence[Period]
) -> _CountryHistogram:
    """One country's (window, state at D, t) -> count, and its interviews per window."""
    n_windows = len(windows)
    requested, outcome_code, decision_days, has_interview = keys.unpack(request_keys)
    if interview_keys.size != np.count_nonzero(has_interview):
        raise RuntimeError("The requests' interview units do not match their flags.")
    window, as_of = window_of(requested, windows)
    inside = window >= 0
    interview_window, interview_as_of = window[has_interview], as_of
    if np.ndim(as_of):
        interview_as_of = as_of[has_interview]
    if not inside.all():
        requested, outcome_code, decision_days, window = (
            values[inside] for values in (requested, outcome_code, decision_days, window)
        )
        as_of = as_of[inside] if np.ndim(as_of) else as_of
    is_decided = (outcome_code != keys.NO_DECISION) & (requested + decision_days <= as_of)
    state = np.where(is_decided, outcome_code, PENDING - ISSUED)
    t = np.where(is_decided, decision_days, as_of - requested)

    # Count each distinct (window, state, t) once.
    t_span = int(t.max()) + 1 if t.size else 1
    distinct, count = distinct_counts((window * 4 + state) * t_span + t)
    asked, held = keys.interviews_by(interview_keys, interview_as_of)
    interview_inside = interview_window >= 0
    return _CountryHistogram(
        window=distinct // t_span // 4,
        state=(distinct // t_span) % 4 + ISSUED,
        t=distinct % t_span,
        count=count,
        interviews_requested=np.bincount(
            interview_window[asked & interview_inside], minlength=n_windows
        ),
        interviews_held=np.bincount(interview_window[held & interview_inside], minlength=n_windows),
    )


def end_to_end(histograms: Sequence[RequestHistogram]) -> RequestHistogram:
    """The histogram of parts holding different countries."""

    def joined(name: str) -> np.ndarray:
        arrays = [getattr(part, name) for part in histograms]
        if name.endswith("codes"):
            return np.concatenate(arrays) if arrays else np.zeros(0, dtype="<U3")
        return concatenated(arrays)

    names = RequestHistogram.__dataclass_fields__
    return RequestHistogram(**{name: joined(name) for name in names})


def window_of(days: np.ndarray, windows: Sequence[Period]) -> tuple[np.ndarray, np.ndarray]:
    """The index of the window holding each day (-1: none) and that window's D (one number
    for all when there is one window)."""
    starts = np.array([day_number(w.start) for w in windows], dtype=np.int64)
    ends = np.array([day_number(w.end) for w in windows], dtype=np.int64)
    as_ofs = np.array([day_number(w.as_of) for w in windows], dtype=np.int64)
    if len(windows) == 1:
        return np.where((days >= starts[0]) & (days <= ends[0]), 0, -1), as_ofs[0]
    order = np.argsort(starts, kind="stable")
    position = np.searchsorted(starts[order], days, side="right") - 1
    candidate = order[np.clip(position, 0, None)]
    window = np.where((position >= 0) & (days <= ends[candidate]), candidate, -1)
    return window, as_ofs[candidate]


#: Up to this many possible keys, counting is one bincount (linear); beyond, a sort.
DENSE_COUNT_LIMIT = 10_000_000


def distinct_counts(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct non-negative values, ascending, and how many times each occurs."""
    if values.size and int(values.max()) < DENSE_COUNT_LIMIT:
        counts = np.bincount(values)
        distinct = np.flatnonzero(counts)
        return distinct, counts[distinct]
    return np.unique(values, return_counts=True)


def concatenated(arrays: Sequence[np.ndarray]) -> np.ndarray:
    """The int64 arrays end to end (an empty one for none)."""
    return np.concatenate(arrays) if len(arrays) else np.zeros(0, dtype=np.int64)
