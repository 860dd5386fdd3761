"""`{{ amount|money }}`: $1,250,000.00 in English, 1 250 000,00 $ in French."""

from django import template
from django.conf import settings
from django.utils import translation

from readmit.envelope.money import format_money

register = template.Library()


@register.filter
def money(amount, currency=None):
    if amount is None or amount == "":
        return "–"
    return format_money(
        amount,
        currency=currency or settings.READMIT_CURRENCY,
        language=translation.get_language() or "en",
    )


@register.filter
def authority_of(profile, fiscal_year):
    """The authority of one fiscal year in an authority profile."""
    return profile.authority(fiscal_year)
