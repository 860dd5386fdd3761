"""The envelope's arithmetic: authority after amendments, and the figures per fiscal year.

Every definition used here is written once in docs/envelope.md; this module is its
executable form. It takes plain values (fiscal years, Decimals, status names) and
returns plain values, with no Django import, so it is tested with hand-computed
expectations and property-based tests, and used alike by the services (to refuse what
would break a rule), the selectors (to show the figures), the XLSX and the IATI file.

In short:

- authority(FY): the original profile with every amendment applied in order;
- committed(FY): planned payments in FY of approved and active projects, and the
  payments made in FY by closed and cancelled projects (closing or cancelling a
  project releases what it had not paid);
- paid(FY): payments dated in FY (1 April to 31 March);
- available(FY) = authority(FY) - committed(FY);
- pipeline(FY): planned payments in FY of projects in the pipeline (not committed);
- planned(FY) = committed(FY) + pipeline(FY), set against authority(FY);
- lapse risk: for the current FY only, authority(FY) - committed(FY), never negative;
- lapsed: for each past FY, authority(FY) - paid(FY).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum

from readmit.core.fiscal import FiscalYear, fiscal_years
from readmit.envelope.money import ZERO, to_money, total


class ProjectStatus(StrEnum):
    PIPELINE = "pipeline"
    APPROVED = "approved"
    ACTIVE = "active"
    CLOSED = "closed"
    CANCELLED = "cancelled"


#: Statuses whose planned payments are commitments.
OPEN_STATUSES = frozenset({ProjectStatus.APPROVED, ProjectStatus.ACTIVE})
#: Statuses whose commitment is what they paid: the rest was released.
SETTLED_STATUSES = frozenset({ProjectStatus.CLOSED, ProjectStatus.CANCELLED})
#: Approved projects in the seed's sense ("three projects approved, totalling $4 million").
APPROVED_STATUSES = frozenset({ProjectStatus.APPROVED, ProjectStatus.ACTIVE, ProjectStatus.CLOSED})
#: Projects that may receive a payment.
PAYABLE_STATUSES = OPEN_STATUSES


class AmendmentKind(StrEnum):
    EXTENSION = "extension"
    REPROFILING = "reprofiling"
    INCREASE = "increase"
    DECREASE = "decrease"


class Timing(StrEnum):
    PAST = "past"
    CURRENT = "current"
    FUTURE = "future"


class ArithmeticRefusal(ValueError):
    """A change the arithmetic cannot accept; `code` and `figures` let the caller word it."""

    def __init__(self, code: str, **figures) -> None:
        super().__init__(code, figures)
        self.code = code
        self.figures = figures


def by_year(entries: Iterable[tuple[FiscalYear, Decimal]]) -> dict[FiscalYear, Decimal]:
    """Sum (fiscal year, amount) pairs per fiscal year."""
    sums: dict[FiscalYear, Decimal] = defaultdict(lambda: ZERO)
    for year, amount in entries:
        sums[year] += to_money(amount)
    return dict(sums)


def paid_by_year(payments: Iterable[tuple[date, Decimal]]) -> dict[FiscalYear, Decimal]:
    """Payments (date, amount) summed in the fiscal year of their date."""
    return by_year((FiscalYear.of(day), amount) for day, amount in payments)


# Authority ---------------------------------------------------------------------------


@dataclass(frozen=True)
class AuthorityProfile:
    """Authority by fiscal year from `first` to `last`; every year in between is present."""

    first: FiscalYear
    last: FiscalYear
    amounts: Mapping[FiscalYear, Decimal]

    @classmethod
    def original(
        cls, first: FiscalYear, last: FiscalYear, amounts: Mapping[FiscalYear, Decimal]
    ) -> AuthorityProfile:
        if last < first:
            raise ArithmeticRefusal("end_before_start", first=first, last=last)
        years = fiscal_years(first, last)
        outside = sorted(set(amounts) - set(years))
        if outside:
            raise ArithmeticRefusal("year_outside", year=outside[0], first=first, last=last)
        profile = {year: to_money(amounts.get(year, ZERO)) for year in years}
        negative = [year for year, amount in profile.items() if amount < 0]
        if negative:
            raise ArithmeticRefusal(
                "negative_authority", year=negative[0], amount=profile[negative[0]]
            )
        return cls(first, last, profile)

    @property
    def years(self) -> list[FiscalYear]:
        return fiscal_years(self.first, self.last)

    @property
    def total(self) -> Decimal:
        return total(self.amounts.values())

    def authority(self, year: FiscalYear) -> Decimal:
        return self.amounts.get(year, ZERO)

    def covers(self, year: FiscalYear) -> bool:
        return self.first <= year <= self.last


@dataclass(frozen=True)
class AmendmentTerms:
    """What an amendment changes: signed amounts per year, and for an extension the new end."""

    kind: AmendmentKind
    changes: Mapping[FiscalYear, Decimal]
    new_last: FiscalYear | None = None

    @property
    def net_change(self) -> Decimal:
        return total(self.changes.values())


def check_amendment_shape(terms: AmendmentTerms, profile: AuthorityProfile) -> None:
    """Refuse an amendment whose changes do not fit its kind."""
    changes = {year: to_money(amount) for year, amount in terms.changes.items()}
    net = total(changes.values())
    if terms.kind == AmendmentKind.EXTENSION:
        if terms.new_last is None or terms.new_last <= profile.last:
            raise ArithmeticRefusal(
                "extension_not_later", new_last=terms.new_last, last=profile.last
            )
        # An extension usually moves unspent authority into the new years (net $0.00); it
        # may also bring new money with it, as its approving authority decided.
    elif terms.new_last is not None and terms.new_last != profile.last:
        raise ArithmeticRefusal("end_change_needs_extension", kind=terms.kind)
    if terms.kind == AmendmentKind.REPROFILING:
        if not any(changes.values()):
            raise ArithmeticRefusal("empty_amendment")
        if net != ZERO:
            raise ArithmeticRefusal("reprofiling_not_neutral", net=net)
    if terms.kind == AmendmentKind.INCREASE and (
        net <= 0 or any(amount < 0 for amount in changes.values())
    ):
        raise ArithmeticRefusal("increase_not_positive", net=net)
    if terms.kind == AmendmentKind.DECREASE and (
        net >= 0 or any(amount > 0 for amount in changes.values())
    ):
        raise ArithmeticRefusal("decrease_not_negative", net=net)


def apply_amendment(profile: AuthorityProfile, terms: AmendmentTerms) -> AuthorityProfile:
    """The profile after one amendment; refuses a change that does not fit or goes below zero."""
    check_amendment_shape(terms, profile)
    last = terms.new_last if terms.kind == AmendmentKind.EXTENSION else profile.last
    amounts = {year: profile.authority(year) for year in fiscal_years(profile.first, last)}
    for year, change in terms.changes.items():
        if year not in amounts:
            raise ArithmeticRefusal("year_outside", year=year, first=profile.first, last=last)
        amounts[year] += to_money(change)
        if amounts[year] < 0:
            raise ArithmeticRefusal("negative_authority", year=year, amount=amounts[year])
    return AuthorityProfile(profile.first, last, amounts)


def apply_amendments(
    original: AuthorityProfile, amendments: Sequence[AmendmentTerms]
) -> list[AuthorityProfile]:
    """The original profile and the profile after each amendment, in order: its history."""
    stages = [original]
    for terms in amendments:
        stages.append(apply_amendment(stages[-1], terms))
    return stages


def current_profile(
    original: AuthorityProfile, amendments: Sequence[AmendmentTerms]
) -> AuthorityProfile:
    return apply_amendments(original, amendments)[-1]


def authority_shortfalls(
    profile: AuthorityProfile, committed: Mapping[FiscalYear, Decimal]
) -> list[tuple[FiscalYear, Decimal, Decimal]]:
    """(year, authority, committed) for every year whose authority is below its commitments.

    A year outside the profile has no authority: a commitment there is a shortfall too.
    """
    return [
        (year, profile.authority(year), amount)
        for year, amount in sorted(committed.items())
        if amount > profile.authority(year)
    ]


# Projects ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ProjectLedger:
    """What the figures need to know of one project."""

    reference: str
    status: ProjectStatus
    agreement_value: Decimal
    planned: Mapping[FiscalYear, Decimal] = field(default_factory=dict)
    paid: Mapping[FiscalYear, Decimal] = field(default_factory=dict)
    countries: frozenset[str] = frozenset()

    @property
    def commitment(self) -> dict[FiscalYear, Decimal]:
        """What the project commits per year (see the module docstring)."""
        status = ProjectStatus(self.status)
        if status in SETTLED_STATUSES:
            return {year: amount for year, amount in self.paid.items() if amount}
        if status in OPEN_STATUSES:
            # A payment above the year's planned amount (an advance) raises that year's
            # commitment to what was paid: no year is ever paid beyond its commitment.
            years = set(self.planned) | set(self.paid)
            return {
                year: max(self.planned.get(year, ZERO), self.paid.get(year, ZERO)) for year in years
            }
        return {}

    @property
    def pipeline(self) -> dict[FiscalYear, Decimal]:
        if ProjectStatus(self.status) == ProjectStatus.PIPELINE:
            return dict(self.planned)
        return {}

    @property
    def planned_total(self) -> Decimal:
        return total(self.planned.values())

    @property
    def paid_total(self) -> Decimal:
        return total(self.paid.values())

    @property
    def unpaid(self) -> Decimal:
        """What remains to pay under the agreement (nothing once closed or cancelled)."""
        if ProjectStatus(self.status) in SETTLED_STATUSES:
            return ZERO
        return self.agreement_value - self.paid_total


def committed_by_year(projects: Iterable[ProjectLedger]) -> dict[FiscalYear, Decimal]:
    return by_year(
        (year, amount) for project in projects for year, amount in project.commitment.items()
    )


def availability_shortfalls(
    profile: AuthorityProfile,
    committed_by_others: Mapping[FiscalYear, Decimal],
    commitment: Mapping[FiscalYear, Decimal],
) -> list[tuple[FiscalYear, Decimal, Decimal]]:
    """(year, amount asked, amount available) where a new commitment does not fit."""
    shortfalls = []
    for year, amount in sorted(commitment.items()):
        if amount <= 0:
            continue
        available = profile.authority(year) - committed_by_others.get(year, ZERO)
        if amount > available:
            shortfalls.append((year, amount, max(available, ZERO)))
    return shortfalls


# Figures -----------------------------------------------------------------------------


@dataclass(frozen=True)
class YearFigures:
    fiscal_year: FiscalYear
    timing: Timing
    authority: Decimal
    committed: Decimal
    paid: Decimal
    pipeline: Decimal

    @property
    def available(self) -> Decimal:
        return self.authority - self.committed

    @property
    def outstanding(self) -> Decimal:
        """Committed but not yet paid."""
        return self.committed - self.paid

    @property
    def planned(self) -> Decimal:
        """Planned payments of committed and pipeline projects, to set against authority."""
        return self.committed + self.pipeline

    @property
    def unplanned(self) -> Decimal:
        """Authority that no planned payment uses; negative when the year is over-programmed."""
        return self.authority - self.planned

    @property
    def lapse_risk(self) -> Decimal | None:
        """Current year only: authority that committed payments will not use by 31 March."""
        if self.timing != Timing.CURRENT:
            return None
        return max(self.authority - self.committed, ZERO)

    @property
    def lapsed(self) -> Decimal | None:
        """Past years only: authority not paid out by 31 March."""
        if self.timing != Timing.PAST:
            return None
        return max(self.authority - self.paid, ZERO)


@dataclass(frozen=True)
class CountriesReached:
    reached: frozenset[str]
    planned: frozenset[str]
    target_min: int
    target_max: int

    @property
    def count(self) -> int:
        return len(self.reached)

    @property
    def position(self) -> str:
        """below, within or above the target range."""
        if self.count < self.target_min:
            return "below"
        if self.count > self.target_max:
            return "above"
        return "within"


@dataclass(frozen=True)
class EnvelopeFigures:
    years: list[YearFigures]
    current_year: FiscalYear
    approved_projects: int
    approved_value: Decimal
    pipeline_projects: int
    pipeline_value: Decimal
    countries: CountriesReached

    def _sum(self, attribute: str) -> Decimal:
        return total(getattr(year, attribute) for year in self.years)

    @property
    def authority(self) -> Decimal:
        return self._sum("authority")

    @property
    def committed(self) -> Decimal:
        return self._sum("committed")

    @property
    def paid(self) -> Decimal:
        return self._sum("paid")

    @property
    def available(self) -> Decimal:
        return self._sum("available")

    @property
    def outstanding(self) -> Decimal:
        return self._sum("outstanding")

    @property
    def pipeline(self) -> Decimal:
        return self._sum("pipeline")

    @property
    def planned(self) -> Decimal:
        return self._sum("planned")

    @property
    def unplanned(self) -> Decimal:
        return self._sum("unplanned")

    @property
    def lapsed(self) -> Decimal:
        return total(year.lapsed for year in self.years if year.lapsed is not None)

    @property
    def lapse_risk(self) -> Decimal | None:
        """The current year's lapse risk; None when the current year is not an envelope year."""
        for year in self.years:
            if year.timing == Timing.CURRENT:
                return year.lapse_risk
        return None

    def year(self, fiscal_year: FiscalYear) -> YearFigures | None:
        return next((y for y in self.years if y.fiscal_year == fiscal_year), None)


def timing_of(year: FiscalYear, current: FiscalYear) -> Timing:
    if year < current:
        return Timing.PAST
    if year > current:
        return Timing.FUTURE
    return Timing.CURRENT


def countries_reached(
    projects: Iterable[ProjectLedger], *, target_min: int, target_max: int
) -> CountriesReached:
    """Countries of approved, active and closed projects; of the pipeline besides."""
    projects = list(projects)
    reached = frozenset(
        code
        for p in projects
        if ProjectStatus(p.status) in APPROVED_STATUSES
        for code in p.countries
    )
    planned = frozenset(
        code
        for p in projects
        if ProjectStatus(p.status) != ProjectStatus.CANCELLED
        for code in p.countries
    )
    return CountriesReached(reached, planned, target_min, target_max)


def envelope_figures(
    profile: AuthorityProfile,
    projects: Iterable[ProjectLedger],
    *,
    today: date,
    target_min: int = 0,
    target_max: int = 0,
) -> EnvelopeFigures:
    """Every figure of an envelope as of `today` (which decides the current fiscal year).

    The years shown are the envelope's years; a commitment or payment outside them (which
    the services refuse) would still be counted, in a year of its own, so totals never hide it.
    """
    projects = list(projects)
    current = FiscalYear.of(today)
    committed = committed_by_year(projects)
    paid = by_year((y, a) for p in projects for y, a in p.paid.items())
    pipeline = by_year((y, a) for p in projects for y, a in p.pipeline.items())
    years = sorted(set(profile.years) | set(committed) | set(paid) | set(pipeline))
    rows = [
        YearFigures(
            fiscal_year=year,
            timing=timing_of(year, current),
            authority=profile.authority(year),
            committed=committed.get(year, ZERO),
            paid=paid.get(year, ZERO),
            pipeline=pipeline.get(year, ZERO),
        )
        for year in years
    ]
    approved = [p for p in projects if ProjectStatus(p.status) in APPROVED_STATUSES]
    in_pipeline = [p for p in projects if ProjectStatus(p.status) == ProjectStatus.PIPELINE]
    return EnvelopeFigures(
        years=rows,
        current_year=current,
        approved_projects=len(approved),
        approved_value=total(p.agreement_value for p in approved),
        pipeline_projects=len(in_pipeline),
        pipeline_value=total(p.agreement_value for p in in_pipeline),
        countries=countries_reached(projects, target_min=target_min, target_max=target_max),
    )
