"""The scorecard as CSV, XLSX and a plain-text table: the same figures as the JSON.

Lists and dicts of the contract's JSON are flattened: `issuance_rate_ci` becomes
`issuance_rate_ci_low` and `issuance_rate_ci_high`, `ratings` one `rating_<name>` column per
rating, `reasons` one cell with the sentences separated by " | ". Rates stay unrounded in CSV
and XLSX (a null is an empty cell); the text table rounds them for reading. A scorecard whose
countries the reader may not see (`Scorecard.countries` None) exports its totals only.
"""

import csv
import io
from collections.abc import Callable, Iterable
from typing import Any

from openpyxl import Workbook

from readmit.assessment import figures, ratings
from readmit.assessment.selectors import Scorecard

WINDOW_COLUMNS = ("methodology", "from", "to", "as_of")
COUNTRY_COLUMNS = (
    "country",
    "name",
    "requests",
    "issued",
    "refused",
    "withdrawn",
    "pending",
    "eligible",
    "issuance_rate",
    "issuance_rate_ci_low",
    "issuance_rate_ci_high",
    "refusal_rate",
    "median_days_to_issue",
    "issued_within_30d",
    "overdue_pending",
    "overdue_share",
    "interviews_requested",
    "interviews_held",
    "orders",
    "removals",
    "return_rate",
    "return_rate_source",
    "td_backlog",
    "td_backlog_median_age_days",
    *(f"rating_{name}" for name in figures.RATING_NAMES),
    "classification",
    "pattern",
    "reasons",
)
TOTAL_COLUMNS = (
    "scope",
    "countries",
    "requests",
    "issued",
    "refused",
    "withdrawn",
    "pending",
    "eligible",
    "issuance_rate",
    "issuance_rate_ci_low",
    "issuance_rate_ci_high",
    "refusal_rate",
    "median_days_to_issue",
    "issued_within_30d",
    "overdue_pending",
    "overdue_share",
    "interviews_requested",
    "interviews_held",
    "orders",
    "removals",
    "return_rate",
    "td_backlog",
    "td_backlog_median_age_days",
)
REASON_SEPARATOR = " | "
MARKING = "PROTECTED B – need-to-know"


def _window_values(card: Scorecard) -> list[Any]:
    window = card.window
    return [
        card.methodology,
        window.start.isoformat(),
        window.end.isoformat(),
        window.as_of.isoformat(),
    ]


def flat_country(country: dict[str, Any], reasons: list[str] | None = None) -> dict[str, Any]:
    """A country's figures as one flat row (COUNTRY_COLUMNS), None for null."""
    interval = country.get("issuance_rate_ci") or [None, None]
    row = {key: country.get(key) for key in COUNTRY_COLUMNS}
    row["issuance_rate_ci_low"], row["issuance_rate_ci_high"] = interval
    for name in figures.RATING_NAMES:
        row[f"rating_{name}"] = country["ratings"][name]
    row["reasons"] = REASON_SEPARATOR.join(country["reasons"] if reasons is None else reasons)
    return row


def flat_totals(totals: dict[str, Any], scope: str = "all countries") -> dict[str, Any]:
    interval = totals.get("issuance_rate_ci") or [None, None]
    row = {key: totals.get(key) for key in TOTAL_COLUMNS}
    row["scope"] = scope
    row["issuance_rate_ci_low"], row["issuance_rate_ci_high"] = interval
    return row


def _rows(card: Scorecard) -> tuple[tuple[str, ...], Iterable[list[Any]]]:
    window = _window_values(card)
    if card.countries is None:
        return (
            (*WINDOW_COLUMNS, *TOTAL_COLUMNS),
            [window + [flat_totals(card.totals)[key] for key in TOTAL_COLUMNS]],
        )
    return (
        (*WINDOW_COLUMNS, *COUNTRY_COLUMNS),
        (
            window + [flat_country(country)[key] for key in COUNTRY_COLUMNS]
            for country in card.countries
        ),
    )


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value)
    return value


def scorecard_csv(card: Scorecard) -> str:
    """One row per country (or one row of totals), a header row first."""
    header, rows = _rows(card)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_cell(value) for value in row])
    return buffer.getvalue()


def scorecard_xlsx(card: Scorecard, *, marking: str = MARKING) -> bytes:
    """A workbook: the scorecard sheet (numbers as numbers) and an About sheet."""
    header, rows = _rows(card)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Scorecard"
    sheet.append(list(header))
    for row in rows:
        sheet.append(["" if value is None else value for value in row])
    sheet.freeze_panes = "A2"
    sheet.oddHeader.center.text = marking
    sheet.oddFooter.center.text = marking
    about = workbook.create_sheet("About")
    for label, value in (
        ("Security", marking if card.countries is not None else "Unclassified totals"),
        ("Methodology", card.methodology),
        ("From", card.window.start.isoformat()),
        ("To", card.window.end.isoformat()),
        ("As of", card.window.as_of.isoformat()),
        ("Data fingerprint (SHA-256)", card.fingerprint),
        ("Reasons separator", REASON_SEPARATOR),
    ):
        about.append([label, value])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# ---------------------------------------------------------------------------
# Plain-text table


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.1f}%"


def _interval(interval: list[float] | None) -> str:
    if not interval:
        return "–"
    low, high = interval
    return f"{low * 100:.1f}–{high * 100:.1f}%"


def _number(value: Any) -> str:
    return "–" if value is None else f"{value:g}" if isinstance(value, float) else str(value)


_RATING_LETTERS = {ratings.GREEN: "G", ratings.AMBER: "A", ratings.RED: "R"}

TABLE_COLUMNS: tuple[tuple[str, Callable[[dict], str], bool], ...] = (
    ("Country", lambda c: c["country"], False),
    ("Name", lambda c: c["name"], False),
    ("Requests", lambda c: str(c["requests"]), True),
    ("Eligible", lambda c: str(c["eligible"]), True),
    ("Issued", lambda c: _percent(c["issuance_rate"]), True),
    ("95% CI", lambda c: _interval(c["issuance_rate_ci"]), True),
    ("Refused", lambda c: _percent(c["refusal_rate"]), True),
    ("Median d", lambda c: _number(c["median_days_to_issue"]), True),
    ("<=30 d", lambda c: _percent(c["issued_within_30d"]), True),
    ("Overdue", lambda c: _percent(c["overdue_share"]), True),
    ("Returns", lambda c: _percent(c["return_rate"]), True),
    ("Backlog", lambda c: str(c["td_backlog"]), True),
    (
        "I T R Rt",
        lambda c: " ".join(_RATING_LETTERS.get(c["ratings"][n], "-") for n in figures.RATING_NAMES),
        False,
    ),
    ("Classification", lambda c: c["classification"], False),
    ("Pattern", lambda c: c["pattern"] or "", False),
)


def scorecard_table(card: Scorecard) -> str:
    """A readable text table: one line per country, rates rounded to one decimal."""
    window = card.window
    lines = [
        f"{MARKING}. Methodology {card.methodology}; window {window.start} to {window.end}, "
        f"as of {window.as_of}.",
        "",
    ]
    rows = [[cell(country) for _, cell, _ in TABLE_COLUMNS] for country in card.countries or []]
    headers = [title for title, _, _ in TABLE_COLUMNS]
    widths = [max(len(text) for text in column) for column in zip(headers, *rows, strict=True)]

    def line(cells: list[str]) -> str:
        return "  ".join(
            text.rjust(width) if is_number else text.ljust(width)
            for text, width, (_, _, is_number) in zip(cells, widths, TABLE_COLUMNS, strict=True)
        ).rstrip()

    lines.append(line(headers))
    lines.append("  ".join("-" * width for width in widths))
    lines.extend(line(row) for row in rows)
    if not rows:
        lines.append("No country has data in this window.")
    lines.append("")
    lines.append(
        "Ratings: I issuance, T timeliness, R responsiveness, Rt returns; "
        "G green, A amber, R red, - n/a."
    )
    return "\n".join(lines) + "\n"
