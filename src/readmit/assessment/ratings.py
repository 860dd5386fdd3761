"""The rules of methodology `readmit-2026.1`: thresholds, ratings, classification, pattern, reasons.

Why this module exists: the contract makes every threshold part of the methodology, which
is stored, versioned and changed only by creating a new version. Keeping the rules as data
(`Thresholds`, serialisable to JSON) and small pure functions lets an assessment run store
the thresholds it used beside its results, and lets anyone recompute a country's verdict
from its indicators without Django.

Indicators are read from a mapping keyed as in the contract's JSON (``eligible``,
``issuance_rate``, ``issuance_rate_ci``, ``refusal_rate``, ``issued_within_30d``,
``overdue_share``, ``return_rate``); None or NaN means null.

Comparisons with a threshold allow `COMPARISON_TOLERANCE` (1e-9): a value that is
mathematically on a threshold can be computed a rounding error away from it (three
issued out of five by day 30 comes out of the Aalen-Johansen sum as 0.6000000000000001).
Ratios of counts below 10**8 differ from a threshold by more than 1e-9 unless they equal
it, so the tolerance changes nothing else.
"""

import dataclasses
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

COMPARISON_TOLERANCE = 1e-9

GREEN = "green"
AMBER = "amber"
RED = "red"
NOT_AVAILABLE = "n/a"

INSUFFICIENT_DATA = "insufficient_data"
RECALCITRANT = "recalcitrant"
AT_RISK = "at_risk"
COOPERATIVE = "cooperative"

UNWILLING = "unwilling"
UNABLE = "unable"
MIXED = "mixed"

BELOW = "below"
ABOVE = "above"


def gettext_noop(message: str) -> str:
    """Mark a message for translation without translating it (found by makemessages)."""
    return message


@dataclass(frozen=True)
class Thresholds:
    """Every number of a methodology version; `READMIT_2026_1` holds the contract's defaults."""

    methodology: str
    issuance_green: float  # issuance_rate >= this is green
    issuance_amber: float  # issuance_rate >= this is amber, below it red
    timeliness_green: float  # issued_within_30d >= this is green
    timeliness_amber: float
    responsiveness_green: float  # overdue_share <= this is green
    responsiveness_amber: float  # overdue_share <= this is amber, above it red
    returns_green: float  # return_rate >= this is green
    returns_amber: float
    minimum_eligible: int  # fewer eligible requests than this: insufficient_data
    timeliness_horizon_days: int  # issued_within_30d is the incidence by this day
    overdue_after_days: int  # pending longer than this is overdue
    unwilling_refusal_rate: float  # refusal_rate >= this: unwilling
    unable_refusal_rate: float  # refusal_rate below this ...
    unable_issuance_rate: float  # ... and issuance_rate >= this: unable
    confidence_z: float  # z of the Wilson interval (1.959964 for 95 %)

    def to_dict(self) -> dict[str, Any]:
        """The thresholds as a JSON-ready dict, to be stored with the methodology version."""
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, stored: Mapping[str, Any]) -> "Thresholds":
        """Thresholds from a stored dict; every field must be there, and nothing else."""
        fields = {field.name: field.type for field in dataclasses.fields(cls)}
        missing = sorted(fields.keys() - stored.keys())
        unknown = sorted(stored.keys() - fields.keys())
        if missing or unknown:
            raise ValueError(
                f"The stored methodology does not match: missing {missing}, unknown {unknown}."
            )
        return cls(**{name: _typed(name, kind, stored[name]) for name, kind in fields.items()})


def _typed(name: str, kind: Any, value: Any) -> Any:
    is_number = isinstance(value, int | float) and not isinstance(value, bool)
    if kind is str and isinstance(value, str):
        return value
    if kind is int and is_number and float(value).is_integer():
        return int(value)
    if kind is float and is_number and math.isfinite(value):
        return float(value)
    raise ValueError(f"The methodology field {name} must be a {kind.__name__} ({value!r}).")


READMIT_2026_1 = Thresholds(
    methodology="readmit-2026.1",
    issuance_green=0.80,
    issuance_amber=0.50,
    timeliness_green=0.60,
    timeliness_amber=0.30,
    responsiveness_green=0.10,
    responsiveness_amber=0.30,
    returns_green=0.50,
    returns_amber=0.25,
    minimum_eligible=10,
    timeliness_horizon_days=30,
    overdue_after_days=30,
    unwilling_refusal_rate=0.25,
    unable_refusal_rate=0.10,
    unable_issuance_rate=0.50,
    confidence_z=1.959964,
)


@dataclass(frozen=True)
class _Rule:
    rating: str
    indicator: str
    is_higher_better: bool
    label: str  # the indicator in a reason sentence; may use %(days)s


_RULES = (
    _Rule("issuance", "issuance_rate", True, gettext_noop("Issuance rate")),
    _Rule(
        "timeliness",
        "issued_within_30d",
        True,
        gettext_noop("Estimated share of requests issued within %(days)s days"),
    ),
    _Rule(
        "responsiveness",
        "overdue_share",
        False,
        gettext_noop("Share of eligible requests pending for more than %(days)s days"),
    ),
    _Rule("returns", "return_rate", True, gettext_noop("Return rate")),
)


def _value(indicators: Mapping[str, Any], key: str) -> float | None:
    value = indicators.get(key)
    if value is None or math.isnan(value):
        return None
    return float(value)


def _at_least(value: float, threshold: float) -> bool:
    return value >= threshold - COMPARISON_TOLERANCE


def _at_most(value: float, threshold: float) -> bool:
    return value <= threshold + COMPARISON_TOLERANCE


def _colour(value: float | None, rule: _Rule, thresholds: Thresholds) -> str:
    if value is None:
        return NOT_AVAILABLE
    is_within = _at_least if rule.is_higher_better else _at_most
    if is_within(value, getattr(thresholds, f"{rule.rating}_green")):
        return GREEN
    if is_within(value, getattr(thresholds, f"{rule.rating}_amber")):
        return AMBER
    return RED


def ratings(
    indicators: Mapping[str, Any], thresholds: Thresholds = READMIT_2026_1
) -> dict[str, str]:
    """{"issuance", "timeliness", "responsiveness", "returns"} -> green, amber, red or n/a."""
    return {
        rule.rating: _colour(_value(indicators, rule.indicator), rule, thresholds)
        for rule in _RULES
    }


def classification(
    eligible: int, colours: Mapping[str, str], thresholds: Thresholds = READMIT_2026_1
) -> str:
    """insufficient_data, recalcitrant, at_risk or cooperative; n/a counts as neither."""
    if eligible < thresholds.minimum_eligible:
        return INSUFFICIENT_DATA
    reds = sum(colour == RED for colour in colours.values())
    ambers = sum(colour == AMBER for colour in colours.values())
    if reds >= 2:
        return RECALCITRANT
    if reds == 1 or ambers >= 2:
        return AT_RISK
    return COOPERATIVE


def pattern(
    classification_: str,
    refusal_rate: float | None,
    issuance_rate: float | None,
    thresholds: Thresholds = READMIT_2026_1,
) -> str | None:
    """unwilling, unable or mixed for at_risk and recalcitrant countries, else None.

    A null rate satisfies no comparison, so it leads to mixed (it cannot happen once
    eligible >= the minimum, since both rates are then defined).
    """
    if classification_ not in (AT_RISK, RECALCITRANT):
        return None
    refusal = _nan_to_none(refusal_rate)
    issuance = _nan_to_none(issuance_rate)
    if refusal is not None and _at_least(refusal, thresholds.unwilling_refusal_rate):
        return UNWILLING
    if (
        refusal is not None
        and issuance is not None
        and not _at_least(refusal, thresholds.unable_refusal_rate)
        and _at_least(issuance, thresholds.unable_issuance_rate)
    ):
        return UNABLE
    return MIXED


def _nan_to_none(value: float | None) -> float | None:
    return None if value is None or math.isnan(value) else float(value)


@dataclass(frozen=True)
class Reason:
    """Why one rating is red or amber, as data; `reason_sentence` puts it in words."""

    rating: str  # issuance, timeliness, responsiveness or returns
    colour: str  # red or amber
    indicator: str  # the contract's key of the rated value, e.g. issuance_rate
    value: float
    interval: tuple[float, float] | None  # issuance_rate_ci where there is one
    confidence: float | None  # the interval's level, e.g. 0.95
    threshold: float  # the threshold the value failed to reach
    threshold_colour: str  # the colour that threshold leads to: amber for red, green for amber
    comparison: str  # "below" (higher is better) or "above" (lower is better)
    days: int | None  # the horizon or overdue days named by the indicator, where it has one


def reasons(indicators: Mapping[str, Any], thresholds: Thresholds = READMIT_2026_1) -> list[Reason]:
    """One reason per red or amber rating, in the order of the contract's table."""
    found = []
    for rule in _RULES:
        value = _value(indicators, rule.indicator)
        colour = _colour(value, rule, thresholds)
        if value is None or colour not in (RED, AMBER):
            continue
        threshold_colour = AMBER if colour == RED else GREEN
        interval = _interval(indicators) if rule.rating == "issuance" else None
        found.append(
            Reason(
                rating=rule.rating,
                colour=colour,
                indicator=rule.indicator,
                value=value,
                interval=interval,
                confidence=_confidence(thresholds.confidence_z) if interval else None,
                threshold=getattr(thresholds, f"{rule.rating}_{threshold_colour}"),
                threshold_colour=threshold_colour,
                comparison=BELOW if rule.is_higher_better else ABOVE,
                days=_days(rule, thresholds),
            )
        )
    return found


def _interval(indicators: Mapping[str, Any]) -> tuple[float, float] | None:
    bounds = indicators.get("issuance_rate_ci")
    if bounds is None or any(bound is None or math.isnan(bound) for bound in bounds):
        return None
    low, high = bounds
    return float(low), float(high)


def _confidence(z: float) -> float:
    return math.erf(z / math.sqrt(2))


def _days(rule: _Rule, thresholds: Thresholds) -> int | None:
    if rule.rating == "timeliness":
        return thresholds.timeliness_horizon_days
    if rule.rating == "responsiveness":
        return thresholds.overdue_after_days
    return None


_SENTENCES = {
    (BELOW, True): gettext_noop(
        "%(indicator)s %(value)s (%(confidence)s CI %(low)s–%(high)s) "
        "is below the %(threshold)s threshold for %(colour)s."
    ),
    (BELOW, False): gettext_noop(
        "%(indicator)s %(value)s is below the %(threshold)s threshold for %(colour)s."
    ),
    (ABOVE, True): gettext_noop(
        "%(indicator)s %(value)s (%(confidence)s CI %(low)s–%(high)s) "
        "is above the %(threshold)s threshold for %(colour)s."
    ),
    (ABOVE, False): gettext_noop(
        "%(indicator)s %(value)s is above the %(threshold)s threshold for %(colour)s."
    ),
}
_COLOUR_WORDS = {GREEN: gettext_noop("green"), AMBER: gettext_noop("amber")}


def plain_number(value: float, decimals: int) -> str:
    """A number with `decimals` decimals, written as the contract's JSON writes it."""
    return f"{value:.{decimals}f}"


#: A percentage; French puts a space before the sign.
_PERCENT = gettext_noop("%(number)s%%")


def reason_sentence(
    reason: Reason,
    gettext: Callable[[str], str] = gettext_noop,
    number: Callable[[float, int], str] = plain_number,
) -> str:
    """The reason as one plain-language sentence, in English unless gettext translates, its
    numbers written by `number` (the page passes the active language's way of writing them).

    Example: "Issuance rate 42.0% (95% CI 30.1%–54.9%) is below the 50% threshold for
    amber." Percentages have one decimal, and more when one decimal would round the value
    onto the threshold (never "50.0% is below the 50% threshold").
    """

    def percent(fraction: float, decimals: int) -> str:
        return gettext(_PERCENT) % {"number": number(fraction * 100, decimals)}

    label = gettext(next(rule.label for rule in _RULES if rule.rating == reason.rating))
    parts = {
        "indicator": label % {"days": reason.days} if reason.days is not None else label,
        "value": percent(
            reason.value, _value_decimals(reason.value, reason.threshold, reason.comparison)
        ),
        "threshold": percent(reason.threshold, _shortest_decimals(reason.threshold * 100, 6)),
        "colour": gettext(_COLOUR_WORDS[reason.threshold_colour]),
    }
    has_interval = reason.interval is not None and reason.confidence is not None
    if has_interval:
        low, high = reason.interval
        parts["low"], parts["high"] = percent(low, 1), percent(high, 1)
        confidence = reason.confidence
        parts["confidence"] = percent(confidence, _shortest_decimals(confidence * 100, 1))
    return gettext(_SENTENCES[reason.comparison, has_interval]) % parts


def _shortest_decimals(number: float, most: int) -> int:
    """How many decimals `number` rounded to `most` decimals needs (50 -> 0, 12.5 -> 1)."""
    written = f"{round(number, most):g}"
    return len(written.partition(".")[2]) if "e" not in written else most


def _value_decimals(value: float, threshold: float, comparison: str) -> int:
    limit = round(threshold * 100, 9)
    for decimals in range(1, 9):
        shown = round(value * 100, decimals)
        if (shown < limit) if comparison == BELOW else (shown > limit):
            break
    return decimals


def verdict(
    indicators: Mapping[str, Any],
    thresholds: Thresholds = READMIT_2026_1,
    gettext: Callable[[str], str] = gettext_noop,
) -> dict[str, Any]:
    """The scorecard's ratings, classification, pattern and reason sentences together."""
    colours = ratings(indicators, thresholds)
    classified = classification(indicators["eligible"], colours, thresholds)
    return {
        "ratings": colours,
        "classification": classified,
        "pattern": pattern(
            classified,
            indicators.get("refusal_rate"),
            indicators.get("issuance_rate"),
            thresholds,
        ),
        "reasons": [reason_sentence(reason, gettext) for reason in reasons(indicators, thresholds)],
    }
