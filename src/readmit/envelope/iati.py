"""The projects as an IATI 2.03 activity file: only what may be public goes out.

A project is published when it is approved, active, closed or cancelled (a pipeline
project is a proposal, not an award), Unclassified and not need-to-know, under an
Unclassified envelope that names its IATI reporting organisation. Its recipient
countries are the disclosed ones that have an ISO 3166-1 alpha-2 code: a country that is
not disclosed is never named, and a user-assigned code (XAA-XZZ, the fictional demo
countries) has no code IATI accepts, so it is left out too. A project left with no
country carries the DAC region 998 ("developing countries, unspecified") instead, so the
file says where the money went no more precisely than may be said. Every choice of code
is written in docs/envelope.md.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

import pycountry
from django.utils import timezone
from django.utils.translation import gettext as _
from lxml import etree

from readmit.core.errors import DomainError
from readmit.core.security import SecurityLevel
from readmit.envelope import ledgers
from readmit.envelope.figures import ProjectStatus as Status
from readmit.envelope.models import InitiativeType, Project, ProjectCountry

IATI_VERSION = "2.03"

#: DAC 5-digit purpose codes (sector vocabulary 1) for each initiative type.
DAC_SECTOR = {
    InitiativeType.BORDER_MANAGEMENT: "15190",  # Facilitation of orderly, safe, regular migration
    InitiativeType.ENTRY_EXIT: "15190",
    InitiativeType.LAW_ENFORCEMENT: "15130",  # Legal and judicial development (law enforcement)
    InitiativeType.DETERRENCE_MESSAGING: "15190",
    InitiativeType.IDENTITY_MANAGEMENT: "15110",  # Public sector policy and administrative mgmt
    InitiativeType.OTHER: "15190",
}
#: IATI ActivityStatus.
ACTIVITY_STATUS = {
    Status.PIPELINE: "1",
    Status.APPROVED: "2",
    Status.ACTIVE: "2",
    Status.CLOSED: "4",
    Status.CANCELLED: "5",
}
PUBLISHED_STATUSES = [Status.APPROVED, Status.ACTIVE, Status.CLOSED, Status.CANCELLED]
REGION_UNSPECIFIED = "998"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


@dataclass
class ActivitiesFile:
    xml: bytes
    activities: int
    countries_left_out: int = 0
    notes: list[str] = field(default_factory=list)


def iso_alpha_2(code: str) -> str | None:
    """The ISO 3166-1 alpha-2 code of an alpha-3 code; None for a user-assigned one."""
    country = pycountry.countries.get(alpha_3=code)
    return country.alpha_2 if country else None


def publishable_projects(envelopes):
    return (
        Project.objects.filter(
            envelope__in=envelopes.filter(
                security_level=SecurityLevel.UNCLASSIFIED, is_need_to_know=False
            ).exclude(reporting_org_ref=""),
            status__in=[str(s) for s in PUBLISHED_STATUSES],
            security_level=SecurityLevel.UNCLASSIFIED,
            is_need_to_know=False,
        )
        .select_related("envelope", "partner")
        .order_by("envelope", "reference")
    )


def sector_shares(initiative_types: list[str]) -> list[tuple[str, Decimal]]:
    """Distinct DAC codes with percentages that add up to exactly 100."""
    codes = sorted({DAC_SECTOR[InitiativeType(t)] for t in initiative_types} or {"15190"})
    share = (Decimal(100) / len(codes)).quantize(Decimal("0.01"))
    shares = [(code, share) for code in codes]
    remainder = Decimal(100) - share * len(codes)
    shares[0] = (codes[0], share + remainder)
    return shares


def _text(parent, tag: str, text: str, **attributes):
    element = etree.SubElement(parent, tag, **{k: v for k, v in attributes.items() if v})
    etree.SubElement(element, "narrative").text = text
    return element


def _narratives(parent, tag: str, english: str, french: str = "", **attributes):
    element = etree.SubElement(parent, tag, **attributes)
    etree.SubElement(element, "narrative").text = english
    if french:
        etree.SubElement(element, "narrative", {XML_LANG: "fr"}).text = french
    return element


def _value(parent, amount: Decimal, currency: str, value_date) -> None:
    value = etree.SubElement(
        parent, "value", currency=currency, **{"value-date": value_date.isoformat()}
    )
    value.text = f"{amount:.2f}"


def activities_file(envelopes, *, generated_at: datetime | None = None) -> ActivitiesFile:
    """The IATI activity file of the publishable projects of `envelopes` (a queryset)."""
    generated_at = generated_at or timezone.now()
    projects = list(publishable_projects(envelopes))
    if not projects:
        raise DomainError(
            _(
                "No project may be published yet: IATI lists approved, active, closed or "
                "cancelled projects that are Unclassified, under an envelope that names its IATI "
                "reporting organisation."
            )
        )
    disclosed: dict[int, list[str]] = defaultdict(list)
    withheld = 0
    for project_id, code, is_disclosed in ProjectCountry.objects.filter(
        project__in=projects
    ).values_list("project_id", "country_id", "is_disclosed"):
        alpha_2 = iso_alpha_2(code) if is_disclosed else None
        if alpha_2:
            disclosed[project_id].append(alpha_2)
        else:
            withheld += 1
    root = etree.Element(
        "iati-activities",
        version=IATI_VERSION,
        **{"generated-datetime": generated_at.replace(microsecond=0).isoformat()},
    )
    for project in projects:
        _activity(root, project, sorted(disclosed[project.pk]))
    xml = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    return ActivitiesFile(xml=xml, activities=len(projects), countries_left_out=withheld)


def _activity(root, project: Project, countries: list[str]) -> None:
    envelope, partner = project.envelope, project.partner
    currency = envelope.currency
    ledger = ledgers.project_ledger(project)
    activity = etree.SubElement(
        root,
        "iati-activity",
        {
            XML_LANG: "en",
            "default-currency": currency,
            "last-updated-datetime": project.updated_at.replace(microsecond=0).isoformat(),
        },
    )
    identifier = project.iati_identifier or f"{envelope.reporting_org_ref}-{project.reference}"
    etree.SubElement(activity, "iati-identifier").text = identifier
    _text(
        activity,
        "reporting-org",
        envelope.reporting_org_name or envelope.name,
        ref=envelope.reporting_org_ref,
        type=str(envelope.reporting_org_type),
    )
    _narratives(activity, "title", project.title, project.title_fr)
    _narratives(
        activity,
        "description",
        project.description or project.title,
        project.description_fr,
        type="1",
    )
    if project.expected_results:
        _narratives(activity, "description", project.expected_results, type="2")
    _text(
        activity,
        "participating-org",
        envelope.reporting_org_name or envelope.name,
        ref=envelope.reporting_org_ref,
        type=str(envelope.reporting_org_type),
        role="1",
    )
    _text(
        activity,
        "participating-org",
        partner.name,
        ref=partner.iati_identifier,
        type=str(partner.organisation_type),
        role="4",
    )
    etree.SubElement(activity, "activity-status", code=ACTIVITY_STATUS[Status(project.status)])
    start = project.start_date or project.approval_date
    etree.SubElement(activity, "activity-date", type="1", **{"iso-date": start.isoformat()})
    if project.status in {Status.ACTIVE, Status.CLOSED} and start <= timezone.localdate():
        etree.SubElement(activity, "activity-date", type="2", **{"iso-date": start.isoformat()})
    if project.end_date:
        etree.SubElement(
            activity, "activity-date", type="3", **{"iso-date": project.end_date.isoformat()}
        )
    if project.status in {Status.CLOSED, Status.CANCELLED} and project.status_changed_on:
        etree.SubElement(
            activity,
            "activity-date",
            type="4",
            **{"iso-date": project.status_changed_on.isoformat()},
        )
    if countries:
        share = (Decimal(100) / len(countries)).quantize(Decimal("0.01"))
        for index, code in enumerate(countries):
            percentage = share if index else Decimal(100) - share * (len(countries) - 1)
            etree.SubElement(activity, "recipient-country", code=code, percentage=str(percentage))
    else:
        etree.SubElement(
            activity, "recipient-region", code=REGION_UNSPECIFIED, vocabulary="1", percentage="100"
        )
    for code, percentage in sector_shares(project.initiative_types):
        etree.SubElement(activity, "sector", vocabulary="1", code=code, percentage=str(percentage))
    etree.SubElement(activity, "collaboration-type", code="1")
    etree.SubElement(activity, "default-finance-type", code="110")
    etree.SubElement(activity, "default-aid-type", code="C01", vocabulary="1")
    status = "2"  # committed
    for year, amount in sorted(ledger.commitment.items()):
        if amount <= 0:
            continue
        budget = etree.SubElement(activity, "budget", type="1", status=status)
        etree.SubElement(budget, "period-start", **{"iso-date": year.start.isoformat()})
        etree.SubElement(budget, "period-end", **{"iso-date": year.end.isoformat()})
        _value(budget, amount, currency, year.start)
    _transaction(activity, "2", project.approval_date, project.agreement_value, currency, partner)
    released = project.agreement_value - ledger.paid_total
    if project.status in {Status.CLOSED, Status.CANCELLED} and released > 0:
        # The released part of the commitment, as IATI expects a decommitment: negative.
        _transaction(
            activity,
            "2",
            project.status_changed_on or project.approval_date,
            -released,
            currency,
            partner,
        )
    for payment in project.payments.order_by("paid_on", "id"):
        _transaction(activity, "3", payment.paid_on, payment.amount, currency, partner)


def _transaction(activity, kind: str, day, amount: Decimal, currency: str, partner) -> None:
    transaction = etree.SubElement(activity, "transaction")
    etree.SubElement(transaction, "transaction-type", code=kind)
    etree.SubElement(transaction, "transaction-date", **{"iso-date": day.isoformat()})
    _value(transaction, amount, currency, day)
    receiver = etree.SubElement(
        transaction,
        "receiver-org",
        **{k: v for k, v in {"ref": partner.iati_identifier}.items() if v},
        type=str(partner.organisation_type),
    )
    etree.SubElement(receiver, "narrative").text = partner.name
