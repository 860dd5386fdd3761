"""The intake file formats of the data contract, written once as data.

`/work/shared/contract/data-formats.md` defines four kinds of file (`requests`,
`cases`, `aggregates`, `countries`). This module is the only place that states their
columns, value types, allowed values, defaults, keys and cross-column rules, and the
way a problem in a file is reported to the user. Reading and validation derive
everything from these tables, so a contract change (the contract only ever gains
optional columns) is an edit here and nowhere else.

No Django import: the database layer, the command line and the benchmarks share it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

#: Columns whose name starts with this prefix are the sender's own; they are ignored.
PRIVATE_COLUMN_PREFIX = "x_"

#: Longest identifier the contract allows (`request_id`, `case_id`).
IDENTIFIER_MAX_LENGTH = 64

#: The contract sets no length for these texts; the database columns do
#: (intake.models.Aggregate.source, core.models.Country.name_*), so a longer value is
#: reported as a problem of its row instead of failing inside the database.
SOURCE_MAX_LENGTH = 300
COUNTRY_NAME_MAX_LENGTH = 200

#: The contract's user-assigned alpha-3 ranges, as (first, last) inclusive.
USER_ASSIGNED_CODE_RANGES = (("XAA", "XZZ"), ("QMA", "QZZ"))

#: How many problems a rejected file carries (the contract asks for at least 100).
MAX_REPORTED_PROBLEMS = 1000


class FileKind(StrEnum):
    REQUESTS = "requests"
    CASES = "cases"
    AGGREGATES = "aggregates"
    COUNTRIES = "countries"


class ValueType(StrEnum):
    TEXT = "text"
    CHOICE = "choice"
    COUNTRY = "country"  # upper-case ISO 3166-1 alpha-3, or a declared user-assigned code
    DATE = "date"  # YYYY-MM-DD, a real calendar date
    COUNT = "count"  # integer >= 0
    PERIOD = "period"  # YYYY, YYYY-Qn or YYYY-MM


class Presence(StrEnum):
    REQUIRED = "required"
    OPTIONAL = "optional"
    # Required or forbidden depending on another column: see the format's rules.
    CONDITIONAL = "conditional"


@dataclass(frozen=True)
class ColumnSpec:
    name: str
    value_type: ValueType
    presence: Presence
    choices: tuple[str, ...] = ()
    default: str | None = None
    # An empty cell takes the value of this other column (countries.name_fr).
    default_from: str | None = None
    max_length: int | None = None

    @property
    def is_required(self) -> bool:
        return self.presence is Presence.REQUIRED


@dataclass(frozen=True)
class PresentOnlyWhen:
    """`column` is required when `condition_column` is one of `values`, empty otherwise."""

    column: str
    condition_column: str
    values: frozenset[str]


@dataclass(frozen=True)
class NotBefore:
    """Date `column` may not precede date `reference` when both are given."""

    column: str
    reference: str


@dataclass(frozen=True)
class RequiredForUserAssignedCodes:
    """`column` is required on rows whose `code_column` is a user-assigned code."""

    column: str
    code_column: str


CrossColumnRule = PresentOnlyWhen | NotBefore | RequiredForUserAssignedCodes


@dataclass(frozen=True)
class FileFormat:
    kind: FileKind
    columns: tuple[ColumnSpec, ...]
    # Key columns; problems about a repeated key are reported on the last one.
    key: tuple[str, ...]
    rules: tuple[CrossColumnRule, ...] = ()
    # Columns the validator adds to every valid chunk (aggregates: period bounds).
    derived_columns: tuple[str, ...] = ()

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(column.name for column in self.columns)

    @property
    def required_column_names(self) -> tuple[str, ...]:
        return tuple(column.name for column in self.columns if column.is_required)

    def column(self, name: str) -> ColumnSpec:
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(f"{self.kind} files have no column {name!r}")


def _identifier(name: str, presence: Presence = Presence.REQUIRED) -> ColumnSpec:
    return ColumnSpec(name, ValueType.TEXT, presence, max_length=IDENTIFIER_MAX_LENGTH)


def _choice(
    name: str, presence: Presence, choices: Iterable[str], default: str | None = None
) -> ColumnSpec:
    return ColumnSpec(name, ValueType.CHOICE, presence, choices=tuple(choices), default=default)


def _date(name: str, presence: Presence) -> ColumnSpec:
    return ColumnSpec(name, ValueType.DATE, presence)


REQUIRED = Presence.REQUIRED
OPTIONAL = Presence.OPTIONAL
CONDITIONAL = Presence.CONDITIONAL

DOCUMENT_TYPES = ("passport", "emergency_travel_document", "laissez_passer", "other")
REQUEST_OUTCOMES = ("issued", "refused", "withdrawn", "pending")
CASE_STATUSES = ("pending", "removed", "closed")
IMPEDIMENTS = (
    "none",
    "travel_document",
    "legal",
    "medical",
    "whereabouts_unknown",
    "operational",
)
CASE_CATEGORIES = ("failed_claimant", "criminality", "other")
REMOVAL_MODES = ("escorted", "unescorted")
FLIGHTS = ("commercial", "charter")
MEASURES = ("orders", "returns", "td_requested", "td_issued", "td_refused")

REQUESTS = FileFormat(
    kind=FileKind.REQUESTS,
    columns=(
        _identifier("request_id"),
        # The contract says "text"; it names a case, whose key is 1-64 characters.
        _identifier("case_id", OPTIONAL),
        ColumnSpec("country", ValueType.COUNTRY, REQUIRED),
        _date("requested_on", REQUIRED),
        _choice("document_type", OPTIONAL, DOCUMENT_TYPES, default="other"),
        _date("interview_requested_on", OPTIONAL),
        _date("interview_held_on", OPTIONAL),
        _choice("outcome", REQUIRED, REQUEST_OUTCOMES),
        _date("decided_on", CONDITIONAL),
    ),
    key=("request_id",),
    rules=(
        PresentOnlyWhen("decided_on", "outcome", frozenset({"issued", "refused", "withdrawn"})),
        NotBefore("interview_requested_on", "requested_on"),
        NotBefore("interview_held_on", "interview_requested_on"),
        NotBefore("decided_on", "requested_on"),
    ),
)

CASES = FileFormat(
    kind=FileKind.CASES,
    columns=(
        _identifier("case_id"),
        ColumnSpec("country", ValueType.COUNTRY, REQUIRED),
        _date("order_enforceable_on", REQUIRED),
        _choice("status", REQUIRED, CASE_STATUSES),
        _date("removed_on", CONDITIONAL),
        _date("closed_on", CONDITIONAL),
        _choice("impediment", OPTIONAL, IMPEDIMENTS, default="none"),
        _choice("category", OPTIONAL, CASE_CATEGORIES, default="other"),
        _choice("removal_mode", OPTIONAL, REMOVAL_MODES),
        _choice("flight", OPTIONAL, FLIGHTS),
    ),
    key=("case_id",),
    rules=(
        PresentOnlyWhen("removed_on", "status", frozenset({"removed"})),
        PresentOnlyWhen("closed_on", "status", frozenset({"closed"})),
        NotBefore("removed_on", "order_enforceable_on"),
        NotBefore("closed_on", "order_enforceable_on"),
    ),
)

AGGREGATES = FileFormat(
    kind=FileKind.AGGREGATES,
    columns=(
        ColumnSpec("country", ValueType.COUNTRY, REQUIRED),
        ColumnSpec("period", ValueType.PERIOD, REQUIRED),
        _choice("measure", REQUIRED, MEASURES),
        ColumnSpec("value", ValueType.COUNT, REQUIRED),
        ColumnSpec("source", ValueType.TEXT, REQUIRED, max_length=SOURCE_MAX_LENGTH),
    ),
    # The contract's key, ordered as the database layer passes stored periods.
    key=("country", "measure", "source", "period"),
    derived_columns=("period_first_day", "period_last_day"),
)

COUNTRIES = FileFormat(
    kind=FileKind.COUNTRIES,
    columns=(
        ColumnSpec("code", ValueType.COUNTRY, REQUIRED),
        ColumnSpec("name_en", ValueType.TEXT, CONDITIONAL, max_length=COUNTRY_NAME_MAX_LENGTH),
        ColumnSpec(
            "name_fr",
            ValueType.TEXT,
            OPTIONAL,
            default_from="name_en",
            max_length=COUNTRY_NAME_MAX_LENGTH,
        ),
    ),
    key=("code",),
    rules=(RequiredForUserAssignedCodes("name_en", "code"),),
)

FORMATS: dict[FileKind, FileFormat] = {
    file_format.kind: file_format for file_format in (REQUESTS, CASES, AGGREGATES, COUNTRIES)
}


def file_format_for(kind: FileKind | str) -> FileFormat:
    """The format of `kind`; a ValueError names the kinds there are."""
    try:
        return FORMATS[FileKind(kind)]
    except ValueError:
        known = ", ".join(FileKind)
        raise ValueError(f"Unknown kind of file {kind!r}; the kinds are {known}.") from None


def is_user_assigned_code(code: str) -> bool:
    """Whether `code` lies in one of the contract's user-assigned ranges."""
    return (
        len(code) == 3
        and code.isascii()
        and code.isalpha()
        and code.isupper()
        and any(first <= code <= last for first, last in USER_ASSIGNED_CODE_RANGES)
    )


# --- Problems, as the contract's "Errors and atomicity" section reports them ---------

_SHOWN_VALUE_MAX_LENGTH = 80


def shown_value(value: str) -> str:
    """A cell value as a one-line, printable text for a message."""
    if value == "":
        return "empty"
    printable = (
        value.encode("utf-8", "surrogateescape")
        .decode("utf-8", "backslashreplace")
        .replace("\r", "\\r")
        .replace("\n", "\\n")
    )
    if len(printable) > _SHOWN_VALUE_MAX_LENGTH:
        printable = printable[: _SHOWN_VALUE_MAX_LENGTH - 1] + "…"
    return printable


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a file, at a row (record number, header = 1) and a column.

    Renders as the contract says: `row N, column NAME: what is wrong (value given)`.
    The few problems that have no column (a CSV syntax error) render as `row N: ...`,
    and those about the file as a whole (line 0) as `file: ...`.
    """

    line: int
    column: str
    message: str
    value: str

    def __str__(self) -> str:
        if self.line == 0:
            place = "file"
        elif self.column:
            place = f"row {self.line}, column {self.column}"
        else:
            place = f"row {self.line}"
        return f"{place}: {self.message} ({shown_value(self.value)})"


class FileRejected(Exception):
    """The file is refused as a whole; `problems` says why, row by row.

    `problem_count` counts every problem found, `problems` keeps the first
    MAX_REPORTED_PROBLEMS of them in the order of the file.
    """

    def __init__(self, problems: Iterable[Problem], problem_count: int | None = None):
        self.problems: tuple[Problem, ...] = tuple(problems)
        self.problem_count = len(self.problems) if problem_count is None else problem_count
        super().__init__(self.report(limit=10))

    def report(self, limit: int = 100) -> str:
        """The summary line and the first `limit` problems, one per line."""
        count = self.problem_count
        noun = "problem" if count == 1 else "problems"
        lines = [f"The file was refused: {count:,} {noun} found; nothing was stored."]
        lines.extend(str(problem) for problem in self.problems[:limit])
        hidden = count - min(limit, len(self.problems))
        if hidden > 0:
            lines.append(f"... and {hidden:,} more.")
        return "\n".join(lines)
