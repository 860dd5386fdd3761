"""Money as the envelope counts it: Decimal with cents, never a float.

Amounts arrive as strings (API, forms), Decimals (the database) or ints; a float is
refused, because 0.1 + 0.2 is not 0.3 and a finance officer's totals must add up to the
cent. No Django import: the arithmetic, the XLSX and the IATI file use it alike.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
#: DecimalField(max_digits=15, decimal_places=2): up to 9,999,999,999,999.99.
MAX_AMOUNT = Decimal("9999999999999.99")

_SYMBOLS = {"CAD": "$", "USD": "US$", "EUR": "€", "GBP": "£"}


def to_money(value: Decimal | int | str) -> Decimal:
    """An amount with exactly two decimals; refuses floats, fractions of a cent and nonsense."""
    if isinstance(value, float | bool):
        raise TypeError("Money is never a float; pass a Decimal, an int or a string.")
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError(f"{value!r} is not an amount of money.") from None
    if not amount.is_finite():
        raise ValueError(f"{value!r} is not an amount of money.")
    if amount != amount.quantize(CENT, rounding=ROUND_HALF_UP):
        raise ValueError(f"{value!r} has fractions of a cent.")
    amount = amount.quantize(CENT)
    if abs(amount) > MAX_AMOUNT:
        raise ValueError(f"{value!r} is larger than the largest amount Readmit keeps.")
    return amount


def total(amounts: Iterable[Decimal]) -> Decimal:
    """The sum of amounts, as money (an empty sum is $0.00, not the int 0)."""
    return sum(amounts, ZERO).quantize(CENT)


def format_money(amount: Decimal, *, currency: str = "CAD", language: str = "en") -> str:
    """$1,250,000.00 in English, 1 250 000,00 $ in French (the Canadian conventions)."""
    amount = Decimal(amount).quantize(CENT)
    sign = "-" if amount < 0 else ""
    whole, cents = f"{abs(amount):,.2f}".split(".")
    symbol = _SYMBOLS.get(currency, currency + " ")
    if language.startswith("fr"):
        whole = whole.replace(",", "\u00a0")
        symbol = _SYMBOLS.get(currency, currency)
        return f"{sign}{whole},{cents}\u00a0{symbol}"
    return f"{sign}{symbol}{whole}.{cents}"
