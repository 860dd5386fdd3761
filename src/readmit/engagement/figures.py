"""The assessment's quarterly figures, as the engagement side reads them.

The assessment app provides `readmit.assessment.selectors.quarterly_series`; when it cannot
be imported, or refuses to compute, the figures are "not available" (None) and the indicator
triggers say so instead of firing. Tests replace `fetch_quarterly_series`.
"""

import datetime as dt
import logging

from readmit.core.errors import DomainError

logger = logging.getLogger(__name__)

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
    try:
        return quarterly_series(country_codes=country_codes, as_of=as_of, quarters=quarters)
    except DomainError as error:
        # The assessment cannot compute now (no default methodology, say): the figures are
        # not available, which pages and triggers say, rather than an error page.
        logger.warning("Quarterly figures not available: %s", error.message)
        return None
