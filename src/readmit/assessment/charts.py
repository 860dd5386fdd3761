"""Vega-Lite specs of a country's quarterly trends, built from `selectors.quarterly_series`.

Charts are data (DEVELOPERS.md): a view passes these dicts to `json_script` and
static/readmit/charts.js embeds them. Titles go through gettext so that the French page
has French charts; the values are the series' own, unrounded (the axes format them).
"""

from typing import Any

from django.utils.translation import gettext as _

SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"


def _base(title: str, description: str) -> dict[str, Any]:
    return {
        "$schema": SCHEMA,
        "title": title,
        "description": description,
        "width": "container",
        "height": 220,
    }


def _quarter_axis() -> dict[str, Any]:
    return {
        "field": "quarter",
        "type": "ordinal",
        "title": _("Quarter (as known at its end)"),
        "axis": {"labelAngle": -45},
    }


def issuance_chart(series: list[dict]) -> dict[str, Any]:
    """The issuance rate by quarter, with its Wilson interval as a band."""
    values = [
        {
            "quarter": row["quarter"],
            "rate": row["issuance_rate"],
            "low": row["issuance_rate_ci"][0] if row["issuance_rate_ci"] else None,
            "high": row["issuance_rate_ci"][1] if row["issuance_rate_ci"] else None,
            "eligible": row["eligible"],
        }
        for row in series
    ]
    rate_title = _("Issuance rate")
    return {
        **_base(
            _("Issuance rate with its interval (95%)"),
            _("Issued out of eligible requests, by quarter of request, with the Wilson interval."),
        ),
        "data": {"values": values},
        "encoding": {"x": _quarter_axis()},
        "layer": [
            {
                "mark": {"type": "area", "opacity": 0.25},
                "encoding": {
                    "y": {
                        "field": "low",
                        "type": "quantitative",
                        "scale": {"domain": [0, 1]},
                        "axis": {"format": "%"},
                        "title": rate_title,
                    },
                    "y2": {"field": "high"},
                },
            },
            {
                "mark": {"type": "line", "point": True},
                "encoding": {
                    "y": {"field": "rate", "type": "quantitative"},
                    "tooltip": [
                        {"field": "quarter", "title": _("Quarter")},
                        {"field": "rate", "format": ".1%", "title": rate_title},
                        {"field": "low", "format": ".1%", "title": _("Interval low")},
                        {"field": "high", "format": ".1%", "title": _("Interval high")},
                        {"field": "eligible", "title": _("Eligible requests")},
                    ],
                },
            },
        ],
    }


def timeliness_chart(series: list[dict]) -> dict[str, Any]:
    """Median days to issue (left axis) and the share issued within 30 days (right axis)."""
    values = [
        {
            "quarter": row["quarter"],
            "median": row["median_days_to_issue"],
            "within": row["issued_within_30d"],
        }
        for row in series
    ]
    median_title = _("Median days to issue")
    within_title = _("Share issued within 30 days")
    return {
        **_base(
            _("Time to issuance"),
            _("Kaplan-Meier median days to issue and Aalen-Johansen share issued within 30 days."),
        ),
        "data": {"values": values},
        "encoding": {"x": _quarter_axis()},
        "layer": [
            {
                "mark": {"type": "line", "point": True},
                "encoding": {
                    "y": {"field": "median", "type": "quantitative", "title": median_title},
                    "tooltip": [
                        {"field": "quarter", "title": _("Quarter")},
                        {"field": "median", "title": median_title},
                    ],
                },
            },
            {
                "mark": {"type": "line", "point": True, "strokeDash": [6, 4]},
                "encoding": {
                    "y": {
                        "field": "within",
                        "type": "quantitative",
                        "title": within_title,
                        "scale": {"domain": [0, 1]},
                        "axis": {"format": "%"},
                    },
                    "tooltip": [
                        {"field": "quarter", "title": _("Quarter")},
                        {"field": "within", "format": ".1%", "title": within_title},
                    ],
                },
            },
        ],
        "resolve": {"scale": {"y": "independent"}},
    }


def backlog_chart(series: list[dict]) -> dict[str, Any]:
    """Cases held up by a travel document at each quarter's end, and their median age."""
    values = [
        {
            "quarter": row["quarter"],
            "backlog": row["td_backlog"],
            "age": row["td_backlog_median_age_days"],
        }
        for row in series
    ]
    backlog_title = _("Travel-document backlog (cases)")
    age_title = _("Median age (days)")
    return {
        **_base(
            _("Travel-document backlog"),
            _("Pending cases held up by a travel document at the end of each quarter."),
        ),
        "data": {"values": values},
        "encoding": {"x": _quarter_axis()},
        "layer": [
            {
                "mark": {"type": "bar", "opacity": 0.7},
                "encoding": {
                    "y": {"field": "backlog", "type": "quantitative", "title": backlog_title},
                    "tooltip": [
                        {"field": "quarter", "title": _("Quarter")},
                        {"field": "backlog", "title": backlog_title},
                        {"field": "age", "title": age_title},
                    ],
                },
            },
            {
                "mark": {"type": "line", "point": True, "color": "#a62a1e"},
                "encoding": {"y": {"field": "age", "type": "quantitative", "title": age_title}},
            },
        ],
        "resolve": {"scale": {"y": "independent"}},
    }


def country_charts(series: list[dict]) -> list[tuple[str, dict[str, Any]]]:
    """(element id, spec) of every chart of the country page, in page order."""
    return [
        ("chart-issuance", issuance_chart(series)),
        ("chart-timeliness", timeliness_chart(series)),
        ("chart-backlog", backlog_chart(series)),
    ]
