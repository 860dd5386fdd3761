"""Real public statistics: UK Home Office returns by nationality (../shared/data/uk-returns).

The files are outside the repository; the tests are skipped, saying so, where they are absent.
"""

import json
from pathlib import Path

import pytest
from django.db.models import Sum

from readmit.intake.models import Aggregate, IngestChange
from readmit.intake.services import ingest_file

DATA = Path(__file__).resolve().parents[3] / "shared" / "data" / "uk-returns"
ENFORCED = "UK Home Office Ret_D01 enforced"
ENFORCED_AND_VOLUNTARY = "UK Home Office Ret_D01 enforced+voluntary"
ENFORCED_QUARTERLY = "UK Home Office Ret_D01 enforced quarterly"
FILES = {
    # file: (rows, source)
    "aggregates-ukho-ret-d01-annual.csv": (2934, ENFORCED),
    "aggregates-ukho-ret-d01-enf-vol-annual.csv": (3462, ENFORCED_AND_VOLUNTARY),
    "aggregates-ukho-ret-d01-quarterly.csv": (8932, ENFORCED_QUARTERLY),
}

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        not (DATA / "expected.json").exists(),
        reason=f"the UK returns data set is not at {DATA}: real-data tests skipped",
    ),
]


@pytest.fixture
def expected() -> dict:
    return json.loads((DATA / "expected.json").read_text(encoding="utf-8"))


@pytest.fixture
def ingested(analyst) -> dict:
    """Kosovo declared (XKX is user-assigned), then the three aggregates files."""
    ingest_file(kind="countries", path=DATA / "countries-ukho-ret-d01.csv", user=analyst)
    return {name: ingest_file(kind="aggregates", path=DATA / name, user=analyst) for name in FILES}


def value(country: str, period: str, source: str) -> int:
    return Aggregate.objects.get(
        country_id=country, period=period, measure="returns", source=source
    ).value


def test_every_row_of_the_three_files_is_stored(ingested):
    for name, (rows, source) in FILES.items():
        ingest = ingested[name]
        assert (ingest.rows, ingest.created, ingest.status) == (rows, rows, "succeeded"), name
        assert Aggregate.objects.filter(source=source).count() == rows, name


def test_stored_values_are_those_the_expectations_give(ingested, expected):
    for case in expected["cases"]:
        for key in ("expected_aggregates_row", "expected_enforced_plus_voluntary_row"):
            row = case[key]
            assert value(row["country"], row["period"], row["source"]) == row["value"], row
    for row in expected["quarterly_case"]:
        assert value(row["country"], row["period"], row["source"]) == row["value"], row


def test_national_totals_match_the_converters_own(ingested, expected):
    for year, total in expected["converter_totals"]["annual_enforced_sum_of_output_rows"].items():
        stored = Aggregate.objects.filter(source=ENFORCED, period=year).aggregate(Sum("value"))
        assert stored["value__sum"] == total, year


def test_quarters_lie_within_their_year(ingested):
    quarter = Aggregate.objects.get(
        country_id="ALB", period="2023-Q4", measure="returns", source=ENFORCED_QUARTERLY
    )
    assert (quarter.period_start.isoformat(), quarter.period_end.isoformat()) == (
        "2023-10-01",
        "2023-12-31",
    )


def test_the_user_assigned_kosovo_is_used_once_declared(ingested):
    assert Aggregate.objects.filter(country_id="XKX", source=ENFORCED).exists()


def test_ingesting_the_files_again_changes_nothing(ingested, analyst):
    for name, (rows, _source) in FILES.items():
        again = ingest_file(kind="aggregates", path=DATA / name, user=analyst)
        assert (again.created, again.updated, again.unchanged) == (0, 0, rows), name
    assert not IngestChange.objects.exists()
