"""What only a browser shows: the design-system file uploader really sends the file (through
htmx, as multipart form data), the indicator, the refusal table, under the security policy."""

import re

import pytest

from readmit.accounts.models import Role
from readmit.core.services import ensure_iso_countries
from readmit.intake.models import Ingest, TravelDocumentRequest
from tests.factories import cleared_user
from tests.intake.conftest import HEADERS

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

ROW = "R1,C1,NGA,2020-03-01,passport,2020-03-05,2020-03-20,issued,2020-04-01"


@pytest.fixture
def analyst_page(sign_in):
    ensure_iso_countries()  # a transactional test empties the tables the migrations filled
    return sign_in(cleared_user(role=Role.ANALYST))


def upload(page, live_server, kind: str, path) -> None:
    page.goto(f"{live_server.url}/en/intake/new/")
    page.locator("gcds-select[name=kind] select").select_option(kind)
    page.locator("gcds-file-uploader input[type=file]").set_input_files(str(path))
    page.locator("#ingest-upload gcds-button[type=submit] button").click()


def test_a_file_chosen_in_the_uploader_is_ingested_and_its_ingest_shown(
    analyst_page, live_server, tmp_path
):
    path = tmp_path / "td-march.csv"
    path.write_text(f"{HEADERS['requests']}\n{ROW}\n", encoding="utf-8")

    upload(analyst_page, live_server, "requests", path)

    analyst_page.wait_for_url(re.compile(r"/en/intake/\d+/$"))
    assert "td-march.csv: 1 created, 0 updated, 0 unchanged." in analyst_page.content()
    ingest = Ingest.objects.get()
    assert (ingest.file_name, ingest.channel, ingest.created) == ("td-march.csv", "web", 1)
    assert TravelDocumentRequest.objects.get().request_id == "R1"
    assert analyst_page.csp_violations == []


def test_a_refused_file_shows_its_problems_in_place(analyst_page, live_server, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(f"{HEADERS['requests']}\nR1,,NGA,2020-02-30,,,,pending,\n", encoding="utf-8")

    upload(analyst_page, live_server, "requests", path)

    problem = analyst_page.locator("#ingest-upload table td", has_text="not a real calendar date")
    problem.wait_for()
    assert analyst_page.url == f"{live_server.url}/en/intake/new/"
    assert not TravelDocumentRequest.objects.exists()
    assert Ingest.objects.get().status == "refused"
    assert analyst_page.csp_violations == []
