"""Opening an intake file (CSV or XLSX) and cutting it into chunks of text columns.

This module owns everything about the file as a table: which container it is, the
character encoding, CSV quoting, the spreadsheet's cell types, the header, and the
shape of each row. It knows the contract's column names (from `formats`) but not what
a valid value is; `validation` decides that, one chunk at a time, so a file of
millions of rows is never held in memory.

Choices the contract leaves open, made here:

- Row numbers. A problem at "row N" means the N-th record of the file, the header
  being record 1. That is the row number a spreadsheet shows: a CSV field quoted over
  several physical lines is one record, so every later row keeps the number the user
  sees when the file is opened in a spreadsheet. For an XLSX file it is the sheet's
  row number. A CSV syntax error also names the physical line, for text editors.
- Blank rows (no value at all, e.g. `,,,,` or a formatted but empty spreadsheet row)
  are skipped; they still count in the numbering.
- A CSV row with fewer fields than the header is refused (RFC 4180 rows all have the
  same number of fields); extra fields are allowed only when empty (trailing commas).
  In XLSX an absent cell is simply empty.
- Empty header cells after the last named column are ignored (spreadsheets often
  report formatted columns); an empty header cell before a named one is refused.
- The container is decided by content: `PK` (a zip) is XLSX, the old binary `.xls`
  and UTF-16 text are refused with a hint, anything else is read as UTF-8 CSV. A file
  named `.xlsx` that is not a zip is refused rather than read as CSV.
- Bytes that are not UTF-8 do not stop the reading: they reach the validator as
  lone surrogates (`surrogateescape`), which reports each such cell by row and column.
- XLSX cells become the text a CSV would hold: a date cell -> `YYYY-MM-DD` (a date
  with a time of day -> `YYYY-MM-DD HH:MM:SS`, which the validator refuses as a date),
  an integer-valued number `12.0` -> `12`, other numbers -> Python's shortest
  round-trip form (`1.5`), booleans -> `TRUE`/`FALSE`, formulas -> their cached value.
"""

from __future__ import annotations

import csv
import datetime as dt
import gc
import io
import itertools
import os
import queue
import threading
import zipfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import StrEnum
from typing import BinaryIO, NamedTuple, NoReturn, Protocol, TypeVar

import numpy as np

from readmit.intake.formats import (
    PRIVATE_COLUMN_PREFIX,
    FileFormat,
    FileKind,
    FileRejected,
    Problem,
    file_format_for,
)

#: Rows per chunk: large enough to amortise the per-chunk work, small enough that a
#: chunk of the widest format stays at a few tens of megabytes. A CSV is cut by size
#: at record boundaries, so its chunks hold about this many rows, not exactly.
DEFAULT_CHUNK_ROWS = 50_000

#: Record number of the header; data rows start at HEADER_LINE + 1.
HEADER_LINE = 1

#: Problems about the file as a whole carry this line number.
WHOLE_FILE = 0

FileSource = str | os.PathLike[str] | BinaryIO

ChunkT = TypeVar("ChunkT")
PreparedT = TypeVar("PreparedT")

_UTF8_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_ZIP_MAGIC = b"PK"
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_XLSX_SUFFIXES = (".xlsx", ".xlsm")

_CSV_ERROR_HINTS = {
    "',' expected after '\"'": (
        "a quoted field must end with a quote followed by a comma or the end of the line"
    ),
    "unexpected end of data": 'the file ends inside a quoted field: a quote (") is never closed',
    "field larger than field limit": (
        'a field is too long to be real: most likely a quote (") is opened and never closed'
    ),
}


class Container(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"


@dataclass(frozen=True)
class Header:
    """The header of a file that passed the checks: which contract column is where."""

    file_format: FileFormat
    names: tuple[str, ...]
    positions: dict[str, int]

    @property
    def ignored_names(self) -> tuple[str, ...]:
        return tuple(name for name in self.names if name.startswith(PRIVATE_COLUMN_PREFIX))


class PackedValues(NamedTuple):
    """A column's values as UTF-8 bytes in a buffer, with each value's start and length.

    numpy can then work on all the characters of a column at once (dates are parsed so).
    Bytes that were not UTF-8 in the file are restored as they were (`surrogateescape`);
    `is_utf8` says whether there were any. The buffer may hold other columns too.
    """

    buffer: np.ndarray  # uint8, followed by PACKING_PADDING zero bytes
    starts: np.ndarray  # int64
    lengths: np.ndarray  # int64, in bytes: never fewer than the characters
    is_utf8: bool


_SEPARATOR = "\n"
PACKING_PADDING = 32  # bytes readable past the last value, for fixed-width reads


def packed_values(values: Sequence[str]) -> PackedValues:
    """Pack `values`; a line break inside a value counts as one byte, like a space."""
    joined = _SEPARATOR.join(values)
    if joined.count(_SEPARATOR) != max(len(values) - 1, 0):
        joined = _SEPARATOR.join(value.replace(_SEPARATOR, " ") for value in values)
    try:
        encoded, is_utf8 = joined.encode("utf-8"), True
    except UnicodeEncodeError:
        encoded, is_utf8 = joined.encode("utf-8", "surrogateescape"), False
    buffer = np.frombuffer(encoded + bytes(PACKING_PADDING), dtype=np.uint8)
    if not values:
        empty = np.empty(0, dtype=np.int64)
        return PackedValues(buffer, empty, empty, is_utf8)
    breaks = np.flatnonzero(buffer[: len(encoded)] == ord(_SEPARATOR))
    starts = np.concatenate(([0], breaks + 1))
    ends = np.append(breaks, len(encoded))
    return PackedValues(buffer, starts, ends - starts, is_utf8)


@dataclass(frozen=True)
class RawChunk:
    """Consecutive rows of a file as text columns, before any value is checked.

    `values` holds the contract columns present in the header, each a sequence of
    strings aligned with `lines` (record numbers). Rows whose shape is wrong are left
    out and described in `problems`. `packed` has the same columns as UTF-8 bytes when
    the reader had them at no cost (see `packed_column`).
    """

    lines: np.ndarray
    values: dict[str, Sequence[str]]
    problems: tuple[Problem, ...] = ()
    packed: dict[str, PackedValues] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.lines)


def packed_column(raw: RawChunk, name: str) -> PackedValues:
    """Column `name` of `raw` packed, from the reader if it kept it, else packed now."""
    packed = raw.packed.get(name)
    return packed if packed is not None else packed_values(raw.values[name])


def column_letter(index: int) -> str:
    """The spreadsheet letter of the 0-based column `index` (0 -> A, 26 -> AA)."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def container_of(source: FileSource) -> Container:
    """CSV or XLSX, decided by the first bytes (and the name, for a misnamed file)."""
    with _binary_stream(source) as stream:
        return _container(stream, _name_of(source))


def check_header(source: FileSource, kind: FileKind | str) -> Header:
    """Read the header only; raise FileRejected if a row could not be read under it."""
    file_format = file_format_for(kind)
    with _opened_table(source) as table:
        return checked_header(table.header_cells(), file_format)


def read_raw_chunks(
    source: FileSource, kind: FileKind | str, chunk_rows: int = DEFAULT_CHUNK_ROWS
) -> Iterator[RawChunk]:
    """The rows of `source` under a checked header, `chunk_rows` at a time.

    Raises FileRejected before yielding anything if the header is wrong.
    """
    file_format = file_format_for(kind)
    with _opened_table(source) as table:
        header = checked_header(table.header_cells(), file_format)
        yield from _raw_chunks(table, header, chunk_rows)


# --- The header ---------------------------------------------------------------------


def checked_header(cells: Sequence[str], file_format: FileFormat) -> Header:
    """The header of a `file_format` file, or FileRejected listing what is wrong."""
    names = list(cells)
    while names and names[-1] == "":
        names.pop()
    problems: list[Problem] = []
    first_position: dict[str, int] = {}
    for position, name in enumerate(names):
        problem = _header_cell_problem(name, position, first_position, file_format)
        if problem is not None:
            problems.append(problem)
        first_position.setdefault(name, position)
    header_text = ",".join(names)
    problems.extend(
        Problem(HEADER_LINE, name, "required column is missing from the header", header_text)
        for name in file_format.required_column_names
        if name not in first_position
    )
    if problems:
        raise FileRejected(problems)
    positions = {
        name: position
        for name in file_format.column_names
        if (position := first_position.get(name)) is not None
    }
    return Header(file_format, tuple(names), positions)


def _header_cell_problem(
    name: str, position: int, first_position: dict[str, int], file_format: FileFormat
) -> Problem | None:
    letter = column_letter(position)
    if name == "":
        return Problem(HEADER_LINE, letter, "has no name; name the column or delete it", "")
    if has_undecodable_bytes(name):
        return Problem(HEADER_LINE, letter, NOT_UTF8, name)
    if name in first_position:
        earlier = column_letter(first_position[name])
        message = f"appears twice in the header, in columns {earlier} and {letter}"
        return Problem(HEADER_LINE, name, message, name)
    if name in file_format.column_names or name.startswith(PRIVATE_COLUMN_PREFIX):
        return None
    return Problem(HEADER_LINE, name, _unknown_column_message(name, file_format), name)


def _unknown_column_message(name: str, file_format: FileFormat) -> str:
    spelled = name.strip().lower().replace(" ", "_").replace("-", "_")
    if spelled in file_format.column_names:
        return (
            f"unknown column; did you mean {spelled}? Column names are matched exactly, "
            "in lower case"
        )
    expected = ", ".join(file_format.column_names)
    return (
        f"unknown column; {file_format.kind} files have the columns {expected}, "
        f"and columns of your own must start with {PRIVATE_COLUMN_PREFIX}"
    )


NOT_UTF8 = "is not valid UTF-8 text; save the file as CSV UTF-8"


def has_undecodable_bytes(text: str) -> bool:
    """Whether `text` holds bytes of the file that were not UTF-8 (lone surrogates)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


# --- Rows into chunks ---------------------------------------------------------------


@dataclass
class _Block:
    """Consecutive records of a file, as rows of fields or, when cheaper, as columns."""

    record_count: int
    rows: list | None = None  # a None row is a broken record, already in `problems`
    columns: list[list[str]] | None = None
    problems: list[Problem] = field(default_factory=list)
    packed_columns: list[PackedValues] | None = None  # with `columns`, from the same text


class _Table(Protocol):
    short_rows_are_padded: bool

    def header_cells(self) -> list[str]: ...

    def next_block(self, target_rows: int, first_line: int) -> _Block | None: ...


def _raw_chunks(table: _Table, header: Header, chunk_rows: int) -> Iterator[RawChunk]:
    next_line = HEADER_LINE + 1
    while True:
        with _cyclic_collector_paused():
            block = table.next_block(chunk_rows, next_line)
            if block is None:
                return
            chunk = _raw_chunk(block, next_line, header, table.short_rows_are_padded)
        next_line += block.record_count
        yield chunk


def _raw_chunk(
    block: _Block, first_line: int, header: Header, short_rows_are_padded: bool
) -> RawChunk:
    columns = _regular_columns(block, header)
    if columns is not None:
        lines = np.arange(first_line, first_line + block.record_count, dtype=np.int64)
        packed = _by_name(block.packed_columns, header) if block.packed_columns else {}
        return RawChunk(lines, _by_name(columns, header), (), packed)
    rows = block.rows if block.rows is not None else list(zip(*block.columns, strict=True))
    lines, columns, problems = _regularised_rows(rows, first_line, header, short_rows_are_padded)
    return RawChunk(lines, _by_name(columns, header), (*block.problems, *problems))


def _by_name(columns: Sequence, header: Header) -> dict:
    return {name: columns[position] for name, position in header.positions.items()}


def _regular_columns(block: _Block, header: Header) -> Sequence[Sequence[str]] | None:
    """The columns of `block` if every record has a field per header column and none
    is blank; None if some record needs a closer look."""
    if block.problems:
        return None
    width = len(header.names)
    # Every format has a required column, so a blank row always leaves this one empty.
    sentinel = header.positions[header.file_format.required_column_names[0]]
    columns = block.columns
    if columns is not None:
        if len(columns) != width or (block.packed_columns[sentinel].lengths == 0).any():
            return None
        return columns
    try:
        columns = list(zip(*block.rows, strict=True))
    except ValueError:
        return None
    if len(columns) != width or "" in columns[sentinel]:
        return None
    return columns


def _regularised_rows(
    rows: list, first_line: int, header: Header, short_rows_are_padded: bool
) -> tuple[np.ndarray, list[tuple[str, ...]], list[Problem]]:
    """Rows of irregular shape made regular, row by row; blank and broken rows left out."""
    width = len(header.names)
    kept_lines: list[int] = []
    kept_rows: list[Sequence[str]] = []
    problems: list[Problem] = []
    for line, row in enumerate(rows, start=first_line):
        if row is None or not any(row):  # None: a CSV syntax error, already reported
            continue
        if len(row) > width:
            extra = next((i for i in range(width, len(row)) if row[i]), None)
            if extra is not None:
                problems.append(
                    Problem(line, column_letter(extra), _beyond_header(width), row[extra])
                )
                continue
            row = row[:width]
        elif len(row) < width:
            if not short_rows_are_padded:
                problems.append(
                    Problem(line, header.names[len(row)], _short_row(len(row), width), "")
                )
                continue
            row = list(row) + [""] * (width - len(row))
        kept_lines.append(line)
        kept_rows.append(row)
    columns = list(zip(*kept_rows, strict=True)) if kept_rows else [()] * width
    return np.array(kept_lines, dtype=np.int64), columns, problems


def _beyond_header(width: int) -> str:
    return f"holds a value beyond the last column of the header, which has {width} columns"


def _short_row(field_count: int, width: int) -> str:
    return f"is missing: the row has {field_count} fields and the header {width}"


@contextmanager
def _cyclic_collector_paused() -> Iterator[None]:
    # The csv module allocates one list per row. None of them can form a cycle, and
    # the cyclic collector, triggered over and over by those allocations, would cost
    # about as much as the parsing itself. Reference counting still frees them.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


# --- Containers ---------------------------------------------------------------------


@contextmanager
def _opened_table(source: FileSource) -> Iterator[_Table]:
    with _binary_stream(source) as stream:
        container = _container(stream, _name_of(source))
        if container is Container.XLSX:
            with _xlsx_table(stream) as table:
                yield table
        else:
            with _csv_table(stream) as table:
                yield table


@contextmanager
def _binary_stream(source: FileSource) -> Iterator[BinaryIO]:
    """`source` as a binary stream at its start; a stream we opened is closed after."""
    if isinstance(source, str | os.PathLike):
        try:
            stream = open(source, "rb")  # noqa: SIM115 - closed below
        except OSError as error:
            problem = Problem(WHOLE_FILE, "", "could not be opened", error.strerror or "")
            raise FileRejected([problem]) from error
        with stream:
            yield stream
    else:
        source.seek(0)
        yield source


def _name_of(source: FileSource) -> str:
    if isinstance(source, str | os.PathLike):
        return os.fspath(source)
    return str(getattr(source, "name", "") or "")


def _container(stream: BinaryIO, name: str) -> Container:
    head = stream.read(len(_OLE2_MAGIC))
    stream.seek(0)
    if head.startswith(_ZIP_MAGIC):
        return Container.XLSX
    if head.startswith(_OLE2_MAGIC):
        _reject_file("is an old Excel .xls workbook; save it as .xlsx or as CSV UTF-8", name)
    if head.startswith(_UTF16_BOMS):
        _reject_file("is UTF-16 text; save it as CSV UTF-8", name)
    if name.lower().endswith(_XLSX_SUFFIXES):
        _reject_file("is named like an XLSX workbook but is not one", name)
    return Container.CSV


def _reject_file(message: str, name: str) -> NoReturn:
    raise FileRejected([Problem(WHOLE_FILE, "", message, os.path.basename(name))])


class _CsvTable:
    """A UTF-8 CSV text cut into blocks of whole records.

    A block ends at a line break outside any quoted field: for RFC 4180 text, where
    quotes only open, double or close a quoted field, that is a line break preceded
    by an even number of quotes. A block without any quote (most files) cannot hold a
    quoted comma or line break, so it is split with `str.split` straight into columns,
    several times faster than the csv module; any other block goes through the csv
    module. Both give the same fields. Line breaks are those of the csv module: LF,
    CRLF or a lone CR.
    """

    short_rows_are_padded = False
    _READ_CHARS = 1 << 20
    # Bounds a block whatever the rows look like (the estimate below may be off).
    _MAX_BLOCK_CHARS = 1 << 25
    # A quoted field longer than this is not data but a quote that never closes.
    _MAX_QUOTED_SPAN = 4 * csv.field_size_limit()

    def __init__(self, text: io.TextIOBase):
        self._text = text
        self._pending = ""
        self._is_exhausted = False
        self._physical_lines = 0  # line breaks before the pending text
        self._chars_per_record = 100.0

    def header_cells(self) -> list[str]:
        text = self._next_records_text(0)
        block = self._csv_block(text, HEADER_LINE)
        if block.problems:
            raise FileRejected(block.problems)
        return block.rows[0] if block.rows else []

    def next_block(self, target_rows: int, first_line: int) -> _Block | None:
        wanted = min(int(target_rows * self._chars_per_record), self._MAX_BLOCK_CHARS)
        text = self._next_records_text(wanted)
        if not text:
            return None
        block = _quote_free_block(text)
        if block is None:
            block = self._csv_block(text, first_line)
        else:
            self._physical_lines += block.record_count  # one line per record there
        self._chars_per_record = max(len(text) / max(block.record_count, 1), 1.0)
        return block

    def _next_records_text(self, wanted_chars: int) -> str:
        """At least `wanted_chars` of text (if the file has them), ending with a record."""
        while True:
            end = _end_of_record_after(self._pending, wanted_chars)
            if end is None and len(self._pending) > wanted_chars + self._MAX_QUOTED_SPAN:
                end = _line_break_after(self._pending, wanted_chars)
            if end is None and self._is_exhausted:
                end = len(self._pending)
            if end is not None:
                text, self._pending = self._pending[:end], self._pending[end:]
                return text
            piece = self._text.read(max(wanted_chars - len(self._pending), self._READ_CHARS))
            self._pending += piece
            self._is_exhausted = not piece

    def _csv_block(self, text: str, first_line: int) -> _Block:
        reader = csv.reader(io.StringIO(text, newline=""), strict=True)
        rows: list = []
        problems: list[Problem] = []
        while True:
            try:
                rows.extend(reader)
                break
            except csv.Error as error:
                line = self._physical_lines + reader.line_num
                problems.append(_syntax_problem(first_line + len(rows), line, error))
                rows.append(None)  # the broken record keeps its place in the numbering
        self._physical_lines += reader.line_num
        return _Block(len(rows), rows=rows, problems=problems)


def _end_of_record_after(text: str, start: int) -> int | None:
    """The position just after the first line break at or after `start` that is outside
    quotes, or None if `text` has none."""
    end = _line_break_after(text, start)
    if end is None or '"' not in text:
        return end
    quotes = text.count('"', 0, end)
    while quotes % 2:
        following = _line_break_after(text, end)
        if following is None:
            return None
        quotes += text.count('"', end, following)
        end = following
    return end


def _line_break_after(text: str, start: int) -> int | None:
    """The position just after the first LF, CRLF or lone CR at or after `start`; None
    if there is none, or if `text` ends with a CR whose LF may be still to come."""
    line_feed = text.find("\n", start)
    carriage_return = text.find("\r", start, None if line_feed < 0 else line_feed)
    if carriage_return < 0:
        return None if line_feed < 0 else line_feed + 1
    if carriage_return + 1 == len(text):
        return None
    return carriage_return + (2 if text[carriage_return + 1] == "\n" else 1)


def _quote_free_block(text: str) -> _Block | None:
    """The columns of `text` if it has no quote, ends its lines all with LF or all with
    CRLF, and has the same number of fields on every line; None otherwise (the csv
    module then reads it)."""
    if '"' in text:
        return None
    has_crlf = "\r" in text
    if not text.endswith("\n"):
        text += "\r\n" if has_crlf else "\n"
    try:
        encoded, is_utf8 = text.encode("utf-8"), True
    except UnicodeEncodeError:
        encoded, is_utf8 = text.encode("utf-8", "surrogateescape"), False
    octets = np.frombuffer(encoded + bytes(PACKING_PADDING), dtype=np.uint8)
    is_line_feed = octets == ord("\n")
    is_line_end = is_line_feed
    if has_crlf:
        is_line_end = octets == ord("\r")
        if not np.array_equal(np.flatnonzero(is_line_end) + 1, np.flatnonzero(is_line_feed)):
            return None
    field_ends = np.flatnonzero(is_line_end | (octets == ord(",")))
    line_count = int(np.count_nonzero(is_line_end))
    width, remainder = divmod(len(field_ends), line_count)
    # Every line has `width` fields exactly when every width-th field ends a line.
    if remainder or not is_line_end[field_ends[width - 1 :: width]].all():
        return None
    after_ends = field_ends[:-1] + 1
    if has_crlf:
        after_ends += is_line_end[field_ends[:-1]]  # skip the LF of CRLF
    field_starts = np.concatenate(([0], after_ends))
    grid_starts = field_starts.reshape(line_count, width)
    grid_lengths = (field_ends - field_starts).reshape(line_count, width)
    if has_crlf:
        text = text.replace("\r", "")
    fields = text[:-1].replace("\n", ",").split(",")
    return _Block(
        line_count,
        columns=[fields[i::width] for i in range(width)],
        packed_columns=[
            PackedValues(octets, grid_starts[:, i], grid_lengths[:, i], is_utf8)
            for i in range(width)
        ],
    )


def _syntax_problem(line: int, physical_line: int, error: csv.Error) -> Problem:
    reason = str(error)
    hint = next(
        (text for start, text in _CSV_ERROR_HINTS.items() if reason.startswith(start)),
        f"the CSV could not be read: {reason}",
    )
    return Problem(line, "", hint, f"physical line {physical_line} of the file")


@contextmanager
def _csv_table(stream: BinaryIO) -> Iterator[_CsvTable]:
    if stream.read(len(_UTF8_BOM)) != _UTF8_BOM:
        stream.seek(0)
    text = io.TextIOWrapper(stream, encoding="utf-8", errors="surrogateescape", newline="")
    try:
        yield _CsvTable(text)
    finally:
        text.detach()  # the binary stream belongs to the caller


class _XlsxTable:
    short_rows_are_padded = True

    def __init__(self, rows: Iterator[tuple]):
        self._rows = rows

    def header_cells(self) -> list[str]:
        block = self.next_block(1, HEADER_LINE)
        return list(block.rows[0]) if block else []

    def next_block(self, target_rows: int, first_line: int) -> _Block | None:
        rows = [
            [cell_text(value) for value in row] for row in itertools.islice(self._rows, target_rows)
        ]
        return _Block(len(rows), rows=rows) if rows else None


@contextmanager
def _xlsx_table(stream: BinaryIO) -> Iterator[_XlsxTable]:
    import openpyxl  # only XLSX files pay for importing it
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = openpyxl.load_workbook(stream, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError) as error:
        _reject_file(f"is not a readable XLSX workbook ({type(error).__name__})", "")
    try:
        if not workbook.worksheets:
            _reject_file("has no worksheet", "")
        sheet = workbook.worksheets[0]
        # The stored dimensions may be wrong; trusting them could drop rows silently.
        sheet.reset_dimensions()
        yield _XlsxTable(sheet.iter_rows(values_only=True))
    finally:
        workbook.close()


def cell_text(value: object) -> str:
    """An XLSX cell value as the text a CSV export would hold."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0) and value.tzinfo is None:
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)


# --- Reading ahead ------------------------------------------------------------------


class ChunksReadAhead(Iterator[PreparedT]):
    """The prepared chunks of `read_ahead`, each read in a thread when asked for.

    Iterating asks for the next chunk if it was not asked for yet, and waits for it.
    `read_next()` asks for it early: the reader then reads it while the caller does
    something that releases the GIL. At most one chunk is read ahead.
    """

    def __init__(self, chunks: Iterator[ChunkT], prepare: Callable[[ChunkT], PreparedT]):
        self._chunks = chunks
        self._prepare = prepare
        self._asked = threading.Semaphore(0)
        self._ready: queue.SimpleQueue = queue.SimpleQueue()
        self._is_asked = False
        self._is_finished = False
        self._is_stopped = threading.Event()
        self._thread = threading.Thread(target=self._read, name="intake-reader", daemon=True)

    def read_next(self) -> None:
        """Let the reader read the next chunk now."""
        if not self._is_asked and not self._is_finished:
            self._is_asked = True
            self._asked.release()

    def __next__(self) -> PreparedT:
        if self._is_finished:
            raise StopIteration
        self.read_next()
        what, item = self._ready.get()
        self._is_asked = False
        if what is not _CHUNK:
            self._is_finished = True
            if what is _ERROR:
                raise item
            raise StopIteration
        return item

    def _read(self) -> None:
        try:
            while self._wait_until_asked():
                chunk = next(self._chunks, _END)
                if chunk is _END:
                    self._ready.put((_END, None))
                    return
                self._ready.put((_CHUNK, self._prepare(chunk)))
        except BaseException as error:  # the caller's to handle, in its own thread
            self._ready.put((_ERROR, error))
        finally:
            close = getattr(self._chunks, "close", None)
            if close is not None:
                close()

    def _wait_until_asked(self) -> bool:
        self._asked.acquire()  # `_stop` releases it too
        return not self._is_stopped.is_set()

    def _start(self) -> None:
        self._thread.start()

    def _stop(self) -> None:
        self._is_stopped.set()
        self._asked.release()
        self._thread.join()


@contextmanager
def read_ahead(
    chunks: Iterator[ChunkT], prepare: Callable[[ChunkT], PreparedT]
) -> Iterator[ChunksReadAhead[PreparedT]]:
    """`prepare(chunk)` of each of `chunks`, made in a thread while the caller stores them.

    The caller's database work releases the GIL (sqlite3 and psycopg do while a statement
    runs), so the reader reads, checks and prepares the next chunk meanwhile. It reads only
    when asked (`ChunksReadAhead.read_next`), so that it does not compete for the GIL with
    the caller's own Python work, and one chunk at most ahead, so memory stays bounded. An
    exception of the reader (`FileRejected` at the end of a refused file) is raised to the
    caller where it would have met it reading in its own thread. Leaving the block,
    normally or not, stops the reader and waits for it: no thread outlives the ingest, and
    the file is closed.
    """
    ahead = ChunksReadAhead(chunks, prepare)
    ahead._start()
    try:
        yield ahead
    finally:
        ahead._stop()


_CHUNK, _END, _ERROR = object(), object(), object()
