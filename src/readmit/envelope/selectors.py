"""Reads of the envelope with the user's permissions applied, once, here.

A user sees the records their clearance allows (`rules.can_view_record`), and a
project's target country only when it is disclosed or the user is cleared for targeting
(`rules.can_view_project_country`). The envelope's figures count every project, whether
or not the user may open it (docs/decisions/0100-envelope-figures-count-every-project.md):
a total says nothing about a country.
"""

from dataclasses import dataclass
from datetime import date

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from readmit.accounts import rules
from readmit.core.fiscal import FiscalYear
from readmit.core.models import Country
from readmit.envelope import figures, ledgers
from readmit.envelope.models import (
    Amendment,
    Envelope,
    Partner,
    Payment,
    PlannedPayment,
    Project,
    ProjectCountry,
)
from readmit.envelope.money import total


def cleared(queryset: QuerySet, user) -> QuerySet:
    """Only the rows the user's clearance and need-to-know grant allow."""
    if not rules.is_signed_in(user):
        return queryset.none()
    queryset = queryset.filter(security_level__lte=user.clearance)
    if not user.has_need_to_know:
        queryset = queryset.filter(is_need_to_know=False)
    return queryset


def visible_envelopes(user) -> QuerySet:
    return cleared(Envelope.objects.all(), user)


def visible_partners(user) -> QuerySet:
    return cleared(Partner.objects.all(), user)


def visible_country_links(user) -> QuerySet:
    links = ProjectCountry.objects.select_related("country")
    if rules.can_view_targeting(user):
        return links
    return links.filter(is_disclosed=True)


def visible_projects(user, envelope: Envelope | None = None) -> QuerySet:
    projects = cleared(Project.objects.select_related("partner", "envelope"), user)
    projects = projects.filter(envelope__in=visible_envelopes(user))
    if envelope is not None:
        projects = projects.filter(envelope=envelope)
    return projects.prefetch_related(
        Prefetch("country_links", queryset=visible_country_links(user), to_attr="visible_links"),
        Prefetch("planned_payments", queryset=PlannedPayment.objects.order_by("fiscal_year")),
    )


def visible_payments(user, *, envelope=None, project=None) -> QuerySet:
    payments = Payment.objects.select_related("project").filter(
        project__in=visible_projects(user, envelope)
    )
    if project is not None:
        payments = payments.filter(project=project)
    return cleared(payments, user).order_by("paid_on", "id")


def filter_projects(
    projects: QuerySet, user, *, status: str = "", partner=None, country: str = ""
) -> QuerySet:
    """Narrow a project list; a country filter matches only links the user may see."""
    if status:
        projects = projects.filter(status=status)
    if partner:
        projects = projects.filter(partner=partner)
    if country:
        projects = projects.filter(
            pk__in=visible_country_links(user)
            .filter(country_id=country.upper())
            .values("project_id")
        )
    return projects


def countries_withheld(user, project: Project) -> bool:
    """Whether the project targets a country this user may not see."""
    if rules.can_view_targeting(user):
        return False
    return ProjectCountry.objects.filter(project=project, is_disclosed=False).exists()


def visible_links(user, project: Project) -> list[ProjectCountry]:
    links = getattr(project, "visible_links", None)
    if links is None:
        links = list(visible_country_links(user).filter(project=project))
    return links


# Figures -----------------------------------------------------------------------------


def envelope_figures(envelope: Envelope, *, today: date | None = None) -> figures.EnvelopeFigures:
    """Every figure of the envelope as of `today` (the current fiscal year for lapse risk)."""
    return figures.envelope_figures(
        ledgers.current_profile(envelope),
        ledgers.project_ledgers(envelope).values(),
        today=today or timezone.localdate(),
        target_min=envelope.target_countries_min,
        target_max=envelope.target_countries_max,
    )


@dataclass(frozen=True)
class AuthorityStage:
    amendment: Amendment | None
    profile: figures.AuthorityProfile

    @property
    def label(self) -> str:
        if self.amendment is None:
            return _("Original authority")
        return _("After amendment %(number)s (%(kind)s, %(date)s)") % {
            "number": self.amendment.number,
            "kind": self.amendment.get_kind_display().lower(),
            "date": self.amendment.approved_on.isoformat(),
        }


def authority_history(envelope: Envelope) -> list[AuthorityStage]:
    """The profile as first approved and after each amendment, in order."""
    return [AuthorityStage(a, p) for a, p in ledgers.profile_stages(envelope)]


@dataclass(frozen=True)
class CountriesView:
    """Countries reached against the target, with only the names this user may see."""

    count: int
    target_min: int
    target_max: int
    position: str
    shown: list[Country]
    withheld: int


def countries_reached(user, envelope: Envelope, result: figures.EnvelopeFigures) -> CountriesView:
    reached = result.countries.reached
    if rules.can_view_targeting(user):
        shown_codes = set(reached)
    else:
        # A country is named only if some approved project discloses it.
        shown_codes = set(
            ProjectCountry.objects.filter(
                project__envelope=envelope,
                project__status__in=[str(s) for s in figures.APPROVED_STATUSES],
                project__in=visible_projects(user, envelope),
                is_disclosed=True,
            ).values_list("country_id", flat=True)
        ) & set(reached)
    return CountriesView(
        count=result.countries.count,
        target_min=result.countries.target_min,
        target_max=result.countries.target_max,
        position=result.countries.position,
        shown=list(Country.objects.filter(code__in=shown_codes)),
        withheld=len(reached) - len(shown_codes),
    )


def project_ledger(project: Project) -> figures.ProjectLedger:
    return ledgers.project_ledger(project)


def project_rows(user, envelope: Envelope, projects=None) -> list[dict]:
    """Each visible project with its figures (agreement, committed, paid, unpaid)."""
    all_ledgers = ledgers.project_ledgers(envelope)
    projects = projects if projects is not None else visible_projects(user, envelope)
    rows = []
    for project in projects:
        ledger = all_ledgers[project.pk]
        rows.append(
            {
                "project": project,
                "ledger": ledger,
                "committed": total(ledger.commitment.values()),
                "paid": ledger.paid_total,
                "unpaid": ledger.unpaid,
                "countries": [link.country for link in visible_links(user, project)],
                "withheld": countries_withheld(user, project),
            }
        )
    return rows


def chart_spec(envelope: Envelope, result: figures.EnvelopeFigures) -> dict:
    """Vega-Lite: authority, committed and paid side by side for each fiscal year."""
    measures = [("authority", _("Authority")), ("committed", _("Committed")), ("paid", _("Paid"))]
    values = [
        {
            "fiscal_year": year.fiscal_year.label,
            "measure": label,
            "order": index,
            # Vega-Lite draws numbers: the Decimal goes out as a number only for the chart.
            "amount": float(getattr(year, key)),
        }
        for year in result.years
        for index, (key, label) in enumerate(measures)
    ]
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "description": _("Authority, committed and paid by fiscal year"),
        "width": "container",
        "height": 280,
        "data": {"values": values},
        "mark": {"type": "bar", "tooltip": True},
        "encoding": {
            "x": {"field": "fiscal_year", "type": "nominal", "title": _("Fiscal year")},
            "xOffset": {"field": "measure", "sort": [label for _key, label in measures]},
            "y": {
                "field": "amount",
                "type": "quantitative",
                "title": _("Amount (%(currency)s)") % {"currency": envelope.currency},
                "axis": {"format": "$,.0f"},
            },
            "color": {
                "field": "measure",
                "type": "nominal",
                "title": None,
                "sort": [label for _key, label in measures],
            },
            "tooltip": [
                {"field": "fiscal_year", "title": _("Fiscal year")},
                {"field": "measure", "title": _("Figure")},
                {"field": "amount", "title": _("Amount"), "format": "$,.2f"},
            ],
        },
    }


def fiscal_year_choices(envelope: Envelope) -> list[FiscalYear]:
    return ledgers.current_profile(envelope).years
