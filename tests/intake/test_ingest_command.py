"""`readmit ingest KIND FILE`: the summary, the refusal on standard error, the exit status."""

import io
import os
import subprocess
import sys

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from readmit.intake.models import Ingest, TravelDocumentRequest

pytestmark = pytest.mark.django_db

ROW = "R1,C1,NGA,2020-03-01,passport,2020-03-05,2020-03-20,issued,2020-04-01"


def ingest(*args: str) -> tuple[str, str]:
    stdout, stderr = io.StringIO(), io.StringIO()
    call_command("ingest", *args, stdout=stdout, stderr=stderr)
    return stdout.getvalue(), stderr.getvalue()


def test_success_prints_a_one_line_summary_and_no_progress_bar_off_a_terminal(csv_file):
    path = csv_file("requests", ROW, "R2,,IND,2020-03-02,,,,pending,")

    stdout, stderr = ingest("requests", str(path))

    assert stdout == f"requests {path}: 2 created, 0 updated, 0 unchanged\n"
    assert stderr == ""


def test_a_second_run_reports_every_row_unchanged(csv_file):
    path = csv_file("requests", ROW)
    ingest("requests", str(path))

    assert (
        ingest("requests", str(path))[0] == f"requests {path}: 0 created, 0 updated, 1 unchanged\n"
    )


def test_large_counts_are_written_with_thousands_separators(csv_file):
    rows = [f"R{n},,NGA,2020-03-01,,,,pending," for n in range(1234)]

    stdout, _ = ingest("requests", str(csv_file("requests", *rows)))

    assert "1,234 created" in stdout


def test_a_refused_file_fails_with_every_problem(csv_file):
    path = csv_file("requests", "R1,,NGA,2020-02-30,,,,pending,", "R2,,nga,2020-03-01,,,,pending,")

    with pytest.raises(CommandError) as refusal:
        ingest("requests", str(path))

    assert refusal.value.returncode == 1
    assert str(refusal.value).splitlines() == [
        "The file was refused: 2 problems found; nothing was stored.",
        "row 2, column requested_on: is not a real calendar date (2020-02-30)",
        "row 3, column country: must be written exactly NGA (nga)",
    ]
    assert not TravelDocumentRequest.objects.exists()


def test_beyond_a_thousand_problems_the_rest_are_counted(csv_file):
    rows = [f"R{n},,NGA,2020-13-01,,,,pending," for n in range(1205)]

    with pytest.raises(CommandError) as refusal:
        ingest("requests", str(csv_file("requests", *rows)))

    lines = str(refusal.value).splitlines()
    assert len(lines) == 1 + 1000 + 1
    assert lines[-1] == "... and 205 more."


def test_a_missing_file_is_a_plain_error(tmp_path):
    with pytest.raises(CommandError, match=r"No such file: .*absent\.csv"):
        ingest("requests", str(tmp_path / "absent.csv"))
    assert not Ingest.objects.exists()


def test_an_unknown_kind_is_refused_by_the_argument_parser(csv_file):
    with pytest.raises(CommandError, match="invalid choice: 'people'"):
        ingest("people", str(csv_file("requests", ROW)))


def test_the_user_named_is_recorded_and_their_clearance_applies(
    analyst, uncleared_analyst, csv_file
):
    path = csv_file("requests", ROW)

    with pytest.raises(CommandError, match="clearance does not allow ingesting requests files"):
        ingest("requests", str(path), "--user", uncleared_analyst.username)
    ingest("requests", str(path), "--user", analyst.username)

    assert Ingest.objects.get().user == analyst


def test_an_unknown_user_is_a_plain_error(csv_file):
    with pytest.raises(CommandError, match="No active user is named 'nobody'"):
        ingest("requests", str(csv_file("requests", ROW)), "--user", "nobody")


@pytest.mark.slow
def test_the_command_line_exits_non_zero_without_a_traceback(tmp_path):
    """A real process, for the exit status and standard error as a user sees them."""
    bad = tmp_path / "bad.csv"
    bad.write_text("request_id,country\nR1,NGA\n", encoding="utf-8")
    environment = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite3'}"}
    readmit = [sys.executable, "-m", "readmit"]
    subprocess.run([*readmit, "migrate", "-v0"], env=environment, check=True)

    refused = subprocess.run(
        [*readmit, "ingest", "requests", str(bad)], env=environment, capture_output=True, text=True
    )
    missing = subprocess.run(
        [*readmit, "ingest", "requests", str(tmp_path / "absent.csv")],
        env=environment,
        capture_output=True,
        text=True,
    )

    assert refused.returncode == 1
    assert "row 1, column requested_on: required column is missing" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert refused.stdout == ""
    assert missing.returncode == 1
    assert "No such file" in missing.stderr
    assert "Traceback" not in missing.stderr
