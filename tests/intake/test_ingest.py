"""Ingesting a file into the database: all or nothing, idempotent, every change kept."""

import datetime as dt
import functools
import hashlib
import io
import threading

import pytest

from readmit.core.errors import DomainError, PermissionRefused
from readmit.core.models import Country
from readmit.intake import services, storage
from readmit.intake.models import (
    Aggregate,
    Ingest,
    IngestChange,
    IngestStatus,
    RemovalCase,
    TravelDocumentRequest,
)
from readmit.intake.services import IngestRefused, ingest_file
from readmit.intake.validation import read_file

pytestmark = pytest.mark.django_db

ISSUED = "R1,C1,NGA,2020-03-01,passport,2020-03-05,2020-03-20,issued,2020-04-01"
PENDING = "R2,,IND,2020-03-02,,,,pending,"
ISSUED_LATER = "R2,,IND,2020-03-02,,,,issued,2020-05-01"


def stored_requests() -> dict[str, dict]:
    return {
        row["request_id"]: row
        for row in TravelDocumentRequest.objects.values(
            "request_id", "case_id", "country_id", "requested_on", "requested_day",
            "document_type", "interview_requested_on", "interview_requested_day",
            "interview_held_on", "interview_held_day", "outcome", "decided_on", "decided_day",
            "ingest_id",
        )
    }  # fmt: skip


def test_a_new_file_creates_every_row_with_its_dates_and_day_numbers(analyst, csv_file):
    path = csv_file("requests", ISSUED, PENDING)

    ingest = ingest_file(kind="requests", path=path, user=analyst)

    assert (ingest.rows, ingest.created, ingest.updated, ingest.unchanged) == (2, 2, 0, 0)
    stored = stored_requests()
    assert stored["R1"] == {
        "request_id": "R1",
        "case_id": "C1",
        "country_id": "NGA",
        "requested_on": dt.date(2020, 3, 1),
        "requested_day": 18322,
        "document_type": "passport",
        "interview_requested_on": dt.date(2020, 3, 5),
        "interview_requested_day": 18326,
        "interview_held_on": dt.date(2020, 3, 20),
        "interview_held_day": 18341,
        "outcome": "issued",
        "decided_on": dt.date(2020, 4, 1),
        "decided_day": 18353,
        "ingest_id": ingest.pk,
    }
    assert stored["R2"]["case_id"] == ""  # empty text is "" in the database, not NULL
    assert stored["R2"]["document_type"] == "other"  # the contract's default
    assert stored["R2"]["decided_on"] is None
    assert stored["R2"]["decided_day"] is None


def test_text_is_stored_exactly_whatever_its_characters(analyst, csv_file):
    awkward = ['"R,1"', '"R\t2 \\N"', '"R ""3"""', "Rééé-4", '"R\n5"']
    rows = [f"{key},C,NGA,2020-03-01,,,,pending," for key in awkward]

    ingest_file(kind="requests", path=csv_file("requests", *rows), user=analyst)

    assert set(stored_requests()) == {"R,1", "R\t2 \\N", 'R "3"', "Rééé-4", "R\n5"}


def test_the_log_records_who_when_which_file_its_checksum_and_size(analyst, csv_file):
    path = csv_file("requests", ISSUED, name="td-march.csv")
    before = dt.datetime.now(dt.UTC)

    ingest = ingest_file(kind="requests", path=path, user=analyst, channel="web")

    ingest.refresh_from_db()
    assert ingest.user == analyst
    assert ingest.channel == "web"
    assert ingest.file_name == "td-march.csv"
    assert ingest.checksum == hashlib.sha256(path.read_bytes()).hexdigest()
    assert ingest.size_bytes == path.stat().st_size
    assert ingest.status == IngestStatus.SUCCEEDED
    assert before <= ingest.started_at <= ingest.finished_at


def test_a_file_object_is_ingested_like_a_path_under_the_name_given(analyst):
    upload = io.BytesIO(b"request_id,country,requested_on,outcome\nR9,FRA,2021-01-01,pending\n")

    ingest = ingest_file(kind="requests", path=upload, user=analyst, file_name="upload.csv")

    assert ingest.file_name == "upload.csv"
    assert TravelDocumentRequest.objects.get().request_id == "R9"


def test_a_bad_file_is_refused_with_every_bad_row_named_and_nothing_stored(analyst, csv_file):
    ingest_file(kind="requests", path=csv_file("requests", PENDING), user=analyst)
    bad = csv_file(
        "requests",
        ISSUED,
        "R3,,NGA,2020-02-30,,,,pending,",
        ISSUED_LATER,  # valid, and would update R2: it must not
        "R4,,XQQ,2020-03-01,,,,issued,",
        name="bad.csv",
    )

    with pytest.raises(IngestRefused) as refusal:
        ingest_file(kind="requests", path=bad, user=analyst)

    assert refusal.value.errors == [
        "row 3, column requested_on: is not a real calendar date (2020-02-30)",
        "row 5, column country: is a user-assigned code; declare it in the countries table first"
        " (XQQ)",
        "row 5, column decided_on: is required when outcome is issued (empty)",
    ]
    assert refusal.value.message == "The file was refused: 3 problems found; nothing was stored."
    assert set(stored_requests()) == {"R2"}
    assert stored_requests()["R2"]["outcome"] == "pending"
    assert not IngestChange.objects.exists()
    logged = refusal.value.ingest
    logged.refresh_from_db()
    assert (logged.status, logged.file_name, logged.error_count) == ("refused", "bad.csv", 3)
    assert logged.errors[0] == {
        "row": 3,
        "column": "requested_on",
        "problem": "is not a real calendar date",
        "value": "2020-02-30",
        "text": "row 3, column requested_on: is not a real calendar date (2020-02-30)",
    }
    assert (logged.created, logged.updated, logged.unchanged) == (0, 0, 0)
    assert logged.checksum == hashlib.sha256(bad.read_bytes()).hexdigest()


def test_a_refused_ingest_logs_the_first_hundred_problems_and_counts_them_all(analyst, csv_file):
    rows = [f"R{n},,NGA,2020-13-01,,,,pending," for n in range(150)]

    with pytest.raises(IngestRefused) as refusal:
        ingest_file(kind="requests", path=csv_file("requests", *rows), user=analyst)

    assert refusal.value.error_count == 150
    assert len(refusal.value.errors) == 150
    logged = Ingest.objects.get(status="refused")
    assert len(logged.errors) == 100
    assert logged.error_count == 150
    assert logged.unlisted_error_count == 50


def test_the_same_file_twice_changes_nothing(analyst, csv_file):
    path = csv_file("requests", ISSUED, PENDING)
    first = ingest_file(kind="requests", path=path, user=analyst)
    before = stored_requests()

    again = ingest_file(kind="requests", path=path, user=analyst)

    assert (again.rows, again.created, again.updated, again.unchanged) == (2, 0, 0, 2)
    assert stored_requests() == before  # the rows still name the first ingest
    assert {row["ingest_id"] for row in before.values()} == {first.pk}
    assert not IngestChange.objects.exists()


def test_a_changed_row_updates_its_record_and_keeps_its_previous_values(analyst, csv_file):
    first = ingest_file(kind="requests", path=csv_file("requests", ISSUED, PENDING), user=analyst)

    second = ingest_file(
        kind="requests",
        path=csv_file("requests", ISSUED, ISSUED_LATER, name="v2.csv"),
        user=analyst,
    )

    assert (second.created, second.updated, second.unchanged) == (0, 1, 1)
    stored = stored_requests()
    assert stored["R2"]["outcome"] == "issued"
    assert stored["R2"]["decided_on"] == dt.date(2020, 5, 1)
    assert stored["R2"]["decided_day"] == 18383
    assert stored["R2"]["ingest_id"] == second.pk
    assert stored["R1"]["ingest_id"] == first.pk
    change = IngestChange.objects.get()
    assert (change.ingest, change.kind, change.key) == (second, "requests", "R2")
    assert change.previous == {
        "case_id": "",
        "country": "IND",
        "requested_on": "2020-03-02",
        "document_type": "other",
        "interview_requested_on": None,
        "interview_held_on": None,
        "outcome": "pending",
        "decided_on": None,
        "ingest": first.pk,
    }


def test_new_and_changed_rows_are_counted_apart(analyst, csv_file):
    ingest_file(kind="requests", path=csv_file("requests", ISSUED, PENDING), user=analyst)

    ingest = ingest_file(
        kind="requests",
        path=csv_file("requests", ISSUED, ISSUED_LATER, "R3,,FRA,2021-01-01,,,,pending,"),
        user=analyst,
    )

    assert (ingest.rows, ingest.created, ingest.updated, ingest.unchanged) == (3, 1, 1, 1)


def test_rows_read_in_many_chunks_are_all_stored_and_progress_is_reported(
    analyst, csv_file, monkeypatch
):
    monkeypatch.setattr(services, "read_file", functools.partial(read_file, chunk_rows=2))
    rows = [f"R{n},,NGA,2020-03-01,,,,pending," for n in range(40)]
    seen = []

    ingest = ingest_file(
        kind="requests", path=csv_file("requests", *rows), user=analyst, progress=seen.append
    )

    assert ingest.created == 40
    assert TravelDocumentRequest.objects.count() == 40
    assert len(seen) > 3
    assert seen == sorted(seen)
    assert seen[-1] == 40


def in_chunks_of_two(monkeypatch) -> None:
    """Make the ingest read files two rows or so a chunk, as if they were large."""
    monkeypatch.setattr(services, "read_file", functools.partial(read_file, chunk_rows=2))


def reader_threads() -> list[threading.Thread]:
    return [thread for thread in threading.enumerate() if thread.name == "intake-reader"]


def pending_rows(numbers) -> list[str]:
    return [f"R{n},,NGA,2020-03-01,,,,pending," for n in numbers]


def test_a_bad_row_in_a_late_chunk_stores_nothing_of_the_chunks_before_it(
    analyst, csv_file, monkeypatch
):
    ingest_file(kind="requests", path=csv_file("requests", PENDING), user=analyst)
    before = stored_requests()
    in_chunks_of_two(monkeypatch)
    rows = [ISSUED_LATER, *pending_rows(range(10, 40)), "R99,,NGA,2020-03-01,,,,maybe,"]

    with pytest.raises(IngestRefused) as refusal:
        ingest_file(kind="requests", path=csv_file("requests", *rows, name="v2.csv"), user=analyst)

    assert refusal.value.errors == [
        "row 33, column outcome: must be one of issued, refused, withdrawn, pending (maybe)"
    ]
    assert stored_requests() == before
    assert not IngestChange.objects.exists()
    assert not reader_threads()


@pytest.mark.parametrize("is_table_empty", [True, False])
def test_a_key_repeated_in_a_later_chunk_refuses_the_file_and_stores_nothing(
    analyst, csv_file, monkeypatch, is_table_empty
):
    if not is_table_empty:
        ingest_file(kind="requests", path=csv_file("requests", "R10,,IND,2019-01-01,,,,pending,"),
                    user=analyst)  # fmt: skip
    before = stored_requests()
    in_chunks_of_two(monkeypatch)
    rows = [*pending_rows(range(10, 30)), "R10,,NGA,2020-03-02,,,,pending,"]

    with pytest.raises(IngestRefused) as refusal:
        ingest_file(kind="requests", path=csv_file("requests", *rows, name="v2.csv"), user=analyst)

    assert refusal.value.errors == [
        "row 22, column request_id: repeats row 2; each request_id may appear only once in a "
        "file (R10)"
    ]
    assert stored_requests() == before
    assert not IngestChange.objects.exists()


def test_a_key_repeated_within_one_chunk_refuses_the_file(analyst, csv_file):
    path = csv_file("requests", ISSUED, PENDING, ISSUED.replace("2020-04-01", "2020-04-02"))

    with pytest.raises(IngestRefused) as refusal:
        ingest_file(kind="requests", path=path, user=analyst)

    assert refusal.value.errors == [
        "row 4, column request_id: repeats row 2; each request_id may appear only once in a "
        "file (R1)"
    ]
    assert not TravelDocumentRequest.objects.exists()


def test_a_country_missing_from_the_table_in_a_late_chunk_refuses_the_file(
    analyst, csv_file, monkeypatch
):
    Country.all_objects.filter(code="IND").delete()
    in_chunks_of_two(monkeypatch)
    rows = [*pending_rows(range(10, 30)), "R99,,IND,2020-03-01,,,,pending,"]

    with pytest.raises(IngestRefused) as refusal:
        ingest_file(kind="requests", path=csv_file("requests", *rows), user=analyst)

    assert refusal.value.errors == [
        "file: uses a country code missing from the countries table; list it in a countries "
        "file first (IND)"
    ]
    assert not TravelDocumentRequest.objects.exists()


def test_an_error_of_the_reader_is_raised_and_nothing_is_stored(analyst, csv_file, monkeypatch):
    def failing_read_file(*args, **kwargs):
        yield from read_file(*args, chunk_rows=2, **kwargs)
        raise MemoryError  # as a reader running out of memory at the end of the file

    monkeypatch.setattr(services, "read_file", failing_read_file)

    with pytest.raises(MemoryError):
        ingest_file(kind="requests", path=csv_file("requests", *pending_rows(range(9))),
                    user=analyst)  # fmt: skip

    assert not TravelDocumentRequest.objects.exists()
    assert Ingest.objects.get().status == IngestStatus.FAILED
    assert not reader_threads()


def test_counts_and_previous_values_are_exact_over_many_chunks(analyst, csv_file, monkeypatch):
    in_chunks_of_two(monkeypatch)
    first = ingest_file(kind="requests", path=csv_file("requests", *pending_rows(range(20))),
                        user=analyst)  # fmt: skip
    rows = pending_rows(range(20))
    for n in (3, 11, 17):
        rows[n] = f"R{n},,NGA,2020-03-01,,,,issued,2020-04-0{n % 9 + 1}"
    rows += pending_rows(range(20, 25))
    path = csv_file("requests", *rows, name="v2.csv")

    second = ingest_file(kind="requests", path=path, user=analyst)
    again = ingest_file(kind="requests", path=path, user=analyst)

    assert (first.rows, first.created, first.updated, first.unchanged) == (20, 20, 0, 0)
    assert (second.rows, second.created, second.updated, second.unchanged) == (25, 5, 3, 17)
    assert (again.rows, again.created, again.updated, again.unchanged) == (25, 0, 0, 25)
    changes = IngestChange.objects.order_by("key")
    assert [(change.key, change.ingest_id) for change in changes] == [
        ("R11", second.pk),
        ("R17", second.pk),
        ("R3", second.pk),
    ]
    assert {change.previous["ingest"] for change in changes} == {first.pk}
    assert TravelDocumentRequest.objects.filter(outcome="issued").count() == 3


EDGE_DATES = ["0001-01-01", "0999-12-31", "1969-12-31", "1970-01-01", "1970-01-02",
              "2000-02-29", "2024-02-29", "9999-12-31"]  # fmt: skip


def test_dates_are_stored_as_written_with_their_day_numbers_at_the_edges(analyst, csv_file):
    rows = [f"R{n},,NGA,{day},,,{day},withdrawn,{day}" for n, day in enumerate(EDGE_DATES)]

    ingest_file(kind="requests", path=csv_file("requests", *rows), user=analyst)

    stored = stored_requests()
    for n, text in enumerate(EDGE_DATES):
        date = dt.date.fromisoformat(text)
        day = (date - dt.date(1970, 1, 1)).days
        row = stored[f"R{n}"]
        assert (row["requested_on"], row["requested_day"]) == (date, day)
        assert (row["interview_held_on"], row["interview_held_day"]) == (date, day)
        assert (row["decided_on"], row["decided_day"]) == (date, day)
        assert (row["interview_requested_on"], row["interview_requested_day"]) == (None, None)
    changed = IngestChange.objects.none()
    assert not changed.exists()


def test_a_changed_date_before_1970_keeps_its_previous_value_as_written(analyst, csv_file):
    ingest_file(kind="cases", path=csv_file("cases", "K1,NGA,1969-12-31,pending,,,,,,"),
                user=analyst)  # fmt: skip

    ingest = ingest_file(kind="cases", path=csv_file("cases", "K1,NGA,1968-02-29,pending,,,,,,"),
                         user=analyst)  # fmt: skip

    assert ingest.updated == 1
    case = RemovalCase.objects.get()
    assert (case.order_enforceable_on, case.order_enforceable_day) == (dt.date(1968, 2, 29), -672)
    assert IngestChange.objects.get().previous["order_enforceable_on"] == "1969-12-31"


def test_an_xlsx_file_is_ingested(analyst, xlsx_file):
    path = xlsx_file(
        "cases",
        ["K1", "NGA", dt.date(2019, 5, 1), "removed", dt.date(2020, 1, 2), None, None, None,
         "escorted", "charter"],
        ["K2", "IND", dt.date(2019, 6, 1), "pending", None, None, "travel_document",
         "failed_claimant", None, None],
    )  # fmt: skip

    ingest = ingest_file(kind="cases", path=path, user=analyst)

    assert ingest.created == 2
    removed, pending = RemovalCase.objects.order_by("case_id")
    assert (removed.removed_on, removed.removed_day) == (dt.date(2020, 1, 2), 18263)
    assert (removed.impediment, removed.category) == ("none", "other")
    assert (removed.removal_mode, removed.flight) == ("escorted", "charter")
    assert (pending.impediment, pending.removal_mode, pending.flight) == ("travel_document", "", "")
    assert pending.order_enforceable_day == 18048


def test_a_changed_case_keeps_its_previous_values(analyst, csv_file):
    ingest_file(
        kind="cases", path=csv_file("cases", "K1,NGA,2019-05-01,pending,,,legal,,,"), user=analyst
    )

    ingest = ingest_file(
        kind="cases",
        path=csv_file("cases", "K1,NGA,2019-05-01,closed,,2019-09-01,legal,,,"),
        user=analyst,
    )

    assert ingest.updated == 1
    case = RemovalCase.objects.get()
    assert (case.status, case.closed_on, case.closed_day) == ("closed", dt.date(2019, 9, 1), 18140)
    previous = IngestChange.objects.get(key="K1").previous
    assert (previous["status"], previous["closed_on"]) == ("pending", None)


def test_aggregates_are_stored_with_their_period_bounds_and_updated_by_key(analyst, csv_file):
    ingest_file(
        kind="aggregates",
        path=csv_file("aggregates", "NGA,2019-Q2,returns,10,Survey", "NGA,2019,orders,40,Survey"),
        user=analyst,
    )

    ingest = ingest_file(
        kind="aggregates",
        path=csv_file("aggregates", "NGA,2019-Q2,returns,12,Survey", "NGA,2019,orders,40,Survey"),
        user=analyst,
    )

    assert (ingest.created, ingest.updated, ingest.unchanged) == (0, 1, 1)
    quarter = Aggregate.objects.get(period="2019-Q2")
    assert (quarter.period_start, quarter.period_end) == (dt.date(2019, 4, 1), dt.date(2019, 6, 30))
    assert quarter.value == 12
    change = IngestChange.objects.get()
    assert change.key == "NGA, 2019-Q2, returns, Survey"
    assert change.previous["value"] == 10


def test_aggregates_overlapping_stored_periods_are_refused(analyst, csv_file):
    ingest_file(
        kind="aggregates", path=csv_file("aggregates", "NGA,2019,returns,40,Survey"), user=analyst
    )
    overlapping = csv_file(
        "aggregates",
        "NGA,2020,returns,5,Survey",  # no overlap
        "NGA,2019-Q1,returns,10,Survey",
        "NGA,2019-Q1,returns,10,Other source",  # another source: no overlap
        "IND,2019-Q1,returns,10,Survey",  # another country: no overlap
    )

    with pytest.raises(IngestRefused) as refusal:
        ingest_file(kind="aggregates", path=overlapping, user=analyst)

    assert refusal.value.errors == [
        "row 3, column period: overlaps 2019 already stored for the same country, measure and "
        "source; a total would be counted twice; remove the stored periods or use the same "
        "ones (2019-Q1)"
    ]
    assert list(Aggregate.objects.values_list("period", flat=True)) == ["2019"]


def test_a_user_assigned_code_must_be_declared_by_a_countries_file_first(analyst, csv_file):
    requests = csv_file("requests", "R1,,XQA,2020-03-01,,,,pending,")
    with pytest.raises(IngestRefused):
        ingest_file(kind="requests", path=requests, user=analyst)

    declared = ingest_file(
        kind="countries", path=csv_file("countries", "XQA,Qualia,"), user=analyst
    )
    ingest = ingest_file(kind="requests", path=requests, user=analyst)

    assert (declared.created, ingest.created) == (1, 1)
    country = Country.objects.get(code="XQA")
    assert (country.name_en, country.name_fr, country.is_user_assigned) == (
        "Qualia",
        "Qualia",
        True,
    )
    assert TravelDocumentRequest.objects.get().country_id == "XQA"


def test_a_countries_file_renames_and_keeps_the_previous_names(analyst, csv_file):
    germany = Country.objects.get(code="DEU")
    names = (germany.name_en, germany.name_fr)
    path = csv_file("countries", "DEU,Federal Republic of Germany,République fédérale", "FRA,,")

    ingest = ingest_file(kind="countries", path=path, user=analyst)

    assert (ingest.rows, ingest.created, ingest.updated, ingest.unchanged) == (2, 0, 1, 1)
    germany.refresh_from_db()
    assert germany.name_en == "Federal Republic of Germany"
    assert IngestChange.objects.get(key="DEU").previous == {
        "name_en": names[0],
        "name_fr": names[1],
    }
    assert germany.history.first().history_user == analyst


def test_an_iso_code_listed_with_an_english_name_only_gets_it_in_french_too(analyst, csv_file):
    ingest_file(kind="countries", path=csv_file("countries", "NLD,Holland,"), user=analyst)

    country = Country.objects.get(code="NLD")
    assert (country.name_en, country.name_fr) == ("Holland", "Holland")  # the contract's default


def test_a_country_missing_from_the_table_refuses_the_file(analyst, csv_file):
    Country.all_objects.filter(code="NGA").delete()  # as if the table lagged behind ISO 3166

    with pytest.raises(IngestRefused) as refusal:
        ingest_file(kind="requests", path=csv_file("requests", ISSUED), user=analyst)

    assert refusal.value.errors == [
        "file: uses a country code missing from the countries table; list it in a countries "
        "file first (NGA)"
    ]
    assert not TravelDocumentRequest.objects.exists()


def test_an_analyst_without_protected_b_clearance_ingests_aggregates_but_not_requests(
    uncleared_analyst, csv_file
):
    with pytest.raises(PermissionRefused):
        ingest_file(kind="requests", path=csv_file("requests", ISSUED), user=uncleared_analyst)

    ingest = ingest_file(
        kind="aggregates",
        path=csv_file("aggregates", "NGA,2019,returns,40,Survey"),
        user=uncleared_analyst,
    )

    assert ingest.created == 1
    assert not Ingest.objects.filter(kind="requests").exists()


@pytest.mark.parametrize("fixture", ["viewer", "program_officer", "rwg_member"])
def test_only_analysts_and_administrators_ingest(request, fixture, csv_file):
    with pytest.raises(PermissionRefused):
        ingest_file(
            kind="aggregates",
            path=csv_file("aggregates", "NGA,2019,returns,40,Survey"),
            user=request.getfixturevalue(fixture),
        )


def test_an_administrator_ingests(administrator, csv_file):
    assert ingest_file(kind="requests", path=csv_file("requests", ISSUED), user=administrator)


def test_an_unknown_kind_is_refused_with_the_kinds_there_are(analyst, csv_file):
    with pytest.raises(DomainError, match="the kinds are requests, cases, aggregates, countries"):
        ingest_file(kind="people", path=csv_file("requests", ISSUED), user=analyst)


def test_a_missing_file_is_refused_and_logged(analyst, tmp_path):
    with pytest.raises(IngestRefused) as refusal:
        ingest_file(kind="requests", path=tmp_path / "absent.csv", user=analyst)

    assert refusal.value.errors == ["file: could not be opened (No such file or directory)"]
    assert Ingest.objects.get().status == "refused"


def test_an_unexpected_error_stores_nothing_and_is_logged_as_failed(analyst, csv_file, monkeypatch):
    def broken(self, ingest_id):
        raise RuntimeError("disk full")

    monkeypatch.setattr(storage.Staging, "upsert", broken)

    with pytest.raises(RuntimeError):
        ingest_file(kind="requests", path=csv_file("requests", ISSUED), user=analyst)

    assert not TravelDocumentRequest.objects.exists()
    assert not reader_threads()
    failed = Ingest.objects.get()
    assert failed.status == IngestStatus.FAILED
    assert failed.errors[0]["text"] == (
        "file: the ingest stopped on an unexpected error (RuntimeError)"
    )


def test_an_operator_ingests_without_a_user(csv_file):
    ingest = ingest_file(kind="requests", path=csv_file("requests", ISSUED), user=None)

    assert ingest.user is None
    assert ingest.channel == "command"


def _request_indexes() -> set[str]:
    from django.db import connection

    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(
            cursor, TravelDocumentRequest._meta.db_table
        )
    return {name for name, info in constraints.items() if info["index"]}


def test_a_first_load_builds_the_indexes_again_and_a_refused_one_keeps_them(db, csv_file):
    before = _request_indexes()
    assert "tdrequest_assessment_key" in before
    bad = csv_file("requests", "R1,,FRA,2021-01-01,passport,,,pending,", "R2,,FRA,not a date,,,,x,")
    with pytest.raises(IngestRefused):
        ingest_file(kind="requests", path=bad, user=None)
    assert _request_indexes() == before
    good = csv_file("requests", "R1,,FRA,2021-01-01,passport,,,pending,", name="good.csv")
    ingest_file(kind="requests", path=good, user=None)
    assert _request_indexes() == before


def test_an_ingest_gives_the_connection_its_settings_back(db, csv_file):
    """SQLite's page cache and sorter threads are raised for an ingest and its index build
    only; on PostgreSQL nothing is changed."""
    from django.db import connection

    def settings() -> tuple:
        if connection.vendor != "sqlite":
            return ()
        with connection.cursor() as cursor:
            return tuple(
                cursor.execute(f"PRAGMA {name}").fetchone() for name in ("cache_size", "threads")
            )

    before = settings()
    cases = csv_file("cases", "C1,FRA,2021-01-01,pending,,,travel_document,other,,")
    ingest_file(kind="cases", path=cases, user=None)
    assert settings() == before
