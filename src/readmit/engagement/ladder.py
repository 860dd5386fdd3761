"""The default escalation ladder a new Engagement Plan starts with.

Five rungs, the kinds of lever that EU Visa Code Article 25a and US INA 243(d) use, from
officials-level engagement to visa policy measures. Each has trigger conditions on the
assessment's indicators (thresholds taken from the red ratings of methodology
readmit-2026.1) and on the plan's facts. A deployment replaces it with the setting
`READMIT_ESCALATION_LADDER` (same shape); each plan's ladder can then be changed on its own.
"""

from django.conf import settings

DEFAULT_LADDER: list[dict] = [
    {
        "lever": "officials_engagement",
        "triggers": [
            {
                "kind": "indicator_run",
                "parameters": {
                    "indicator": "issuance_rate",
                    "operator": "<",
                    "threshold": 0.5,
                    "quarters": 2,
                },
            },
            {"kind": "actions_overdue", "parameters": {"days": 30, "at_least": 1}},
        ],
    },
    {
        "lever": "ambassador_demarche",
        "triggers": [
            {
                "kind": "indicator_run",
                "parameters": {
                    "indicator": "issuance_rate",
                    "operator": "<",
                    "threshold": 0.5,
                    "quarters": 3,
                },
            },
            {
                "kind": "indicator_run",
                "parameters": {
                    "indicator": "overdue_share",
                    "operator": ">",
                    "threshold": 0.3,
                    "quarters": 3,
                },
            },
        ],
    },
    {
        "lever": "ministerial_engagement",
        "triggers": [
            {
                "kind": "indicator_run",
                "parameters": {
                    "indicator": "issuance_rate",
                    "operator": "<",
                    "threshold": 0.5,
                    "quarters": 4,
                },
            },
            {"kind": "no_commitment_progress", "parameters": {"days_after_start": 365}},
        ],
    },
    {
        "lever": "programming_review",
        "triggers": [
            {
                "kind": "indicator_run",
                "parameters": {
                    "indicator": "refusal_rate",
                    "operator": ">=",
                    "threshold": 0.25,
                    "quarters": 4,
                },
            },
            {
                "kind": "indicator_run",
                "parameters": {
                    "indicator": "issuance_rate",
                    "operator": "<",
                    "threshold": 0.5,
                    "quarters": 6,
                },
            },
        ],
    },
    {
        "lever": "visa_measures",
        "triggers": [
            {
                "kind": "indicator_run",
                "parameters": {
                    "indicator": "issuance_rate",
                    "operator": "<",
                    "threshold": 0.5,
                    "quarters": 8,
                },
            },
            {
                "kind": "indicator_run",
                "parameters": {
                    "indicator": "refusal_rate",
                    "operator": ">=",
                    "threshold": 0.25,
                    "quarters": 6,
                },
            },
        ],
    },
]


def default_ladder() -> list[dict]:
    return getattr(settings, "READMIT_ESCALATION_LADDER", None) or DEFAULT_LADDER
