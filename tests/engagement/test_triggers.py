"""Trigger conditions over hand-made series and plan facts: they fire exactly when they hold."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from readmit.engagement import triggers
from readmit.engagement.triggers import (
    ActionFact,
    ActionsOverdue,
    CommitmentChange,
    IndicatorRun,
    NoCommitmentProgress,
    PlanFacts,
)

AS_OF = dt.date(2024, 10, 15)  # last complete quarter: 2024-Q3


def series(values_by_quarter: dict[str, float | None]) -> list[dict]:
    rows = []
    for label, value in values_by_quarter.items():
        first, last = triggers.quarter_bounds(label)
        rows.append({"quarter": label, "from": first, "to": last, "issuance_rate": value})
    return rows


def run(quarters=3, operator="<", threshold=0.5):
    return IndicatorRun(
        indicator="issuance_rate", operator=operator, threshold=threshold, quarters=quarters
    )


# Quarters --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "label"),
    [
        (dt.date(2024, 1, 1), "2024-Q1"),
        (dt.date(2024, 3, 31), "2024-Q1"),
        (dt.date(2024, 4, 1), "2024-Q2"),
        (dt.date(2024, 12, 31), "2024-Q4"),
    ],
)
def test_quarter_label(day, label):
    assert triggers.quarter_label(day) == label


def test_quarter_bounds_and_previous_quarter():
    assert triggers.quarter_bounds("2024-Q1") == (dt.date(2024, 1, 1), dt.date(2024, 3, 31))
    assert triggers.quarter_bounds("2024-Q4") == (dt.date(2024, 10, 1), dt.date(2024, 12, 31))
    assert triggers.previous_quarter("2024-Q1") == "2023-Q4"


def test_the_last_complete_quarter_is_the_current_one_only_on_its_last_day():
    assert triggers.last_complete_quarter(dt.date(2024, 9, 29)) == "2024-Q2"
    assert triggers.last_complete_quarter(dt.date(2024, 9, 30)) == "2024-Q3"
    assert triggers.last_complete_quarter(dt.date(2024, 10, 1)) == "2024-Q3"


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2200, 12, 31)))
def test_every_day_lies_in_its_quarter(day):
    first, last = triggers.quarter_bounds(triggers.quarter_label(day))
    assert first <= day <= last
    assert triggers.quarter_label(first - dt.timedelta(days=1)) == triggers.previous_quarter(
        triggers.quarter_label(day)
    )


# Indicator beyond a threshold for N consecutive quarters ---------------------------------


def test_fires_when_exactly_the_last_n_quarters_are_beyond():
    data = series({"2023-Q4": 0.9, "2024-Q1": 0.4, "2024-Q2": 0.3, "2024-Q3": 0.45})
    finding = triggers.evaluate_indicator_run(run(3), as_of=AS_OF, series=data)
    assert finding.holds
    assert [(f["quarter"], f["value"]) for f in finding.figures] == [
        ("2024-Q1", 0.4),
        ("2024-Q2", 0.3),
        ("2024-Q3", 0.45),
    ]


def test_does_not_fire_after_n_minus_one_quarters():
    data = series({"2024-Q1": 0.6, "2024-Q2": 0.3, "2024-Q3": 0.45})
    assert not triggers.evaluate_indicator_run(run(3), as_of=AS_OF, series=data).holds


def test_a_gap_inside_the_run_breaks_it():
    data = series({"2024-Q1": 0.4, "2024-Q2": 0.55, "2024-Q3": 0.45})
    finding = triggers.evaluate_indicator_run(run(3), as_of=AS_OF, series=data)
    assert not finding.holds
    assert [f["beyond"] for f in finding.figures] == [True, False, True]


def test_a_null_quarter_breaks_the_run():
    data = series({"2024-Q1": 0.4, "2024-Q2": None, "2024-Q3": 0.45})
    assert not triggers.evaluate_indicator_run(run(3), as_of=AS_OF, series=data).holds


def test_a_quarter_missing_from_the_series_breaks_the_run():
    data = series({"2024-Q1": 0.4, "2024-Q3": 0.45})
    finding = triggers.evaluate_indicator_run(run(3), as_of=AS_OF, series=data)
    assert not finding.holds
    assert finding.figures[1] == {"quarter": "2024-Q2", "value": None, "beyond": False}


def test_an_old_run_that_has_ended_does_not_fire():
    data = series({"2023-Q4": 0.1, "2024-Q1": 0.1, "2024-Q2": 0.1, "2024-Q3": 0.8})
    assert not triggers.evaluate_indicator_run(run(3), as_of=AS_OF, series=data).holds


def test_the_quarter_in_progress_does_not_count():
    # On 2024-10-15 the fourth quarter has only begun: its low value is not evidence yet.
    data = series({"2024-Q2": 0.9, "2024-Q3": 0.9, "2024-Q4": 0.0})
    assert not triggers.evaluate_indicator_run(run(1), as_of=AS_OF, series=data).holds
    assert triggers.evaluate_indicator_run(run(1), as_of=dt.date(2024, 12, 31), series=data).holds


def test_the_threshold_itself_is_beyond_only_for_inclusive_operators():
    data = series({"2024-Q3": 0.5})
    assert not triggers.evaluate_indicator_run(run(1, "<"), as_of=AS_OF, series=data).holds
    assert triggers.evaluate_indicator_run(run(1, "<="), as_of=AS_OF, series=data).holds
    assert not triggers.evaluate_indicator_run(run(1, ">"), as_of=AS_OF, series=data).holds
    assert triggers.evaluate_indicator_run(run(1, ">="), as_of=AS_OF, series=data).holds


def test_counts_are_compared_as_numbers():
    data = [{"quarter": "2024-Q3", "td_backlog": 120}]
    condition = IndicatorRun(indicator="td_backlog", operator=">", threshold=100, quarters=1)
    assert triggers.evaluate_indicator_run(condition, as_of=AS_OF, series=data).holds


@given(
    st.lists(st.one_of(st.none(), st.floats(0, 1)), min_size=1, max_size=12),
    st.integers(1, 12),
)
def test_holds_exactly_when_each_of_the_last_n_values_is_below(values, quarters):
    labels, label = [], "2024-Q3"
    for _ in values:
        labels.insert(0, label)
        label = triggers.previous_quarter(label)
    data = series(dict(zip(labels, values, strict=True)))
    last = values[-quarters:] if quarters <= len(values) else None
    expected = last is not None and all(v is not None and v < 0.5 for v in last)
    assert triggers.evaluate_indicator_run(run(quarters), as_of=AS_OF, series=data).holds is (
        expected
    )


# Actions overdue by N days ---------------------------------------------------------------


def action(id_, due, closed=None):
    return ActionFact(id=id_, title=f"Action {id_}", due_on=due, closed_on=closed)


def test_an_action_exactly_n_days_late_fires_and_n_minus_one_does_not():
    due = dt.date(2024, 9, 15)
    late = [action(1, due)]
    condition = ActionsOverdue(days=30)
    assert triggers.evaluate_actions_overdue(
        condition, as_of=due + dt.timedelta(days=30), actions=late
    ).holds
    assert not triggers.evaluate_actions_overdue(
        condition, as_of=due + dt.timedelta(days=29), actions=late
    ).holds


def test_closed_actions_are_not_overdue_but_were_before_they_closed():
    due = dt.date(2024, 1, 1)
    closed = [action(1, due, closed=dt.date(2024, 3, 1))]
    condition = ActionsOverdue(days=30)
    assert not triggers.evaluate_actions_overdue(
        condition, as_of=dt.date(2024, 6, 1), actions=closed
    ).holds
    finding = triggers.evaluate_actions_overdue(
        condition, as_of=dt.date(2024, 2, 15), actions=closed
    )
    assert finding.holds
    assert finding.figures == [
        {"action": 1, "title": "Action 1", "due_on": "2024-01-01", "days_overdue": 45}
    ]


def test_at_least_counts_the_late_actions():
    due = dt.date(2024, 1, 1)
    condition = ActionsOverdue(days=10, at_least=2)
    as_of = dt.date(2024, 2, 1)
    assert not triggers.evaluate_actions_overdue(
        condition, as_of=as_of, actions=[action(1, due), action(2, as_of)]
    ).holds
    assert triggers.evaluate_actions_overdue(
        condition, as_of=as_of, actions=[action(1, due), action(2, due)]
    ).holds


# No commitment progress by a date --------------------------------------------------------

START = dt.date(2024, 1, 1)


def change(status, on, previous=None, commitment=1):
    return CommitmentChange(
        commitment_id=commitment,
        title=f"MOU {commitment}",
        status=status,
        changed_on=on,
        previous_status=previous,
    )


def test_no_progress_fires_on_the_deadline_and_not_the_day_before():
    facts = PlanFacts(
        starts_on=START, commitment_changes=(change("negotiating", dt.date(2023, 6, 1)),)
    )
    condition = NoCommitmentProgress(by=dt.date(2024, 6, 30))
    assert triggers.evaluate_no_commitment_progress(
        condition, as_of=dt.date(2024, 6, 30), facts=facts
    ).holds
    assert not triggers.evaluate_no_commitment_progress(
        condition, as_of=dt.date(2024, 6, 29), facts=facts
    ).holds


def test_progress_since_the_start_stops_it_even_when_it_came_late():
    facts = PlanFacts(
        starts_on=START,
        commitment_changes=(
            change("negotiating", dt.date(2023, 6, 1)),
            change("initialled", dt.date(2024, 8, 1), previous="negotiating"),
        ),
    )
    condition = NoCommitmentProgress(by=dt.date(2024, 6, 30))
    assert triggers.evaluate_no_commitment_progress(
        condition, as_of=dt.date(2024, 7, 31), facts=facts
    ).holds
    assert not triggers.evaluate_no_commitment_progress(
        condition, as_of=dt.date(2024, 8, 1), facts=facts
    ).holds


def test_lapsing_or_progress_before_the_start_is_not_progress():
    facts = PlanFacts(
        starts_on=START,
        commitment_changes=(
            change("signed", dt.date(2023, 12, 31), previous="initialled"),
            change("lapsed", dt.date(2024, 3, 1), previous="signed"),
        ),
    )
    finding = triggers.evaluate_no_commitment_progress(
        NoCommitmentProgress(by=dt.date(2024, 6, 30)), as_of=dt.date(2024, 7, 1), facts=facts
    )
    assert finding.holds
    assert finding.figures == [
        {"commitment": 1, "title": "MOU 1", "status": "lapsed", "since": "2024-03-01"}
    ]


def test_a_new_commitment_already_negotiating_is_progress():
    facts = PlanFacts(
        starts_on=START, commitment_changes=(change("negotiating", dt.date(2024, 2, 1)),)
    )
    assert not triggers.evaluate_no_commitment_progress(
        NoCommitmentProgress(by=dt.date(2024, 6, 30)), as_of=dt.date(2024, 7, 1), facts=facts
    ).holds


def test_the_relative_deadline_counts_from_the_plan_start():
    condition = NoCommitmentProgress(days_after_start=365)
    facts = PlanFacts(starts_on=START)
    assert not triggers.evaluate_no_commitment_progress(
        condition, as_of=dt.date(2024, 12, 30), facts=facts
    ).holds
    finding = triggers.evaluate_no_commitment_progress(
        condition, as_of=dt.date(2024, 12, 31), facts=facts
    )
    assert finding.holds
    assert finding.parameters["deadline"] == "2024-12-31"
    not_started = triggers.evaluate_no_commitment_progress(
        condition, as_of=dt.date(2030, 1, 1), facts=PlanFacts()
    )
    assert not not_started.holds
    assert not_started.note == "no_start"


# Parameters ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "parameters", "problems"),
    [
        (
            "indicator_run",
            {"indicator": "issuance_rate", "operator": "<", "threshold": 0.5, "quarters": 2},
            [],
        ),
        (
            "indicator_run",
            {"indicator": "nonsense", "operator": "~", "threshold": "x", "quarters": 0},
            [
                ("indicator", "unknown"),
                ("operator", "unknown"),
                ("threshold", "not_a_number"),
                ("quarters", "not_positive"),
            ],
        ),
        ("no_commitment_progress", {"by": "2024-06-30"}, []),
        ("no_commitment_progress", {"days_after_start": 365}, []),
        (
            "no_commitment_progress",
            {"by": "2024-06-30", "days_after_start": 365},
            [("by", "one_of_by_or_days")],
        ),
        ("no_commitment_progress", {"by": "30/06/2024"}, [("by", "not_a_date")]),
        ("actions_overdue", {"days": 30}, []),
        ("actions_overdue", {}, [("days", "required")]),
        ("actions_overdue", {"days": 2.5}, [("days", "not_positive")]),
        ("mystery", {}, [("kind", "unknown")]),
    ],
)
def test_parameter_problems(kind, parameters, problems):
    assert triggers.parameter_problems(kind, parameters) == problems


def test_stored_parameters_become_conditions():
    assert triggers.condition_from_parameters(
        "no_commitment_progress", {"by": "2024-06-30"}
    ) == NoCommitmentProgress(by=dt.date(2024, 6, 30))
    assert triggers.condition_from_parameters("actions_overdue", {"days": "30"}) == ActionsOverdue(
        days=30
    )


def test_without_series_an_indicator_condition_is_not_evaluated():
    finding = triggers.evaluate(run(1), as_of=AS_OF, series=None, facts=PlanFacts())
    assert not finding.holds
    assert finding.note == "no_series"
