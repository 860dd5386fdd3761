"""Ingesting a file: the one way requests, cases, aggregates and countries get in.

`ingest_file` reads and checks the file as it stores it, all in one transaction: either
every row of the file is stored, or none is (the contract's "all or nothing"). A thread
reads and checks the next chunk while the database stores one (`reading.read_ahead`). Every
attempt is logged as an `Ingest`, a refused one too: it is recorded after the rollback,
in a transaction of its own, with the first problems found. The database side is
`storage` (docs/decisions/0002-bulk-intake.md); the reading and the checks are
`validation.read_file`.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from contextlib import nullcontext, suppress
from pathlib import Path
from typing import BinaryIO

from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from readmit.accounts import rules
from readmit.core.errors import DomainError, PermissionRefused
from readmit.core.models import Country
from readmit.core.services import declare_countries, iso_country_names
from readmit.intake import storage
from readmit.intake.formats import FileKind, FileRejected, Problem, shown_value
from readmit.intake.models import (
    KIND_SECURITY_LEVELS,
    Ingest,
    IngestChange,
    IngestKind,
    IngestStatus,
)
from readmit.intake.reading import WHOLE_FILE, read_ahead
from readmit.intake.validation import read_file, stored_period_overlaps

#: Problems kept in the log of a refused ingest (the exception carries up to a thousand).
LOGGED_PROBLEMS = 100

_HASHED_BLOCK = 1 << 20

Source = str | os.PathLike[str] | BinaryIO


class IngestRefused(DomainError):
    """The file was refused and nothing was stored; `errors` says why, row by row.

    `errors` holds the problems found (up to a thousand) rendered as the contract says,
    `error_count` counts them all, `ingest` is the refused attempt in the log.
    """

    def __init__(self, message: str, *, errors: list[str], error_count: int, ingest: Ingest):
        super().__init__(message, details=errors)
        self.errors = errors
        self.error_count = error_count
        self.ingest = ingest


def ingest_file(
    *,
    kind: str,
    path: Source,
    user,
    file_name: str | None = None,
    channel: str = "command",
    progress: Callable[[int], None] | None = None,
) -> Ingest:
    """Store every row of the `kind` file at `path` (a path or a binary file object), or none.

    `user` is the person ingesting (None for an operator at the command line). `progress`
    is called with the number of rows read and stored so far, after each chunk. Returns the
    logged ingest with its counts; raises IngestRefused (logged too) if the file is refused,
    PermissionRefused if the user may not ingest such a file.
    """
    file_kind = _file_kind(kind)
    if user is not None and not rules.can_ingest_records(user, KIND_SECURITY_LEVELS[file_kind]):
        raise PermissionRefused(
            _("Your role or clearance does not allow ingesting %(kind)s files.")
            % {"kind": file_kind.value}
        )
    attempt = {
        "kind": file_kind.value,
        "file_name": (file_name or _name_of(path))[:255],
        "user": user,
        "channel": channel,
        "started_at": timezone.now(),
    }
    try:
        attempt["checksum"], attempt["size_bytes"] = file_checksum(path)
    except OSError as error:
        problem = Problem(WHOLE_FILE, "", "could not be opened", error.strerror or str(error))
        raise _refusal(attempt, [problem], 1) from None
    try:
        with transaction.atomic():
            ingest = Ingest.objects.create(**attempt)
            if file_kind is FileKind.COUNTRIES:
                counts = _declare_countries(path, ingest=ingest, user=user, progress=progress)
            else:
                counts = _store_rows(path, file_kind, ingest=ingest, progress=progress)
            ingest.rows, ingest.created, ingest.updated, ingest.unchanged = counts
            ingest.status = IngestStatus.SUCCEEDED
            ingest.finished_at = timezone.now()
            ingest.save()
    except FileRejected as rejection:
        raise _refusal(attempt, list(rejection.problems), rejection.problem_count) from None
    except Exception as error:
        problem = Problem(
            WHOLE_FILE, "", "the ingest stopped on an unexpected error", type(error).__name__
        )
        with suppress(DatabaseError):  # a database out of order: its own error says more
            _log_refusal(attempt, [problem], 1, status=IngestStatus.FAILED)
        raise
    return ingest


def file_checksum(source: Source) -> tuple[str, int]:
    """SHA-256 (hex) and size in bytes of a file, from its start."""
    digest = hashlib.sha256()
    size = 0
    stream = open(source, "rb") if isinstance(source, str | os.PathLike) else source  # noqa: SIM115
    try:
        stream.seek(0)
        while block := stream.read(_HASHED_BLOCK):
            digest.update(block)
            size += len(block)
        stream.seek(0)
    finally:
        if stream is not source:
            stream.close()
    return digest.hexdigest(), size


def _file_kind(kind: str) -> FileKind:
    try:
        return FileKind(kind)
    except ValueError:
        raise DomainError(
            _("Unknown kind of file %(kind)s; the kinds are %(kinds)s.")
            % {"kind": repr(kind), "kinds": ", ".join(IngestKind.values)}
        ) from None


def _name_of(source: Source) -> str:
    if isinstance(source, str | os.PathLike):
        return Path(source).name
    return Path(str(getattr(source, "name", "") or "upload")).name


# --- Refusals -----------------------------------------------------------------------


def _refusal(attempt: dict, problems: list[Problem], problem_count: int) -> IngestRefused:
    """Log the refused attempt (after the rollback) and make the exception that says why."""
    ingest = _log_refusal(attempt, problems, problem_count, status=IngestStatus.REFUSED)
    message = ngettext(
        "The file was refused: %(count)s problem found; nothing was stored.",
        "The file was refused: %(count)s problems found; nothing was stored.",
        problem_count,
    ) % {"count": f"{problem_count:,}"}
    errors = [str(problem) for problem in problems]
    return IngestRefused(message, errors=errors, error_count=problem_count, ingest=ingest)


def _log_refusal(
    attempt: dict, problems: list[Problem], problem_count: int, *, status: IngestStatus
) -> Ingest:
    with transaction.atomic():
        return Ingest.objects.create(
            **{"checksum": "", **attempt},
            status=status,
            finished_at=timezone.now(),
            errors=[_logged(problem) for problem in problems[:LOGGED_PROBLEMS]],
            error_count=problem_count,
        )


def _logged(problem: Problem) -> dict:
    """A problem as the log keeps it: the parts of `row N, column NAME: what (value)`."""
    return {
        "row": problem.line,
        "column": problem.column,
        "problem": problem.message,
        "value": shown_value(problem.value),
        "text": str(problem),
    }


# --- Requests, cases and aggregates -------------------------------------------------


def _store_rows(
    source: Source, kind: FileKind, *, ingest: Ingest, progress
) -> tuple[int, int, int, int]:
    """Store each chunk as a thread reads the next; a problem found later rolls all back.

    Aggregates are stored once the whole file is staged (`storage.Target.is_applied_whole`).
    Into an empty table, the plain indexes are built once at the end instead of entry by
    entry (`storage.Staging.indexes_built_after`).
    """
    target = storage.TARGETS[kind]
    declared = set(Country.objects.filter(is_user_assigned=True).values_list("code", flat=True))
    rows = updated = written = 0
    codes: set[str] = set()
    with connection.cursor() as cursor, storage.bulk_settings(cursor):
        staging = storage.Staging(cursor, target)
        is_first_load = staging.target_is_empty()
        keeps_previous_values = not is_first_load

        def apply() -> None:
            nonlocal updated, written
            applied = staging.apply(ingest.pk, keeps_previous_values=keeps_previous_values)
            updated += applied.updated
            written += applied.written

        chunks = read_file(source, kind, declared)
        indexes = staging.indexes_built_after() if is_first_load else nullcontext()
        with indexes, read_ahead(chunks, staging.prepared) as staged_chunks:
            for staged in staged_chunks:
                staging.load(staged)
                staged_chunks.read_next()  # while the database applies this one
                if not target.is_applied_whole:
                    apply()
                codes.update(staged.countries)
                rows += staged.size
                if progress is not None:
                    progress(rows)
            _check_countries_exist(codes)  # before the foreign keys are checked, with a message
        if target.is_applied_whole:
            overlaps = stored_period_overlaps(*staging.period_clashes())
            if overlaps:
                raise FileRejected(sorted(overlaps, key=lambda problem: problem.line))
            apply()
        staging.drop()
    return rows, written - updated, updated, rows - written


def _check_countries_exist(codes: set[str]) -> None:
    """The reader accepts ISO 3166-1 codes and declared ones; each must be in the table."""
    known = set(Country.all_objects.filter(code__in=codes).values_list("code", flat=True))
    missing = sorted(codes - known)
    if missing:
        raise FileRejected(
            Problem(
                WHOLE_FILE,
                "country",
                "uses a country code missing from the countries table; list it in a "
                "countries file first",
                code,
            )
            for code in missing
        )


# --- Countries ----------------------------------------------------------------------


def _declare_countries(
    source: Source, *, ingest: Ingest, user, progress
) -> tuple[int, int, int, int]:
    """Declare or rename countries (core.services.declare_countries), keeping old names.

    An ISO code listed without a name keeps the name it has; a French name left empty
    is the English one (the contract).
    """
    listed: list[tuple[str, str | None, str | None]] = []
    for chunk in read_file(source, FileKind.COUNTRIES):
        columns = (chunk.columns[name] for name in ("code", "name_en", "name_fr"))
        listed.extend(zip(*columns, strict=True))
        if progress is not None:
            progress(len(listed))
    stored = Country.all_objects.in_bulk([code for code, _, _ in listed])
    iso_names = iso_country_names() if len(stored) < len(listed) else {}
    declared = []
    changes = []
    for code, name_en, name_fr in listed:
        country = stored.get(code)
        if country is not None:
            current = (country.name_en, country.name_fr)
        else:  # a new user-assigned code always has its name; an ISO code may not
            current = iso_names.get(code, ("", ""))
        names = (name_en or current[0], name_fr or current[1])
        declared.append((code, *names))
        if country is not None and names != current:
            previous = {"name_en": current[0], "name_fr": current[1]}
            changes.append(
                IngestChange(ingest=ingest, kind=ingest.kind, key=code, previous=previous)
            )
    created, updated, unchanged = declare_countries(declared, user=user)
    IngestChange.objects.bulk_create(changes)
    return len(listed), created, updated, unchanged
