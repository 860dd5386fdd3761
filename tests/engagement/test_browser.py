"""Engagement in a browser: the plan's chart draws under the content security policy, and a
plan drafted through the design-system form (checkboxes included) arrives whole.

The browser fixtures come from tests/browser/fixtures.py (loaded by tests/conftest.py)."""

import datetime as dt

import pytest

from readmit.accounts.models import Department, Role
from readmit.core.security import SecurityLevel
from readmit.engagement import figures, services
from readmit.engagement.models import EngagementPlan
from tests.factories import CountryFactory, UserFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


@pytest.fixture
def officer(db):
    return UserFactory(
        username="engagement-officer",
        role=Role.RWG_MEMBER,
        department=Department.objects.get_or_create(
            code="GAC", defaults={"name_en": "GAC", "name_fr": "AMC"}
        )[0],
        clearance=SecurityLevel.SECRET,
        has_need_to_know=True,
    )


def test_the_plan_chart_draws_without_breaking_the_policy(
    sign_in, page, live_server, officer, monkeypatch
):
    monkeypatch.setattr(
        figures,
        "fetch_quarterly_series",
        lambda **kwargs: {
            "XAA": [
                {"quarter": "2024-Q1", "from": dt.date(2024, 1, 1), "to": dt.date(2024, 3, 31),
                 "issuance_rate": 0.3},
                {"quarter": "2024-Q2", "from": dt.date(2024, 4, 1), "to": dt.date(2024, 6, 30),
                 "issuance_rate": 0.6},
            ]
        },
    )  # fmt: skip
    CountryFactory(code="XAA")
    for code in ("IRCC", "CBSA"):
        Department.objects.get_or_create(code=code, defaults={"name_en": code, "name_fr": code})
    plan = services.create_plan(
        user=officer, country_code="XAA", title="Chart plan", lead_department="IRCC",
        objectives="O",
    )  # fmt: skip
    sign_in(officer)
    page.goto(f"{live_server.url}/en/engagement/plans/{plan.pk}/")
    page.wait_for_selector(".readmit-chart svg", timeout=15000)
    assert page.csp_violations == []


def test_drafting_a_plan_through_the_form(sign_in, page, live_server, officer):
    CountryFactory(code="XAA")
    for code in ("IRCC", "CBSA"):
        Department.objects.get_or_create(code=code, defaults={"name_en": code, "name_fr": code})
    sign_in(officer)
    page.goto(f"{live_server.url}/en/engagement/plans/new/")
    page.locator("gcds-input[name=country] input").fill("XAA")
    page.locator("gcds-input[name=title] input").fill("Drafted in a browser")
    page.locator("gcds-select[name=lead_department] select").select_option("IRCC")
    page.locator(
        "gcds-checkboxes[name=participating_departments] label[for=participating_departments-CBSA]"
    ).click()
    page.locator("gcds-textarea[name=objectives] textarea").fill("Documents within 30 days.")
    page.locator("form.readmit-form gcds-button[type=submit] button").click()
    page.wait_for_url(f"{live_server.url}/en/engagement/plans/*/")
    plan = EngagementPlan.objects.get()
    assert plan.title == "Drafted in a browser"
    assert "Drafted in a browser" in page.locator("gcds-heading").first.inner_text()
    assert plan.lead_department.code == "IRCC"
    assert [d.code for d in plan.participating_departments.all()] == ["CBSA"]
    assert page.csp_violations == []
