"""Engagement fixtures: departments, people of each department, a targeted country, plans."""

import datetime as dt

import pytest

from readmit.accounts.models import Department, Role
from readmit.core.security import SecurityLevel
from readmit.engagement import figures, services
from readmit.engagement.models import PlanStatus
from tests.factories import CountryFactory, UserFactory, cleared_user

DAY = dt.date(2024, 3, 1)


@pytest.fixture(autouse=True)
def in_english():
    """Messages are asserted in English; a French page request must not leak into the next test."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def departments(db):
    """The Canadian defaults, created by the accounts migration."""
    return {d.code: d for d in Department.objects.all()}


@pytest.fixture
def rwg(departments):
    return cleared_user(
        role=Role.RWG_MEMBER, department=departments["GAC"], clearance=SecurityLevel.SECRET
    )


@pytest.fixture
def ircc_officer(departments):
    return cleared_user(role=Role.PROGRAM_OFFICER, department=departments["IRCC"])


@pytest.fixture
def cbsa_analyst(departments):
    return cleared_user(role=Role.ANALYST, department=departments["CBSA"])


@pytest.fixture
def ps_officer(departments):
    """A cleared officer of a department that takes part in no plan of these tests."""
    return cleared_user(role=Role.PROGRAM_OFFICER, department=departments["PS"])


@pytest.fixture
def ircc_viewer(departments):
    """Cleared and need-to-know, of a taking-part department, but only a viewer."""
    return cleared_user(role=Role.VIEWER, department=departments["IRCC"])


@pytest.fixture
def uncleared_ircc(departments):
    """IRCC, Protected B, but no need-to-know grant."""
    return UserFactory(
        role=Role.PROGRAM_OFFICER,
        department=departments["IRCC"],
        clearance=SecurityLevel.PROTECTED_B,
    )


@pytest.fixture
def country(db):
    return CountryFactory(code="XAA")


@pytest.fixture
def targeted(country, rwg):
    services.record_country_decision(
        user=rwg,
        country_code=country.code,
        outcome="targeted",
        decided_on=DAY,
        reference="RWG-2024-01",
        rationale="Two red ratings three quarters running.",
    )
    return country


@pytest.fixture
def make_plan(departments, ircc_officer):
    """A plan for a country led by IRCC with CBSA taking part, moved on to `status`."""

    def make(code="XAA", status=PlanStatus.DRAFT, *, rwg=None, starts_on=DAY, **kwargs):
        CountryFactory(code=code)
        plan = services.create_plan(
            user=ircc_officer,
            country_code=code,
            title=kwargs.pop("title", f"Plan for {code}"),
            lead_department="IRCC",
            participating_departments=kwargs.pop("participating", ["CBSA"]),
            objectives="Timely travel documents.",
            **kwargs,
        )
        order = [
            PlanStatus.SUBMITTED,
            PlanStatus.APPROVED,
            PlanStatus.ACTIVE,
            PlanStatus.ESCALATED,
            PlanStatus.CONCLUDED,
        ]
        for step in order[: order.index(status) + 1] if status != PlanStatus.DRAFT else []:
            if step == PlanStatus.SUBMITTED:
                services.submit_plan(user=ircc_officer, plan=plan)
            elif step == PlanStatus.APPROVED:
                from readmit.engagement.selectors import targeted_country_codes

                if code not in targeted_country_codes():
                    services.record_country_decision(
                        user=rwg,
                        country_code=code,
                        outcome="targeted",
                        decided_on=DAY,
                        reference="RWG-2024-01",
                        rationale="Recalcitrant.",
                    )
                services.approve_plan(user=rwg, plan=plan, decided_on=DAY, reference="RWG-2024-02")
            elif step == PlanStatus.ACTIVE:
                services.activate_plan(user=ircc_officer, plan=plan, starts_on=starts_on)
            elif step == PlanStatus.ESCALATED:
                services.approve_escalation(
                    user=rwg,
                    step=plan.escalation_steps.get(order=1),
                    decided_on=DAY,
                    reference="RWG-2024-03",
                    rationale="Issuance below half.",
                )
            elif step == PlanStatus.CONCLUDED:
                services.conclude_plan(user=rwg, plan=plan, reason="Objectives met.", ends_on=DAY)
            plan.refresh_from_db()
        return plan

    return make


@pytest.fixture
def no_series(monkeypatch):
    """The assessment's figures are not available."""
    monkeypatch.setattr(figures, "fetch_quarterly_series", lambda **kwargs: None)


@pytest.fixture
def quarterly(monkeypatch):
    """`quarterly({"XAA": {"2024-Q1": {"issuance_rate": 0.4}, ...}})` sets the figures the
    assessment gives; returns the calls made."""
    calls = []

    def install(by_country: dict[str, dict[str, dict]]):
        from readmit.engagement.triggers import quarter_bounds

        def fetch(*, country_codes, as_of, quarters=12):
            calls.append({"country_codes": country_codes, "as_of": as_of, "quarters": quarters})
            result = {}
            for code, by_quarter in by_country.items():
                if country_codes is not None and code not in country_codes:
                    continue
                rows = []
                for label, values in sorted(by_quarter.items()):
                    first, last = quarter_bounds(label)
                    rows.append({"quarter": label, "from": first, "to": last, **values})
                result[code] = rows
            return result

        monkeypatch.setattr(figures, "fetch_quarterly_series", fetch)
        return calls

    return install
