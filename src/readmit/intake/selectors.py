"""Reads of the ingest log, with the user's permissions applied here, once.

The log is for those who may ingest (`rules.can_ingest_data`). An ingest's errors and the
previous values it kept quote its file, so a user sees the ingests of the kinds of file
their clearance allows (`rules.can_ingest_records`): requests and cases are Protected B,
aggregates and countries unclassified.
"""

from django.db.models import QuerySet

from readmit.accounts import rules
from readmit.intake.models import KIND_SECURITY_LEVELS, Ingest, IngestChange, IngestKind


def ingestible_kinds(user) -> list[tuple[str, str]]:
    """(value, label) of the kinds of file this user may ingest, in the contract's order."""
    return [
        (kind.value, kind.label)
        for kind in IngestKind
        if rules.can_ingest_records(user, KIND_SECURITY_LEVELS[kind])
    ]


def visible_ingests(user) -> QuerySet[Ingest]:
    """The ingests this user may see, the latest first."""
    kinds = [value for value, _ in ingestible_kinds(user)]
    return Ingest.objects.filter(kind__in=kinds).select_related("user")


def ingest_changes(ingest: Ingest) -> QuerySet[IngestChange]:
    """The previous values of the rows `ingest` changed (call with a visible ingest only)."""
    return ingest.changes.order_by("pk")
