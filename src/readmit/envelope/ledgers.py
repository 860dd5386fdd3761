"""What the envelope arithmetic needs, read from the database in a few queries.

The services use it to check a change against the rules, the selectors to show the
figures; neither applies a user's permissions here (the totals count every project, as
docs/decisions/0100-envelope-figures-count-every-project.md explains).
"""

from collections import defaultdict

from readmit.core.fiscal import FiscalYear
from readmit.envelope import figures
from readmit.envelope.models import (
    Amendment,
    Envelope,
    OriginalAuthority,
    Payment,
    PlannedPayment,
    Project,
    ProjectCountry,
)
from readmit.envelope.money import ZERO


def original_profile(envelope: Envelope) -> figures.AuthorityProfile:
    amounts = {
        row.fiscal_year: row.amount for row in OriginalAuthority.objects.filter(envelope=envelope)
    }
    return figures.AuthorityProfile.original(
        envelope.start_fiscal_year, envelope.original_end_fiscal_year, amounts
    )


def amendments_in_order(envelope: Envelope) -> list[Amendment]:
    return list(
        Amendment.objects.filter(envelope=envelope)
        .order_by("approved_on", "number")
        .prefetch_related("changes")
    )


def amendment_terms(amendment: Amendment, changes=None) -> figures.AmendmentTerms:
    if changes is None:
        changes = {c.fiscal_year: c.change for c in amendment.changes.all()}
    return figures.AmendmentTerms(
        kind=figures.AmendmentKind(amendment.kind),
        changes=changes,
        new_last=amendment.new_end_fiscal_year,
    )


def profile_stages(envelope: Envelope) -> list[tuple[Amendment | None, figures.AuthorityProfile]]:
    """The original profile, then the profile after each amendment: the authority's history."""
    amendments = amendments_in_order(envelope)
    stages = figures.apply_amendments(
        original_profile(envelope), [amendment_terms(a) for a in amendments]
    )
    return list(zip([None, *amendments], stages, strict=True))


def current_profile(envelope: Envelope) -> figures.AuthorityProfile:
    return profile_stages(envelope)[-1][1]


def project_ledgers(
    envelope: Envelope, *, exclude: Project | None = None
) -> dict[int, figures.ProjectLedger]:
    """Every live project of the envelope as the arithmetic sees it, keyed by id."""
    projects = Project.objects.filter(envelope=envelope)
    if exclude is not None:
        projects = projects.exclude(pk=exclude.pk)
    projects = list(projects.only("id", "reference", "status", "agreement_value"))
    ids = [p.pk for p in projects]
    planned: dict[int, dict[FiscalYear, object]] = defaultdict(dict)
    for row in PlannedPayment.objects.filter(project_id__in=ids).values_list(
        "project_id", "fiscal_year", "amount"
    ):
        planned[row[0]][row[1]] = row[2]
    paid: dict[int, dict[FiscalYear, object]] = defaultdict(lambda: defaultdict(lambda: ZERO))
    for project_id, year, amount in Payment.objects.filter(project_id__in=ids).values_list(
        "project_id", "fiscal_year", "amount"
    ):
        paid[project_id][year] += amount
    countries: dict[int, set[str]] = defaultdict(set)
    for project_id, code in ProjectCountry.objects.filter(project_id__in=ids).values_list(
        "project_id", "country_id"
    ):
        countries[project_id].add(code)
    return {
        p.pk: figures.ProjectLedger(
            reference=p.reference,
            status=figures.ProjectStatus(p.status),
            agreement_value=p.agreement_value,
            planned=dict(planned[p.pk]),
            paid=dict(paid[p.pk]),
            countries=frozenset(countries[p.pk]),
        )
        for p in projects
    }


def project_ledger(project: Project) -> figures.ProjectLedger:
    planned = {
        row.fiscal_year: row.amount for row in PlannedPayment.objects.filter(project=project)
    }
    paid = figures.by_year(
        Payment.objects.filter(project=project).values_list("fiscal_year", "amount")
    )
    countries = frozenset(
        ProjectCountry.objects.filter(project=project).values_list("country_id", flat=True)
    )
    return figures.ProjectLedger(
        reference=project.reference,
        status=figures.ProjectStatus(project.status),
        agreement_value=project.agreement_value,
        planned=planned,
        paid=paid,
        countries=countries,
    )
