"""An envelope shaped like the seed's MCEE, built through the services, for every test here."""

from datetime import date
from decimal import Decimal

import pytest
from django.utils import translation

from readmit.core.fiscal import FiscalYear
from readmit.envelope import services
from readmit.envelope.models import OrganisationType
from tests.factories import CountryFactory

D = Decimal
FY19, FY20, FY21, FY22, FY23, FY24 = (FiscalYear(y) for y in range(2019, 2025))


@pytest.fixture(autouse=True)
def english():
    """Messages are asserted in English; a French page must not leave French active after it."""
    with translation.override("en"):
        yield


@pytest.fixture
def envelope(program_officer):
    """$21M over FY2019-20 to FY2021-22 (1M, 10M, 10M), before any amendment."""
    return services.create_envelope(
        user=program_officer,
        name="Migration Cooperation and Engagement Envelope",
        short_name="MCEE",
        programme="International Migration Capacity Building Program",
        start_fiscal_year="FY2019-20",
        end_fiscal_year="FY2021-22",
        authority={
            "FY2019-20": "1000000.00",
            "FY2020-21": "10000000.00",
            "FY2021-22": "10000000.00",
        },
        total_authority="21000000.00",
        target_countries_min=8,
        target_countries_max=10,
        reporting_org_ref="XM-DAC-301-TEST",
        reporting_org_name="Immigration, Refugees and Citizenship Canada",
    )


@pytest.fixture
def extended(envelope, program_officer):
    """The envelope after the October 2020 extension to FY2024-25: 1M then 4M a year."""
    services.record_amendment(
        user=program_officer,
        envelope=envelope,
        kind="extension",
        approving_authority="Department of Finance",
        approved_on=date(2020, 10, 15),
        reason="Pandemic delays",
        new_end_fiscal_year="FY2024-25",
        changes={
            "FY2020-21": "-6000000.00",
            "FY2021-22": "-6000000.00",
            "FY2022-23": "4000000.00",
            "FY2023-24": "4000000.00",
            "FY2024-25": "4000000.00",
        },
    )
    return envelope


@pytest.fixture
def partner(program_officer):
    return services.create_partner(
        user=program_officer,
        name="International Organization for Migration",
        acronym="IOM",
        organisation_type=OrganisationType.MULTILATERAL,
        iati_identifier="XM-DAC-47066",
    )


@pytest.fixture
def countries(db):
    return [CountryFactory(code=code) for code in ("XAA", "XBB", "XCC")]


@pytest.fixture
def make_project(envelope, partner, program_officer, countries):
    counter = iter(range(1, 100))

    def make(*, schedule, value=None, status="pipeline", approval_date=date(2020, 6, 1), **kw):
        value = value or sum((D(v) for v in schedule.values()), D("0.00"))
        return services.create_project(
            user=kw.pop("user", program_officer),
            envelope=kw.pop("envelope", envelope),
            partner=partner,
            reference=kw.pop("reference", f"MCEE-{next(counter):03d}"),
            title=kw.pop("title", "Border management capacity"),
            agreement_value=value,
            planned_payments=schedule,
            countries=kw.pop("countries", [("XAA", False)]),
            status=status,
            approval_date=approval_date if status != "pipeline" else None,
            initiative_types=kw.pop("initiative_types", ["border_management"]),
            **kw,
        )

    return make
