"""Template filters of the assessment pages: labels of codes and figures for reading."""

from django import template
from django.utils import formats, translation

from readmit.assessment import labels

register = template.Library()


@register.filter
def classification_label(code):
    return labels.CLASSIFICATIONS.get(code, code or "")


@register.filter
def pattern_label(code):
    return labels.PATTERNS.get(code, code or "")


@register.filter
def rating_label(colour):
    return labels.RATING_COLOURS.get(colour, colour)


@register.filter
def rating_class(colour):
    """The CSS modifier of a rating: readmit-rating--green, --amber, --red or --na."""
    return {"green": "green", "amber": "amber", "red": "red"}.get(colour, "na")


@register.filter
def rating_name(name):
    return labels.RATING_NAMES.get(name, name)


@register.filter
def outcome_label(code):
    return labels.OUTCOMES.get(code, code or "")


@register.filter
def direction_label(code):
    return labels.DIRECTIONS.get(code, "")


def _percent_text(value, decimals=1):
    number = formats.number_format(value * 100, decimals, use_l10n=True)
    return f"{number}\u00a0%" if translation.get_language() == "fr" else f"{number}%"


@register.filter
def percent(value):
    """A rate as a percentage with one decimal; a dash for null."""
    if value is None:
        return "–"
    return _percent_text(value)


@register.filter
def interval(bounds):
    """[low, high] as "30.1%–54.9%"; a dash for null."""
    if not bounds:
        return "–"
    low, high = bounds
    return f"{_percent_text(low)}–{_percent_text(high)}"


@register.filter
def figure(value):
    """A count or a number of days; a dash for null."""
    if value is None:
        return "–"
    if isinstance(value, float) and not value.is_integer():
        return formats.number_format(value, 1, use_l10n=True)
    return formats.number_format(int(value), 0, use_l10n=True, force_grouping=True)


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None
