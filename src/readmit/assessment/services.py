"""Every change the assessment makes: methodology versions, saved runs, the RWG's decision on
a proposal.

A methodology version never changes once created (the contract: thresholds change only by a
new version); the default can move from one version to another. A run stores its parameters,
the thresholds applied, a fingerprint of the data read and every figure, so that it shows the
same figures whatever data arrives later.

Why: docs/decisions/0301-methodology-versions-and-saved-runs.md
"""

import logging
import math
import re
from collections.abc import Mapping, Sequence
from typing import Any, NoReturn

from django.db import transaction
from django.utils.translation import gettext as _

from readmit.accounts import rules
from readmit.assessment import selectors
from readmit.assessment.figures import Window, window_from
from readmit.assessment.models import AssessmentRun, Methodology
from readmit.assessment.ratings import READMIT_2026_1, Thresholds
from readmit.core.errors import DomainError, PermissionRefused
from readmit.core.services import save_record

logger = logging.getLogger(__name__)

VERSION_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,49}")
RATE_FIELDS = (
    "issuance_green",
    "issuance_amber",
    "timeliness_green",
    "timeliness_amber",
    "responsiveness_green",
    "responsiveness_amber",
    "returns_green",
    "returns_amber",
    "unwilling_refusal_rate",
    "unable_refusal_rate",
    "unable_issuance_rate",
)


# ---------------------------------------------------------------------------
# Methodologies


def threshold_problems(thresholds: Thresholds) -> list[str]:
    """What makes a set of thresholds unusable, in words a user can act on (empty if none)."""
    problems = []
    for name in RATE_FIELDS:
        value = getattr(thresholds, name)
        if not 0 <= value <= 1:
            problems.append(_("%(field)s must lie between 0 and 1.") % {"field": name})
    for rating in ("issuance", "timeliness", "returns"):
        if getattr(thresholds, f"{rating}_green") < getattr(thresholds, f"{rating}_amber"):
            problems.append(
                _("%(rating)s: the green threshold must be at least the amber one.")
                % {"rating": rating}
            )
    if thresholds.responsiveness_green > thresholds.responsiveness_amber:
        problems.append(
            _(
                "responsiveness: the green threshold (a share overdue) must be at most "
                "the amber one."
            )
        )
    if thresholds.unable_refusal_rate > thresholds.unwilling_refusal_rate:
        problems.append(_("unable_refusal_rate must be at most unwilling_refusal_rate."))
    if thresholds.minimum_eligible < 1:
        problems.append(_("minimum_eligible must be at least 1."))
    for name in ("timeliness_horizon_days", "overdue_after_days"):
        if getattr(thresholds, name) < 0:
            problems.append(_("%(field)s must be 0 or more days.") % {"field": name})
    if not (math.isfinite(thresholds.confidence_z) and thresholds.confidence_z > 0):
        problems.append(_("confidence_z must be a positive number."))
    return problems


@transaction.atomic
def create_methodology(
    *,
    user,
    version: str,
    thresholds: Mapping[str, Any],
    description: str = "",
    make_default: bool = False,
) -> Methodology:
    """A new methodology version with its own thresholds; the version's name is part of them.

    Fields missing from `thresholds` are taken from readmit-2026.1.
    """
    if not rules.can_manage_methodology(user):
        raise PermissionRefused(_("You may not create methodology versions."))
    version = (version or "").strip()
    if not VERSION_PATTERN.fullmatch(version):
        raise DomainError(
            _(
                "A version is 1 to 50 letters, digits, dots, hyphens or underscores, "
                "starting with a letter or digit (for example readmit-2027.1)."
            )
        )
    if Methodology.all_objects.filter(version=version).exists():
        raise DomainError(
            _("The version %(version)s exists already; choose another name.") % {"version": version}
        )
    stored = READMIT_2026_1.to_dict() | dict(thresholds) | {"methodology": version}
    try:
        parsed = Thresholds.from_dict(stored)
    except ValueError as error:
        raise DomainError(str(error)) from error
    problems = threshold_problems(parsed)
    if problems:
        raise DomainError(_("The thresholds are not usable."), details=problems)
    methodology = save_record(
        Methodology(version=version, description=description, thresholds=parsed.to_dict()),
        user=user,
        reason="created",
    )
    if make_default:
        make_default_methodology(user=user, methodology=methodology)
    logger.info("Methodology %s created by user %s", version, user.pk)
    return methodology


def update_methodology(*, user, methodology: Methodology, **changes) -> NoReturn:
    """Always refused: a version never changes once created."""
    raise DomainError(
        _(
            "The methodology %(version)s cannot be changed: every assessment that used it must "
            "stay reproducible. Create a new version with the thresholds you want."
        )
        % {"version": methodology.version}
    )


@transaction.atomic
def make_default_methodology(*, user, methodology: Methodology) -> Methodology:
    """Make this version the one assessments use when none is chosen."""
    if not rules.can_manage_methodology(user):
        raise PermissionRefused(_("You may not choose the default methodology."))
    if methodology.is_default:
        return methodology
    for previous in Methodology.objects.select_for_update().filter(is_default=True):
        previous.is_default = False
        save_record(previous, user=user, reason=f"default moved to {methodology.version}")
    methodology.is_default = True
    save_record(methodology, user=user, reason="made the default")
    logger.info("Methodology %s made the default by user %s", methodology.version, user.pk)
    return methodology


# ---------------------------------------------------------------------------
# Runs


def _store_run(
    *, user, window: Window, methodology, country_codes: Sequence[str] | None
) -> AssessmentRun:
    chosen = (
        methodology
        if isinstance(methodology, Methodology)
        else selectors.methodology_named(methodology)
    )
    card = selectors.assessment(window=window, methodology=chosen, country_codes=country_codes)
    run = save_record(
        AssessmentRun(
            methodology=chosen,
            methodology_version=chosen.version,
            thresholds=chosen.thresholds,
            date_from=window.start,
            date_to=window.end,
            as_of=window.as_of,
            country_codes=sorted({code.upper() for code in country_codes or []}),
            data_fingerprint=card.fingerprint,
            results=card.as_contract(),
            totals=card.totals,
            country_count=len(card.countries),
        ),
        user=user,
        reason="assessment saved",
    )
    # The log names the run, never a country or a classification.
    logger.info("Assessment run %s saved by user %s", run.pk, user.pk)
    return run


@transaction.atomic
def save_run(
    *,
    user,
    window: Window | None = None,
    methodology: Methodology | str | None = None,
    country_codes: Sequence[str] | None = None,
) -> AssessmentRun:
    """Assess now and keep everything: parameters, thresholds, fingerprint and results."""
    if not rules.can_run_assessment(user):
        raise PermissionRefused(_("You may not run and save assessments."))
    if country_codes and not rules.can_view_targeting(user):
        raise selectors.targeting_refused()
    return _store_run(
        user=user,
        window=window or window_from(),
        methodology=methodology,
        country_codes=country_codes,
    )


# ---------------------------------------------------------------------------
# The RWG's decision on the current proposal


def _engagement_services():
    try:
        from readmit.engagement import services
    except ImportError:
        return None
    return services if hasattr(services, "record_country_decision") else None


@transaction.atomic
def record_decision_on_proposal(
    *,
    user,
    country_code: str,
    outcome: str,
    decided_on,
    reference: str,
    rationale: str,
    meeting=None,
    window: Window | None = None,
    methodology: Methodology | str | None = None,
):
    """Record the RWG's decision on a country beside the proposal it was shown.

    The proposal is assessed now (window and methodology as on the country page) and saved
    as a run for that country, so that the decision names exactly what the RWG saw.
    """
    if not rules.can_record_rwg_decision(user):
        raise PermissionRefused(_("You may not record decisions of the Removals Working Group."))
    engagement = _engagement_services()
    if engagement is None:
        raise DomainError(
            _("RWG decisions cannot be recorded yet: the engagement module does not provide them.")
        )
    run = _store_run(
        user=user,
        window=window or window_from(),
        methodology=methodology,
        country_codes=[country_code],
    )
    (country,) = run.results["countries"]
    return engagement.record_country_decision(
        user=user,
        country_code=country["country"],
        outcome=outcome,
        decided_on=decided_on,
        meeting=meeting,
        reference=reference,
        rationale=rationale,
        assessment_run_id=run.pk,
        proposed_classification=country["classification"],
    )
