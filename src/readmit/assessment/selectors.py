"""Reads of the assessment, with the user's permissions applied here, once.

Who sees what (docs/methodology.md, "Who sees what"): a user with `rules.can_view_targeting`
(Protected B and need-to-know) sees every country's figures, ratings, classification,
pattern, reasons and the RWG's decisions; any other signed-in user sees only totals across
all countries, and no per-country figure at all, since a country's rates reveal its
classification. `quarterly_series` applies no permission: its callers (the country page, the
API and engagement's escalation triggers) check `can_view_targeting` before they call it.
"""

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from readmit.accounts import rules
from readmit.assessment import estimators, figures, ratings
from readmit.assessment.figures import Window
from readmit.assessment.models import AssessmentRun, Methodology
from readmit.core.errors import DomainError, PermissionRefused
from readmit.core.models import Country


def targeting_refused() -> PermissionRefused:
    """What a user without need-to-know is told, whatever they asked for: the same words
    whether the country exists or not, naming no country and no classification."""
    return PermissionRefused(
        _(
            "Per-country assessment figures need Protected B clearance and the need-to-know "
            "grant for targeted countries."
        )
    )


# ---------------------------------------------------------------------------
# Methodologies


def default_methodology() -> Methodology:
    methodology = Methodology.objects.filter(is_default=True).first()
    if methodology is None:
        raise DomainError(_("No methodology is marked as the default; an analyst must choose one."))
    return methodology


def methodology_named(version: str | None) -> Methodology:
    """The methodology of that version, or the default when version is empty."""
    if not version:
        return default_methodology()
    methodology = Methodology.objects.filter(version=version).first()
    if methodology is None:
        known = ", ".join(Methodology.objects.values_list("version", flat=True))
        raise DomainError(
            _("Unknown methodology %(version)s; the versions are: %(known)s.")
            % {"version": version, "known": known}
        )
    return methodology


def methodologies() -> QuerySet:
    return Methodology.objects.select_related("created_by").order_by("-is_default", "version")


def _methodology(methodology: Methodology | str | None) -> Methodology:
    if isinstance(methodology, Methodology):
        return methodology
    return methodology_named(methodology)


# ---------------------------------------------------------------------------
# The assessment of one window


@dataclass
class Scorecard:
    """One window's assessment as a user may see it (countries None when they may not)."""

    methodology: str
    thresholds: ratings.Thresholds
    window: Window
    countries: list[dict[str, Any]] | None
    totals: dict[str, Any]
    fingerprint: str

    @property
    def may_view_countries(self) -> bool:
        return self.countries is not None

    def as_contract(self) -> dict[str, Any]:
        """The contract's JSON object (countries only for a user who may see them)."""
        return contract_json(self.methodology, self.window, self.countries or [])


def contract_json(methodology: str, window: Window, countries: list[dict]) -> dict[str, Any]:
    """The object `readmit assess --format json` prints, keys in the contract's order."""
    return {
        "methodology": methodology,
        "from": window.start.isoformat(),
        "to": window.end.isoformat(),
        "as_of": window.as_of.isoformat(),
        "countries": countries,
    }


def assessment(
    *,
    window: Window,
    methodology: Methodology | str | None = None,
    country_codes: Sequence[str] | None = None,
) -> Scorecard:
    """The full assessment, every country included: for the command and the services only."""
    chosen = _methodology(methodology)
    computed = figures.compute([window], thresholds=chosen.rules, country_codes=country_codes)
    (only,) = computed.windows
    return Scorecard(
        methodology=chosen.version,
        thresholds=chosen.rules,
        window=window,
        countries=only.countries,
        totals=only.totals,
        fingerprint=computed.fingerprint,
    )


def scorecard(
    *,
    user,
    window: Window,
    methodology: Methodology | str | None = None,
    country_codes: Sequence[str] | None = None,
) -> Scorecard:
    """The assessment as this user may see it: every country, or totals only.

    A user without need-to-know may not narrow the assessment to countries either: totals
    of one country are that country's figures.
    """
    if not rules.is_signed_in(user):
        raise targeting_refused()
    may_view = rules.can_view_targeting(user)
    if country_codes and not may_view:
        raise targeting_refused()
    result = assessment(window=window, methodology=methodology, country_codes=country_codes)
    if not may_view:
        result.countries = None
    return result


def translated_reasons(
    country: dict[str, Any], thresholds: ratings.Thresholds, gettext: Callable[[str], str]
) -> list[str]:
    """A country's reason sentences in the active language, numbers written its way (the
    stored ones are English)."""
    return [
        ratings.reason_sentence(reason, gettext, number=_number_in_active_language)
        for reason in ratings.reasons(country, thresholds)
    ]


def _number_in_active_language(value: float, decimals: int) -> str:
    """Rounded first: Django's number_format cuts the decimals it does not show."""
    return number_format(round(value, decimals), decimal_pos=decimals)


# ---------------------------------------------------------------------------
# Quarterly series


def quarter_label(first_day: dt.date) -> str:
    return f"{first_day.year}-Q{(first_day.month - 1) // 3 + 1}"


def quarter_windows(as_of: dt.date, quarters: int = 12) -> list[Window]:
    """The last `quarters` calendar quarters, each as known on its last day.

    The quarter holding as_of ends on as_of (nothing after as_of is known yet). Why each
    quarter is read as of its own end: docs/methodology.md, "Quarterly series".
    """
    if quarters < 1:
        raise DomainError(_("Ask for at least one quarter."))
    windows = []
    for first_day, last_day in estimators.trend_quarters(as_of, quarters):
        end = min(last_day, as_of)
        windows.append(Window(start=first_day, end=end, as_of=end))
    return windows


SERIES_KEYS = ("quarter", "from", "to", "as_of", *figures.INDICATOR_KEYS, *figures.VERDICT_KEYS)


def quarterly_series(
    *,
    country_codes: list[str] | None,
    as_of: dt.date,
    quarters: int = 12,
    methodology=None,
) -> dict[str, list[dict]]:
    """Per country code, one dict per calendar quarter, oldest first.

    Keys: "quarter" ("2024-Q3"), "from", "to", "as_of" (dates), every indicator of the
    contract, "ratings", "classification", "pattern" and "reasons". Each quarter is an
    assessment whose window is the quarter, as known on the quarter's last day (or on as_of
    for the quarter that holds it); all quarters come from one pass over the data.
    country_codes None: every country listed in at least one of the quarters. No permission
    is applied here: callers check `rules.can_view_targeting` first.
    """
    chosen = _methodology(methodology)
    windows = quarter_windows(as_of, quarters)
    computed = figures.compute(windows, thresholds=chosen.rules, country_codes=country_codes)
    series: dict[str, list[dict]] = {}
    for code, rows in computed.by_country.items():
        series[code] = [
            {
                "quarter": quarter_label(window.start),
                "from": window.start,
                "to": window.end,
                "as_of": window.as_of,
                **{key: row[key] for key in (*figures.INDICATOR_KEYS, *figures.VERDICT_KEYS)},
            }
            for window, row in zip(windows, rows, strict=True)
        ]
    return series


# ---------------------------------------------------------------------------
# One country


@dataclass
class CountryAssessment:
    """A country's headline figures, quarterly series and the RWG's decisions on it."""

    code: str
    scorecard: Scorecard
    figures: dict[str, Any]
    series: list[dict]
    decisions: list
    latest_decision: Any
    comparison: "ProposalComparison | None"


def country_assessment(
    *,
    user,
    code: str,
    window: Window,
    methodology: Methodology | str | None = None,
    quarters: int = 12,
) -> CountryAssessment:
    """Everything the country page shows; only for users who may view targeting."""
    if not rules.can_view_targeting(user):
        raise targeting_refused()
    card = assessment(window=window, methodology=methodology, country_codes=[code])
    (country,) = card.countries
    series = quarterly_series(
        country_codes=[country["country"]],
        as_of=window.as_of,
        quarters=quarters,
        methodology=methodology,
    )[country["country"]]
    decisions = country_decisions(user=user, country_code=country["country"])
    latest = decisions[0] if decisions else None
    return CountryAssessment(
        code=country["country"],
        scorecard=card,
        figures=country,
        series=series,
        decisions=decisions,
        latest_decision=latest,
        comparison=compare(country["classification"], latest),
    )


# ---------------------------------------------------------------------------
# The RWG's decisions beside the proposal (owned by engagement)

# What each proposal would lead to if the RWG followed it (docs/methodology.md).
EXPECTED_OUTCOME = {
    ratings.RECALCITRANT: "targeted",
    ratings.AT_RISK: "monitored",
    ratings.COOPERATIVE: "not_targeted",
}
OUTCOME_STRENGTH = {"not_targeted": 0, "monitored": 1, "targeted": 2}


@dataclass(frozen=True)
class ProposalComparison:
    """How the RWG's latest decision stands against the current proposal."""

    proposal: str  # a classification
    outcome: str  # the decision's outcome
    expected: str | None  # the outcome the proposal points to, None when it points nowhere
    differs: bool
    direction: str | None  # "stronger" or "weaker" than the proposal, when it differs


def compare(classification: str, decision) -> ProposalComparison | None:
    """Compare a proposal with a decision; None when there is no decision to compare.

    A decision differs from the proposal when it is not the outcome the proposal points to:
    recalcitrant -> targeted, at_risk -> monitored, cooperative -> not_targeted. A deferred
    decision and a proposal of insufficient_data point nowhere and never differ.
    """
    if decision is None:
        return None
    outcome = _outcome_of(decision)
    expected = EXPECTED_OUTCOME.get(classification)
    if expected is None or outcome not in OUTCOME_STRENGTH:
        return ProposalComparison(classification, outcome, expected, False, None)
    differs = outcome != expected
    direction = None
    if differs:
        is_stronger = OUTCOME_STRENGTH[outcome] > OUTCOME_STRENGTH[expected]
        direction = "stronger" if is_stronger else "weaker"
    return ProposalComparison(classification, outcome, expected, differs, direction)


def _outcome_of(decision) -> str:
    outcome = getattr(decision, "outcome", None)
    if outcome is None and isinstance(decision, dict):
        outcome = decision.get("outcome")
    return str(outcome or "")


def _engagement_selectors():
    """engagement.selectors, or None where the engagement app does not provide them (yet)."""
    try:
        from readmit.engagement import selectors
    except ImportError:
        return None
    if not hasattr(selectors, "country_decisions"):
        return None
    return selectors


def country_decisions(*, user, country_code: str) -> list:
    """The RWG's decisions on a country, newest first; [] for users without need-to-know."""
    if not rules.can_view_targeting(user):
        return []
    engagement = _engagement_selectors()
    if engagement is None:
        return []
    return list(engagement.country_decisions(user=user, country_code=country_code))


def latest_decisions(*, user) -> dict:
    """The RWG's latest decision per country code; {} for users without need-to-know."""
    if not rules.can_view_targeting(user):
        return {}
    engagement = _engagement_selectors()
    if engagement is None or not hasattr(engagement, "latest_country_decisions"):
        return {}
    return dict(engagement.latest_country_decisions(user=user))


def decisions_available() -> bool:
    return _engagement_selectors() is not None


# ---------------------------------------------------------------------------
# Runs


def runs_for(*, user) -> QuerySet:
    """Saved runs a user may list: their parameters are shown to anyone who may run one."""
    if not (rules.can_view_targeting(user) or rules.can_run_assessment(user)):
        return AssessmentRun.objects.none()
    return AssessmentRun.objects.select_related("created_by", "methodology")


def run_for(*, user, pk: int) -> AssessmentRun | None:
    """A saved run the user may open; None when there is no such run."""
    if not (rules.can_view_targeting(user) or rules.can_run_assessment(user)):
        raise PermissionRefused(_("You may not see assessment runs."))
    return runs_for(user=user).filter(pk=pk).first()


def run_scorecard(*, user, run: AssessmentRun) -> Scorecard:
    """A saved run's figures as stored, as this user may see them."""
    window = Window(start=run.date_from, end=run.date_to, as_of=run.as_of)
    may_view = rules.can_view_targeting(user)
    return Scorecard(
        methodology=run.methodology_version,
        thresholds=ratings.Thresholds.from_dict(run.thresholds),
        window=window,
        countries=run.results["countries"] if may_view else None,
        totals=run.totals,
        fingerprint=run.data_fingerprint,
    )


# ---------------------------------------------------------------------------
# The scorecard table

SORT_KEYS = (
    "country",
    "name",
    "requests",
    "eligible",
    "issuance_rate",
    "refusal_rate",
    "median_days_to_issue",
    "issued_within_30d",
    "overdue_share",
    "return_rate",
    "td_backlog",
    "classification",
)
# Most severe first when sorting by classification.
CLASSIFICATION_ORDER = {
    ratings.RECALCITRANT: 0,
    ratings.AT_RISK: 1,
    ratings.COOPERATIVE: 2,
    ratings.INSUFFICIENT_DATA: 3,
}


def local_names(codes) -> dict[str, str]:
    """Country names in the active language."""
    return {country.code: country.name for country in Country.objects.filter(code__in=codes)}


def scorecard_rows(
    *,
    user,
    card: Scorecard,
    sort: str = "country",
    descending: bool = False,
    classification: str | None = None,
) -> list[dict[str, Any]]:
    """The scorecard's countries as the table shows them, with the RWG's latest decisions.

    Sorted by one of SORT_KEYS (nulls last either way), filtered by classification; [] when
    the user may not see countries.
    """
    if card.countries is None or not rules.can_view_targeting(user):
        return []
    countries = [
        country
        for country in card.countries
        if not classification or country["classification"] == classification
    ]
    names = local_names([country["country"] for country in countries])
    sort = sort if sort in SORT_KEYS else "country"

    def value(country: dict[str, Any]):
        if sort == "name":
            return names.get(country["country"], country["name"]).casefold()
        if sort == "classification":
            return CLASSIFICATION_ORDER.get(country["classification"], 9)
        return country[sort]

    known = sorted(
        (country for country in countries if value(country) is not None),
        key=lambda country: (value(country), country["country"]),
        reverse=descending,
    )
    unknown = [country for country in countries if value(country) is None]
    decisions = latest_decisions(user=user)
    return [
        {
            "figures": country,
            "name": names.get(country["country"], country["name"]),
            "decision": decisions.get(country["country"]),
            "comparison": compare(country["classification"], decisions.get(country["country"])),
        }
        for country in known + unknown
    ]


def decision_outcomes() -> list[tuple[str, str]]:
    """The outcomes a country decision may have, as engagement defines them."""
    try:
        from readmit.engagement.models import CountryOutcome
    except ImportError:
        return []
    return list(CountryOutcome.choices)


def meetings_for(*, user) -> list:
    try:
        from readmit.engagement.selectors import visible_meetings
    except ImportError:
        return []
    return list(visible_meetings(user=user)[:50])


def meeting_for(*, user, pk):
    """A meeting the user may see, or None."""
    if not pk:
        return None
    try:
        from readmit.engagement.selectors import visible_meetings
    except ImportError:
        return None
    return visible_meetings(user=user).filter(pk=pk).first()


def run_is_current(run: AssessmentRun) -> bool:
    """Whether the data a run used is still the data there is (same fingerprint)."""
    window = Window(start=run.date_from, end=run.date_to, as_of=run.as_of)
    computed = figures.compute(
        [window],
        thresholds=ratings.Thresholds.from_dict(run.thresholds),
        country_codes=run.country_codes or None,
    )
    return computed.fingerprint == run.data_fingerprint


def methodology_approvals(*, user) -> dict[str, list]:
    """Version -> the RWG's decisions approving it (engagement), for users who may see them."""
    try:
        from readmit.engagement.selectors import methodology_approvals as approvals
    except ImportError:
        return {}
    by_version: dict[str, list] = {}
    for decision in approvals(user=user):
        by_version.setdefault(decision.methodology_version, []).append(decision)
    return by_version
