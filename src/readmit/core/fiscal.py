"""The federal fiscal year: 1 April to 31 March, written FY2024-25.

Money and dates meet here. A `FiscalYear` is named by the calendar year in which it
starts (FY2024-25 starts on 1 April 2024 and ends on 31 March 2025); it is immutable,
ordered and hashable, so it can key a dict of amounts and be sorted. No Django import:
the envelope arithmetic, commands and benchmarks use it with plain values.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

#: The month in which the Government of Canada's fiscal year starts.
START_MONTH = 4

_PATTERN = re.compile(r"^\s*(?:FY\s*)?(\d{4})\s*[-/–]\s*(\d{2}|\d{4})\s*$", re.IGNORECASE)
_MIN_YEAR, _MAX_YEAR = 1900, 2998


@dataclass(frozen=True, order=True)
class FiscalYear:
    """One federal fiscal year, named by the calendar year of its 1 April."""

    start_year: int

    def __post_init__(self) -> None:
        if isinstance(self.start_year, bool) or not isinstance(self.start_year, int):
            raise TypeError(f"A fiscal year's start year is an int, not {self.start_year!r}.")
        if not _MIN_YEAR <= self.start_year <= _MAX_YEAR:
            raise ValueError(f"{self.start_year} is not a plausible fiscal year.")

    # Building one ----------------------------------------------------------------------

    @classmethod
    def of(cls, day: date) -> FiscalYear:
        """The fiscal year a date falls in: 31 March 2025 is in FY2024-25, 1 April in FY2025-26."""
        return cls(day.year if day.month >= START_MONTH else day.year - 1)

    @classmethod
    def parse(cls, text: str) -> FiscalYear:
        """Read `FY2024-25`, `FY2024-2025`, `2024-25` or `2024-2025` (any case, spaces allowed).

        The second year must be the year after the first: `FY2024-26` is refused.
        """
        if isinstance(text, FiscalYear):
            return text
        match = _PATTERN.match(str(text))
        if not match:
            raise ValueError(f"{text!r} is not a fiscal year; write it as FY2024-25.")
        start, end = int(match.group(1)), match.group(2)
        expected_end = str(start + 1)
        if end not in {expected_end, expected_end[-2:]}:
            raise ValueError(
                f"{text!r} is not a fiscal year: a fiscal year ends in the year after it "
                f"starts (FY{start}-{expected_end[-2:]})."
            )
        return cls(start)

    # Reading one -----------------------------------------------------------------------

    @property
    def end_year(self) -> int:
        return self.start_year + 1

    @property
    def start(self) -> date:
        """1 April, its first day."""
        return date(self.start_year, START_MONTH, 1)

    @property
    def end(self) -> date:
        """31 March, its last day."""
        return date(self.end_year, START_MONTH, 1) - timedelta(days=1)

    @property
    def label(self) -> str:
        """FY2024-25, the way the Government of Canada writes it."""
        return f"FY{self.start_year}-{str(self.end_year)[-2:]}"

    @property
    def long_label(self) -> str:
        """FY2024-2025, as some documents (the seed's briefing note) write it."""
        return f"FY{self.start_year}-{self.end_year}"

    def __str__(self) -> str:
        return self.label

    def __repr__(self) -> str:
        return f"FiscalYear({self.label})"

    def __contains__(self, day: date) -> bool:
        return self.start <= day <= self.end

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def days_left(self, day: date) -> int:
        """Days from `day` to 31 March inclusive; 0 once the year is over, all of them before."""
        if day > self.end:
            return 0
        if day < self.start:
            return self.days
        return (self.end - day).days + 1

    # Moving ----------------------------------------------------------------------------

    @property
    def next(self) -> FiscalYear:
        return FiscalYear(self.start_year + 1)

    @property
    def previous(self) -> FiscalYear:
        return FiscalYear(self.start_year - 1)

    def __add__(self, years: int) -> FiscalYear:
        if not isinstance(years, int) or isinstance(years, bool):
            return NotImplemented
        return FiscalYear(self.start_year + years)

    def __sub__(self, other):
        """`fy - 2` is two years earlier; `fy - other_fy` is the number of years between them."""
        if isinstance(other, FiscalYear):
            return self.start_year - other.start_year
        if isinstance(other, int) and not isinstance(other, bool):
            return FiscalYear(self.start_year - other)
        return NotImplemented


def fiscal_years(first: FiscalYear, last: FiscalYear) -> list[FiscalYear]:
    """Every fiscal year from `first` to `last`, both included; empty when `last` is earlier."""
    return list(iter_fiscal_years(first, last))


def iter_fiscal_years(first: FiscalYear, last: FiscalYear) -> Iterator[FiscalYear]:
    for start_year in range(first.start_year, last.start_year + 1):
        yield FiscalYear(start_year)


def fiscal_years_between(start: date, end: date) -> list[FiscalYear]:
    """The fiscal years a period of dates touches, in order."""
    return fiscal_years(FiscalYear.of(start), FiscalYear.of(end))
