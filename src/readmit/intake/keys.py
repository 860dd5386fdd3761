"""A travel-document request packed in two integers, for the assessment to read in bulk.

Why this exists: the assessment reads millions of requests, and a database spends most of
that time per column it reads (docs/decisions/0003-assessment-key.md). Everything the
travel-document figures need from a request fits in two integers, stored beside the
columns they are made of and indexed after the country (SQLite 3.40 never reads a generated
column from an index, so they are plain columns): every writer fills them (`storage` in SQL
with `assessment_key_sql`, the model's save and bulk_create in numpy), and the model's
`update` refuses to change the columns they are made of:

    assessment_key = (requested_day + DAY_BIAS) * 2**25 + has_interview * 2**24
                     + outcome_code * 2**22 + decision_days

- `requested_day` is the day number (days since 1970-01-01) of requested_on; with
  DAY_BIAS = 2**20 every date the intake accepts (years 1 to 9999) gives 0 <= ... < 2**22,
  so the keys sort like the request days.
- `outcome_code` is 0 issued, 1 refused, 2 withdrawn, 3 no decision (pending, or an outcome
  without a decision day).
- `decision_days` is decided_day - requested_day (never negative: the intake refuses a
  decision before its request), 0 without a decision.

- `has_interview` is 1 where the request has an interview date, then:

    interview_key = interview_requested * 2**22 + interview_held

- each the day number plus DAY_BIAS (so never 0), or 0 where the date is empty; the key is
  NULL for a request without interview dates, so that reading skips it (the flag says which
  requests the keys read belong to).

This module owns the layout, in its two forms (SQL text and numpy) that the tests hold
equal, and the day numbers it is made of.
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

import numpy as np

EPOCH = dt.date(1970, 1, 1)
DAY_BIAS = 1 << 20
DAY_SHIFT = 25
INTERVIEW_FLAG_SHIFT = 24
OUTCOME_SHIFT = 22
DECISION_DAYS_MASK = (1 << OUTCOME_SHIFT) - 1
INTERVIEW_SHIFT = 22
INTERVIEW_DAY_MASK = (1 << INTERVIEW_SHIFT) - 1

#: Outcome codes, in the key's order; NO_DECISION also stands for an outcome without a day.
DECIDED_OUTCOMES = ("issued", "refused", "withdrawn")
NO_DECISION = 3

#: The request's columns the keys are made of.
PACKED_COLUMNS = (
    "requested_day",
    "outcome",
    "decided_day",
    "interview_requested_day",
    "interview_held_day",
)

#: An empty interview date, for `pack_interviews`.
NO_DAY = np.iinfo(np.int64).max


def day_number(day: dt.date) -> int:
    """Days since 1970-01-01: the integer day columns of the intake tables."""
    return (day - EPOCH).days


def assessment_key_sql(
    requested_day: str,
    outcome: str,
    decided_day: str,
    interview_requested_day: str,
    interview_held_day: str,
) -> str:
    """The key in SQL over the given columns (the same on SQLite and PostgreSQL)."""
    outcome_code = " ".join(
        f"WHEN {outcome} = '{name}' THEN {code}" for code, name in enumerate(DECIDED_OUTCOMES)
    )
    return (
        f"((CAST({requested_day} AS BIGINT) + {DAY_BIAS}) * {1 << DAY_SHIFT}"
        f" + (CASE WHEN {interview_requested_day} IS NULL AND {interview_held_day} IS NULL"
        f" THEN 0 ELSE {1 << INTERVIEW_FLAG_SHIFT} END)"
        f" + (CASE WHEN {decided_day} IS NULL THEN {NO_DECISION} {outcome_code}"
        f" ELSE {NO_DECISION} END) * {1 << OUTCOME_SHIFT}"
        f" + COALESCE({decided_day} - {requested_day}, 0))"
    )


def interview_key_sql(interview_requested_day: str, interview_held_day: str) -> str:
    """The interview key in SQL over the given columns (NULL without interview dates)."""

    def biased(column: str) -> str:
        return f"COALESCE(CAST({column} AS BIGINT) + {DAY_BIAS}, 0)"

    return (
        f"(CASE WHEN {interview_requested_day} IS NULL AND {interview_held_day} IS NULL"
        f" THEN NULL ELSE {biased(interview_requested_day)} * {1 << INTERVIEW_SHIFT}"
        f" + {biased(interview_held_day)} END)"
    )


def first_key_of_day(day: int) -> int:
    """The smallest key of a request made on `day` (a day number)."""
    return (day + DAY_BIAS) << DAY_SHIFT


def last_key_of_day(day: int) -> int:
    """The largest key of a request made on `day`."""
    return first_key_of_day(day + 1) - 1


class UnpackedRequests(NamedTuple):
    requested_day: np.ndarray
    outcome_code: np.ndarray
    decision_days: np.ndarray
    has_interview: np.ndarray  # whether the request has an interview key


def unpack(keys: np.ndarray) -> UnpackedRequests:
    """The request day, outcome code, decision days and interview flag of each key."""
    keys = np.asarray(keys, dtype=np.int64)
    return UnpackedRequests(
        requested_day=(keys >> DAY_SHIFT) - DAY_BIAS,
        outcome_code=(keys >> OUTCOME_SHIFT) & 3,
        decision_days=keys & DECISION_DAYS_MASK,
        has_interview=((keys >> INTERVIEW_FLAG_SHIFT) & 1).astype(bool),
    )


def pack_interviews(interview_requested_day, interview_held_day) -> np.ndarray:
    """The interview keys of the given interview days (`NO_DAY` for an empty date)."""

    def biased(days) -> np.ndarray:
        days = np.asarray(days, dtype=np.int64)
        return np.where(days == NO_DAY, 0, days + DAY_BIAS)

    return (biased(interview_requested_day) << INTERVIEW_SHIFT) + biased(interview_held_day)


def request_keys(
    requested_day: int,
    outcome: str,
    decided_day: int | None,
    interview_requested_day: int | None,
    interview_held_day: int | None,
) -> tuple[int, int | None]:
    """(assessment_key, interview_key) of one request, for the model's writers."""
    if decided_day is None or outcome not in DECIDED_OUTCOMES:
        code, days = NO_DECISION, 0
    else:
        code, days = DECIDED_OUTCOMES.index(outcome), decided_day - requested_day
    if interview_requested_day is None and interview_held_day is None:
        return int(pack([requested_day], [code], [days])[0]), None
    assessment = pack([requested_day], [code], [days], has_interview=[True])[0]
    interview = pack_interviews(
        [NO_DAY if interview_requested_day is None else interview_requested_day],
        [NO_DAY if interview_held_day is None else interview_held_day],
    )[0]
    return int(assessment), int(interview)


def interviews_by(interview_keys: np.ndarray, as_of) -> tuple[np.ndarray, np.ndarray]:
    """Whether each request's interview was requested, and held, on or before `as_of` (a day
    number, or one per key)."""
    interview_keys = np.asarray(interview_keys, dtype=np.int64)
    limit = np.asarray(as_of, dtype=np.int64) + DAY_BIAS
    requested = interview_keys >> INTERVIEW_SHIFT
    held = interview_keys & INTERVIEW_DAY_MASK
    return (requested > 0) & (requested <= limit), (held > 0) & (held <= limit)


def pack(requested_day, outcome_code, decision_days, has_interview=False) -> np.ndarray:
    """The keys of the given requests, in numpy."""
    requested_day = np.asarray(requested_day, dtype=np.int64)
    return (
        ((requested_day + DAY_BIAS) << DAY_SHIFT)
        + (np.asarray(has_interview, dtype=np.int64) << INTERVIEW_FLAG_SHIFT)
        + (np.asarray(outcome_code, dtype=np.int64) << OUTCOME_SHIFT)
        + np.asarray(decision_days, dtype=np.int64)
    )
