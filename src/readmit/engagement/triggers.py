"""Escalation triggers, evaluated over plain data: no Django import.

A trigger is a condition on the assessment's quarterly indicators or on the facts of a plan.
`evaluate(condition, as_of=..., series=..., facts=...)` says whether it holds on `as_of` and
returns the figures that decided it, so that an alert can show them. The rules (which
quarters count, what a null quarter does, what counts as commitment progress) are written
once in docs/engagement.md and docs/decisions/0201-trigger-evaluation.md.

- `series` is one country's list of quarterly rows as the assessment gives them (oldest
  first; keys "quarter" ("2024-Q3"), "from", "to" and every indicator key of the contract).
- `facts` is a `PlanFacts`: the plan's start date, its actions and its commitments' status
  changes.
"""

import datetime as dt
import operator
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field

# Indicator keys of the assessment contract that a run condition may read (numbers only:
# the interval and the source name are not compared with a threshold).
INDICATORS = (
    "issuance_rate",
    "refusal_rate",
    "issued_within_30d",
    "overdue_share",
    "return_rate",
    "median_days_to_issue",
    "td_backlog",
    "td_backlog_median_age_days",
    "overdue_pending",
    "requests",
    "issued",
    "refused",
    "withdrawn",
    "pending",
    "eligible",
    "interviews_requested",
    "interviews_held",
    "orders",
    "removals",
)

OPERATORS: dict[str, Callable[[float, float], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}

# Negotiation statuses in the order a commitment moves forward; lapsed is a step back.
COMMITMENT_RANK = {
    "lapsed": -1,
    "not_started": 0,
    "negotiating": 1,
    "initialled": 2,
    "signed": 3,
    "in_force": 4,
}

INDICATOR_RUN = "indicator_run"
NO_COMMITMENT_PROGRESS = "no_commitment_progress"
ACTIONS_OVERDUE = "actions_overdue"
KINDS = (INDICATOR_RUN, NO_COMMITMENT_PROGRESS, ACTIONS_OVERDUE)


# Calendar quarters -----------------------------------------------------------------------


def quarter_label(day: dt.date) -> str:
    """The calendar quarter of a day: 2024-08-15 -> "2024-Q3"."""
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def quarter_bounds(label: str) -> tuple[dt.date, dt.date]:
    """First and last day of a quarter written "2024-Q3"."""
    year, number = int(label[:4]), int(label[-1])
    first = dt.date(year, 3 * number - 2, 1)
    following = dt.date(year + 1, 1, 1) if number == 4 else dt.date(year, 3 * number + 1, 1)
    return first, following - dt.timedelta(days=1)


def previous_quarter(label: str) -> str:
    first, _last = quarter_bounds(label)
    return quarter_label(first - dt.timedelta(days=1))


def last_complete_quarter(as_of: dt.date) -> str:
    """The latest quarter wholly in the past on `as_of` (the quarter itself if it ends that day)."""
    label = quarter_label(as_of)
    if quarter_bounds(label)[1] == as_of:
        return label
    return previous_quarter(label)


# Conditions ------------------------------------------------------------------------------


@dataclass(frozen=True)
class IndicatorRun:
    """`indicator operator threshold` in each of the last `quarters` complete quarters."""

    indicator: str
    operator: str
    threshold: float
    quarters: int
    kind: str = field(default=INDICATOR_RUN, init=False)


@dataclass(frozen=True)
class NoCommitmentProgress:
    """By a date (`by`, or `days_after_start` days after the plan started), and still on the
    day of evaluation, no commitment of the plan has moved forward since the plan started."""

    by: dt.date | None = None
    days_after_start: int | None = None
    kind: str = field(default=NO_COMMITMENT_PROGRESS, init=False)


@dataclass(frozen=True)
class ActionsOverdue:
    """At least `at_least` open actions are `days` or more days past their due date."""

    days: int
    at_least: int = 1
    kind: str = field(default=ACTIONS_OVERDUE, init=False)


Condition = IndicatorRun | NoCommitmentProgress | ActionsOverdue


def condition_from_parameters(kind: str, parameters: Mapping) -> Condition:
    """Build a condition from its stored parameters (dates as ISO strings), already validated."""
    if kind == INDICATOR_RUN:
        return IndicatorRun(
            indicator=parameters["indicator"],
            operator=parameters["operator"],
            threshold=float(parameters["threshold"]),
            quarters=int(parameters["quarters"]),
        )
    if kind == NO_COMMITMENT_PROGRESS:
        by = parameters.get("by")
        days = parameters.get("days_after_start")
        return NoCommitmentProgress(
            by=dt.date.fromisoformat(by) if by else None,
            days_after_start=int(days) if days not in (None, "") else None,
        )
    if kind == ACTIONS_OVERDUE:
        return ActionsOverdue(
            days=int(parameters["days"]), at_least=int(parameters.get("at_least") or 1)
        )
    raise ValueError(f"unknown trigger kind {kind!r}")


def parameter_problems(kind: str, parameters: Mapping) -> list[tuple[str, str]]:
    """What is wrong with stored parameters, as (parameter, problem code) pairs.

    The codes are translated into sentences by the caller: "unknown", "required",
    "not_a_number", "not_positive", "not_a_date", "one_of_by_or_days".
    """
    problems: list[tuple[str, str]] = []

    def positive_int(name: str, *, required: bool = True) -> None:
        value = parameters.get(name)
        if value in (None, ""):
            if required:
                problems.append((name, "required"))
            return
        try:
            number = int(value)
        except (TypeError, ValueError):
            problems.append((name, "not_a_number"))
            return
        if number < 1 or str(number) != str(value).strip():
            problems.append((name, "not_positive"))

    if kind == INDICATOR_RUN:
        if parameters.get("indicator") not in INDICATORS:
            problems.append(("indicator", "unknown"))
        if parameters.get("operator") not in OPERATORS:
            problems.append(("operator", "unknown"))
        threshold = parameters.get("threshold")
        if threshold in (None, ""):
            problems.append(("threshold", "required"))
        else:
            try:
                float(threshold)
            except (TypeError, ValueError):
                problems.append(("threshold", "not_a_number"))
        positive_int("quarters")
    elif kind == NO_COMMITMENT_PROGRESS:
        by, days = parameters.get("by"), parameters.get("days_after_start")
        if (by in (None, "")) == (days in (None, "")):
            problems.append(("by", "one_of_by_or_days"))
        elif by not in (None, ""):
            try:
                dt.date.fromisoformat(str(by))
            except ValueError:
                problems.append(("by", "not_a_date"))
        else:
            positive_int("days_after_start")
    elif kind == ACTIONS_OVERDUE:
        positive_int("days")
        positive_int("at_least", required=False)
    else:
        problems.append(("kind", "unknown"))
    return problems


# Plan facts ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ActionFact:
    id: int
    title: str
    due_on: dt.date
    closed_on: dt.date | None = None  # completed or cancelled on; None while open


@dataclass(frozen=True)
class CommitmentChange:
    commitment_id: int
    title: str
    status: str
    changed_on: dt.date
    previous_status: str | None = None  # None for the commitment's first recorded status


@dataclass(frozen=True)
class PlanFacts:
    starts_on: dt.date | None = None
    actions: tuple[ActionFact, ...] = ()
    commitment_changes: tuple[CommitmentChange, ...] = ()


@dataclass(frozen=True)
class Finding:
    """Whether a condition holds on `as_of`, with the figures that decided it (JSON-ready)."""

    kind: str
    holds: bool
    parameters: dict
    figures: list[dict]
    as_of: str
    note: str = ""  # a problem code when the condition could not be evaluated

    def as_json(self) -> dict:
        return asdict(self)


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def _parameters(condition: Condition) -> dict:
    values = asdict(condition)
    values.pop("kind")
    return {k: (_iso(v) if isinstance(v, dt.date) else v) for k, v in values.items()}


def evaluate_indicator_run(
    condition: IndicatorRun, *, as_of: dt.date, series: Sequence[Mapping]
) -> Finding:
    """Holds when each of the last N complete quarters before `as_of` is beyond the threshold.

    A quarter counts once it has ended on or before `as_of`. A quarter whose value is null
    (no data: the rate's denominator was 0), or that is missing from the series, breaks the
    run: the evidence must be there for every one of the N quarters.
    """
    compare = OPERATORS[condition.operator]
    by_quarter = {row["quarter"]: row for row in series}
    label = last_complete_quarter(as_of)
    figures: list[dict] = []
    holds = True
    for _ in range(condition.quarters):
        row = by_quarter.get(label)
        value = row.get(condition.indicator) if row is not None else None
        beyond = value is not None and compare(value, condition.threshold)
        figures.append({"quarter": label, "value": value, "beyond": beyond})
        holds = holds and beyond
        label = previous_quarter(label)
    figures.reverse()  # oldest first, as the series reads
    return Finding(
        kind=condition.kind,
        holds=holds,
        parameters=_parameters(condition),
        figures=figures,
        as_of=as_of.isoformat(),
    )


def evaluate_actions_overdue(
    condition: ActionsOverdue, *, as_of: dt.date, actions: Iterable[ActionFact]
) -> Finding:
    """Holds when at least `at_least` actions open on `as_of` are `days` or more days late.

    An action is open on `as_of` if it was not closed (completed or cancelled) on or before
    that day; days late = as_of - due date.
    """
    late = []
    for action in sorted(actions, key=lambda a: (a.due_on, a.id)):
        if action.closed_on is not None and action.closed_on <= as_of:
            continue
        days_late = (as_of - action.due_on).days
        if days_late >= condition.days:
            late.append(
                {
                    "action": action.id,
                    "title": action.title,
                    "due_on": action.due_on.isoformat(),
                    "days_overdue": days_late,
                }
            )
    return Finding(
        kind=condition.kind,
        holds=len(late) >= condition.at_least,
        parameters=_parameters(condition),
        figures=late,
        as_of=as_of.isoformat(),
    )


def is_progress(change: CommitmentChange) -> bool:
    """A change to a status further along than the one before (a first status beyond
    not started counts; lapsing never does)."""
    before = COMMITMENT_RANK.get(change.previous_status or "not_started", 0)
    return COMMITMENT_RANK.get(change.status, -1) > before


def evaluate_no_commitment_progress(
    condition: NoCommitmentProgress, *, as_of: dt.date, facts: PlanFacts
) -> Finding:
    """Holds when the deadline has come (`as_of` >= deadline) and no commitment of the plan has
    moved forward between the plan's start and `as_of`.

    The deadline is `by`, or the plan's start plus `days_after_start` days; a plan that has not
    started has no relative deadline, so the condition does not hold ("no_start").
    """
    deadline = condition.by
    if deadline is None:
        if facts.starts_on is None:
            return Finding(
                kind=condition.kind,
                holds=False,
                parameters=_parameters(condition),
                figures=[],
                as_of=as_of.isoformat(),
                note="no_start",
            )
        deadline = facts.starts_on + dt.timedelta(days=condition.days_after_start or 0)
    since = facts.starts_on or dt.date.min
    known = [c for c in facts.commitment_changes if c.changed_on <= as_of]
    progress = [c for c in known if since <= c.changed_on and is_progress(c)]
    latest: dict[int, CommitmentChange] = {}
    for change in sorted(known, key=lambda c: (c.changed_on, c.commitment_id)):
        latest[change.commitment_id] = change
    figures = [
        {
            "commitment": change.commitment_id,
            "title": change.title,
            "status": change.status,
            "since": change.changed_on.isoformat(),
        }
        for change in sorted(latest.values(), key=lambda c: c.commitment_id)
    ]
    return Finding(
        kind=condition.kind,
        holds=as_of >= deadline and not progress,
        parameters={**_parameters(condition), "deadline": deadline.isoformat()},
        figures=figures,
        as_of=as_of.isoformat(),
        note="" if facts.starts_on else "no_start",
    )


def evaluate(
    condition: Condition,
    *,
    as_of: dt.date,
    series: Sequence[Mapping] | None,
    facts: PlanFacts,
) -> Finding:
    """Evaluate any condition; `series` None means the indicators are not available."""
    if isinstance(condition, IndicatorRun):
        if series is None:
            return Finding(
                kind=condition.kind,
                holds=False,
                parameters=_parameters(condition),
                figures=[],
                as_of=as_of.isoformat(),
                note="no_series",
            )
        return evaluate_indicator_run(condition, as_of=as_of, series=series)
    if isinstance(condition, ActionsOverdue):
        return evaluate_actions_overdue(condition, as_of=as_of, actions=facts.actions)
    return evaluate_no_commitment_progress(condition, as_of=as_of, facts=facts)
