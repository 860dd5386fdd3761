"""A travel-document request as one short text key, for the assessment to read in bulk.

Why this exists: the assessment reads millions of requests, and a database spends most of
that time per value it reads and hands over (docs/decisions/0003-assessment-key.md).
Everything the travel-document figures need from a request fits in one text of 12 or 24
hexadecimal digits, stored beside the columns it is made of and indexed after the country
(SQLite 3.40 never reads a generated column from an index, so it is a plain column): every
writer fills it (`storage` in SQL with `assessment_key_sql`, the model's save and
bulk_create with `request_key`), and the model's `update` refuses to change the columns it
is made of. It is made of one or two 48-bit units, each written as 12 lowercase hexadecimal
digits:

    request unit   = (requested_day + DAY_BIAS) * 2**25 + has_interview * 2**24
                     + outcome_code * 2**22 + decision_days
    interview unit = 2**47 + interview_requested * 2**22 + interview_held

- `requested_day` is the day number (days since 1970-01-01) of requested_on; with
  DAY_BIAS = 2**20 every date the intake accepts (years 1 to 9999) gives 0 <= ... < 2**22,
  so the request unit stays under 2**47 and the keys sort like the request days: a window is
  a range of keys (`key_range`).
- `outcome_code` is 0 issued, 1 refused, 2 withdrawn, 3 no decision (pending, or an outcome
  without a decision day).
- `decision_days` is decided_day - requested_day (never negative: the intake refuses a
  decision before its request), 0 without a decision.
- `has_interview` is 1 where the request has an interview date; its key then goes on with the
  interview unit, whose top bit (2**47) marks it as one, so that the units of many keys
  written end to end can be told apart without reading them in order (`split_units`).
  `interview_requested` and `interview_held` are each the day number plus DAY_BIAS (so
  never 0), or 0 where the date is empty.

Hexadecimal, not a number: the database then hands the assessment the keys of a country end
to end as they are stored, with no number turned into text and back (decision 0303), and
`bytes.fromhex` reads them. This module owns the layout, in its two forms (SQL text and
numpy) that the tests hold equal, and the day numbers it is made of.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
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
INTERVIEW_MARKER = 1 << 47

#: Hexadecimal digits of a unit (48 bits).
UNIT_DIGITS = 12

#: Outcome codes, in the key's order; NO_DECISION also stands for an outcome without a day.
DECIDED_OUTCOMES = ("issued", "refused", "withdrawn")
NO_DECISION = 3

#: The request's columns the key is made of.
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
    *,
    hexadecimal: Callable[[str], str],
) -> str:
    """The key in SQL over the given columns; `hexadecimal` writes an integer expression in
    UNIT_DIGITS lowercase hexadecimal digits in the database's own SQL."""
    outcome_code = " ".join(
        f"WHEN {outcome} = '{name}' THEN {code}" for code, name in enumerate(DECIDED_OUTCOMES)
    )
    has_no_interview = f"{interview_requested_day} IS NULL AND {interview_held_day} IS NULL"

    def biased(column: str) -> str:
        return f"COALESCE(CAST({column} AS BIGINT) + {DAY_BIAS}, 0)"

    request_unit = (
        f"(CAST({requested_day} AS BIGINT) + {DAY_BIAS}) * {1 << DAY_SHIFT}"
        f" + (CASE WHEN {has_no_interview} THEN 0 ELSE {1 << INTERVIEW_FLAG_SHIFT} END)"
        f" + (CASE WHEN {decided_day} IS NULL THEN {NO_DECISION} {outcome_code}"
        f" ELSE {NO_DECISION} END) * {1 << OUTCOME_SHIFT}"
        f" + COALESCE({decided_day} - {requested_day}, 0)"
    )
    interview_unit = (
        f"{INTERVIEW_MARKER} + {biased(interview_requested_day)} * {1 << INTERVIEW_SHIFT}"
        f" + {biased(interview_held_day)}"
    )
    return (
        f"({hexadecimal(request_unit)} || (CASE WHEN {has_no_interview} THEN ''"
        f" ELSE {hexadecimal(interview_unit)} END))"
    )


def first_key_of_day(day: int) -> int:
    """The smallest request unit of a request made on `day` (a day number)."""
    return (day + DAY_BIAS) << DAY_SHIFT


def key_range(first_day: int, last_day: int) -> tuple[str, str]:
    """(lowest, beyond): the keys of the requests made from `first_day` to `last_day` are
    those >= lowest and < beyond."""
    return _unit_text(first_key_of_day(first_day)), _unit_text(first_key_of_day(last_day + 1))


def _unit_text(unit: int) -> str:
    return f"{unit:0{UNIT_DIGITS}x}"


class UnpackedRequests(NamedTuple):
    requested_day: np.ndarray
    outcome_code: np.ndarray
    decision_days: np.ndarray
    has_interview: np.ndarray  # whether the request has an interview unit


def units(concatenated_keys: str) -> np.ndarray:
    """The units of keys written end to end, in order."""
    # A unit is three big-endian 16-bit words.
    words = np.frombuffer(bytes.fromhex(concatenated_keys), dtype=">u2").reshape(-1, 3)
    words = words.astype(np.int64)
    return (words[:, 0] << 32) | (words[:, 1] << 16) | words[:, 2]


def split_units(all_units: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(request units, interview units without their marker), each in the order read: the
    i-th interview unit is that of the i-th request flagged as having one."""
    is_interview = all_units >= INTERVIEW_MARKER
    return all_units[~is_interview], all_units[is_interview] - INTERVIEW_MARKER


def unpack(request_units: np.ndarray) -> UnpackedRequests:
    """The request day, outcome code, decision days and interview flag of each unit."""
    request_units = np.asarray(request_units, dtype=np.int64)
    return UnpackedRequests(
        requested_day=(request_units >> DAY_SHIFT) - DAY_BIAS,
        outcome_code=(request_units >> OUTCOME_SHIFT) & 3,
        decision_days=request_units & DECISION_DAYS_MASK,
        has_interview=((request_units >> INTERVIEW_FLAG_SHIFT) & 1).astype(bool),
    )


def pack_interviews(interview_requested_day, interview_held_day) -> np.ndarray:
    """The interview units, without their marker, of the given interview days (`NO_DAY` for
    an empty date)."""

    def biased(days) -> np.ndarray:
        days = np.asarray(days, dtype=np.int64)
        return np.where(days == NO_DAY, 0, days + DAY_BIAS)

    return (biased(interview_requested_day) << INTERVIEW_SHIFT) + biased(interview_held_day)


def request_key(
    requested_day: int,
    outcome: str,
    decided_day: int | None,
    interview_requested_day: int | None,
    interview_held_day: int | None,
) -> str:
    """The assessment key of one request, for the model's writers."""
    if decided_day is None or outcome not in DECIDED_OUTCOMES:
        code, days = NO_DECISION, 0
    else:
        code, days = DECIDED_OUTCOMES.index(outcome), decided_day - requested_day
    if interview_requested_day is None and interview_held_day is None:
        return _unit_text(int(pack([requested_day], [code], [days])[0]))
    request_unit = pack([requested_day], [code], [days], has_interview=[True])[0]
    interview_unit = pack_interviews(
        [NO_DAY if interview_requested_day is None else interview_requested_day],
        [NO_DAY if interview_held_day is None else interview_held_day],
    )[0]
    return _unit_text(int(request_unit)) + _unit_text(INTERVIEW_MARKER + int(interview_unit))


def interviews_by(interview_units: np.ndarray, as_of) -> tuple[np.ndarray, np.ndarray]:
    """Whether each request's interview was requested, and held, on or before `as_of` (a day
    number, or one per unit), from its interview unit without the marker."""
    interview_units = np.asarray(interview_units, dtype=np.int64)
    limit = np.asarray(as_of, dtype=np.int64) + DAY_BIAS
    requested = interview_units >> INTERVIEW_SHIFT
    held = interview_units & INTERVIEW_DAY_MASK
    return (requested > 0) & (requested <= limit), (held > 0) & (held <= limit)


def pack(requested_day, outcome_code, decision_days, has_interview=False) -> np.ndarray:
    """The request units of the given requests, in numpy."""
    requested_day = np.asarray(requested_day, dtype=np.int64)
    return (
        ((requested_day + DAY_BIAS) << DAY_SHIFT)
        + (np.asarray(has_interview, dtype=np.int64) << INTERVIEW_FLAG_SHIFT)
        + (np.asarray(outcome_code, dtype=np.int64) << OUTCOME_SHIFT)
        + np.asarray(decision_days, dtype=np.int64)
    )
