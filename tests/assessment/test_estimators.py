"""The statistics of methodology readmit-2026.1, checked against hand computation and against
a slow reference written straight from the contract's words (one request at a time, exact
fractions)."""

import datetime as dt
import itertools
import math
import statistics
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from readmit.assessment.estimators import (
    REQUEST_STATE_CODES,
    Cause,
    RequestState,
    aggregate_return_rate,
    cumulative_incidence,
    kaplan_meier_median,
    lies_within,
    period_bounds,
    quarter_bounds,
    travel_document_indicators,
    trend_quarters,
    weighted_median,
    wilson_interval,
)

ISSUED, REFUSED, WITHDRAWN, PENDING = (
    RequestState.ISSUED,
    RequestState.REFUSED,
    RequestState.WITHDRAWN,
    RequestState.PENDING,
)


def columns(rows):
    """(group, t, code, count) rows -> four numpy columns."""
    if not rows:
        return tuple(np.zeros(0, dtype=np.int64) for _ in range(4))
    return tuple(np.array(column, dtype=np.int64) for column in zip(*rows, strict=True))


def median_of(rows, n_groups=1):
    """kaplan_meier_median over (group, t, is_issued, count) rows."""
    group, t, is_event, count = columns(rows)
    return kaplan_meier_median(group, t, is_event, count, n_groups)


def incidence_of(rows, n_groups=1, horizon_days=30):
    """cumulative_incidence over (group, t, cause, count) rows."""
    group, t, cause, count = columns(rows)
    return cumulative_incidence(group, t, cause, count, n_groups, horizon_days)


def indicators_of(rows, n_groups):
    group, t, state, count = columns(rows)
    return travel_document_indicators(group, t, state, count, n_groups)


# ---------------------------------------------------------------------------
# The reference: one request at a time, in the contract's words, in exact fractions.


def requests_of(rows):
    """Expand a histogram into individual requests (group, t, state)."""
    return [(group, t, state) for group, t, state, count in rows for _ in range(count)]


def reference_median_days_to_issue(requests):
    """The smallest t at which S(t) = prod (1 - d_i / n_i) <= 1/2; None if never or no R."""
    survival = Fraction(1)
    for time in sorted({t for t, _ in requests}):
        at_risk = sum(1 for t, _ in requests if t >= time)
        issued = sum(1 for t, state in requests if t == time and state == ISSUED)
        survival *= 1 - Fraction(issued, at_risk)
        if survival <= Fraction(1, 2):
            return time
    return None


def reference_issued_within(requests, horizon_days=30):
    """Aalen-Johansen: sum over event times t_j <= h of S(t_j-) * d1_j / n_j."""
    if not requests:
        return None
    survival, incidence = Fraction(1), Fraction(0)
    for time in sorted({t for t, _ in requests}):
        at_risk = sum(1 for t, _ in requests if t >= time)
        issued = sum(1 for t, state in requests if t == time and state == ISSUED)
        decided = sum(1 for t, state in requests if t == time and state in (ISSUED, REFUSED))
        if time <= horizon_days:
            incidence += survival * Fraction(issued, at_risk)
        survival *= 1 - Fraction(decided, at_risk)
    return float(incidence)


def reference_wilson(successes, trials, z=1.959964):
    p = successes / trials
    centre = (p + z**2 / (2 * trials)) / (1 + z**2 / trials)
    half = z / (1 + z**2 / trials) * math.sqrt(p * (1 - p) / trials + z**2 / (4 * trials**2))
    return max(centre - half, 0.0), min(centre + half, 1.0)


def reference_indicators(requests):
    """The contract's table for one country's requests [(t, state), ...]."""
    states = [state for _, state in requests]
    issued, refused = states.count(ISSUED), states.count(REFUSED)
    withdrawn, pending = states.count(WITHDRAWN), states.count(PENDING)
    eligible = len(requests) - withdrawn
    overdue = sum(1 for t, state in requests if state == PENDING and t > 30)
    has_eligible = eligible > 0
    return {
        "requests": len(requests),
        "issued": issued,
        "refused": refused,
        "withdrawn": withdrawn,
        "pending": pending,
        "eligible": eligible,
        "issuance_rate": issued / eligible if has_eligible else None,
        "issuance_rate_ci": list(reference_wilson(issued, eligible)) if has_eligible else None,
        "refusal_rate": refused / eligible if has_eligible else None,
        "median_days_to_issue": reference_median_days_to_issue(requests),
        "issued_within_30d": reference_issued_within(requests),
        "overdue_pending": overdue,
        "overdue_share": overdue / eligible if has_eligible else None,
    }


def assert_same_figures(computed, expected):
    assert computed.keys() == expected.keys()
    for key, value in expected.items():
        if value is None or isinstance(value, int):
            assert computed[key] == value, key
        else:
            assert computed[key] == pytest.approx(value, rel=1e-12, abs=1e-12), key


histogram_rows = st.lists(
    st.tuples(
        st.integers(0, 3),
        st.one_of(st.integers(0, 4), st.integers(0, 45)),
        st.sampled_from(list(RequestState)),
        st.integers(0, 4),
    ),
    max_size=25,
)


# ---------------------------------------------------------------------------
# Wilson interval


def test_wilson_interval_of_8_out_of_10_matches_hand_computation():
    # p = 0.8, z^2 = 3.841459, z^2/n = 0.3841459, denominator 1 + z^2/n = 1.3841459
    # centre = (0.8 + 0.1920729) / 1.3841459 = 0.716740
    # half = 1.959964 / 1.3841459 * sqrt(0.8 * 0.2 / 10 + 3.841459 / 400)
    #      = 1.416015 * sqrt(0.016 + 0.0096036) = 1.416015 * 0.160011 = 0.226578
    # -> [0.4902, 0.9433]
    low, high = wilson_interval([8], [10])
    assert low[0] == pytest.approx(0.4902, abs=5e-5)
    assert high[0] == pytest.approx(0.9433, abs=5e-5)


def test_wilson_interval_of_no_success_starts_at_zero():
    # p = 0: centre = half = (z^2/2n) / (1 + z^2/n) = 0.1920729 / 1.3841459 = 0.138768
    # -> [0, 0.277535]
    low, high = wilson_interval([0], [10])
    assert low[0] == 0.0
    assert high[0] == pytest.approx(0.3841459 / 1.3841459, rel=1e-6)


def test_wilson_interval_of_all_successes_ends_at_one():
    # by symmetry with 0 out of 10: [1 - 0.277535, 1]
    low, high = wilson_interval([10], [10])
    assert low[0] == pytest.approx(1 - 0.3841459 / 1.3841459, rel=1e-6)
    assert high[0] == 1.0


def test_wilson_interval_is_null_without_trials():
    low, high = wilson_interval([0, 3], [0, 4])
    assert np.isnan(low[0])
    assert np.isnan(high[0])
    assert not np.isnan(low[1])


def test_wilson_interval_is_vectorised_over_countries():
    successes, trials = [1, 8, 45], [3, 10, 50]
    low, high = wilson_interval(successes, trials)
    for index, (k, n) in enumerate(zip(successes, trials, strict=True)):
        assert (low[index], high[index]) == pytest.approx(reference_wilson(k, n), rel=1e-12)


# ---------------------------------------------------------------------------
# Kaplan-Meier median time to issuance


def test_median_with_issued_and_refused_tied_at_the_same_day():
    # t=5: 2 issued, 1 refused; t=10: 1 issued; t=12: 1 withdrawn. N = 5.
    # t=5:  n = 5, d = 2 -> S = 3/5 = 0.6 (refused censored at 5, still at risk at 5)
    # t=10: n = 2, d = 1 -> S = 0.6 * 1/2 = 0.3 <= 0.5 -> median 10
    rows = [(0, 5, 1, 2), (0, 5, 0, 1), (0, 10, 1, 1), (0, 12, 0, 1)]
    assert median_of(rows)[0] == 10


def test_median_counts_issuance_on_the_day_of_the_request():
    # t=0: 3 issued out of n = 4 -> S = 1/4 -> median 0
    rows = [(0, 0, 1, 3), (0, 40, 0, 1)]
    assert median_of(rows)[0] == 0


def test_median_is_null_when_everything_is_censored():
    rows = [(0, 3, 0, 2), (0, 50, 0, 5)]
    assert np.isnan(median_of(rows)[0])


def test_median_is_null_when_survival_never_reaches_one_half():
    # t=1: n = 3, d = 1 -> S = 2/3; the two others stay pending -> never <= 0.5
    rows = [(0, 1, 1, 1), (0, 60, 0, 2)]
    assert np.isnan(median_of(rows)[0])


def test_median_is_reached_when_survival_is_exactly_one_half():
    # t=4: n = 4, d = 2 -> S = 1/2, and 1/2 <= 0.5 -> median 4
    rows = [(0, 4, 1, 2), (0, 60, 0, 2)]
    assert median_of(rows)[0] == 4


def test_median_at_exactly_one_half_despite_float_rounding():
    # N = 12. t=1: n = 12, d = 2 -> S = 10/12 = 5/6
    #         t=2: n = 10, d = 2 -> S = 5/6 * 8/10 = 2/3
    #         t=3: n = 8 (2 issued + 2 withdrawn at 3, 4 pending) -> S = 2/3 * 6/8 = 1/2
    # The float product comes out a hair above 0.5; the exact check settles it: median 3.
    rows = [(0, 1, 1, 2), (0, 2, 1, 2), (0, 3, 1, 2), (0, 3, 0, 2), (0, 100, 0, 4)]
    assert median_of(rows)[0] == 3


def test_median_keeps_requests_censored_at_t_in_the_risk_set_at_t():
    # t=5: 1 issued, 1 withdrawn at 5, 1 pending at 50: n = 3, d = 1 -> S = 2/3, never <= 0.5.
    # (Removing the withdrawn request first would give n = 2, S = 1/2 and a median of 5.)
    rows = [(0, 5, 1, 1), (0, 5, 0, 1), (0, 50, 0, 1)]
    assert np.isnan(median_of(rows)[0])


def test_median_of_a_single_issued_request_is_its_time():
    assert median_of([(0, 7, 1, 1)])[0] == 7


def test_median_of_a_single_refused_request_is_null():
    assert np.isnan(median_of([(0, 7, 0, 1)])[0])


def test_median_of_an_empty_group_is_null():
    medians = median_of([(1, 7, 1, 1)], n_groups=3)
    assert np.isnan(medians[0])
    assert medians[1] == 7
    assert np.isnan(medians[2])


def test_median_of_no_rows_at_all_is_null_for_every_group():
    assert np.isnan(median_of([], n_groups=2)).all()


# ---------------------------------------------------------------------------
# Aalen-Johansen cumulative incidence of issuance


TIES = [(0, 5, 1, 2), (0, 5, 2, 1), (0, 10, 1, 1), (0, 12, 0, 1)]


def test_incidence_with_issued_and_refused_tied_at_the_same_day():
    # t=5:  S(5-) = 1, n = 5, d1 = 2 -> + 2/5; all-cause d = 3 -> S = 2/5
    # t=10: S(10-) = 2/5, n = 2, d1 = 1 -> + 2/5 * 1/2 = 1/5
    # t=12: withdrawn, censored. CIF(30) = 2/5 + 1/5 = 3/5
    assert incidence_of(TIES)[0] == pytest.approx(0.6, rel=1e-12)


def test_incidence_horizon_is_inclusive():
    # by day 9 only the t=5 issuances count: 2/5; by day 10 the t=10 one too: 3/5
    assert incidence_of(TIES, horizon_days=9)[0] == pytest.approx(0.4, rel=1e-12)
    assert incidence_of(TIES, horizon_days=10)[0] == pytest.approx(0.6, rel=1e-12)


def test_incidence_counts_decisions_on_the_day_of_the_request():
    # t=0: n = 4, 1 issued, 1 refused -> + 1/4; the two pending never count. CIF = 1/4
    rows = [(0, 0, 1, 1), (0, 0, 2, 1), (0, 40, 0, 2)]
    assert incidence_of(rows)[0] == pytest.approx(0.25, rel=1e-12)


def test_incidence_keeps_censored_requests_in_the_risk_set():
    # t=2:  n = 4 (1 withdrawn, 1 issued at 2; issued at 10; refused at 20), d1 = 1 -> + 1/4;
    #       all-cause d = 1 -> S = 3/4
    # t=10: n = 2, d1 = 1 -> + 3/4 * 1/2 = 3/8. CIF = 1/4 + 3/8 = 5/8
    rows = [(0, 2, 0, 1), (0, 2, 1, 1), (0, 10, 1, 1), (0, 20, 2, 1)]
    assert incidence_of(rows)[0] == pytest.approx(0.625, rel=1e-12)


def test_incidence_is_zero_when_everything_is_censored():
    assert incidence_of([(0, 3, 0, 2), (0, 50, 0, 5)])[0] == 0.0


def test_incidence_is_zero_when_only_the_competing_event_happens():
    assert incidence_of([(0, 3, 2, 4)])[0] == 0.0


def test_incidence_of_a_single_request_issued_on_the_horizon_is_one():
    assert incidence_of([(0, 30, 1, 1)])[0] == 1.0


def test_incidence_of_a_single_request_issued_after_the_horizon_is_zero():
    assert incidence_of([(0, 31, 1, 1)])[0] == 0.0


def test_incidence_of_an_empty_group_is_null():
    incidences = incidence_of([(1, 3, 1, 1)], n_groups=2)
    assert np.isnan(incidences[0])
    assert incidences[1] == 1.0


def test_incidence_refuses_an_unknown_cause_code():
    with pytest.raises(ValueError, match="Cause codes"):
        incidence_of([(0, 3, 3, 1)])


# ---------------------------------------------------------------------------
# The travel-document indicators together


def test_indicators_of_three_countries_match_hand_computation():
    rows = [
        # country 0: 2 issued at 5, 1 refused at 5, 1 issued at 10, 1 withdrawn at 12,
        # pending at D for 30 days (not overdue) and 31 days (overdue)
        (0, 5, ISSUED, 2),
        (0, 5, REFUSED, 1),
        (0, 10, ISSUED, 1),
        (0, 12, WITHDRAWN, 1),
        (0, 30, PENDING, 1),
        (0, 31, PENDING, 1),
        # country 2: everything withdrawn
        (2, 4, WITHDRAWN, 2),
    ]
    figures = indicators_of(rows, n_groups=3)
    # country 0: requests 7, eligible 7 - 1 = 6
    # KM: t=5 n=7 d=2 -> 5/7; t=10 n=4 d=1 -> 5/7 * 3/4 = 15/28 = 0.536; never <= 0.5
    # AJ: t=5 + 2/7, S = 4/7; t=10 + 4/7 * 1/4 = 1/7 -> 3/7
    assert figures.for_country(0) == {
        "requests": 7,
        "issued": 3,
        "refused": 1,
        "withdrawn": 1,
        "pending": 2,
        "eligible": 6,
        "issuance_rate": 0.5,
        "issuance_rate_ci": pytest.approx(list(reference_wilson(3, 6)), rel=1e-12),
        "refusal_rate": pytest.approx(1 / 6, rel=1e-12),
        "median_days_to_issue": None,
        "issued_within_30d": pytest.approx(3 / 7, rel=1e-12),
        "overdue_pending": 1,
        "overdue_share": pytest.approx(1 / 6, rel=1e-12),
    }
    # country 1: no request at all
    assert figures.for_country(1) == {
        "requests": 0,
        "issued": 0,
        "refused": 0,
        "withdrawn": 0,
        "pending": 0,
        "eligible": 0,
        "issuance_rate": None,
        "issuance_rate_ci": None,
        "refusal_rate": None,
        "median_days_to_issue": None,
        "issued_within_30d": None,
        "overdue_pending": 0,
        "overdue_share": None,
    }
    # country 2: R is not empty, so the incidence is 0, but every rate over eligible is null
    country_2 = figures.for_country(2)
    assert country_2["eligible"] == 0
    assert country_2["issuance_rate"] is None
    assert country_2["issuance_rate_ci"] is None
    assert country_2["issued_within_30d"] == 0.0
    assert country_2["overdue_share"] is None


def test_indicator_arrays_hold_nan_for_null_and_integers_for_counts():
    figures = indicators_of([(1, 3, ISSUED, 1)], n_groups=2)
    assert figures.requests.dtype == np.int64
    assert figures.requests.tolist() == [0, 1]
    assert np.isnan(figures.issuance_rate[0])
    assert figures.issuance_rate[1] == 1.0
    assert figures.median_days_to_issue[1] == 3


def test_state_codes_are_named_as_in_the_contract():
    assert REQUEST_STATE_CODES == {"issued": 1, "refused": 2, "withdrawn": 3, "pending": 4}
    assert (int(Cause.CENSORED), int(Cause.ISSUED), int(Cause.REFUSED)) == (0, 1, 2)


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([(0, -1, ISSUED, 1)], "Times"),
        ([(2, 1, ISSUED, 1)], "group index"),
        ([(0, 1, 0, 1)], "State codes"),
        ([(0, 1, 5, 1)], "State codes"),
        ([(0, 1, ISSUED, -1)], "Counts"),
    ],
)
def test_indicators_refuse_a_malformed_histogram(rows, message):
    with pytest.raises(ValueError, match=message):
        indicators_of(rows, n_groups=2)


def test_indicators_refuse_fractional_days():
    with pytest.raises(ValueError, match="integers"):
        travel_document_indicators([0], [1.5], [ISSUED], [1], 1)


def test_indicators_refuse_columns_of_different_lengths():
    with pytest.raises(ValueError, match="same length"):
        travel_document_indicators([0, 0], [1], [ISSUED], [1], 1)


@settings(max_examples=300, deadline=None)
@given(histogram_rows)
def test_indicators_match_the_request_by_request_reference(rows):
    figures = indicators_of(rows, n_groups=4)
    requests = requests_of(rows)
    for group in range(4):
        own = [(t, state) for g, t, state in requests if g == group]
        assert_same_figures(figures.for_country(group), reference_indicators(own))


@settings(max_examples=200, deadline=None)
@given(histogram_rows)
def test_a_row_of_count_k_equals_k_rows_of_count_1(rows):
    weighted = indicators_of(rows, n_groups=4)
    unweighted = indicators_of([(g, t, s, 1) for g, t, s in requests_of(rows)], n_groups=4)
    for name, values in vars(weighted).items():
        np.testing.assert_array_equal(values, getattr(unweighted, name), err_msg=name)


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_indicators_do_not_depend_on_row_order(data):
    rows = data.draw(histogram_rows)
    shuffled = data.draw(st.permutations(rows))
    original, reordered = indicators_of(rows, n_groups=4), indicators_of(shuffled, n_groups=4)
    for name, values in vars(original).items():
        np.testing.assert_array_equal(values, getattr(reordered, name), err_msg=name)


# ---------------------------------------------------------------------------
# Weighted median (td_backlog_median_age_days)


def test_weighted_median_of_an_odd_number_of_cases_is_the_middle_one():
    # ages 3, 5, 5, 9 and 40 -> middle (3rd of 5) is 5
    medians = weighted_median([0, 0, 0, 0], [9, 5, 40, 3], [1, 2, 1, 1], 1)
    assert medians[0] == 5


def test_weighted_median_of_an_even_number_of_cases_is_the_mean_of_the_middle_two():
    # ages 1, 1, 2, 9 -> (1 + 2) / 2 = 1.5
    medians = weighted_median([0, 0, 0], [1, 2, 9], [2, 1, 1], 1)
    assert medians[0] == 1.5


def test_weighted_median_is_null_for_a_country_without_backlog():
    medians = weighted_median([1, 1, 1], [4, 8, 8], [1, 0, 1], 3)
    assert np.isnan(medians[0])
    assert medians[1] == 6  # the row of count 0 is no case: ages 4 and 8
    assert np.isnan(medians[2])


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 2), st.integers(0, 400), st.integers(0, 3)),
        max_size=20,
    )
)
def test_weighted_median_matches_the_median_of_the_expanded_ages(rows):
    group, age, count = columns(rows) if rows else columns([])[:3]
    medians = weighted_median(group, age, count, 3)
    for country in range(3):
        ages = [a for g, a, c in rows if g == country for _ in range(c)]
        if ages:
            assert medians[country] == statistics.median(ages)
        else:
            assert np.isnan(medians[country])


# ---------------------------------------------------------------------------
# return_rate from aggregates


def test_aggregate_return_rate_takes_the_first_source_in_alphabetical_order():
    rows = [
        ("Ministry", "orders", 100),
        ("Ministry", "returns", 10),
        ("eurostat", "orders", 40),
        ("eurostat", "returns", 10),
        ("eurostat", "orders", 60),
    ]
    # eurostat before Ministry ignoring case: (10) / (40 + 60) = 0.1
    assert aggregate_return_rate(rows) == (0.1, "eurostat")


def test_aggregate_return_rate_skips_sources_without_orders():
    rows = [
        ("Alpha", "orders", 0),
        ("Alpha", "returns", 5),
        ("Beta", "returns", 9),
        ("Gamma", "orders", 20),
        ("Gamma", "returns", 5),
        ("Gamma", "td_issued", 7),
    ]
    assert aggregate_return_rate(rows) == (0.25, "Gamma")


def test_aggregate_return_rate_of_a_source_without_returns_is_zero():
    assert aggregate_return_rate([("Beta", "orders", 8)]) == (0.0, "Beta")


def test_aggregate_return_rate_is_null_without_orders():
    assert aggregate_return_rate([("Beta", "returns", 8)]) == (None, None)
    assert aggregate_return_rate([]) == (None, None)


# ---------------------------------------------------------------------------
# Periods and quarters


@pytest.mark.parametrize(
    ("period", "first_day", "last_day"),
    [
        ("2019", dt.date(2019, 1, 1), dt.date(2019, 12, 31)),
        ("2019-Q1", dt.date(2019, 1, 1), dt.date(2019, 3, 31)),
        ("2019-Q4", dt.date(2019, 10, 1), dt.date(2019, 12, 31)),
        ("2020-02", dt.date(2020, 2, 1), dt.date(2020, 2, 29)),
        ("2019-02", dt.date(2019, 2, 1), dt.date(2019, 2, 28)),
        ("2019-12", dt.date(2019, 12, 1), dt.date(2019, 12, 31)),
    ],
)
def test_period_bounds(period, first_day, last_day):
    assert period_bounds(period) == (first_day, last_day)


@pytest.mark.parametrize("period", ["19", "2019-Q5", "2019-Q0", "2019-13", "2019-1", "2019 "])
def test_period_bounds_refuse_a_malformed_period(period):
    with pytest.raises(ValueError, match="YYYY, YYYY-Qn or YYYY-MM"):
        period_bounds(period)


def test_a_period_lies_within_a_window_that_includes_both_its_ends():
    assert lies_within("2019-Q2", dt.date(2019, 4, 1), dt.date(2019, 6, 30))
    assert lies_within("2019", dt.date(2019, 1, 1), dt.date(2019, 12, 31))


def test_a_period_straddling_the_window_does_not_lie_within_it():
    assert not lies_within("2019-Q2", dt.date(2019, 4, 2), dt.date(2019, 12, 31))
    assert not lies_within("2019", dt.date(2019, 1, 1), dt.date(2019, 12, 30))


def test_trend_quarters_are_the_last_twelve_ending_with_the_one_holding_as_of():
    quarters = trend_quarters(dt.date(2020, 2, 15))
    assert len(quarters) == 12
    assert quarters[0] == (dt.date(2017, 4, 1), dt.date(2017, 6, 30))
    assert quarters[-1] == (dt.date(2020, 1, 1), dt.date(2020, 3, 31))
    for (_, end), (start, _) in itertools.pairwise(quarters):
        assert start == end + dt.timedelta(days=1)


@pytest.mark.parametrize("as_of", [dt.date(2019, 10, 1), dt.date(2019, 12, 31)])
def test_trend_quarters_end_with_the_quarter_of_as_of_at_its_edges(as_of):
    assert trend_quarters(as_of)[-1] == (dt.date(2019, 10, 1), dt.date(2019, 12, 31))
    assert quarter_bounds(as_of) == (dt.date(2019, 10, 1), dt.date(2019, 12, 31))
