"""The IATI 2.03 activity file: valid against the official schema, and only what is public."""

from datetime import date
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from lxml import etree

from readmit.core.security import SecurityLevel
from readmit.envelope import services
from readmit.envelope.iati import iso_alpha_2, sector_shares
from tests.factories import CountryFactory

pytestmark = pytest.mark.django_db

SCHEMA_DIR = Path(__file__).resolve().parents[3] / "shared" / "iati" / "2.03"
SCHEMA = SCHEMA_DIR / "iati-activities-schema.xsd"


@pytest.fixture(scope="module")
def schema():
    if not SCHEMA.exists():
        pytest.skip(f"The official IATI 2.03 schema is not at {SCHEMA_DIR} (../shared/iati/2.03).")
    return etree.XMLSchema(etree.parse(str(SCHEMA)))


@pytest.fixture
def published(extended, make_project, program_officer):
    """Kenya disclosed, XAA (user-assigned) disclosed, XBB withheld; paid, then closed."""
    CountryFactory(code="KEN", name_en="Kenya", is_user_assigned=False)
    project = make_project(
        schedule={"FY2020-21": "500000.00", "FY2021-22": "1000000.00"},
        status="approved",
        countries=[("KEN", True), ("XAA", True), ("XBB", False)],
        initiative_types=["border_management", "law_enforcement"],
        title_fr="Gestion des frontières",
        expected_results="Faster identity checks at the border.",
        start_date=date(2020, 7, 1),
        end_date=date(2022, 3, 31),
    )
    services.record_payment(
        user=program_officer, project=project, paid_on=date(2021, 3, 31), amount="500000.00"
    )
    services.close_project(project, user=program_officer, on=date(2021, 12, 1))
    make_project(schedule={"FY2021-22": "100.00"})  # pipeline: never published
    make_project(
        schedule={"FY2021-22": "100.00"},
        status="approved",
        security_level=SecurityLevel.PROTECTED_B,
    )
    return project


def export(tmp_path) -> etree._ElementTree:
    output = tmp_path / "iati.xml"
    call_command("export_iati", "--output", str(output))
    return etree.parse(str(output))


def test_the_export_validates_against_the_official_schema(schema, published, tmp_path):
    document = export(tmp_path)
    schema.assertValid(document)
    assert document.getroot().get("version") == "2.03"


def test_only_published_projects_and_disclosed_iso_countries_go_out(published, tmp_path):
    root = export(tmp_path).getroot()
    activities = root.findall("iati-activity")
    assert [a.findtext("iati-identifier") for a in activities] == ["XM-DAC-301-TEST-MCEE-001"]
    activity = activities[0]
    assert [c.get("code") for c in activity.findall("recipient-country")] == ["KE"]
    text = etree.tostring(root).decode()
    assert "XBB" not in text
    assert activity.find("reporting-org").get("ref") == "XM-DAC-301-TEST"
    implementer = activity.findall("participating-org")[1]
    assert (implementer.get("role"), implementer.get("ref"), implementer.get("type")) == (
        "4",
        "XM-DAC-47066",
        "40",
    )
    assert activity.find("activity-status").get("code") == "4"
    assert {(s.get("code"), s.get("percentage")) for s in activity.findall("sector")} == {
        ("15130", "50.00"),
        ("15190", "50.00"),
    }
    budgets = [
        (b.find("period-start").get("iso-date"), b.findtext("value"))
        for b in activity.findall("budget")
    ]
    assert budgets == [("2020-04-01", "500000.00")]
    transactions = [
        (t.find("transaction-type").get("code"), t.findtext("value"))
        for t in activity.findall("transaction")
    ]
    assert transactions == [("2", "1500000.00"), ("2", "-1000000.00"), ("3", "500000.00")]


def test_a_project_whose_countries_are_not_public_carries_no_country(
    schema, extended, make_project, tmp_path
):
    make_project(schedule={"FY2020-21": "100.00"}, status="approved", countries=[("XCC", False)])
    document = export(tmp_path)
    schema.assertValid(document)
    activity = document.getroot().find("iati-activity")
    assert activity.findall("recipient-country") == []
    assert activity.find("recipient-region").get("code") == "998"
    assert "XCC" not in etree.tostring(document).decode()


def test_with_nothing_to_publish_the_command_says_why(envelope):
    with pytest.raises(CommandError, match="No project may be published yet"):
        call_command("export_iati")


def test_the_api_serves_the_same_file(api_as, uncleared_analyst, published, schema):
    response = api_as(uncleared_analyst).get("/api/v1/envelope/iati/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    schema.assertValid(etree.fromstring(response.content).getroottree())


def test_codes_and_sector_shares():
    assert iso_alpha_2("KEN") == "KE"
    assert iso_alpha_2("XAA") is None
    assert sector_shares([]) == [("15190", 100)]
    shares = sector_shares(["border_management", "law_enforcement", "identity_management"])
    assert sum(share for _, share in shares) == 100
