"""From the requests' keys to the histograms the estimators take, with numpy alone.

Why this module exists: `queries` reads each country's requests as two arrays of keys
(`intake.keys`), part by part; each part is counted here, in the thread that read it, so
that the counting of one part runs beside the reading of the next. Parts hold different
countries, so the histogram of all is the parts' histograms put end to end.

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
from typing import Protocol

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
    """The histogram of the requests of `codes[i]`, whose keys are `request_keys[i]`, and
    whose interview keys are `interview_keys[i]`, one for each request flagged as having
    one, in the same order."""
    n_windows = len(windows)
    code_array = np.asarray(list(codes), dtype="<U3")
    sizes = np.array([values.size for values in request_keys], dtype=np.int64)
    country = np.repeat(np.arange(len(code_array), dtype=np.int64), sizes)
    requested, outcome_code, decision_days, has_interview = keys.unpack(concatenated(request_keys))
    interviews = np.zeros(requested.size, dtype=np.int64)
    flagged = concatenated(interview_keys)
    if flagged.size != np.count_nonzero(has_interview):
        raise RuntimeError("The requests and their interview keys were read apart.")
    interviews[has_interview] = flagged

    window, as_of = window_of(requested, windows)
    inside = window >= 0
    if not inside.all():
        country, outcome_code, decision_days, window, interviews = (
            values[inside] for values in (country, outcome_code, decision_days, window, interviews)
        )
        requested = requested[inside]
        as_of = as_of[inside] if np.ndim(as_of) else as_of
    is_decided = (outcome_code != keys.NO_DECISION) & (requested + decision_days <= as_of)
    state = np.where(is_decided, outcome_code + ISSUED, PENDING)
    t = np.where(is_decided, decision_days, as_of - requested)

    # Count each distinct (country, window, state, t) once.
    t_span = int(t.max()) + 1 if t.size else 1
    group = country * n_windows + window
    distinct, count = distinct_counts((group * 4 + state - ISSUED) * t_span + t)
    histogram_group = distinct // t_span // 4

    asked, held = keys.interviews_by(interviews, as_of)
    n_groups = len(code_array) * n_windows
    return RequestHistogram(
        codes=code_array[histogram_group // n_windows],
        window=histogram_group % n_windows,
        state=(distinct // t_span) % 4 + ISSUED,
        t=distinct % t_span,
        count=count,
        interview_codes=np.repeat(code_array, n_windows),
        interview_window=np.tile(np.arange(n_windows, dtype=np.int64), len(code_array)),
        interviews_requested=np.bincount(group[asked], minlength=n_groups),
        interviews_held=np.bincount(group[held], minlength=n_groups),
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
