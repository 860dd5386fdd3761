"""The assessment's quarterly figures, as the engagement side reads them.

The assessment app provides `readmit.assessment.selectors.quarterly_series`; until it is
there (or when it cannot be imported) the figures are "not available" (None) and the
indicator triggers say so instead of firing. Tests replace `fetch_quarterly_series`.
"""

import datetime as dt

ASSESSMENT_SELECTORS = "readmit.assessment.selectors"


def fetch_quarterly_series(
    *, country_codes: list[str] | None, as_of: dt.date, quarters: int = 12
) -> dict[str, list[dict]] | None:
    """Per country code, its quarterly rows oldest first; None when the assessment has none.

    Each row: "quarter" ("2024-Q3"), "from" and "to" (dates) and every indicator key of the
    assessment contract. The engagement app reads it for a plan's country only, for a user
    who may see that plan, or internally to evaluate triggers.
    """
    try:
        from readmit.assessment.selectors import quarterly_series
    except ImportError as error:
        if error.name != ASSESSMENT_SELECTORS:
            raise
        return None
    return quarterly_series(country_codes=country_codes, as_of=as_of, quarters=quarters)
