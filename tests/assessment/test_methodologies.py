"""Methodology versions: readmit-2026.1 is stored and the default, no version can be changed,
a new version with other thresholds is created by a user allowed to, chosen for a run or made
the default."""

import importlib

import pytest
from django.utils import timezone

from readmit.assessment import ratings, selectors, services
from readmit.assessment.models import Methodology
from readmit.core.errors import DomainError, PermissionRefused
from tests.assessment.builders import assess, by_code, request

WINDOW = ("--from", "2019-01-01", "--to", "2019-12-31", "--as-of", "2020-03-31")


def test_readmit_2026_1_is_stored_as_the_default_with_the_contract_thresholds(db):
    stored = selectors.default_methodology()
    assert stored.version == "readmit-2026.1"
    assert stored.thresholds == ratings.READMIT_2026_1.to_dict()
    assert stored.rules == ratings.READMIT_2026_1


def test_the_data_migration_writes_the_thresholds_of_the_code(db):
    migration = importlib.import_module("readmit.assessment.migrations.0002_readmit_2026_1")
    assert ratings.READMIT_2026_1.to_dict() == migration.READMIT_2026_1


def test_no_version_can_be_changed(db, analyst):
    with pytest.raises(DomainError, match=r"cannot be changed.*Create a new version"):
        services.update_methodology(
            user=analyst, methodology=selectors.default_methodology(), issuance_green=0.9
        )


def test_an_analyst_with_need_to_know_creates_a_version_with_other_thresholds(db, analyst):
    created = services.create_methodology(
        user=analyst,
        version="readmit-2027.1",
        thresholds={"issuance_green": 0.9, "minimum_eligible": 20},
        description="Stricter issuance.",
    )
    assert created.rules.issuance_green == 0.9
    assert created.rules.minimum_eligible == 20
    assert created.rules.methodology == "readmit-2027.1"
    assert created.rules.timeliness_green == ratings.READMIT_2026_1.timeliness_green
    assert created.created_by == analyst
    assert not created.is_default
    assert created.history.count() == 1


@pytest.mark.parametrize("fixture", ["viewer", "uncleared_analyst", "rwg_member"])
def test_others_may_not_create_a_version(request, fixture):
    user = request.getfixturevalue(fixture)
    with pytest.raises(PermissionRefused):
        services.create_methodology(user=user, version="x", thresholds={})


@pytest.mark.parametrize(
    ("version", "thresholds", "message"),
    [
        ("readmit-2026.1", {}, "exists already"),
        ("has space", {}, "A version is 1 to 50"),
        ("ok", {"issuance_green": 0.4}, "The thresholds are not usable"),
        ("ok", {"issuance_green": 1.5}, "The thresholds are not usable"),
        ("ok", {"minimum_eligible": 2.5}, "must be a int"),
        ("ok", {"surprise": 1}, "unknown \\['surprise'\\]"),
    ],
)
def test_a_version_that_cannot_work_is_refused(db, analyst, version, thresholds, message):
    with pytest.raises(DomainError, match=message):
        services.create_methodology(user=analyst, version=version, thresholds=thresholds)


def test_unusable_thresholds_are_named(db, analyst):
    with pytest.raises(DomainError) as refused:
        services.create_methodology(
            user=analyst,
            version="ok",
            thresholds={"responsiveness_green": 0.5, "confidence_z": -1},
        )
    assert refused.value.details == [
        "responsiveness: the green threshold (a share overdue) must be at most the amber one.",
        "confidence_z must be a positive number.",
    ]


def test_a_version_may_be_chosen_for_an_assessment_or_made_the_default(db, analyst):
    request("XAA", "2019-03-01", "issued", "2019-03-05", count=17)
    request("XAA", "2019-03-01", "refused", "2019-03-05", count=3)
    # Issuance 0.85: green by readmit-2026.1, amber when green needs 0.9.
    strict = services.create_methodology(
        user=analyst, version="strict", thresholds={"issuance_green": 0.9}
    )
    assert by_code(assess(*WINDOW))["XAA"]["ratings"]["issuance"] == "green"
    chosen = assess(*WINDOW, "--methodology", "strict")
    assert chosen["methodology"] == "strict"
    assert by_code(chosen)["XAA"]["ratings"]["issuance"] == "amber"

    services.make_default_methodology(user=analyst, methodology=strict)
    assert list(Methodology.objects.filter(is_default=True)) == [strict]
    assert assess(*WINDOW)["methodology"] == "strict"
    run = services.save_run(user=analyst)
    assert run.methodology == strict
    assert run.thresholds["issuance_green"] == 0.9


def test_the_default_may_not_be_moved_by_others(db, rwg_member):
    with pytest.raises(PermissionRefused):
        services.make_default_methodology(
            user=rwg_member, methodology=selectors.default_methodology()
        )


def test_the_methodologies_page_creates_and_makes_default(client, analyst):
    client.force_login(analyst)
    page = client.get("/en/assessment/methodologies/").content.decode()
    assert "readmit-2026.1" in page
    assert "Create the version" in page
    fields = ratings.READMIT_2026_1.to_dict()
    fields.pop("methodology")
    response = client.post(
        "/en/assessment/methodologies/",
        {**fields, "version": "readmit-2027.1", "issuance_green": "0.85", "description": "x"},
    )
    assert response.status_code == 302
    created = Methodology.objects.get(version="readmit-2027.1")
    assert created.thresholds["issuance_green"] == 0.85
    response = client.post("/en/assessment/methodologies/readmit-2027.1/default/")
    assert response.status_code == 302
    assert selectors.default_methodology() == created
    refused = client.post(
        "/en/assessment/methodologies/",
        {**fields, "version": "bad", "issuance_green": "0.1"},
    )
    assert refused.status_code == 400
    assert "issuance: the green threshold must be at least the amber one." in (
        refused.content.decode()
    )


def test_the_methodologies_page_offers_no_form_to_others(client, viewer):
    client.force_login(viewer)
    page = client.get("/en/assessment/methodologies/").content.decode()
    assert "readmit-2026.1" in page
    assert "Create the version" not in page
    assert client.post("/en/assessment/methodologies/", {"version": "x"}).status_code == 403
    response = client.post("/en/assessment/methodologies/readmit-2026.1/default/")
    assert response.status_code == 403


def test_the_api_lists_creates_and_makes_default(api_as, analyst, viewer):
    listing = api_as(viewer).get("/api/v1/assessment/methodologies/").json()
    assert [m["version"] for m in listing] == ["readmit-2026.1"]
    assert listing[0]["is_default"] is True
    refused = api_as(viewer).post(
        "/api/v1/assessment/methodologies/", {"version": "x", "thresholds": {}}, format="json"
    )
    assert refused.status_code == 403
    client = api_as(analyst)
    created = client.post(
        "/api/v1/assessment/methodologies/",
        {"version": "api-1", "thresholds": {"returns_green": 0.6}, "make_default": True},
        format="json",
    )
    assert created.status_code == 201
    assert created.json()["thresholds"]["returns_green"] == 0.6
    assert created.json()["is_default"] is True
    assert client.get("/api/v1/assessment/methodologies/api-1/").json()["version"] == "api-1"
    moved = client.post("/api/v1/assessment/methodologies/readmit-2026.1/default/")
    assert moved.json()["is_default"] is True
    assert client.get("/api/v1/assessment/methodologies/nope/").status_code == 404


def test_the_page_shows_the_rwg_approval_of_a_version(client, rwg_member):

    from readmit.engagement.services import record_methodology_approval

    record_methodology_approval(
        user=rwg_member,
        methodology_version="readmit-2026.1",
        decided_on=timezone.localdate(),
        reference="RWG-2026-01",
    )
    client.force_login(rwg_member)
    page = client.get("/en/assessment/methodologies/").content.decode()
    assert "Approved by the RWG" in page
    assert "RWG-2026-01" in page
