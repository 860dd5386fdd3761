"""Checking intake rows against the contract, and `read_file`, the one way in.

The database layer calls `read_file(path, kind, declared_codes)` inside its
transaction: it receives typed chunks (`ValidChunk`) while the file is read, and a
single `FileRejected` at the end if anything in the file was wrong, carrying every
problem found (up to MAX_REPORTED_PROBLEMS), so the transaction can be rolled back
and the user can fix the whole file in one go.

A chunk is checked column by column. The common case, a chunk without problems,
costs a few passes in C per column (set operations, `str.join`, numpy over the
characters of the dates); only a column whose fast check fails is walked row by row,
and only to write the messages. Checks that span the whole file (a key given twice, a
period of an aggregate that overlaps another) keep compact state across chunks and
report at the end.

Once a problem is found, no further chunk is handed out (the file will be refused
anyway), but the rest of the file is still read so that every problem is reported. A
chunk that repeats one of its own keys is not handed out either (the database applies a
chunk in one statement, which a key given twice would break); one that repeats a key of
an earlier chunk is, and the refusal at the end undoes it.

Readings of the contract where it is silent (the rules themselves are in `formats`):

- Values are taken as written: no trimming of spaces, no case folding. " NGA" and
  "Issued" are refused, with the exact spelling suggested; a text value is kept as is.
- Lengths count characters, not bytes. requests.case_id is held to 1-64 like the
  case key it names. aggregates.source (300) and the country names (200) are held to
  the width of their database columns, which the contract does not set.
- A conditionally required column (decided_on, removed_on, closed_on, name_en) may be
  left out of the header; each row that needs it is then reported.
- Dates are years 0001-9999. A cross-column rule is checked only when both of its
  values are valid, so one bad date gives one problem, not a cascade.
- removal_mode, flight and impediment are not tied to the status: the contract says
  what they are for but does not forbid them elsewhere.
- requests.case_id is not checked against the cases table (the database layer can).
- A key repeated in a file is reported on its later row, naming the first; for
  aggregates on the period column. Overlapping periods are reported on the later
  row of the pair, naming the other row.
"""

from __future__ import annotations

import functools
import re
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
import pycountry

from readmit.intake.formats import (
    AGGREGATES,
    COUNTRIES,
    MAX_REPORTED_PROBLEMS,
    USER_ASSIGNED_CODE_RANGES,
    ColumnSpec,
    CrossColumnRule,
    FileFormat,
    FileKind,
    FileRejected,
    NotBefore,
    PresentOnlyWhen,
    Problem,
    RequiredForUserAssignedCodes,
    ValueType,
    file_format_for,
    is_user_assigned_code,
)
from readmit.intake.reading import (
    DEFAULT_CHUNK_ROWS,
    NOT_UTF8,
    PACKING_PADDING,
    FileSource,
    PackedValues,
    RawChunk,
    check_header,
    has_undecodable_bytes,
    packed_column,
    packed_values,
    read_raw_chunks,
)

__all__ = [
    "ChunkVerdict",
    "CountryCodes",
    "FileRejected",
    "Period",
    "Problem",
    "ValidChunk",
    "check_header",
    "iso_dates",
    "packed_iso_dates",
    "parse_period",
    "read_file",
    "stored_period_overlaps",
    "validate_chunk",
]

REQUIRED = "is required"
MISSING_DAY = np.datetime64("NaT", "D")
_NAT_DAY_NUMBER = int(MISSING_DAY.astype(np.int64))
_INT64_MAX = int(np.iinfo(np.int64).max)


# --- Typed output -------------------------------------------------------------------


@dataclass(frozen=True)
class ValidChunk:
    """Rows of a file that passed every check, as typed columns ready for storage.

    `lines` (int64) are the rows' record numbers in the file (header = 1).
    `columns` has every contract column of the kind, in contract order, whether or
    not the file had it, then the derived columns:

    - text: a sequence of str; an empty optional cell is None;
    - choice: a sequence of str with the contract's default filled in, None where an
      optional choice without default (cases.removal_mode, cases.flight) is empty;
    - country: a sequence of upper-case alpha-3 str;
    - date: numpy datetime64[D], NaT where empty; `day_numbers(name)` gives the same
      dates as days since 1970-01-01 (int, None where empty);
    - count (aggregates.value): numpy int64;
    - period (aggregates.period): the text as given, plus the derived columns
      `period_first_day` and `period_last_day` (datetime64[D], both inclusive).
    - countries.name_fr is name_en where empty (None if both are).
    """

    kind: FileKind
    lines: np.ndarray
    columns: dict[str, Sequence[str | None] | np.ndarray]

    def __len__(self) -> int:
        return len(self.lines)

    def day_numbers(self, name: str) -> list[int | None]:
        """Date column `name` as days since 1970-01-01, None where the date is empty."""
        days = np.asarray(self.columns[name]).astype(np.int64).tolist()
        return [None if day == _NAT_DAY_NUMBER else day for day in days]

    def rows(self) -> Iterator[tuple]:
        """The chunk row by row, as Python values (datetime.date, int, str, None)."""
        return zip(*(_python_values(column) for column in self.columns.values()), strict=True)


def _python_values(column: Sequence[str | None] | np.ndarray) -> Sequence:
    if isinstance(column, np.ndarray):
        # datetime64[D] becomes datetime.date (NaT -> None); int64 becomes int.
        return column.astype(object) if column.dtype.kind == "M" else column.tolist()
    return column


@dataclass(frozen=True)
class ChunkVerdict:
    """What `validate_chunk` found: a typed chunk, or the problems (never both)."""

    chunk: ValidChunk | None
    problems: list[Problem]


# --- Country codes ------------------------------------------------------------------

ISO_ALPHA3_CODES = frozenset(country.alpha_3 for country in pycountry.countries)
USER_ASSIGNED_CODES = frozenset(
    first[0] + chr(second) + chr(third)
    for first, last in USER_ASSIGNED_CODE_RANGES
    for second in range(ord(first[1]), ord(last[1]) + 1)
    for third in range(ord("A"), ord("Z") + 1)
)


@dataclass(frozen=True)
class CountryCodes:
    """The country codes a file may use, and what to tell the user about another one."""

    accepted: frozenset[str]
    # True for the countries table itself, where user-assigned codes get declared.
    is_country_table: bool = False

    @functools.cached_property
    def vocabulary(self) -> Vocabulary:
        return Vocabulary(self.accepted)

    @classmethod
    def with_declared(cls, declared_codes: Iterable[str]) -> CountryCodes:
        """ISO 3166-1 codes plus the user-assigned codes already declared."""
        return cls(ISO_ALPHA3_CODES | (frozenset(declared_codes) & USER_ASSIGNED_CODES))

    @classmethod
    def for_country_table(cls) -> CountryCodes:
        return cls(ISO_ALPHA3_CODES | USER_ASSIGNED_CODES, is_country_table=True)

    def problem(self, value: str) -> str:
        """Why `value` is refused (call only for a value not in `accepted`)."""
        if value == "":
            return REQUIRED
        if has_undecodable_bytes(value):
            return NOT_UTF8
        cleaned = value.strip().upper()
        if cleaned != value and cleaned in self.accepted:
            return f"must be written exactly {cleaned}"
        if is_user_assigned_code(value):
            return "is a user-assigned code; declare it in the countries table first"
        if len(cleaned) == 2 and (country := pycountry.countries.get(alpha_2=cleaned)):
            return f"must be the 3-letter code {country.alpha_3}, not the 2-letter one"
        if len(cleaned) == 3 and (former := pycountry.historic_countries.get(alpha_3=cleaned)):
            return f"is a withdrawn ISO 3166-1 code ({former.name}); use the current code"
        if len(value) == 3 and value.isascii() and value.isalpha() and value.isupper():
            if self.is_country_table:
                ranges = ", ".join(f"{first}-{last}" for first, last in USER_ASSIGNED_CODE_RANGES)
                return (
                    f"is neither an ISO 3166-1 alpha-3 code nor in a user-assigned range ({ranges})"
                )
            return "is not an ISO 3166-1 alpha-3 country code"
        return "must be an ISO 3166-1 alpha-3 country code in upper case, such as FRA"


# --- Words of a fixed set, in bulk ----------------------------------------------------


class Vocabulary:
    """A fixed set of words (a column's choices, the accepted country codes), to look
    up every value of a packed column at once.

    Each value's bytes are read into a fixed-width numpy bytes array (zeroed past the
    value's end) and found by binary search; a word matches only if its bytes and its
    length are equal, so the lookup is exact.
    """

    def __init__(self, words: Iterable[str]):
        self.words = tuple(sorted(set(words)))
        encoded = [word.encode("utf-8") for word in self.words]
        self.width = max(map(len, encoded))
        if self.width > PACKING_PADDING:
            raise ValueError(f"words longer than {PACKING_PADDING} bytes cannot be looked up")
        self._sorted = np.array(encoded, dtype=f"S{self.width}")
        self._lengths = np.array([len(word) for word in encoded])

    def indexes(self, packed: PackedValues) -> np.ndarray:
        """Index in `words` of each value, -1 for a value that is no word (or empty)."""
        offsets = np.arange(self.width)
        chars = packed.buffer[packed.starts[:, np.newaxis] + offsets]
        chars[offsets >= packed.lengths[:, np.newaxis]] = 0
        values = chars.view(f"S{self.width}").ravel()
        found = np.minimum(np.searchsorted(self._sorted, values), len(self.words) - 1)
        is_word = (self._sorted[found] == values) & (self._lengths[found] == packed.lengths)
        return np.where(is_word, found, -1)

    def index(self, word: str) -> int:
        return self.words.index(word)


@functools.cache
def _choice_vocabulary(choices: tuple[str, ...]) -> Vocabulary:
    return Vocabulary(choices)


# --- Dates --------------------------------------------------------------------------


_DATE_LENGTH = 10
_DATE_DIGITS = [0, 1, 2, 3, 5, 6, 8, 9]  # positions of the digits in YYYY-MM-DD


def iso_dates(values: Sequence[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Parse `YYYY-MM-DD` texts in bulk: (dates, is_empty, is_malformed).

    `dates` is datetime64[D] with NaT for empty and malformed values. Malformed means
    anything but a real calendar date written exactly YYYY-MM-DD (year 0001-9999):
    `2020-01`, `2020-1-5`, `2021-02-29`, `2020-01-01T00:00` are all malformed.
    """
    return packed_iso_dates(packed_values(values))


def packed_iso_dates(packed: PackedValues) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """`iso_dates` of values already packed."""
    is_empty = packed.lengths == 0
    chars = packed.buffer[packed.starts[:, np.newaxis] + np.arange(_DATE_LENGTH)]
    digits = chars[:, _DATE_DIGITS].astype(np.int32) - ord("0")
    is_written_right = (
        (packed.lengths == _DATE_LENGTH)
        & ((digits >= 0) & (digits <= 9)).all(axis=1)
        & (chars[:, 4] == ord("-"))
        & (chars[:, 7] == ord("-"))
    )
    year = digits[:, 0] * 1000 + digits[:, 1] * 100 + digits[:, 2] * 10 + digits[:, 3]
    month = digits[:, 4] * 10 + digits[:, 5]
    day = digits[:, 6] * 10 + digits[:, 7]
    is_leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    month_length = _MONTH_LENGTHS[np.clip(month, 0, 12)] + (is_leap & (month == 2))
    is_valid = (
        is_written_right
        & (year >= 1)
        & (month >= 1)
        & (month <= 12)
        & (day >= 1)
        & (day <= month_length)
    )
    days = np.where(is_valid, _days_since_epoch(year, month, day), _NAT_DAY_NUMBER)
    return days.view("datetime64[D]"), is_empty, ~is_valid & ~is_empty


_MONTH_LENGTHS = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])


def _days_since_epoch(year: np.ndarray, month: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Days from 1970-01-01 of proleptic Gregorian dates (H. Hinnant's days_from_civil)."""
    year = year.astype(np.int64) - (month <= 2)
    era = year // 400
    year_of_era = year - era * 400
    day_of_year = (153 * ((month + 9) % 12) + 2) // 5 + day - 1
    day_of_era = year_of_era * 365 + year_of_era // 4 - year_of_era // 100 + day_of_year
    return era * 146097 + day_of_era - 719468


_DATE_SHAPE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_DATE_TIME_SHAPE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}[T ].*")
_MONTH_SHAPE = re.compile(r"[0-9]{4}-[0-9]{1,2}")
_YEAR_SHAPE = re.compile(r"[0-9]{4}")
_SPREADSHEET_DAY_SHAPE = re.compile(r"[0-9]{5}(\.[0-9]+)?")  # days since 1899-12-30


def _date_problem(value: str) -> str:
    if has_undecodable_bytes(value):
        return NOT_UTF8
    if _DATE_SHAPE.fullmatch(value):
        return "is not a real calendar date"
    if _DATE_TIME_SHAPE.fullmatch(value):
        return "must be a date without a time of day, written YYYY-MM-DD"
    if _MONTH_SHAPE.fullmatch(value):
        return "must be a full date written YYYY-MM-DD; a month alone is not enough"
    if _YEAR_SHAPE.fullmatch(value):
        return "must be a full date written YYYY-MM-DD; a year alone is not enough"
    if _SPREADSHEET_DAY_SHAPE.fullmatch(value):
        return (
            "must be a date written YYYY-MM-DD; this looks like a spreadsheet day number, "
            "so format the cells as dates"
        )
    return "must be a date written YYYY-MM-DD"


# --- Periods ------------------------------------------------------------------------


class Period(NamedTuple):
    """A period of an aggregate as months counted from year 0 (year * 12 + month - 1)."""

    first_month: int
    last_month: int

    def overlaps(self, other: Period) -> bool:
        return self.first_month <= other.last_month and other.first_month <= self.last_month


_PERIOD = re.compile(r"([0-9]{4})(?:-Q([1-4])|-(0[1-9]|1[0-2]))?")


def parse_period(text: str) -> Period | None:
    """The months `YYYY`, `YYYY-Qn` or `YYYY-MM` cover, or None if `text` is none of them."""
    match = _PERIOD.fullmatch(text)
    if match is None or match[1] == "0000":
        return None
    start_of_year = int(match[1]) * 12
    if match[2]:
        first = start_of_year + (int(match[2]) - 1) * 3
        return Period(first, first + 2)
    if match[3]:
        month = start_of_year + int(match[3]) - 1
        return Period(month, month)
    return Period(start_of_year, start_of_year + 11)


def _period_problem(value: str) -> str:
    if value == "":
        return REQUIRED
    if has_undecodable_bytes(value):
        return NOT_UTF8
    if re.fullmatch(r"[0-9]{4}-[qQ][0-9]", value):
        return "a quarter is written YYYY-Qn with a capital Q and n from 1 to 4"
    if re.fullmatch(r"[0-9]{4}-[0-9]{2}", value):
        return "a month is written YYYY-MM with MM from 01 to 12"
    if value == "0000" or value.startswith("0000-"):
        return "the year must be 0001 or later"
    return "must be a year (2019), a quarter (2019-Q1) or a month (2019-01)"


def _period_days(periods: Sequence[Period]) -> tuple[np.ndarray, np.ndarray]:
    """First and last day of each period, as datetime64[D]."""
    epoch_month = 1970 * 12
    first = np.array([period.first_month - epoch_month for period in periods], dtype=np.int64)
    after = np.array([period.last_month + 1 - epoch_month for period in periods], dtype=np.int64)
    first_day = first.astype("datetime64[M]").astype("datetime64[D]")
    last_day = after.astype("datetime64[M]").astype("datetime64[D]") - np.timedelta64(1, "D")
    return first_day, last_day


# --- One chunk ----------------------------------------------------------------------


def validate_chunk(
    raw: RawChunk, file_format: FileFormat, country_codes: CountryCodes
) -> ChunkVerdict:
    """Check every value and cross-column rule of `raw`; problems in file order."""
    return _ChunkValidation(raw, file_format, country_codes).verdict()


class _ChunkValidation:
    """The checks of one chunk, keeping what the cross-column rules need."""

    def __init__(self, raw: RawChunk, file_format: FileFormat, country_codes: CountryCodes):
        self.raw = raw
        self.file_format = file_format
        self.country_codes = country_codes
        self.size = len(raw)
        self.typed: dict[str, Sequence[str | None] | np.ndarray] = {}
        self.problems: list[tuple[int, str, str]] = []  # (row index, column, message)
        self.choice_indexes: dict[str, np.ndarray] = {}

    def verdict(self) -> ChunkVerdict:
        for column in self.file_format.columns:
            self._check_column(column)
        for rule in self.file_format.rules:
            self._check_rule(rule)
        if self.problems:
            return ChunkVerdict(None, self._reported_problems())
        self._fill_defaults_from_other_columns()
        if self.file_format is AGGREGATES:
            self._add_period_days()
        return ChunkVerdict(ValidChunk(self.file_format.kind, self.raw.lines, self.typed), [])

    def values(self, name: str) -> Sequence[str]:
        values = self.raw.values.get(name)
        return ("",) * self.size if values is None else values

    def packed(self, name: str) -> PackedValues:
        if name in self.raw.values:
            return packed_column(self.raw, name)
        return packed_values(self.values(name))

    def report(self, name: str, rows: Iterable[int], message: str | Callable[[int], str]) -> None:
        for row in rows:
            text = message(row) if callable(message) else message
            self.problems.append((row, name, text))

    def _reported_problems(self) -> list[Problem]:
        order = {name: position for position, name in enumerate(self.file_format.column_names)}
        self.problems.sort(key=lambda problem: (problem[0], order[problem[1]]))
        lines = self.raw.lines
        return [
            Problem(int(lines[row]), name, message, self.values(name)[row])
            for row, name, message in self.problems
        ]

    # Columns, by type.

    def _check_column(self, column: ColumnSpec) -> None:
        checks = {
            ValueType.TEXT: self._check_text,
            ValueType.CHOICE: self._check_choice,
            ValueType.COUNTRY: self._check_country,
            ValueType.DATE: self._check_date,
            ValueType.COUNT: self._check_count,
            ValueType.PERIOD: self._check_period,
        }
        checks[column.value_type](column, self.values(column.name))

    def _check_text(self, column: ColumnSpec, values: Sequence[str]) -> None:
        packed = self.packed(column.name)
        has_empty = bool((packed.lengths == 0).any())
        if has_empty and column.is_required:
            self.report(column.name, _rows_where(values, lambda value: not value), REQUIRED)
        limit = column.max_length
        # Bytes are never fewer than characters: only a long buffer needs a closer look.
        if limit is not None and values and packed.lengths.max() > limit:
            too_long = _rows_where(values, lambda value: len(value) > limit)
            self.report(
                column.name,
                too_long,
                lambda row: f"must be at most {limit} characters; it has {len(values[row])}",
            )
        if not packed.is_utf8:
            self.report(column.name, _rows_where(values, has_undecodable_bytes), NOT_UTF8)
        self.typed[column.name] = _replaced_where(values, packed.lengths == 0, None)

    def _check_choice(self, column: ColumnSpec, values: Sequence[str]) -> None:
        packed = self.packed(column.name)
        indexes = _choice_vocabulary(column.choices).indexes(packed)
        is_empty = packed.lengths == 0
        is_refused = indexes < 0 if column.is_required else (indexes < 0) & ~is_empty
        if is_refused.any():
            rows = np.flatnonzero(is_refused).tolist()
            self.report(column.name, rows, lambda row: _choice_problem(column, values[row]))
        if not column.is_required:
            values = _replaced_where(values, is_empty, column.default)
        self.typed[column.name] = values
        self.choice_indexes[column.name] = indexes

    def _check_country(self, column: ColumnSpec, values: Sequence[str]) -> None:
        is_refused = self.country_codes.vocabulary.indexes(self.packed(column.name)) < 0
        if is_refused.any():
            rows = np.flatnonzero(is_refused).tolist()
            refused = {values[row] for row in rows}
            messages = {value: self.country_codes.problem(value) for value in refused}
            self.report(column.name, rows, lambda row: messages[values[row]])
        self.typed[column.name] = values

    def _check_date(self, column: ColumnSpec, values: Sequence[str]) -> None:
        dates, is_empty, is_malformed = packed_iso_dates(self.packed(column.name))
        if column.is_required and is_empty.any():
            self.report(column.name, np.flatnonzero(is_empty).tolist(), REQUIRED)
        if is_malformed.any():
            rows = np.flatnonzero(is_malformed).tolist()
            self.report(column.name, rows, lambda row: _date_problem(values[row]))
        self.typed[column.name] = dates

    def _check_count(self, column: ColumnSpec, values: Sequence[str]) -> None:
        joined = "".join(values)
        is_plain = joined.isascii() and joined.isdigit() and "" not in values
        if is_plain and max(map(len, values)) <= 18:  # 18 digits always fit in int64
            self.typed[column.name] = np.fromiter(map(int, values), np.int64, self.size)
            return
        counts = []
        for row, value in enumerate(values):
            problem = _count_problem(value)
            if problem is not None:
                self.problems.append((row, column.name, problem))
            counts.append(0 if problem is not None else int(value))
        self.typed[column.name] = np.array(counts, dtype=np.int64)

    def _check_period(self, column: ColumnSpec, values: Sequence[str]) -> None:
        periods = {value: parse_period(value) for value in set(values)}
        refused = {value for value, period in periods.items() if period is None}
        if refused:
            rows = _rows_where(values, refused.__contains__)
            self.report(column.name, rows, lambda row: _period_problem(values[row]))
        self.typed[column.name] = values

    # Rules across columns.

    def _check_rule(self, rule: CrossColumnRule) -> None:
        if isinstance(rule, PresentOnlyWhen):
            self._check_present_only_when(rule)
        elif isinstance(rule, NotBefore):
            self._check_not_before(rule)
        else:
            self._check_required_for_user_assigned(rule)

    def _check_present_only_when(self, rule: PresentOnlyWhen) -> None:
        conditions = self.typed[rule.condition_column]
        indexes = self.choice_indexes[rule.condition_column]
        vocabulary = _choice_vocabulary(self.file_format.column(rule.condition_column).choices)
        is_known = indexes >= 0
        is_due = np.isin(indexes, [vocabulary.index(value) for value in rule.values])
        is_given = self.packed(rule.column).lengths > 0
        missing = np.flatnonzero(is_due & ~is_given).tolist()
        unexpected = np.flatnonzero(is_known & ~is_due & is_given).tolist()
        condition = rule.condition_column
        self.report(
            rule.column, missing, lambda row: f"is required when {condition} is {conditions[row]}"
        )
        self.report(
            rule.column,
            unexpected,
            lambda row: f"must be empty when {condition} is {conditions[row]}",
        )

    def _check_not_before(self, rule: NotBefore) -> None:
        dates, references = self.typed[rule.column], self.typed[rule.reference]
        early = np.flatnonzero(dates < references).tolist()  # NaT compares False
        self.report(
            rule.column,
            early,
            lambda row: f"must not be before {rule.reference} {references[row]}",
        )

    def _check_required_for_user_assigned(self, rule: RequiredForUserAssignedCodes) -> None:
        codes = self.typed[rule.code_column]
        is_user_assigned = _mask(map(USER_ASSIGNED_CODES.__contains__, codes), self.size)
        is_given = self.packed(rule.column).lengths > 0
        missing = np.flatnonzero(is_user_assigned & ~is_given).tolist()
        self.report(
            rule.column,
            missing,
            lambda row: f"is required for the user-assigned code {codes[row]}",
        )

    # Values made from other columns, once the chunk is known to be valid.

    def _fill_defaults_from_other_columns(self) -> None:
        for column in self.file_format.columns:
            if column.default_from is None:
                continue
            own, fallback = self.typed[column.name], self.typed[column.default_from]
            self.typed[column.name] = [
                value or other for value, other in zip(own, fallback, strict=True)
            ]

    def _add_period_days(self) -> None:
        periods = self.typed["period"]
        cache = {value: parse_period(value) for value in set(periods)}
        first_day, last_day = _period_days([cache[value] for value in periods])
        self.typed["period_first_day"] = first_day
        self.typed["period_last_day"] = last_day


def _replaced_where(
    values: Sequence[str], is_replaced: np.ndarray, replacement: str | None
) -> Sequence[str | None]:
    rows = np.flatnonzero(is_replaced).tolist()
    if not rows:
        return values
    replaced: list[str | None] = list(values)
    for row in rows:
        replaced[row] = replacement
    return replaced


def _rows_where(values: Sequence[str], predicate: Callable[[str], bool]) -> list[int]:
    return [row for row, value in enumerate(values) if predicate(value)]


def _mask(flags: Iterable[bool], size: int) -> np.ndarray:
    return np.fromiter(flags, dtype=bool, count=size)


def _choice_problem(column: ColumnSpec, value: str) -> str:
    if value == "":
        return REQUIRED
    if has_undecodable_bytes(value):
        return NOT_UTF8
    allowed = ", ".join(column.choices)
    spelled = value.strip().lower().replace(" ", "_").replace("-", "_")
    if spelled in column.choices:
        return f"must be written exactly {spelled}; the values are {allowed}"
    return f"must be one of {allowed}"


def _count_problem(value: str) -> str | None:
    if value == "":
        return REQUIRED
    if has_undecodable_bytes(value):
        return NOT_UTF8
    if value.isascii() and value.isdigit():
        return "is too large" if int(value) > _INT64_MAX else None
    if value.startswith("-") and value[1:].isascii() and value[1:].isdigit():
        return "must be 0 or more"
    return "must be a whole number written with digits only, such as 1234"


# --- Whole-file checks --------------------------------------------------------------


class _KeyRegister:
    """Finds keys given twice anywhere in a file without keeping the keys.

    Each row's key is kept as a 64-bit hash (8 bytes a row: 40 MB for 5 million
    rows). Equal hashes are candidates only: the file is read again to compare the
    candidate keys themselves, so a hash collision never refuses a valid file.
    Duplicates make the file invalid, so the second reading happens only for a file
    that is refused anyway (or, about once in 10^12 files, for a collision).
    """

    def __init__(self, file_format: FileFormat):
        self.key = file_format.key
        self._hashes: list[np.ndarray] = []

    def add(self, raw: RawChunk, *, may_lack_keys: bool) -> bool:
        """Register the keys of `raw`; `may_lack_keys` unless it passed validation.

        Returns whether `raw` repeats one of its own keys (compared exactly).
        """
        keys = _complete_keys(raw, self.key, may_lack_keys=may_lack_keys)
        self._hashes.append(keys.hashes)
        hashes = np.sort(keys.hashes)
        if not (hashes[1:] == hashes[:-1]).any():
            return False
        return len(set(keys.keys)) < len(keys.keys)

    def repeated(self, chunks_again: Callable[[], Iterable[RawChunk]]) -> list[Problem]:
        candidates = self._hashes_seen_twice()
        if candidates.size == 0:
            return []
        first_line: dict[tuple[str, ...], int] = {}
        problems: list[Problem] = []
        for raw in chunks_again():
            keys = _complete_keys(raw, self.key, may_lack_keys=True)
            for row in np.flatnonzero(np.isin(keys.hashes, candidates)).tolist():
                key, line = keys.keys[row], int(keys.lines[row])
                first = first_line.setdefault(key, line)
                if first != line:
                    value = key if isinstance(key, str) else key[-1]
                    problems.append(Problem(line, self.key[-1], self._message(first), value))
        return problems

    def _hashes_seen_twice(self) -> np.ndarray:
        hashes = np.concatenate(self._hashes) if self._hashes else np.empty(0, np.int64)
        self._hashes = []
        hashes.sort()
        return np.unique(hashes[1:][hashes[1:] == hashes[:-1]])

    def _message(self, first_line: int) -> str:
        if len(self.key) == 1:
            return f"repeats row {first_line}; each {self.key[0]} may appear only once in a file"
        others = ", ".join(self.key[:-1])
        return (
            f"repeats row {first_line}: the same {others} and {self.key[-1]} "
            "may appear only once in a file"
        )


class _CompleteKeys(NamedTuple):
    keys: Sequence[str] | Sequence[tuple[str, ...]]
    lines: np.ndarray
    hashes: np.ndarray


def _complete_keys(raw: RawChunk, key: tuple[str, ...], *, may_lack_keys: bool) -> _CompleteKeys:
    """The keys of the rows of `raw` that have every key part (a str for a one-column
    key, else a tuple), their lines and their hashes."""
    parts = [raw.values[name] for name in key]
    lines = raw.lines
    if may_lack_keys and any("" in part for part in parts):
        rows = [row for row in range(len(lines)) if all(part[row] for part in parts)]
        parts = [[part[row] for row in rows] for part in parts]
        lines = lines[rows]
    keys = parts[0] if len(parts) == 1 else list(zip(*parts, strict=True))
    hashes = np.fromiter(map(hash, keys), dtype=np.int64, count=len(lines))
    return _CompleteKeys(keys, lines, hashes)


class _PeriodRegister:
    """The periods of an aggregates file by country, measure and source, to find overlaps."""

    def __init__(self) -> None:
        self._periods: dict[tuple[str, str, str], list[tuple[Period, int, str]]] = defaultdict(list)

    def add(self, raw: RawChunk) -> None:
        columns = [raw.values[name] for name in AGGREGATES.key]  # the period last
        parsed: dict[str, Period | None] = {}
        for line, country, measure, source, text in zip(raw.lines.tolist(), *columns, strict=True):
            if text not in parsed:
                parsed[text] = parse_period(text)
            period = parsed[text]
            if period is not None and country and measure and source:
                self._periods[(country, measure, source)].append((period, line, text))

    def overlaps(self) -> list[Problem]:
        problems = []
        for entries in self._periods.values():
            problems.extend(_overlaps_within(entries))
        return problems


def _overlaps_within(entries: list[tuple[Period, int, str]]) -> Iterator[Problem]:
    """Overlaps among the periods of one country, measure and source.

    Sorted by first month, a period overlaps an earlier one exactly when it starts
    before the latest end seen so far, so each period is compared once, with the one
    reaching furthest. Every row that overlaps another is named in a problem, put on
    the later row of the pair. The same period twice is a repeated key, not an overlap.
    """
    entries = sorted(entries, key=lambda entry: (entry[0].first_month, -entry[0].last_month))
    reach: tuple[Period, int, str] | None = None
    for entry in entries:
        period, line, text = entry
        if reach is not None and period.first_month <= reach[0].last_month and text != reach[2]:
            other_line, other_text = reach[1], reach[2]
            if line > other_line:
                yield _overlap_problem(line, text, other_line, other_text)
            else:
                yield _overlap_problem(other_line, other_text, line, text)
        if reach is None or period.last_month > reach[0].last_month:
            reach = entry


def _overlap_problem(line: int, text: str, other_line: int, other_text: str) -> Problem:
    message = (
        f"overlaps {other_text} at row {other_line} for the same country, measure and "
        "source; a total would be counted twice"
    )
    return Problem(line, "period", message, text)


def stored_period_overlaps(
    incoming: Iterable[tuple[int, str, str, str, str]],
    stored: Iterable[tuple[str, str, str, str]],
) -> list[Problem]:
    """Rows of a file whose period overlaps a different period already stored.

    `incoming` holds (line, country, measure, source, period) for the file's rows,
    `stored` (country, measure, source, period) for what the database has. The same
    period as a stored one is no overlap: re-ingesting it updates the value.
    """
    stored_by_group: dict[tuple[str, str, str], list[tuple[Period, str]]] = defaultdict(list)
    for country, measure, source, text in stored:
        period = parse_period(text)
        if period is not None:
            stored_by_group[(country, measure, source)].append((period, text))
    problems = []
    for line, country, measure, source, text in incoming:
        period = parse_period(text)
        if period is None:
            continue
        clashes = [
            other_text
            for other, other_text in stored_by_group.get((country, measure, source), ())
            if other_text != text and period.overlaps(other)
        ]
        if clashes:
            problems.append(Problem(line, "period", _stored_overlap_message(clashes), text))
    return problems


def _stored_overlap_message(clashes: list[str]) -> str:
    named = ", ".join(sorted(clashes)[:3]) + (", ..." if len(clashes) > 3 else "")
    return (
        f"overlaps {named} already stored for the same country, measure and source; "
        "a total would be counted twice; remove the stored periods or use the same ones"
    )


# --- The file -----------------------------------------------------------------------


@dataclass
class _ProblemLog:
    """Problems of a file, the first MAX_REPORTED_PROBLEMS kept, all counted."""

    kept: list[Problem] = field(default_factory=list)
    count: int = 0

    def extend(self, problems: Iterable[Problem]) -> None:
        for problem in problems:
            self.count += 1
            if len(self.kept) < MAX_REPORTED_PROBLEMS:
                self.kept.append(problem)

    def rejection(self) -> FileRejected:
        return FileRejected(sorted(self.kept, key=lambda problem: problem.line), self.count)


def read_file(
    source: FileSource,
    kind: FileKind | str,
    declared_codes: Collection[str] = frozenset(),
    *,
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
) -> Iterator[ValidChunk]:
    """The rows of a `kind` file, checked and typed, in chunks of `chunk_rows`.

    `source` is a path, or a seekable binary file object read from its start.
    `declared_codes` are the user-assigned country codes (XAA-XZZ, QMA-QZZ) already
    in the countries table; it is not used for a countries file, which declares them.

    Raises FileRejected, carrying every problem found, before the first chunk if the
    header is wrong, otherwise after the last chunk if any row was wrong. Consume
    the whole iterator before committing what it yielded.

    No chunk is handed out after a problem, nor once a chunk repeats one of its own
    keys: the file will be refused, and a database could not apply such a chunk in one
    statement. A key repeated across chunks is found only at the end.
    """
    file_format = file_format_for(kind)
    if file_format is COUNTRIES:
        country_codes = CountryCodes.for_country_table()
    else:
        country_codes = CountryCodes.with_declared(declared_codes)
    log = _ProblemLog()
    keys = _KeyRegister(file_format)
    periods = _PeriodRegister() if file_format is AGGREGATES else None
    has_repeated_key = False
    for raw in read_raw_chunks(source, file_format.kind, chunk_rows):
        log.extend(raw.problems)
        verdict = validate_chunk(raw, file_format, country_codes)
        log.extend(verdict.problems)
        has_repeated_key |= keys.add(raw, may_lack_keys=verdict.chunk is None)
        if periods is not None:
            periods.add(raw)
        chunk = verdict.chunk if log.count == 0 and not has_repeated_key else None
        del raw, verdict  # the text of the file is not kept while the caller stores a chunk
        if chunk is not None:
            yield chunk
    log.extend(keys.repeated(lambda: read_raw_chunks(source, file_format.kind, chunk_rows)))
    if periods is not None:
        log.extend(periods.overlaps())
    if log.count:
        raise log.rejection()
