"""Plain-language sentences for triggers and what they found, in the active language.

`engagement.triggers` computes with plain values and problem codes; this module turns them
into the sentences a page, the API and an alert show. Findings are stored as data on the
alert and put into words when read, so that an alert reads in English and in French.
"""

from collections.abc import Iterable, Mapping

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from readmit.engagement import triggers

INDICATOR_LABELS = {
    "issuance_rate": gettext_lazy("issuance rate"),
    "refusal_rate": gettext_lazy("refusal rate"),
    "issued_within_30d": gettext_lazy("share issued within 30 days"),
    "overdue_share": gettext_lazy("share of requests overdue"),
    "return_rate": gettext_lazy("return rate"),
    "median_days_to_issue": gettext_lazy("median days to issue"),
    "td_backlog": gettext_lazy("travel-document backlog"),
    "td_backlog_median_age_days": gettext_lazy("median age of the backlog (days)"),
    "overdue_pending": gettext_lazy("requests overdue"),
    "requests": gettext_lazy("requests"),
    "issued": gettext_lazy("documents issued"),
    "refused": gettext_lazy("requests refused"),
    "withdrawn": gettext_lazy("requests withdrawn"),
    "pending": gettext_lazy("requests pending"),
    "eligible": gettext_lazy("eligible requests"),
    "interviews_requested": gettext_lazy("interviews requested"),
    "interviews_held": gettext_lazy("interviews held"),
    "orders": gettext_lazy("removal orders"),
    "removals": gettext_lazy("removals"),
}

OPERATOR_WORDS = {
    "<": gettext_lazy("below"),
    "<=": gettext_lazy("at or below"),
    ">": gettext_lazy("above"),
    ">=": gettext_lazy("at or above"),
}


def indicator_label(key: str) -> str:
    return str(INDICATOR_LABELS.get(key, key))


def figure(value) -> str:
    """A figure as it is shown: rates with three decimals, counts as integers, null as n/a."""
    if value is None:
        return _("n/a")
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)


def parameter_problem_messages(problems: Iterable[tuple[str, str]]) -> list[str]:
    messages = {
        "unknown": _("%(name)s: not one of the allowed values."),
        "required": _("%(name)s: required."),
        "not_a_number": _("%(name)s: give a number."),
        "not_positive": _("%(name)s: give a whole number of 1 or more."),
        "not_a_date": _("%(name)s: give a date as YYYY-MM-DD."),
        "one_of_by_or_days": _(
            "Give either a date (by) or a number of days after the plan's start "
            "(days_after_start), not both."
        ),
    }
    return [messages[code] % {"name": name} for name, code in problems]


def describe_condition(kind: str, parameters: Mapping) -> str:
    """The condition in words: "issuance rate below 0.5 for 3 consecutive quarters"."""
    if kind == triggers.INDICATOR_RUN:
        return ngettext(
            "%(indicator)s %(operator)s %(threshold)s in the last complete quarter",
            "%(indicator)s %(operator)s %(threshold)s for %(quarters)s consecutive quarters",
            int(parameters.get("quarters") or 0),
        ) % {
            "indicator": indicator_label(parameters.get("indicator", "")),
            "operator": OPERATOR_WORDS.get(parameters.get("operator"), parameters.get("operator")),
            "threshold": figure(parameters.get("threshold")),
            "quarters": parameters.get("quarters"),
        }
    if kind == triggers.NO_COMMITMENT_PROGRESS:
        if parameters.get("by"):
            return _("no commitment progress by %(date)s") % {"date": parameters["by"]}
        return _("no commitment progress within %(days)s days of the plan's start") % {
            "days": parameters.get("days_after_start")
        }
    if kind == triggers.ACTIONS_OVERDUE:
        return ngettext(
            "%(count)s action overdue by %(days)s days or more",
            "%(count)s or more actions overdue by %(days)s days or more",
            int(parameters.get("at_least") or 1),
        ) % {"count": parameters.get("at_least") or 1, "days": parameters.get("days")}
    return kind


def describe_finding(finding: Mapping) -> str:
    """What fired (or not), on which figures."""
    kind, parameters, figures = finding["kind"], finding["parameters"], finding["figures"]
    condition = describe_condition(kind, parameters)
    if finding.get("note") == "no_series":
        return _(
            "%(condition)s: not evaluated, the assessment's quarterly figures are not available."
        ) % {"condition": condition}
    if kind == triggers.INDICATOR_RUN:
        values = ", ".join(f"{row['quarter']} {figure(row['value'])}" for row in figures)
        if finding["holds"]:
            return _("%(condition)s: it held in each quarter (%(values)s).") % {
                "condition": condition,
                "values": values,
            }
        return _("%(condition)s: it did not hold (%(values)s).") % {
            "condition": condition,
            "values": values,
        }
    if kind == triggers.ACTIONS_OVERDUE:
        listed = "; ".join(
            _("%(title)s, due %(due)s, %(days)s days late")
            % {"title": row["title"], "due": row["due_on"], "days": row["days_overdue"]}
            for row in figures
        )
        if finding["holds"]:
            return _("%(condition)s: %(actions)s.") % {"condition": condition, "actions": listed}
        return _("%(condition)s: it did not hold (%(actions)s).") % {
            "condition": condition,
            "actions": listed or _("no action late enough"),
        }
    if kind == triggers.NO_COMMITMENT_PROGRESS:
        if finding.get("note") == "no_start" and not parameters.get("by"):
            return _("%(condition)s: not evaluated, the plan has not started.") % {
                "condition": condition
            }
        from readmit.engagement.models import NegotiationStatus

        listed = "; ".join(
            _("%(title)s: %(status)s since %(since)s")
            % {
                "title": row["title"],
                "status": str(NegotiationStatus(row["status"]).label).lower(),
                "since": row["since"],
            }
            for row in figures
        ) or _("no commitment recorded")
        if finding["holds"]:
            return _(
                "%(condition)s: by %(deadline)s no commitment had moved forward (%(commitments)s)."
            ) % {
                "condition": condition,
                "deadline": parameters.get("deadline"),
                "commitments": listed,
            }
        return _("%(condition)s: it did not hold (%(commitments)s).") % {
            "condition": condition,
            "commitments": listed,
        }
    return condition
