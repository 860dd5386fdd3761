"""The command's CSV and table formats and the XLSX download: the JSON's figures, flattened."""

import csv
import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from readmit.assessment import exports, selectors
from readmit.assessment.figures import window_from
from tests.assessment.builders import assess, country, request

WINDOW = ("--from", "2019-01-01", "--to", "2019-12-31", "--as-of", "2020-03-31")


@pytest.fixture
def data(db):
    country("XAA", "Avalonia")
    request("XAA", "2019-03-01", "issued", "2019-03-11", count=8)
    request("XAA", "2019-03-01", "refused", "2019-03-21", count=4)
    request("XBB", "2019-03-01", "withdrawn", "2019-03-02")  # eligible 0: null rates


def test_csv_has_one_row_per_country_with_the_json_figures(data):
    rows = list(csv.DictReader(io.StringIO(assess(*WINDOW, output_format="csv"))))
    figures = {c["country"]: c for c in assess(*WINDOW)["countries"]}
    assert [row["country"] for row in rows] == ["XAA", "XBB"]
    xaa, json_xaa = rows[0], figures["XAA"]
    assert (xaa["methodology"], xaa["from"], xaa["to"], xaa["as_of"]) == (
        "readmit-2026.1",
        "2019-01-01",
        "2019-12-31",
        "2020-03-31",
    )
    assert float(xaa["issuance_rate"]) == json_xaa["issuance_rate"]
    assert float(xaa["issuance_rate_ci_low"]) == json_xaa["issuance_rate_ci"][0]
    assert float(xaa["issuance_rate_ci_high"]) == json_xaa["issuance_rate_ci"][1]
    assert xaa["rating_issuance"] == json_xaa["ratings"]["issuance"]
    assert xaa["classification"] == json_xaa["classification"]
    assert xaa["reasons"] == " | ".join(json_xaa["reasons"])
    assert int(xaa["requests"]) == 12
    # Null is an empty cell.
    assert rows[1]["issuance_rate"] == ""
    assert rows[1]["pattern"] == ""


def test_csv_rates_are_unrounded(data):
    rows = list(csv.DictReader(io.StringIO(assess(*WINDOW, output_format="csv"))))
    assert rows[0]["issuance_rate"] == repr(8 / 12)


def test_the_table_is_readable_and_marked(data):
    table = assess(*WINDOW, output_format="table")
    lines = table.splitlines()
    assert lines[0].startswith("PROTECTED B")
    assert (
        "Methodology readmit-2026.1; window 2019-01-01 to 2019-12-31, as of 2020-03-31."
        in (lines[0])
    )
    (xaa,) = [line for line in lines if line.startswith("XAA")]
    assert "Avalonia" in xaa
    assert "66.7%" in xaa
    assert "at_risk" in xaa or "recalcitrant" in xaa or "cooperative" in xaa


def test_the_table_says_when_there_is_nothing(db):
    assert "No country has data in this window." in assess(*WINDOW, output_format="table")


def test_xlsx_holds_numbers_as_numbers_and_an_about_sheet(data):
    window = window_from(
        date_from=dt.date(2019, 1, 1), date_to=dt.date(2019, 12, 31), as_of=dt.date(2020, 3, 31)
    )
    card = selectors.assessment(window=window)
    workbook = load_workbook(io.BytesIO(exports.scorecard_xlsx(card)))
    sheet = workbook["Scorecard"]
    header = [cell.value for cell in sheet[1]]
    assert header[:6] == ["methodology", "from", "to", "as_of", "country", "name"]
    xaa = dict(zip(header, [cell.value for cell in sheet[2]], strict=True))
    assert xaa["issuance_rate"] == 8 / 12
    assert xaa["requests"] == 12
    about = {row[0]: row[1] for row in workbook["About"].iter_rows(values_only=True)}
    assert about["Data fingerprint (SHA-256)"] == card.fingerprint
    assert about["Security"].startswith("PROTECTED B")
