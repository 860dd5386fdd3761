"""Storing checked intake rows in bulk: a staging table, then set-based SQL.

`services.ingest_file` owns the transaction and the ingest log; this module owns the SQL
(docs/decisions/0002-bulk-intake.md). Chunk by chunk as the reader checks them, the rows of
a file go into a temporary staging table that has no index (multi-row INSERTs on SQLite,
COPY on PostgreSQL), and a few set-based statements apply them to the target (`apply`):

1. the previous values of the rows the chunk changes go into `IngestChange`, as JSON built
   in SQL (INSERT ... SELECT over the staging table joined to the target on its key);
   skipped when the target was empty as the ingest began (no row can have previous values);
2. one upsert (INSERT ... SELECT ... ON CONFLICT (key) DO UPDATE ... WHERE a value differs)
   creates the new rows and updates the changed ones; an unchanged row is not written, so
   it keeps the ingest that wrote it;
3. the staging table is emptied for the next chunk.

Applying each chunk as it comes lets the database work on one chunk while a thread reads
and checks the next (`reading.read_ahead`). The file stays all or nothing because all of it
happens in the ingest's one transaction, which a problem found later (a bad row, a key
repeated in another chunk, a missing country) rolls back. Aggregates are staged whole and
applied once: their periods are checked against the stored ones as they were before the
file (`Target.is_applied_whole`).

`Staging.prepared` turns a checked chunk into the values the staging load takes, with no
database work, so that it runs in the reader thread too. The staging table holds the file's
columns as the reader gives them (text, and dates as day numbers since 1970-01-01); the
target's date columns are made from the day numbers in SQL (staging the ISO text as well was
measured: binding four more values a row costs more than SQLite's date() saves). Whether a
row changed is decided on the day numbers, the integers the dates stand for. Columns the
target keeps made of others (a request's assessment key, `intake.keys`) are
computed in the same statements, in SQL; generated columns are the database's and never
listed.

What differs between SQLite and PostgreSQL (the staging load, "is distinct", JSON, dates in
SQL, emptying the staging table) is in `Dialect`, and nowhere else.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from enum import Enum
from itertools import chain
from typing import NamedTuple

import numpy as np
from django.db import connection
from django.db.models import Model

from readmit.intake import keys
from readmit.intake.formats import FORMATS, FileKind, ValueType
from readmit.intake.models import Aggregate, IngestChange, RemovalCase, TravelDocumentRequest
from readmit.intake.validation import ValidChunk

#: SQLite's page cache during an ingest, in KiB: the indexes of a 5-million-row table fit.
BULK_CACHE_KIB = 256 * 1024

#: SQLite's default page cache, in KiB, and its sorter's helper threads for CREATE INDEX.
DEFAULT_CACHE_KIB = 2000
SORTER_THREADS = 2

#: Rows a statement loads into SQLite's staging table.
ROWS_PER_STATEMENT = 200

#: A staging column holding each row's record number in the file, for messages.
LINE_COLUMN = "line"


class Conversion(Enum):
    SAME = "same"
    EMPTY_TEXT = "empty_text"  # an empty optional text is stored as "", not NULL
    DATE = "date"  # a day number becomes a date


class Staged(Enum):
    """What a column of the staging table holds."""

    LINE = "line"  # the row's record number in the file
    TEXT = "text"  # text, a choice or a country code, as the reader gives it
    DAY = "day"  # a date as its day number since 1970-01-01, NULL where empty
    COUNT = "count"  # a whole number


@dataclass(frozen=True)
class StoredColumn:
    """A column of the target table, made from a column of the staging table."""

    column: str
    staged: str  # also the chunk's column it holds
    conversion: Conversion = Conversion.SAME
    # The row's "previous values" (IngestChange.previous) name it so; None: not kept there.
    label: str | None = None
    # Whether a different value makes the row updated (dates are compared as day numbers).
    is_compared: bool = True
    # Made in SQL from other columns of the target rather than staged: given a function
    # from a column's name to its SQL, and the dialect, returns the SQL of this one.
    made_of: Callable[[Callable[[str], str], Dialect], str] | None = None

    @property
    def is_staged(self) -> bool:
        return self.made_of is None


def _value(column: str, staged: str | None = None, conversion=Conversion.SAME) -> StoredColumn:
    staged = staged or column
    return StoredColumn(column, staged, conversion, label=staged)


def _key(column: str, staged: str | None = None) -> StoredColumn:
    return StoredColumn(column, staged or column, is_compared=False)


def _made_of(column: str, made_of: Callable[[Callable[[str], str], Dialect], str]) -> StoredColumn:
    """A column the target keeps made of others (never compared: they are)."""
    return StoredColumn(column, "", is_compared=False, made_of=made_of)


def _date(date_column: str, day_column: str) -> tuple[StoredColumn, StoredColumn]:
    """A date and its day number, both from the staged day number."""
    return (
        StoredColumn(date_column, date_column, Conversion.DATE, date_column, is_compared=False),
        StoredColumn(day_column, date_column),
    )


@dataclass(frozen=True)
class Target:
    """Where the rows of one kind of file go, and how each column is made."""

    kind: FileKind
    model: type[Model]
    key: tuple[StoredColumn, ...]
    values: tuple[StoredColumn, ...]
    # Aggregates are staged whole, their lines kept to name them in overlap problems, and
    # applied once the file's periods have been checked against the stored ones.
    is_applied_whole: bool = False

    @property
    def table(self) -> str:
        return self.model._meta.db_table

    @property
    def columns(self) -> tuple[StoredColumn, ...]:
        return self.key + self.values

    @property
    def staged_columns(self) -> tuple[tuple[str, Staged], ...]:
        """(name, what it holds) of the staging table's columns: those the target's are
        made of, each named after the chunk's column it holds."""
        value_types = {column.name: column.value_type for column in FORMATS[self.kind].columns}
        staged = [(LINE_COLUMN, Staged.LINE)] if self.is_applied_whole else []
        for column in filter(StoredColumn.is_staged.fget, self.columns):
            value_type = value_types.get(column.staged, ValueType.DATE)  # derived: dates
            staged.append((column.staged, _STAGED_TYPES.get(value_type, Staged.TEXT)))
        return tuple(dict.fromkeys(staged))


_STAGED_TYPES = {ValueType.DATE: Staged.DAY, ValueType.COUNT: Staged.COUNT}


TARGETS = {
    target.kind: target
    for target in (
        Target(
            FileKind.REQUESTS,
            TravelDocumentRequest,
            key=(_key("request_id"),),
            values=(
                _value("case_id", conversion=Conversion.EMPTY_TEXT),
                _value("country_id", "country"),
                *_date("requested_on", "requested_day"),
                _value("document_type"),
                *_date("interview_requested_on", "interview_requested_day"),
                *_date("interview_held_on", "interview_held_day"),
                _value("outcome"),
                *_date("decided_on", "decided_day"),
                _made_of(
                    "assessment_key",
                    lambda sql, dialect: keys.assessment_key_sql(
                        sql("requested_day"),
                        sql("outcome"),
                        sql("decided_day"),
                        sql("interview_requested_day"),
                        sql("interview_held_day"),
                        hexadecimal=dialect.hexadecimal,
                    ),
                ),
            ),
        ),
        Target(
            FileKind.CASES,
            RemovalCase,
            key=(_key("case_id"),),
            values=(
                _value("country_id", "country"),
                *_date("order_enforceable_on", "order_enforceable_day"),
                _value("status"),
                *_date("removed_on", "removed_day"),
                *_date("closed_on", "closed_day"),
                _value("impediment"),
                _value("category"),
                _value("removal_mode", conversion=Conversion.EMPTY_TEXT),
                _value("flight", conversion=Conversion.EMPTY_TEXT),
            ),
        ),
        Target(
            FileKind.AGGREGATES,
            Aggregate,
            # The order of the contract's key: "country, period, measure, source".
            key=(_key("country_id", "country"), _key("period"), _key("measure"), _key("source")),
            values=(
                StoredColumn("period_start", "period_first_day", Conversion.DATE, None, False),
                StoredColumn("period_end", "period_last_day", Conversion.DATE, None, False),
                _value("value"),
            ),
            is_applied_whole=True,
        ),
    )
}


# --- What differs between the databases -------------------------------------------


class Dialect:
    """SQLite: multi-row INSERTs into the staging table, json_object, `IS NOT` on rows."""

    staging_table = "temp.intake_staging"
    is_distinct = "IS NOT"
    json_object = "json_object"
    column_types = {Staged.LINE: "INTEGER", Staged.DAY: "INTEGER", Staged.COUNT: "INTEGER"}
    temporary_table_suffix = ""

    def date_of_day(self, expression: str) -> str:
        return f"date({expression} * 86400, 'unixepoch')"

    def hexadecimal(self, expression: str) -> str:
        """An integer in `keys.UNIT_DIGITS` lowercase hexadecimal digits."""
        return f"printf('%%0{keys.UNIT_DIGITS}x', {expression})"

    def prepared(self, columns: Sequence[Sequence]) -> list:
        """The values of the chunk's rows one after the other, as `load` binds them."""
        return list(chain.from_iterable(zip(*columns, strict=True)))

    def load(self, cursor, table: str, width: int, values: list) -> None:
        """Many rows a statement: per row, executemany costs more than the values' binding.

        On the DB-API connection itself: Django's cursor would copy every row to peek at it.
        """
        database = cursor.db.connection
        limit = database.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER) // width
        per_statement = max(min(ROWS_PER_STATEMENT, limit), 1)
        step = width * per_statement
        whole = len(values) - len(values) % step

        def insert(row_count: int) -> str:
            row = "(" + ", ".join(["?"] * width) + ")"
            return f"INSERT INTO {table} VALUES {', '.join([row] * row_count)}"

        database.executemany(
            insert(per_statement), (values[at : at + step] for at in range(0, whole, step))
        )
        if whole < len(values):
            database.execute(insert((len(values) - whole) // width), values[whole:])

    def after_load(self, cursor, table: str) -> None:
        """Nothing to do: SQLite's planner needs no statistics for these joins."""

    def check_deferred_constraints(self, cursor) -> None:
        """Nothing to do: SQLite builds an index whatever checks are pending."""

    def plain_indexes(self, cursor, table: str) -> list[tuple[str, str]]:
        """(name, CREATE statement) of the table's indexes that enforce nothing (not the
        primary key, not a unique constraint)."""
        cursor.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s "
            "AND sql IS NOT NULL AND sql NOT LIKE 'CREATE UNIQUE%%'",
            [table],
        )
        return cursor.fetchall()

    def empty(self, cursor, table: str) -> None:
        cursor.execute(f"DELETE FROM {table}")  # without WHERE, SQLite truncates

    @contextmanager
    def bulk_settings(self, cursor) -> Iterator[None]:
        """A page cache of BULK_CACHE_KIB for this connection while it writes millions of
        index entries in random order (the default, 2 MiB, makes it several times slower)."""
        with _pragma(cursor, "cache_size", -BULK_CACHE_KIB):
            yield

    @contextmanager
    def index_build_settings(self, cursor) -> Iterator[None]:
        """While CREATE INDEX sorts millions of entries: the default page cache, which also
        bounds each run the sorter sorts in memory, and sorter threads. Runs that fit the
        processor's caches, sorted side by side then merged, beat one run of BULK_CACHE_KIB
        (at 5 million requests: 3.8 s instead of 9.5 s)."""
        with (
            _pragma(cursor, "cache_size", -DEFAULT_CACHE_KIB),
            _pragma(cursor, "threads", SORTER_THREADS),
        ):
            yield


class PostgresDialect(Dialect):
    """PostgreSQL: COPY into the staging table (far faster than executemany)."""

    staging_table = "pg_temp.intake_staging"
    is_distinct = "IS DISTINCT FROM"
    json_object = "jsonb_build_object"
    column_types = {Staged.LINE: "INTEGER", Staged.DAY: "INTEGER", Staged.COUNT: "BIGINT"}
    temporary_table_suffix = " ON COMMIT DROP"

    def date_of_day(self, expression: str) -> str:
        return f"(DATE '1970-01-01' + {expression})"

    def hexadecimal(self, expression: str) -> str:
        return f"lpad(to_hex({expression}), {keys.UNIT_DIGITS}, '0')"

    def prepared(self, columns: Sequence[Sequence]) -> list:
        return list(zip(*columns, strict=True))

    def load(self, cursor, table: str, width: int, values: list) -> None:
        with cursor.cursor.copy(f"COPY {table} FROM STDIN") as copy:
            for row in values:
                copy.write_row(row)

    def after_load(self, cursor, table: str) -> None:
        # A temporary table is never analysed on its own; the joins below need its size.
        cursor.execute(f"ANALYZE {table}")

    def check_deferred_constraints(self, cursor) -> None:
        """Check the foreign keys now, as the commit would (PostgreSQL builds no index on a
        table with checks pending), then defer them again."""
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")

    def plain_indexes(self, cursor, table: str) -> list[tuple[str, str]]:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() "
            "AND tablename = %s AND indexdef NOT LIKE 'CREATE UNIQUE%%'",
            [table],
        )
        return cursor.fetchall()

    def empty(self, cursor, table: str) -> None:
        # Not DELETE: nothing vacuums a temporary table, so its dead rows would pile up.
        cursor.execute(f"TRUNCATE {table}")

    @contextmanager
    def bulk_settings(self, cursor) -> Iterator[None]:
        """Nothing to change: the server's own memory settings apply."""
        yield

    @contextmanager
    def index_build_settings(self, cursor) -> Iterator[None]:
        """Nothing to change: the server builds an index with its parallel workers."""
        yield


@contextmanager
def _pragma(cursor, name: str, value: int) -> Iterator[None]:
    """SQLite's setting `name` at `value` for this connection, restored after."""
    cursor.execute(f"PRAGMA {name}")
    (previous,) = cursor.fetchone()
    cursor.execute(f"PRAGMA {name} = {int(value)}")
    try:
        yield
    finally:
        cursor.execute(f"PRAGMA {name} = {int(previous)}")


def bulk_settings(cursor):
    """The connection's settings for a bulk ingest, restored after."""
    return dialect().bulk_settings(cursor)


def dialect() -> Dialect:
    return PostgresDialect() if connection.vendor == "postgresql" else Dialect()


def day_numbers(dates: np.ndarray) -> list[int | None]:
    """`ValidChunk.day_numbers`, faster: most optional dates of a file are empty."""
    days = dates.astype(np.int64).tolist()
    for row in np.flatnonzero(np.isnat(dates)).tolist():
        days[row] = None
    return days


# --- The staging table --------------------------------------------------------------


class Applied(NamedTuple):
    """What applying the staged rows did."""

    updated: int  # rows changed, their previous values kept
    written: int  # rows created or changed


@dataclass(frozen=True)
class StagedChunk:
    """A chunk as the staging load takes it, made by `Staging.prepared`."""

    size: int
    countries: frozenset[str]
    values: list  # as the dialect loads them


class Staging:
    """The temporary table a file's rows are loaded into, inside the ingest's transaction."""

    def __init__(self, cursor, target: Target):
        self.cursor = cursor
        self.target = target
        self.dialect = dialect()
        self.table = self.dialect.staging_table
        columns = ", ".join(
            f"{name} {self.dialect.column_types.get(held, 'TEXT')}"
            for name, held in target.staged_columns
        )
        cursor.execute(f"DROP TABLE IF EXISTS {self.table}")
        cursor.execute(
            f"CREATE TEMPORARY TABLE {self.table} ({columns}){self.dialect.temporary_table_suffix}"
        )

    def prepared(self, chunk: ValidChunk) -> StagedChunk:
        """`chunk` ready to load. No database work: it may run in another thread."""
        columns = [_staged_values(chunk, name, held) for name, held in self.target.staged_columns]
        return StagedChunk(
            size=len(chunk),
            countries=frozenset(chunk.columns["country"]),
            values=self.dialect.prepared(columns),
        )

    def load(self, staged: StagedChunk) -> None:
        width = len(self.target.staged_columns)
        self.dialect.load(self.cursor, self.table, width, staged.values)

    def apply(self, ingest_id: int, *, keeps_previous_values: bool) -> Applied:
        """Apply the staged rows to the target, then empty the staging table.

        `keeps_previous_values` False skips the statement that keeps them: right only when
        the target was empty as the ingest began.
        """
        self.dialect.after_load(self.cursor, self.table)
        updated = self.keep_previous_values(ingest_id) if keeps_previous_values else 0
        written = self.upsert(ingest_id)
        self.dialect.empty(self.cursor, self.table)
        return Applied(updated, written)

    def drop(self) -> None:
        self.cursor.execute(f"DROP TABLE IF EXISTS {self.table}")

    # Set-based statements over the staged rows.

    def _source(self, column: StoredColumn) -> str:
        if column.made_of is not None:
            by_name = {c.column: c for c in self.target.columns}
            return column.made_of(lambda name: self._source(by_name[name]), self.dialect)
        staged = f"s.{column.staged}"
        if column.conversion is Conversion.EMPTY_TEXT:
            return f"COALESCE({staged}, '')"
        if column.conversion is Conversion.DATE:
            return self.dialect.date_of_day(staged)
        return staged

    def _joined_on_key(self) -> str:
        return " AND ".join(f"t.{c.column} = s.{c.staged}" for c in self.target.key)

    def _differs(self, stored: str, incoming: Sequence[str]) -> str:
        compared = [c for c in self.target.values if c.is_compared]
        left = ", ".join(f"{stored}.{c.column}" for c in compared)
        right = ", ".join(incoming)
        if len(compared) == 1:
            return f"{left} {self.dialect.is_distinct} {right}"
        return f"({left}) {self.dialect.is_distinct} ({right})"

    @contextmanager
    def indexes_built_after(self) -> Iterator[None]:
        """Drop the target's plain indexes now and build them again at the end: one sort
        each instead of millions of entries put in place one by one (the unique key stays,
        the upsert needs it). Inside the ingest's transaction, so a refused file gets them
        back as they were; on PostgreSQL the table is locked until the ingest ends."""
        indexes = self.dialect.plain_indexes(self.cursor, self.target.table)
        for name, _statement in indexes:
            self.cursor.execute(f"DROP INDEX {self.cursor.db.ops.quote_name(name)}")
        yield
        self.dialect.check_deferred_constraints(self.cursor)
        with self.dialect.index_build_settings(self.cursor):
            for _name, statement in indexes:
                self.cursor.execute(statement)

    def target_is_empty(self) -> bool:
        self.cursor.execute(f"SELECT 1 FROM {self.target.table} LIMIT 1")
        return self.cursor.fetchone() is None

    def keep_previous_values(self, ingest_id: int) -> int:
        """Store the values each row staged changes had before; returns how many rows."""
        target = self.target
        pairs = [f"'{c.label}', t.{c.column}" for c in target.values if c.label is not None] + [
            "'ingest', t.ingest_id"
        ]
        key = " || ', ' || ".join(f"t.{c.column}" for c in target.key)
        incoming = [self._source(c) for c in target.values if c.is_compared]
        self.cursor.execute(
            f"""
            INSERT INTO {IngestChange._meta.db_table} (ingest_id, kind, key, previous)
            SELECT %s, %s, {key}, {self.dialect.json_object}({", ".join(pairs)})
            FROM {self.table} s JOIN {target.table} t ON {self._joined_on_key()}
            WHERE {self._differs("t", incoming)}
            """,
            [ingest_id, target.kind.value],
        )
        return self.cursor.rowcount

    def upsert(self, ingest_id: int) -> int:
        """Create the new rows and update the changed ones; returns how many were written."""
        target = self.target
        columns = [c.column for c in target.columns]
        sources = [self._source(c) for c in target.columns]
        updates = [f"{c.column} = excluded.{c.column}" for c in target.values]
        excluded = [f"excluded.{c.column}" for c in target.values if c.is_compared]
        self.cursor.execute(
            f"""
            INSERT INTO {target.table} ({", ".join(columns)}, ingest_id)
            SELECT {", ".join(sources)}, %s FROM {self.table} s WHERE true
            ON CONFLICT ({", ".join(c.column for c in target.key)}) DO UPDATE
            SET {", ".join(updates)}, ingest_id = excluded.ingest_id
            WHERE {self._differs(target.table, excluded)}
            """,
            [ingest_id],
        )
        return self.cursor.rowcount

    def period_clashes(self) -> tuple[list[tuple], list[tuple]]:
        """Aggregates: (incoming, stored) rows of the groups where the file brings a period
        other than one stored, for `validation.stored_period_overlaps`."""
        table = self.target.table
        same_group = (
            "a.country_id = s.country AND a.measure = s.measure AND a.source = s.source "
            "AND a.period <> s.period"
        )
        self.cursor.execute(
            f"""
            SELECT s.line, s.country, s.measure, s.source, s.period FROM {self.table} s
            WHERE EXISTS (SELECT 1 FROM {table} a WHERE {same_group})
            """
        )
        incoming = self.cursor.fetchall()
        if not incoming:
            return [], []
        self.cursor.execute(
            f"""
            SELECT a.country_id, a.measure, a.source, a.period FROM {table} a
            WHERE EXISTS (SELECT 1 FROM {self.table} s WHERE {same_group})
            """
        )
        return incoming, self.cursor.fetchall()


def _staged_values(chunk: ValidChunk, name: str, held: Staged) -> Sequence:
    if held is Staged.LINE:
        return chunk.lines.tolist()
    if held is Staged.DAY:
        return day_numbers(chunk.columns[name])
    if held is Staged.COUNT:
        return chunk.columns[name].tolist()
    return chunk.columns[name]
