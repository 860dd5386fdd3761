"""Storing checked intake rows in bulk: a staging table, then set-based SQL.

`services.ingest_file` owns the transaction and the ingest log; this module owns the SQL
(docs/decisions/0002-bulk-intake.md). The rows of a file go, chunk by chunk as the reader
checks them, into a temporary staging table that has no index (executemany on SQLite, COPY
on PostgreSQL). Once the whole file has passed, a few statements do the rest:

1. the previous values of the rows the file changes go into `IngestChange`, as JSON built
   in SQL (INSERT ... SELECT over the staging table joined to the target on its key);
2. one upsert (INSERT ... SELECT ... ON CONFLICT (key) DO UPDATE ... WHERE a value differs)
   creates the new rows and updates the changed ones; an unchanged row is not written, so
   it keeps the ingest that wrote it.

The staging table holds the file's columns as the reader gives them (text, and dates as day
numbers since 1970-01-01); the target's date columns are made from the day numbers in SQL.
Whether a row changed is decided on the day numbers, the integers the dates stand for.

What differs between SQLite and PostgreSQL (the staging load, "is distinct", JSON and dates
in SQL) is in `Dialect`, and nowhere else.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from enum import Enum
from itertools import chain

import numpy as np
from django.db import connection
from django.db.models import Model

from readmit.intake.formats import FORMATS, FileKind, ValueType
from readmit.intake.models import Aggregate, IngestChange, RemovalCase, TravelDocumentRequest
from readmit.intake.validation import ValidChunk

#: SQLite's page cache during an ingest, in KiB: the indexes of a 5-million-row table fit.
BULK_CACHE_KIB = 256 * 1024

#: Rows a statement loads into SQLite's staging table.
ROWS_PER_STATEMENT = 200

#: A staging column holding each row's record number in the file, for messages.
LINE_COLUMN = "line"


class Conversion(Enum):
    SAME = "same"
    EMPTY_TEXT = "empty_text"  # an empty optional text is stored as "", not NULL
    DATE = "date"  # a day number becomes a date


@dataclass(frozen=True)
class StoredColumn:
    """A column of the target table, made from a column of the staging table."""

    column: str
    staged: str
    conversion: Conversion = Conversion.SAME
    # The row's "previous values" (IngestChange.previous) name it so; None: not kept there.
    label: str | None = None
    # Whether a different value makes the row updated (dates are compared as day numbers).
    is_compared: bool = True


def _value(column: str, staged: str | None = None, conversion=Conversion.SAME) -> StoredColumn:
    staged = staged or column
    return StoredColumn(column, staged, conversion, label=staged)


def _key(column: str, staged: str | None = None) -> StoredColumn:
    return StoredColumn(column, staged or column, is_compared=False)


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
    # Aggregates keep each row's line in the staging table to name it in overlap problems.
    keeps_lines: bool = False

    @property
    def table(self) -> str:
        return self.model._meta.db_table

    @property
    def columns(self) -> tuple[StoredColumn, ...]:
        return self.key + self.values

    @property
    def staged_columns(self) -> tuple[tuple[str, ValueType | None], ...]:
        """(name, type) of the staging table's columns; the line's type is None."""
        file_format = FORMATS[self.kind]
        types = {column.name: column.value_type for column in file_format.columns}
        types.update(dict.fromkeys(file_format.derived_columns, ValueType.DATE))
        staged = tuple(types.items())
        return (((LINE_COLUMN, None),) if self.keeps_lines else ()) + staged


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
            keeps_lines=True,
        ),
    )
}


# --- What differs between the databases -------------------------------------------


class Dialect:
    """SQLite: executemany into the staging table, json_object, `IS NOT` on row values."""

    staging_table = "temp.intake_staging"
    is_distinct = "IS NOT"
    json_object = "json_object"
    column_types = {None: "INTEGER", ValueType.DATE: "INTEGER", ValueType.COUNT: "INTEGER"}
    temporary_table_suffix = ""

    def date_of_day(self, expression: str) -> str:
        return f"date({expression} * 86400, 'unixepoch')"

    def load(self, cursor, table: str, columns: Sequence[str], rows: Iterable[tuple]) -> None:
        """Many rows a statement: per row, executemany costs more than the values' binding.

        On the DB-API connection itself: Django's cursor would copy every row to peek at it.
        """
        database = cursor.db.connection
        limit = database.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER) // len(columns)
        per_statement = max(min(ROWS_PER_STATEMENT, limit), 1)
        values = list(chain.from_iterable(rows))
        width = len(columns) * per_statement
        whole = len(values) - len(values) % width

        def insert(row_count: int) -> str:
            row = "(" + ", ".join(["?"] * len(columns)) + ")"
            return f"INSERT INTO {table} VALUES {', '.join([row] * row_count)}"

        database.executemany(
            insert(per_statement), (values[at : at + width] for at in range(0, whole, width))
        )
        if whole < len(values):
            database.execute(insert((len(values) - whole) // len(columns)), values[whole:])

    def after_load(self, cursor, table: str) -> None:
        """Nothing to do: SQLite's planner needs no statistics for these joins."""

    @contextmanager
    def bulk_settings(self, cursor) -> Iterator[None]:
        """A page cache of BULK_CACHE_KIB for this connection while it writes millions of
        index entries in random order (the default, 2 MiB, makes it several times slower)."""
        cursor.execute("PRAGMA cache_size")
        (previous,) = cursor.fetchone()
        cursor.execute(f"PRAGMA cache_size = -{BULK_CACHE_KIB}")
        try:
            yield
        finally:
            cursor.execute(f"PRAGMA cache_size = {int(previous)}")


class PostgresDialect(Dialect):
    """PostgreSQL: COPY into the staging table (far faster than executemany)."""

    staging_table = "pg_temp.intake_staging"
    is_distinct = "IS DISTINCT FROM"
    json_object = "jsonb_build_object"
    column_types = {None: "INTEGER", ValueType.DATE: "INTEGER", ValueType.COUNT: "BIGINT"}
    temporary_table_suffix = " ON COMMIT DROP"

    def date_of_day(self, expression: str) -> str:
        return f"(DATE '1970-01-01' + {expression})"

    def load(self, cursor, table: str, columns: Sequence[str], rows: Iterable[tuple]) -> None:
        with cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)

    @contextmanager
    def bulk_settings(self, cursor) -> Iterator[None]:
        """Nothing to change: the server's own memory settings apply."""
        yield

    def after_load(self, cursor, table: str) -> None:
        # A temporary table is never analysed on its own; the joins below need its size.
        cursor.execute(f"ANALYZE {table}")


def bulk_settings(cursor):
    """The connection's settings for a bulk ingest, restored after."""
    return dialect().bulk_settings(cursor)


def dialect() -> Dialect:
    return PostgresDialect() if connection.vendor == "postgresql" else Dialect()


def _day_numbers(dates: np.ndarray) -> list[int | None]:
    """`ValidChunk.day_numbers`, faster: most optional dates of a file are empty."""
    days = dates.astype(np.int64).tolist()
    for row in np.flatnonzero(np.isnat(dates)).tolist():
        days[row] = None
    return days


# --- The staging table --------------------------------------------------------------


class Staging:
    """The temporary table one file's rows are loaded into, inside the ingest's transaction."""

    def __init__(self, cursor, target: Target):
        self.cursor = cursor
        self.target = target
        self.dialect = dialect()
        self.table = self.dialect.staging_table
        self.names = tuple(name for name, _ in target.staged_columns)
        columns = ", ".join(
            f"{name} {self.dialect.column_types.get(value_type, 'TEXT')}"
            for name, value_type in target.staged_columns
        )
        cursor.execute(f"DROP TABLE IF EXISTS {self.table}")
        cursor.execute(
            f"CREATE TEMPORARY TABLE {self.table} ({columns}){self.dialect.temporary_table_suffix}"
        )

    def load(self, chunk: ValidChunk) -> None:
        columns = [
            self._staged_values(chunk, name, value_type)
            for name, value_type in self.target.staged_columns
        ]
        self.dialect.load(self.cursor, self.table, self.names, zip(*columns, strict=True))

    @staticmethod
    def _staged_values(chunk: ValidChunk, name: str, value_type: ValueType | None) -> Sequence:
        if name == LINE_COLUMN:
            return chunk.lines.tolist()
        if value_type is ValueType.DATE:
            return _day_numbers(chunk.columns[name])
        if value_type is ValueType.COUNT:
            return chunk.columns[name].tolist()
        return chunk.columns[name]

    def finish_loading(self) -> None:
        self.dialect.after_load(self.cursor, self.table)

    def drop(self) -> None:
        self.cursor.execute(f"DROP TABLE IF EXISTS {self.table}")

    # Set-based statements over the loaded file.

    def _source(self, column: StoredColumn) -> str:
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

    def target_is_empty(self) -> bool:
        self.cursor.execute(f"SELECT 1 FROM {self.target.table} LIMIT 1")
        return self.cursor.fetchone() is None

    def keep_previous_values(self, ingest_id: int) -> int:
        """Store the values each row the file changes had before; returns how many rows."""
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
