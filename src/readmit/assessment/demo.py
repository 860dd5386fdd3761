"""Demo data of the assessment: fourteen fictional countries over the three years to today.

Each country follows a profile (volumes, outcome shares, delays, removals) chosen so that a
default assessment (the twelve months to today) shows every classification and every
pattern; rows are drawn with numpy from a fixed seed, so the same profiles give the same
story whatever the day. Rows go in by bulk_create under one `Ingest` of channel "demo",
then a saved run and a few RWG decisions are recorded (when the engagement app provides
them). Codes XAA-XFF are those the envelope demo uses for the same names.
"""

import datetime as dt
from dataclasses import dataclass

import numpy as np
from django.utils import timezone

from readmit.accounts.models import User
from readmit.assessment.estimators import period_bounds
from readmit.core.models import Country
from readmit.core.services import declare_countries
from readmit.intake.keys import EPOCH, day_number
from readmit.intake.models import Aggregate, Ingest, RemovalCase, TravelDocumentRequest

SEED = 20201117  # the briefing note's month
YEARS = 3
DEMO_FILE = "assessment demo"


@dataclass(frozen=True)
class Profile:
    code: str
    name_en: str
    name_fr: str
    requests_per_year: int
    issue: float  # share of requests eventually issued
    refuse: float  # ... refused
    withdraw: float  # ... withdrawn; the rest is never decided
    issue_days: float  # mean days to issue
    refuse_days: float  # mean days to refuse
    cases_per_year: int
    removed: float  # share of cases removed
    closed: float  # share closed; the rest stays pending
    travel_document: float  # share of pending cases held up by a travel document
    interviews: float  # share of requests with an identification interview
    story: str


# fmt: off
PROFILES = [
    # code, English, French, requests a year, issue, refuse, withdraw, days to issue, days to
    # refuse, cases a year, removed, closed, pending held up by a TD, interviews, story
    Profile("XAA", "Avalonia", "Avalonie", 160, 0.90, 0.03, 0.05, 12, 20, 80, 0.70, 0.15, 0.3, 0.2, "cooperative"),  # noqa: E501
    Profile("XBB", "Borduria", "Bordurie", 150, 0.30, 0.50, 0.05, 60, 25, 90, 0.12, 0.10, 0.8, 0.6, "recalcitrant, unwilling"),  # noqa: E501
    Profile("XCC", "Carpania", "Carpanie", 140, 0.90, 0.03, 0.04, 120, 60, 70, 0.20, 0.10, 0.9, 0.8, "recalcitrant, unable"),  # noqa: E501
    Profile("XDD", "Dorvania", "Dorvanie", 120, 0.86, 0.04, 0.04, 38, 30, 60, 0.60, 0.10, 0.6, 0.5, "at risk, unable"),  # noqa: E501
    Profile("XEE", "Elbonia", "Elbonie", 130, 0.62, 0.32, 0.03, 22, 20, 60, 0.60, 0.10, 0.5, 0.3, "at risk, unwilling"),  # noqa: E501
    Profile("XFF", "Freedonia", "Freedonie", 120, 0.70, 0.17, 0.05, 30, 25, 50, 0.55, 0.15, 0.5, 0.3, "at risk, mixed"),  # noqa: E501
    Profile("XGG", "Genovia", "Genovie", 100, 0.92, 0.02, 0.04, 8, 15, 40, 0.75, 0.10, 0.2, 0.1, "cooperative"),  # noqa: E501
    Profile("XKK", "Krakozhia", "Krakozhie", 110, 0.45, 0.18, 0.04, 75, 40, 60, 0.15, 0.10, 0.8, 0.5, "recalcitrant, mixed"),  # noqa: E501
    Profile("XLL", "Latveria", "Latvérie", 90, 0.88, 0.04, 0.05, 15, 20, 30, 0.65, 0.15, 0.3, 0.2, "cooperative"),  # noqa: E501
    Profile("XMM", "Markovia", "Markovie", 6, 0.50, 0.30, 0.10, 40, 30, 5, 0.40, 0.20, 0.5, 0.5, "insufficient data"),  # noqa: E501
    Profile("XRR", "Ruritania", "Ruritanie", 220, 0.93, 0.02, 0.03, 10, 14, 120, 0.72, 0.12, 0.2, 0.1, "cooperative"),  # noqa: E501
    Profile("XSS", "Syldavia", "Syldavie", 90, 0.88, 0.04, 0.05, 14, 20, 70, 0.18, 0.12, 0.4, 0.2, "at risk: documents come, removals do not"),  # noqa: E501
    Profile("XZZ", "Zubrowka", "Zubrowka", 40, 0.90, 0.03, 0.05, 12, 20, 15, 0.60, 0.20, 0.3, 0.2, "cooperative, small"),  # noqa: E501
]
# fmt: on
# Known only from published totals: listed through its aggregates, too few requests to rate.
AGGREGATE_ONLY = ("XQQ", "Qumar", "Qumar")
DOCUMENT_TYPES = np.array(["passport", "emergency_travel_document", "laissez_passer", "other"])


def _dates(days: np.ndarray) -> list[dt.date | None]:
    return [None if day < 0 else EPOCH + dt.timedelta(days=int(day)) for day in days]


def _gamma_days(rng: np.random.Generator, mean: float, size: int) -> np.ndarray:
    return np.rint(rng.gamma(2.0, mean / 2.0, size)).astype(np.int64)


def _requests(profile: Profile, rng, today: int, ingest: Ingest) -> list[TravelDocumentRequest]:
    size = profile.requests_per_year * YEARS
    requested = today - rng.integers(0, YEARS * 365 + 1, size)
    fate = rng.choice(
        4,
        size,
        p=[
            profile.issue,
            profile.refuse,
            profile.withdraw,
            1 - profile.issue - profile.refuse - profile.withdraw,
        ],
    )
    delay = np.select(
        [fate == 0, fate == 1, fate == 2],
        [
            _gamma_days(rng, profile.issue_days, size),
            _gamma_days(rng, profile.refuse_days, size),
            _gamma_days(rng, 10, size),
        ],
        default=0,
    )
    decided = requested + delay
    is_decided = (fate < 3) & (decided <= today)
    outcome = np.where(
        is_decided, np.array(["issued", "refused", "withdrawn", "pending"])[fate], "pending"
    )
    decided = np.where(is_decided, decided, -1)
    has_interview = rng.random(size) < profile.interviews
    asked = np.where(has_interview, requested + rng.integers(0, 8, size), -1)
    asked = np.where(asked > today, -1, asked)
    held = np.where((asked >= 0) & (rng.random(size) < 0.7), asked + rng.integers(3, 25, size), -1)
    held = np.where(held > today, -1, held)
    document = rng.choice(DOCUMENT_TYPES, size, p=[0.3, 0.5, 0.15, 0.05])
    rows = zip(
        _dates(requested),
        requested.tolist(),
        outcome.tolist(),
        _dates(decided),
        decided.tolist(),
        _dates(asked),
        asked.tolist(),
        _dates(held),
        held.tolist(),
        document.tolist(),
        strict=True,
    )
    return [
        TravelDocumentRequest(
            request_id=f"DEMO-{profile.code}-R{index:05d}",
            country_id=profile.code,
            requested_on=requested_on,
            requested_day=requested_day,
            document_type=document_type,
            interview_requested_on=asked_on,
            interview_requested_day=asked_day if asked_day >= 0 else None,
            interview_held_on=held_on,
            interview_held_day=held_day if held_day >= 0 else None,
            outcome=outcome_,
            decided_on=decided_on,
            decided_day=decided_day if decided_day >= 0 else None,
            ingest=ingest,
        )
        for index, (
            requested_on,
            requested_day,
            outcome_,
            decided_on,
            decided_day,
            asked_on,
            asked_day,
            held_on,
            held_day,
            document_type,
        ) in enumerate(rows)
    ]


def _cases(profile: Profile, rng, today: int, ingest: Ingest) -> list[RemovalCase]:
    size = profile.cases_per_year * YEARS
    # Older orders still pending make the backlog's age; they are few.
    older = max(1, size // 10)
    ordered = np.concatenate(
        [
            today - rng.integers(0, YEARS * 365 + 1, size),
            today - rng.integers(YEARS * 365, 6 * 365, older),
        ]
    )
    total = ordered.size
    fate = rng.choice(
        3, total, p=[profile.removed, profile.closed, 1 - profile.removed - profile.closed]
    )
    fate[size:] = 2  # the older orders are all still pending
    ended = ordered + _gamma_days(rng, 60, total)
    is_removed = (fate == 0) & (ended <= today)
    is_closed = (fate == 1) & (ended <= today)
    status = np.where(is_removed, "removed", np.where(is_closed, "closed", "pending"))
    is_pending = status == "pending"
    held_up = is_pending & (
        (rng.random(total) < profile.travel_document) | (np.arange(total) >= size)
    )
    impediment = np.where(
        held_up,
        "travel_document",
        np.where(is_pending, rng.choice(["none", "legal", "medical"], total), "none"),
    )
    removed = np.where(is_removed, ended, -1)
    closed = np.where(is_closed, ended, -1)
    mode = rng.choice(["escorted", "unescorted"], total, p=[0.3, 0.7])
    flight = rng.choice(["commercial", "charter"], total, p=[0.9, 0.1])
    category = rng.choice(["failed_claimant", "criminality", "other"], total, p=[0.6, 0.2, 0.2])
    rows = zip(
        _dates(ordered),
        ordered.tolist(),
        status.tolist(),
        _dates(removed),
        removed.tolist(),
        _dates(closed),
        closed.tolist(),
        impediment.tolist(),
        category.tolist(),
        mode.tolist(),
        flight.tolist(),
        strict=True,
    )
    return [
        RemovalCase(
            case_id=f"DEMO-{profile.code}-C{index:05d}",
            country_id=profile.code,
            order_enforceable_on=ordered_on,
            order_enforceable_day=ordered_day,
            status=status_,
            removed_on=removed_on,
            removed_day=removed_day if removed_day >= 0 else None,
            closed_on=closed_on,
            closed_day=closed_day if closed_day >= 0 else None,
            impediment=impediment_,
            category=category_,
            removal_mode=mode_ if status_ == "removed" else "",
            flight=flight_ if status_ == "removed" else "",
            ingest=ingest,
        )
        for index, (
            ordered_on,
            ordered_day,
            status_,
            removed_on,
            removed_day,
            closed_on,
            closed_day,
            impediment_,
            category_,
            mode_,
            flight_,
        ) in enumerate(rows)
    ]


def _aggregates(today: dt.date, ingest: Ingest) -> list[Aggregate]:
    """Quarterly published totals: Qumar's only figures, and Latveria's beside its cases."""
    rows = []
    year, quarter = today.year, (today.month - 1) // 3 + 1
    for _ in range(12):
        quarter -= 1
        if quarter == 0:
            year, quarter = year - 1, 4
        period = f"{year}-Q{quarter}"
        first_day, last_day = period_bounds(period)
        for code, source, orders, returns in (
            ("XQQ", "Qumar National Statistics Office", 40, 14),
            ("XQQ", "Regional Migration Observatory", 35, 20),
            ("XLL", "Latverian Interior Ministry", 25, 16),
        ):
            for measure, value in (("orders", orders), ("returns", returns)):
                rows.append(
                    Aggregate(
                        country_id=code,
                        period=period,
                        period_start=first_day,
                        period_end=last_day,
                        measure=measure,
                        value=value + (quarter % 3),
                        source=source,
                        ingest=ingest,
                    )
                )
    return rows


def load(*, stdout) -> None:
    if Ingest.objects.filter(channel="demo", file_name=DEMO_FILE).exists():
        stdout.write("  The assessment's demo data is already there.")
        return
    analyst = User.objects.filter(username="analyst").first()
    known = set(Country.all_objects.values_list("code", flat=True))
    declare_countries(
        [
            (profile.code, profile.name_en, profile.name_fr)
            for profile in PROFILES
            if profile.code not in known
        ]
        + ([AGGREGATE_ONLY] if AGGREGATE_ONLY[0] not in known else []),
        user=analyst,
    )
    today = timezone.localdate()
    today_day = day_number(today)
    rng = np.random.default_rng(SEED)
    ingest = Ingest.objects.create(
        kind="requests",
        file_name=DEMO_FILE,
        checksum="0" * 64,
        user=analyst,
        channel="demo",
        status="succeeded",
        finished_at=timezone.now(),
    )
    requests, cases = [], []
    for profile in PROFILES:
        requests += _requests(profile, rng, today_day, ingest)
        cases += _cases(profile, rng, today_day, ingest)
    TravelDocumentRequest.objects.bulk_create(requests, batch_size=2000)
    RemovalCase.objects.bulk_create(cases, batch_size=2000)
    aggregates = _aggregates(today, ingest)
    Aggregate.objects.bulk_create(aggregates)
    ingest.rows = ingest.created = len(requests) + len(cases) + len(aggregates)
    ingest.save(update_fields=["rows", "created"])
    stdout.write(
        f"  {len(requests)} travel-document requests, {len(cases)} removal cases and "
        f"{len(aggregates)} aggregates for {len(PROFILES) + 1} fictional countries."
    )
    _record_run_and_decisions(stdout=stdout, today=today)


def _record_run_and_decisions(*, stdout, today: dt.date) -> None:
    from readmit.assessment import services

    analyst = User.objects.filter(username="analyst").first()
    rwg = User.objects.filter(username="rwg").first()
    if analyst is None or rwg is None:
        stdout.write("  No demo analyst or RWG member: no saved run or decision recorded.")
        return
    run = services.save_run(user=analyst)
    stdout.write(f"  Saved assessment run {run.pk} (the default assessment as of {today}).")
    if services._engagement_services() is None:
        stdout.write("  The engagement app records no RWG decisions yet: none recorded.")
        return
    decided_on = today - dt.timedelta(days=14)
    for code, outcome, rationale in (
        ("XBB", "targeted", "Refusals without reasons given; two démarches unanswered."),
        ("XCC", "targeted", "Documents come but months late; capacity-building candidate."),
        ("XEE", "monitored", "Refusal rate rising; watch for two more quarters."),
        ("XDD", "not_targeted", "Delays explained by an election; the consulate has reopened."),
        ("XKK", "deferred", "Wait for the outcome of the ministerial visit."),
    ):
        services.record_decision_on_proposal(
            user=rwg,
            country_code=code,
            outcome=outcome,
            decided_on=decided_on,
            reference=f"RWG-DEMO-{decided_on:%Y-%m}",
            rationale=rationale,
        )
    stdout.write("  Five RWG country decisions recorded beside the proposals.")
