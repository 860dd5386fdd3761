"""Small builders of intake rows for the assessment's tests, with consistent day columns.

Dates are written as ISO strings ("2019-06-01") so that a test reads like its hand
computation; each builder sets the integer day column beside every date, as intake does.
"""

import datetime as dt
import io
import itertools
import json

from django.core.management import call_command

from readmit.intake.keys import day_number
from readmit.intake.models import Aggregate, Ingest, RemovalCase, TravelDocumentRequest
from tests.factories import CountryFactory

_serial = itertools.count(1)


def _date(value: str | dt.date | None) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(value)


def _day(value: dt.date | None) -> int | None:
    return None if value is None else day_number(value)


def ingest_log() -> Ingest:
    ingest = Ingest.objects.filter(channel="test").first()
    return ingest or Ingest.objects.create(
        kind="requests", file_name="builders", checksum="0" * 64, channel="test"
    )


def country(code: str, name: str | None = None):
    if name is None:
        return CountryFactory(code=code)
    return CountryFactory(code=code, name_en=name, name_fr=name)


def request(
    code: str,
    requested_on: str,
    outcome: str = "pending",
    decided_on: str | None = None,
    *,
    interview_requested_on: str | None = None,
    interview_held_on: str | None = None,
    count: int = 1,
) -> list[TravelDocumentRequest]:
    """`count` identical requests (each its own request_id)."""
    country(code)
    requested, decided = _date(requested_on), _date(decided_on)
    asked, held = _date(interview_requested_on), _date(interview_held_on)
    rows = [
        TravelDocumentRequest(
            request_id=f"R{next(_serial)}",
            country_id=code,
            requested_on=requested,
            requested_day=_day(requested),
            outcome=outcome,
            decided_on=decided,
            decided_day=_day(decided),
            interview_requested_on=asked,
            interview_requested_day=_day(asked),
            interview_held_on=held,
            interview_held_day=_day(held),
            ingest=ingest_log(),
        )
        for _ in range(count)
    ]
    return TravelDocumentRequest.objects.bulk_create(rows)


def case(
    code: str,
    order_enforceable_on: str,
    status: str = "pending",
    *,
    removed_on: str | None = None,
    closed_on: str | None = None,
    impediment: str = "none",
    count: int = 1,
) -> list[RemovalCase]:
    country(code)
    ordered, removed, closed = _date(order_enforceable_on), _date(removed_on), _date(closed_on)
    rows = [
        RemovalCase(
            case_id=f"C{next(_serial)}",
            country_id=code,
            order_enforceable_on=ordered,
            order_enforceable_day=_day(ordered),
            status=status,
            removed_on=removed,
            removed_day=_day(removed),
            closed_on=closed,
            closed_day=_day(closed),
            impediment=impediment,
            ingest=ingest_log(),
        )
        for _ in range(count)
    ]
    return RemovalCase.objects.bulk_create(rows)


def aggregate(code: str, period: str, measure: str, value: int, source: str) -> Aggregate:
    from readmit.assessment.estimators import period_bounds

    country(code)
    first_day, last_day = period_bounds(period)
    return Aggregate.objects.create(
        country_id=code,
        period=period,
        period_start=first_day,
        period_end=last_day,
        measure=measure,
        value=value,
        source=source,
        ingest=ingest_log(),
    )


def assess(*arguments: str, output_format: str = "json"):
    """Run `readmit assess` and return its output (parsed when JSON)."""
    out = io.StringIO()
    call_command("assess", *arguments, "--format", output_format, stdout=out)
    return json.loads(out.getvalue()) if output_format == "json" else out.getvalue()


def by_code(result: dict) -> dict[str, dict]:
    return {country["country"]: country for country in result["countries"]}
