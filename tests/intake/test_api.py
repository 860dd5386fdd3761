"""The intake API: ingest by POST, read the log; who may do what; the schema."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from drf_spectacular.generators import SchemaGenerator

from readmit.intake.models import Aggregate, Ingest, TravelDocumentRequest
from readmit.intake.services import ingest_file

pytestmark = pytest.mark.django_db

ROW = "R1,C1,NGA,2020-03-01,passport,2020-03-05,2020-03-20,issued,2020-04-01"
HEADER = (
    "request_id,case_id,country,requested_on,document_type,interview_requested_on,"
    "interview_held_on,outcome,decided_on"
)


def upload(text: str, name: str = "requests.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


@pytest.fixture
def requests_ingest(analyst, csv_file):
    return ingest_file(kind="requests", path=csv_file("requests", ROW), user=analyst)


@pytest.fixture
def aggregates_ingest(analyst, csv_file):
    return ingest_file(
        kind="aggregates", path=csv_file("aggregates", "NGA,2019,returns,4,Survey"), user=analyst
    )


def test_posting_a_file_ingests_it_and_answers_201_with_the_summary(api_as, analyst):
    response = api_as(analyst).post(
        "/api/v1/ingests/",
        {"kind": "requests", "file": upload(f"{HEADER}\n{ROW}\n", "td.csv")},
        format="multipart",
    )

    assert response.status_code == 201
    body = response.json()
    ingest = Ingest.objects.get()
    assert body["id"] == ingest.pk
    assert {key: body[key] for key in ("kind", "file_name", "user", "channel", "status")} == {
        "kind": "requests",
        "file_name": "td.csv",
        "user": analyst.username,
        "channel": "api",
        "status": "succeeded",
    }
    assert (body["rows"], body["created"], body["updated"], body["unchanged"]) == (1, 1, 0, 0)
    assert body["checksum"] == ingest.checksum
    assert body["errors"] == []
    assert TravelDocumentRequest.objects.count() == 1


def test_a_refused_file_answers_400_with_every_problem_and_stores_nothing(api_as, analyst):
    text = f"{HEADER}\nR1,,NGA,2020-02-30,,,,pending,\nR2,,XQQ,2020-03-01,,,,pending,\n"

    response = api_as(analyst).post(
        "/api/v1/ingests/", {"kind": "requests", "file": upload(text)}, format="multipart"
    )

    assert response.status_code == 400
    refused = Ingest.objects.get()
    assert response.json() == {
        "detail": "The file was refused: 2 problems found; nothing was stored.",
        "errors": [
            "row 2, column requested_on: is not a real calendar date (2020-02-30)",
            "row 3, column country: is a user-assigned code; declare it in the countries "
            "table first (XQQ)",
        ],
        "ingest": refused.pk,
    }
    assert not TravelDocumentRequest.objects.exists()
    detail = api_as(analyst).get(f"/api/v1/ingests/{refused.pk}/").json()
    assert detail["status"] == "refused"
    assert detail["error_count"] == 2
    assert detail["errors"] == response.json()["errors"]


def test_a_post_without_kind_or_file_is_a_400(api_as, analyst):
    response = api_as(analyst).post("/api/v1/ingests/", {}, format="multipart")

    assert response.status_code == 400
    assert set(response.json()) >= {"kind", "file"}


def test_the_changes_of_an_ingest_are_listed_with_their_previous_values(
    api_as, analyst, csv_file, requests_ingest
):
    changed = ROW.replace("issued,2020-04-01", "refused,2020-04-02")
    update = ingest_file(kind="requests", path=csv_file("requests", changed), user=analyst)

    body = api_as(analyst).get(f"/api/v1/ingests/{update.pk}/changes/").json()

    assert body["count"] == 1
    (change,) = body["results"]
    assert change["key"] == "R1"
    assert change["previous"]["outcome"] == "issued"
    assert change["previous"]["decided_on"] == "2020-04-01"
    assert change["previous"]["ingest"] == requests_ingest.pk


@pytest.mark.parametrize("fixture", ["analyst", "administrator"])
def test_analysts_and_administrators_read_the_log(
    request, api_as, fixture, requests_ingest, aggregates_ingest
):
    client = api_as(request.getfixturevalue(fixture))

    listed = client.get("/api/v1/ingests/").json()

    assert [row["id"] for row in listed["results"]] == [aggregates_ingest.pk, requests_ingest.pk]
    for url in (
        f"/api/v1/ingests/{requests_ingest.pk}/",
        f"/api/v1/ingests/{requests_ingest.pk}/changes/",
    ):
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("fixture", ["viewer", "program_officer", "rwg_member"])
def test_other_roles_may_neither_read_the_log_nor_ingest(request, api_as, fixture, requests_ingest):
    client = api_as(request.getfixturevalue(fixture))

    for url in (
        "/api/v1/ingests/",
        f"/api/v1/ingests/{requests_ingest.pk}/",
        f"/api/v1/ingests/{requests_ingest.pk}/changes/",
    ):
        assert client.get(url).status_code == 403, url
    posted = client.post(
        "/api/v1/ingests/",
        {"kind": "aggregates", "file": upload("country,period,measure,value,source\n", "a.csv")},
        format="multipart",
    )
    assert posted.status_code == 403
    assert Ingest.objects.count() == 1


def test_an_analyst_below_protected_b_reads_and_ingests_only_unclassified_kinds(
    api_as, uncleared_analyst, requests_ingest, aggregates_ingest
):
    client = api_as(uncleared_analyst)

    listed = client.get("/api/v1/ingests/").json()
    refused = client.post(
        "/api/v1/ingests/",
        {"kind": "requests", "file": upload(f"{HEADER}\n{ROW}\n")},
        format="multipart",
    )
    accepted = client.post(
        "/api/v1/ingests/",
        {
            "kind": "aggregates",
            "file": upload("country,period,measure,value,source\nIND,2019,returns,3,S\n"),
        },
        format="multipart",
    )

    assert [row["kind"] for row in listed["results"]] == ["aggregates"]
    assert client.get(f"/api/v1/ingests/{requests_ingest.pk}/").status_code == 404
    assert client.get(f"/api/v1/ingests/{requests_ingest.pk}/changes/").status_code == 404
    assert refused.status_code == 403
    assert "clearance" in refused.json()["detail"]
    assert accepted.status_code == 201
    assert Aggregate.objects.count() == 2


def test_the_schema_has_the_intake_endpoints_without_warnings(db, capsys):
    schema = SchemaGenerator().get_schema(request=None, public=True)

    paths = sorted(path for path in schema["paths"] if path.startswith("/api/v1/ingests/"))

    assert paths == [
        "/api/v1/ingests/",
        "/api/v1/ingests/{id}/",
        "/api/v1/ingests/{id}/changes/",
    ]
    post = schema["paths"]["/api/v1/ingests/"]["post"]
    assert list(post["requestBody"]["content"]) == ["multipart/form-data"]
    assert set(post["responses"]) >= {"201", "400"}
    warnings = capsys.readouterr().err
    assert "intake" not in warnings.lower()
    assert "ingest" not in warnings.lower()
