"""Demo data: an envelope shaped like the seed's MCEE, for fictional countries only.

$21M over FY2019-20 to FY2021-22, extended in October 2020 by three years to FY2024-25
(Department of Finance); three approved projects through multilateral and civil-society
partners totalling $4,000,000.00, and two more in the pipeline. The partners other than
IOM are fictional, with identifiers in a demo namespace; the reporting organisation's
identifier is a placeholder to replace with the department's registered one.
"""

from datetime import date

from readmit.accounts.models import User
from readmit.core.models import Country
from readmit.core.services import declare_countries
from readmit.envelope import services
from readmit.envelope.models import Envelope, OrganisationType

COUNTRIES = [
    ("XAA", "Avalonia", "Avalonie"),
    ("XBB", "Borduria", "Bordurie"),
    ("XCC", "Carpania", "Carpanie"),
    ("XDD", "Dorvania", "Dorvanie"),
    ("XEE", "Elbonia", "Elbonie"),
    ("XFF", "Freedonia", "Freedonie"),
]

PARTNERS = [
    (
        "International Organization for Migration",
        "IOM",
        OrganisationType.MULTILATERAL,
        "XM-DAC-47066",
    ),
    (
        "Regional Centre for Border Security Cooperation",
        "RCBSC",
        OrganisationType.MULTILATERAL,
        "XI-IATI-DEMO-RCBSC",
    ),
    (
        "Coalition Against Migrant Smuggling",
        "CAMS",
        OrganisationType.INTERNATIONAL_NGO,
        "XI-IATI-DEMO-CAMS",
    ),
]


def load(*, stdout) -> None:
    if Envelope.objects.filter(short_name="MCEE").exists():
        stdout.write("  The MCEE envelope is already there.")
        return
    officer = User.objects.get(username="officer")
    # Another demo may have declared these codes already: declare only the missing ones.
    known = set(Country.all_objects.values_list("code", flat=True))
    declare_countries([row for row in COUNTRIES if row[0] not in known], user=officer)

    envelope = services.create_envelope(
        user=officer,
        name="Migration Cooperation and Engagement Envelope",
        short_name="MCEE",
        programme="International Migration Capacity Building Program",
        description=(
            "A pilot grant envelope to build the capacity of partner countries and increase "
            "engagement and cooperation on removals."
        ),
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
        reporting_org_ref="XM-DAC-301-DEMO",
        reporting_org_name="Immigration, Refugees and Citizenship Canada",
    )
    services.record_amendment(
        user=officer,
        envelope=envelope,
        kind="extension",
        approving_authority="Department of Finance",
        approved_on=date(2020, 10, 15),
        reason=(
            "Extension by three years, largely because of the pandemic; the unspent authority "
            "of FY2020-21 and FY2021-22 is reprofiled to FY2022-23 through FY2024-25."
        ),
        new_end_fiscal_year="FY2024-25",
        changes={
            "FY2020-21": "-6000000.00",
            "FY2021-22": "-6000000.00",
            "FY2022-23": "4000000.00",
            "FY2023-24": "4000000.00",
            "FY2024-25": "4000000.00",
        },
    )
    iom, centre, coalition = (
        services.create_partner(
            user=officer,
            name=name,
            acronym=acronym,
            organisation_type=kind,
            iati_identifier=ref,
        )
        for name, acronym, kind, ref in PARTNERS
    )

    def project(partner, reference, title, value, schedule, **kwargs):
        return services.create_project(
            user=officer,
            envelope=envelope,
            partner=partner,
            reference=reference,
            title=title,
            agreement_value=value,
            planned_payments=schedule,
            **kwargs,
        )

    borders = project(
        iom,
        "MCEE-2019-001",
        "Border management and entry-exit data systems",
        "1800000.00",
        {"FY2019-20": "300000.00", "FY2020-21": "900000.00", "FY2021-22": "600000.00"},
        countries=[("XAA", False)],
        initiative_types=["border_management", "entry_exit_control"],
        status="approved",
        approval_date=date(2019, 11, 15),
        start_date=date(2019, 12, 1),
        end_date=date(2022, 3, 31),
        expected_results="Border officials use an entry-exit data system at the main crossings.",
        risk_rating="medium",
    )
    smuggling = project(
        centre,
        "MCEE-2020-002",
        "Law-enforcement cooperation against migrant smuggling and human trafficking",
        "1500000.00",
        {"FY2020-21": "700000.00", "FY2021-22": "800000.00"},
        countries=[("XBB", False), ("XCC", True)],
        initiative_types=["law_enforcement"],
        status="approved",
        approval_date=date(2020, 3, 20),
        start_date=date(2020, 4, 1),
        end_date=date(2022, 3, 31),
        expected_results="Joint investigations of smuggling networks by partner police forces.",
        risk_rating="high",
    )
    project(
        coalition,
        "MCEE-2020-003",
        "Deterrence messaging on the risks of irregular migration",
        "700000.00",
        {"FY2020-21": "300000.00", "FY2021-22": "400000.00"},
        countries=[("XDD", False)],
        initiative_types=["deterrence_messaging"],
        status="approved",
        approval_date=date(2020, 9, 1),
        start_date=date(2020, 10, 1),
        end_date=date(2022, 3, 31),
        risk_rating="low",
    )
    services.activate_project(borders, user=officer, on=date(2019, 12, 1))
    services.activate_project(smuggling, user=officer, on=date(2020, 4, 1))
    for target, day, amount, reference in [
        (borders, date(2020, 3, 31), "300000.00", "FMS-2020-0331"),
        (borders, date(2020, 6, 15), "450000.00", "FMS-2020-0615"),
        (smuggling, date(2020, 4, 1), "200000.00", "FMS-2020-0401"),
        (smuggling, date(2020, 9, 30), "300000.00", "FMS-2020-0930"),
    ]:
        services.record_payment(
            user=officer, project=target, paid_on=day, amount=amount, reference=reference
        )
    project(
        iom,
        "MCEE-2021-004",
        "Identity management and civil registration",
        "1200000.00",
        {"FY2021-22": "400000.00", "FY2022-23": "800000.00"},
        countries=[("XEE", False)],
        initiative_types=["identity_management"],
    )
    project(
        centre,
        "MCEE-2021-005",
        "Entry and exit control systems, phase 2",
        "2000000.00",
        {"FY2022-23": "1000000.00", "FY2023-24": "1000000.00"},
        countries=[("XFF", False), ("XAA", False)],
        initiative_types=["entry_exit_control"],
    )
    stdout.write(
        "  MCEE: $21,000,000.00 to FY2024-25 after the extension; 3 approved projects totalling "
        "$4,000,000.00, 2 in the pipeline."
    )
