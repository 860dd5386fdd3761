"""The intake pages: who may see them, the upload, the refusal table, the changes kept."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from readmit.intake.models import Ingest, TravelDocumentRequest
from readmit.intake.services import ingest_file

pytestmark = pytest.mark.django_db

ROW = "R1,C1,NGA,2020-03-01,passport,2020-03-05,2020-03-20,issued,2020-04-01"
HEADER = (
    "request_id,case_id,country,requested_on,document_type,interview_requested_on,"
    "interview_held_on,outcome,decided_on"
)
NOT_INGESTERS = ["viewer", "program_officer", "rwg_member"]


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


def page_urls(ingest) -> list[str]:
    return ["/en/intake/", "/en/intake/new/", f"/en/intake/{ingest.pk}/", "/fr/intake/"]


@pytest.mark.parametrize("fixture", ["analyst", "administrator"])
def test_analysts_and_administrators_see_every_page(request, client, fixture, requests_ingest):
    client.force_login(request.getfixturevalue(fixture))
    for url in page_urls(requests_ingest):
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("fixture", NOT_INGESTERS)
def test_other_roles_see_no_intake_page_and_may_not_upload(
    request, client, fixture, requests_ingest
):
    client.force_login(request.getfixturevalue(fixture))
    for url in page_urls(requests_ingest):
        assert client.get(url).status_code == 403, url
    response = client.post("/en/intake/new/", {"kind": "requests", "file": upload(HEADER)})
    assert response.status_code == 403


def test_the_menu_offers_intake_to_those_who_may_ingest(client, analyst, viewer):
    client.force_login(analyst)
    assert 'href="/en/intake/"' in client.get("/en/").content.decode()
    client.force_login(viewer)
    assert 'href="/en/intake/"' not in client.get("/en/").content.decode()


def test_an_analyst_below_protected_b_sees_only_unclassified_ingests(
    client, uncleared_analyst, requests_ingest, aggregates_ingest
):
    client.force_login(uncleared_analyst)

    log = client.get("/en/intake/").content.decode()

    assert f'href="/en/intake/{aggregates_ingest.pk}/"' in log
    assert f'href="/en/intake/{requests_ingest.pk}/"' not in log
    assert client.get(f"/en/intake/{requests_ingest.pk}/").status_code == 404
    assert client.get(f"/en/intake/{aggregates_ingest.pk}/").status_code == 200
    form = client.get("/en/intake/new/").content.decode()
    assert 'value="aggregates"' in form
    assert 'value="requests"' not in form
    refused = client.post("/en/intake/new/", {"kind": "requests", "file": upload(HEADER)})
    assert refused.status_code == 400
    assert not Ingest.objects.filter(user=uncleared_analyst).exists()


def test_the_log_shows_who_when_file_checksum_counts_and_status(client, analyst, requests_ingest):
    client.force_login(analyst)

    page = client.get("/en/intake/").content.decode()

    assert analyst.username in page
    assert "requests.csv" in page
    assert requests_ingest.checksum[:12] in page
    assert "Succeeded" in page


def test_uploading_a_good_file_stores_it_and_shows_the_ingest(client, analyst):
    client.force_login(analyst)

    response = client.post(
        "/en/intake/new/", {"kind": "requests", "file": upload(f"{HEADER}\n{ROW}\n", "td.csv")}
    )

    ingest = Ingest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/en/intake/{ingest.pk}/"
    assert (ingest.channel, ingest.user, ingest.file_name) == ("web", analyst, "td.csv")
    assert TravelDocumentRequest.objects.get().request_id == "R1"
    page = client.get(response["Location"]).content.decode()
    assert "td.csv: 1 created, 0 updated, 0 unchanged." in page


def test_a_large_upload_is_read_from_its_temporary_file(client, analyst, settings, xlsx_file):
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 100  # bytes: anything larger goes to a temporary file
    workbook = xlsx_file("aggregates", ["NGA", "2019", "returns", 40, "Survey"])
    client.force_login(analyst)

    with workbook.open("rb") as stream:
        response = client.post("/en/intake/new/", {"kind": "aggregates", "file": stream})

    assert response.status_code == 302
    assert Ingest.objects.get().created == 1


def test_a_refused_upload_shows_every_problem_as_a_table_and_stores_nothing(client, analyst):
    client.force_login(analyst)
    text = f"{HEADER}\nR1,,XQQ,2020-03-01,,,,pending,\nR2,,NGA,2020-02-30,,,,pending,\n"

    response = client.post("/en/intake/new/", {"kind": "requests", "file": upload(text)})

    assert response.status_code == 400
    page = response.content.decode()
    assert "The file was refused; nothing was stored" in page
    assert "<td>is a user-assigned code; declare it in the countries table first</td>" in page
    assert "<td><code>XQQ</code></td>" in page
    assert "<td>is not a real calendar date</td>" in page
    assert not TravelDocumentRequest.objects.exists()
    refused = Ingest.objects.get()
    assert refused.status == "refused"
    assert f'href="/en/intake/{refused.pk}/"' in page


def test_with_htmx_the_form_is_swapped_in_place_and_success_redirects(client, analyst):
    client.force_login(analyst)
    bad = client.post(
        "/en/intake/new/",
        {"kind": "requests", "file": upload(f"{HEADER}\nR1,,NGA,2020-02-30,,,,pending,\n")},
        headers={"HX-Request": "true"},
    )
    good = client.post(
        "/en/intake/new/",
        {"kind": "requests", "file": upload(f"{HEADER}\n{ROW}\n")},
        headers={"HX-Request": "true"},
    )

    assert bad.status_code == 200
    assert bad.content.decode().startswith('<div id="ingest-upload">')
    assert "is not a real calendar date" in bad.content.decode()
    assert good["HX-Redirect"] == f"/en/intake/{Ingest.objects.get(status='succeeded').pk}/"


def test_a_form_without_a_file_says_so(client, analyst):
    client.force_login(analyst)

    response = client.post("/en/intake/new/", {"kind": "requests"})

    assert response.status_code == 400
    assert "File: This field is required." in response.content.decode()
    assert not Ingest.objects.exists()


def test_the_ingest_page_lists_the_rows_changed_with_their_previous_values(
    client, analyst, csv_file, requests_ingest
):
    changed = ROW.replace("passport", "laissez_passer")
    update = ingest_file(kind="requests", path=csv_file("requests", changed), user=analyst)
    client.force_login(analyst)

    page = client.get(f"/en/intake/{update.pk}/").content.decode()

    assert "1 row changed" in page
    assert '<th scope="row">R1</th>' in page
    assert "<td>passport</td>" in page
    assert f"<td>{requests_ingest.pk}</td>" in page  # the ingest that wrote the old values


def test_the_pages_are_in_french(client, analyst, requests_ingest):
    client.force_login(analyst)

    assert "Journal des importations" in client.get("/fr/intake/").content.decode()
    assert "Importer un fichier" in client.get("/fr/intake/new/").content.decode()
