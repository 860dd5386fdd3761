"""The Engagement Plan's life, as a table of allowed transitions: no Django import.

draft -> submitted -> approved -> active -> escalated -> concluded. A submitted plan can go
back to draft; an approved plan can be concluded before it starts; an escalated plan can be
escalated again (a further step of the ladder). Approval and escalation happen only through
an RWG decision (`RWG_ONLY`); services enforce that, this module only says what may follow
what. docs/engagement.md draws the same table.
"""

DRAFT = "draft"
SUBMITTED = "submitted"
APPROVED = "approved"
ACTIVE = "active"
ESCALATED = "escalated"
CONCLUDED = "concluded"

STATUSES = (DRAFT, SUBMITTED, APPROVED, ACTIVE, ESCALATED, CONCLUDED)

TRANSITIONS: dict[str, tuple[str, ...]] = {
    DRAFT: (SUBMITTED,),
    SUBMITTED: (DRAFT, APPROVED),
    APPROVED: (ACTIVE, CONCLUDED),
    ACTIVE: (ESCALATED, CONCLUDED),
    ESCALATED: (ESCALATED, CONCLUDED),
    CONCLUDED: (),
}

# Reached only by recording an RWG decision.
RWG_ONLY = frozenset({APPROVED, ESCALATED})

# A country has at most one plan in these statuses at a time.
LIVE = frozenset({APPROVED, ACTIVE, ESCALATED})

# Plans whose escalation triggers are evaluated.
EVALUATED = frozenset({ACTIVE, ESCALATED})


def allowed_from(status: str) -> tuple[str, ...]:
    return TRANSITIONS[status]


def is_allowed(current: str, target: str) -> bool:
    return target in TRANSITIONS.get(current, ())
