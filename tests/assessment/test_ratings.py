"""The rules of methodology readmit-2026.1: thresholds, ratings, classification, pattern and
reasons, read as the contract's table and bullet points."""

import dataclasses
import json
import math

import pytest
from django.utils import translation
from django.utils.translation import gettext

from readmit.assessment.estimators import cumulative_incidence
from readmit.assessment.ratings import (
    READMIT_2026_1,
    Reason,
    Thresholds,
    classification,
    pattern,
    ratings,
    reason_sentence,
    reasons,
    verdict,
)
from readmit.assessment.selectors import translated_reasons

NULL_COUNTRY = {
    "eligible": 0,
    "issuance_rate": None,
    "issuance_rate_ci": None,
    "refusal_rate": None,
    "issued_within_30d": None,
    "overdue_share": None,
    "return_rate": None,
}


def country(**figures):
    """A country with every rating green, changed by the given figures."""
    return {
        "eligible": 40,
        "issuance_rate": 0.9,
        "issuance_rate_ci": [0.77, 0.96],
        "refusal_rate": 0.05,
        "issued_within_30d": 0.7,
        "overdue_share": 0.05,
        "return_rate": 0.6,
    } | figures


# ---------------------------------------------------------------------------
# Thresholds


def test_default_thresholds_are_the_contract_table():
    assert READMIT_2026_1.to_dict() == {
        "methodology": "readmit-2026.1",
        "issuance_green": 0.80,
        "issuance_amber": 0.50,
        "timeliness_green": 0.60,
        "timeliness_amber": 0.30,
        "responsiveness_green": 0.10,
        "responsiveness_amber": 0.30,
        "returns_green": 0.50,
        "returns_amber": 0.25,
        "minimum_eligible": 10,
        "timeliness_horizon_days": 30,
        "overdue_after_days": 30,
        "unwilling_refusal_rate": 0.25,
        "unable_refusal_rate": 0.10,
        "unable_issuance_rate": 0.50,
        "confidence_z": 1.959964,
    }


def test_thresholds_survive_a_round_trip_through_json():
    stored = json.loads(json.dumps(READMIT_2026_1.to_dict()))
    assert Thresholds.from_dict(stored) == READMIT_2026_1


def test_thresholds_are_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        READMIT_2026_1.issuance_green = 0.7


def test_stored_thresholds_with_a_missing_field_are_refused():
    stored = READMIT_2026_1.to_dict()
    del stored["returns_amber"]
    with pytest.raises(ValueError, match="missing \\['returns_amber'\\]"):
        Thresholds.from_dict(stored)


def test_stored_thresholds_with_an_unknown_field_are_refused():
    stored = READMIT_2026_1.to_dict() | {"returns_red": 0.1}
    with pytest.raises(ValueError, match="unknown \\['returns_red'\\]"):
        Thresholds.from_dict(stored)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("issuance_green", "0.8"),
        ("minimum_eligible", 9.5),
        ("methodology", 1),
        ("confidence_z", None),
    ],
)
def test_stored_thresholds_of_the_wrong_type_are_refused(field, value):
    stored = READMIT_2026_1.to_dict() | {field: value}
    with pytest.raises(ValueError, match="methodology"):
        Thresholds.from_dict(stored)


# ---------------------------------------------------------------------------
# Ratings: each threshold is inclusive on the side the table says


@pytest.mark.parametrize(
    ("value", "colour"),
    [(1.0, "green"), (0.80, "green"), (0.7999, "amber"), (0.50, "amber"), (0.4999, "red")],
)
def test_issuance_rating_boundaries(value, colour):
    assert ratings(country(issuance_rate=value))["issuance"] == colour


@pytest.mark.parametrize(
    ("value", "colour"),
    [(0.60, "green"), (0.5999, "amber"), (0.30, "amber"), (0.2999, "red"), (0.0, "red")],
)
def test_timeliness_rating_boundaries(value, colour):
    assert ratings(country(issued_within_30d=value))["timeliness"] == colour


@pytest.mark.parametrize(
    ("value", "colour"),
    [(0.0, "green"), (0.10, "green"), (0.1001, "amber"), (0.30, "amber"), (0.3001, "red")],
)
def test_responsiveness_rating_boundaries(value, colour):
    assert ratings(country(overdue_share=value))["responsiveness"] == colour


@pytest.mark.parametrize(
    ("value", "colour"),
    [(0.50, "green"), (0.4999, "amber"), (0.25, "amber"), (0.2499, "red"), (1.5, "green")],
)
def test_returns_rating_boundaries(value, colour):
    assert ratings(country(return_rate=value))["returns"] == colour


@pytest.mark.parametrize("null", [None, math.nan])
def test_a_null_input_is_rated_not_available(null):
    assert ratings(country(return_rate=null, overdue_share=null)) == {
        "issuance": "green",
        "timeliness": "green",
        "responsiveness": "n/a",
        "returns": "n/a",
    }


def test_values_a_rounding_error_off_a_threshold_are_on_it():
    # 0.1 + 0.2 is 0.30000000000000004 in floats, mathematically 0.3: amber, not red.
    assert ratings(country(overdue_share=0.1 + 0.2))["responsiveness"] == "amber"
    assert ratings(country(issuance_rate=0.7999999999999999))["issuance"] == "green"


def test_an_incidence_of_exactly_three_fifths_is_green():
    # 10 requests: 3 issued at 8, 3 issued at 13, 1 withdrawn at 19, 3 refused at 33.
    # t=8: + 3/10, S = 7/10; t=13: + 7/10 * 3/7 = 3/10 -> 6/10 exactly, which the float
    # sum gives as 0.5999999999999999: still on the 0.60 threshold for green.
    incidence = cumulative_incidence([0, 0, 0, 0], [8, 13, 19, 33], [1, 1, 0, 2], [3, 3, 1, 3], 1)
    assert incidence[0] == pytest.approx(0.6)
    assert ratings(country(issued_within_30d=incidence[0]))["timeliness"] == "green"


def test_ratings_follow_custom_thresholds():
    lenient = dataclasses.replace(READMIT_2026_1, issuance_green=0.4)
    assert ratings(country(issuance_rate=0.45), lenient)["issuance"] == "green"


# ---------------------------------------------------------------------------
# Classification


def colours(issuance="green", timeliness="green", responsiveness="green", returns="green"):
    return {
        "issuance": issuance,
        "timeliness": timeliness,
        "responsiveness": responsiveness,
        "returns": returns,
    }


def test_fewer_than_ten_eligible_requests_is_insufficient_data_whatever_the_ratings():
    assert classification(9, colours("red", "red", "red", "red")) == "insufficient_data"


def test_ten_eligible_requests_are_enough():
    assert classification(10, colours()) == "cooperative"


def test_two_red_ratings_make_a_country_recalcitrant():
    assert classification(10, colours(issuance="red", returns="red")) == "recalcitrant"


def test_one_red_rating_makes_a_country_at_risk():
    assert classification(10, colours(timeliness="red")) == "at_risk"


def test_two_amber_ratings_make_a_country_at_risk():
    assert classification(10, colours(issuance="amber", returns="amber")) == "at_risk"


def test_one_amber_rating_leaves_a_country_cooperative():
    assert classification(10, colours(responsiveness="amber")) == "cooperative"


def test_not_available_ratings_count_as_neither_red_nor_amber():
    assert classification(10, colours("n/a", "n/a", "n/a", "amber")) == "cooperative"
    assert classification(10, colours("red", "n/a", "n/a", "n/a")) == "at_risk"


# ---------------------------------------------------------------------------
# Pattern


def test_a_refusal_rate_of_a_quarter_is_unwilling():
    assert pattern("recalcitrant", 0.25, 0.3) == "unwilling"


def test_a_refusal_rate_just_under_a_quarter_is_not_unwilling():
    assert pattern("at_risk", 0.2499, 0.3) == "mixed"


def test_few_refusals_and_half_issued_is_unable():
    assert pattern("at_risk", 0.0999, 0.50) == "unable"


def test_a_refusal_rate_of_exactly_ten_percent_is_not_unable():
    assert pattern("at_risk", 0.10, 0.9) == "mixed"


def test_few_refusals_but_less_than_half_issued_is_mixed():
    assert pattern("recalcitrant", 0.05, 0.4999) == "mixed"


@pytest.mark.parametrize("classified", ["cooperative", "insufficient_data"])
def test_pattern_is_null_unless_at_risk_or_recalcitrant(classified):
    assert pattern(classified, 0.9, 0.1) is None


# ---------------------------------------------------------------------------
# Reasons


def test_red_issuance_reason_names_value_interval_and_threshold():
    found = reasons(country(issuance_rate=0.42, issuance_rate_ci=[0.301, 0.549]))
    assert found == [
        Reason(
            rating="issuance",
            colour="red",
            indicator="issuance_rate",
            value=0.42,
            interval=(0.301, 0.549),
            confidence=pytest.approx(0.95, abs=1e-6),
            threshold=0.50,
            threshold_colour="amber",
            comparison="below",
            days=None,
        )
    ]
    assert reason_sentence(found[0]) == (
        "Issuance rate 42.0% (95% CI 30.1%–54.9%) is below the 50% threshold for amber."
    )


def test_one_sentence_per_red_or_amber_rating_in_the_contract_order():
    figures = country(
        issuance_rate=0.65,
        issuance_rate_ci=[0.5, 0.78],
        issued_within_30d=0.25,
        overdue_share=0.2,
        return_rate=0.1,
    )
    assert verdict(figures)["reasons"] == [
        "Issuance rate 65.0% (95% CI 50.0%–78.0%) is below the 80% threshold for green.",
        "Estimated share of requests issued within 30 days 25.0% is below the 30% threshold"
        " for amber.",
        "Share of eligible requests pending for more than 30 days 20.0% is above the 10%"
        " threshold for green.",
        "Return rate 10.0% is below the 25% threshold for amber.",
    ]


def test_green_and_not_available_ratings_give_no_reason():
    assert reasons(country(return_rate=None)) == []


def test_a_value_close_to_its_threshold_shows_enough_decimals_to_be_on_the_right_side():
    # 49.996% would show as 50.0% with one decimal, which is not below 50%.
    (below,) = reasons(country(issuance_rate=0.49996, issuance_rate_ci=None))
    assert reason_sentence(below) == "Issuance rate 49.996% is below the 50% threshold for amber."
    (above,) = reasons(country(overdue_share=0.30004))
    assert reason_sentence(above).startswith(
        "Share of eligible requests pending for more than 30 days 30.004% is above the 30%"
    )


def test_reason_sentences_name_the_days_of_the_methodology_in_use():
    slower = dataclasses.replace(READMIT_2026_1, overdue_after_days=45)
    (reason,) = reasons(country(overdue_share=0.5), slower)
    assert reason_sentence(reason).startswith(
        "Share of eligible requests pending for more than 45 days 50.0%"
    )


def test_reason_sentences_are_translated_through_the_given_gettext():
    french = {
        "Return rate": "Taux de retour",
        "amber": "orange",
        "%(indicator)s %(value)s is below the %(threshold)s threshold for %(colour)s.": (
            "%(indicator)s de %(value)s est sous le seuil de %(threshold)s pour le %(colour)s."
        ),
    }
    (reason,) = reasons(country(return_rate=0.1))
    assert reason_sentence(reason, gettext=lambda message: french.get(message, message)) == (
        "Taux de retour de 10.0% est sous le seuil de 25% pour le orange."
    )


# ---------------------------------------------------------------------------
# The verdict as the JSON output carries it


def test_a_country_without_data_has_the_verdict_of_the_contract_example():
    assert verdict(NULL_COUNTRY) == {
        "ratings": {
            "issuance": "n/a",
            "timeliness": "n/a",
            "responsiveness": "n/a",
            "returns": "n/a",
        },
        "classification": "insufficient_data",
        "pattern": None,
        "reasons": [],
    }


def test_an_unwilling_recalcitrant_country():
    figures = country(
        issuance_rate=0.40, issuance_rate_ci=[0.3, 0.5], refusal_rate=0.45, return_rate=0.2
    )
    result = verdict(figures)
    assert result["classification"] == "recalcitrant"
    assert result["pattern"] == "unwilling"
    assert len(result["reasons"]) == 2


def test_an_unable_at_risk_country():
    # documents come (65% issued, 5% refused) but late (25% by day 30)
    figures = country(issuance_rate=0.65, refusal_rate=0.05, issued_within_30d=0.25)
    result = verdict(figures)
    assert result["ratings"]["timeliness"] == "red"
    assert result["classification"] == "at_risk"
    assert result["pattern"] == "unable"


def test_reason_sentences_in_french_write_numbers_the_french_way():
    with translation.override("fr"):
        (sentence,) = translated_reasons(country(return_rate=0.1), READMIT_2026_1, gettext)
    assert "10,0\u00a0%" in sentence
    assert "25\u00a0%" in sentence
    assert "10.0%" not in sentence
