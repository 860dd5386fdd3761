"""Every permission decision of Readmit, in one module.

Views, the API, templates (through the `rules` template tags), exports and documents
all ask these functions; none decides for itself. Each takes the acting user first
and returns a bool. An anonymous or inactive user may do nothing.

The model: a record is visible to a user whose clearance is at or above the record's
security level and, where the record is marked need-to-know (information on targeted
countries), who holds the need-to-know grant. Roles then say who may change what.
"""

from readmit.accounts.models import Role
from readmit.core.security import SecurityLevel


def is_signed_in(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def has_role(user, *roles: str) -> bool:
    return is_signed_in(user) and (user.role in roles or user.role == Role.ADMINISTRATOR)


def is_administrator(user) -> bool:
    return is_signed_in(user) and user.role == Role.ADMINISTRATOR


def is_cleared_for(user, level: int, *, need_to_know: bool = False) -> bool:
    """Clearance at or above `level`, and the need-to-know grant where it is required."""
    if not is_signed_in(user):
        return False
    if user.clearance < level:
        return False
    return not need_to_know or user.has_need_to_know


def can_view_record(user, record) -> bool:
    """Any audited record: its own security level and need-to-know flag decide."""
    return is_cleared_for(user, record.security_level, need_to_know=record.is_need_to_know)


def can_view_targeting(user) -> bool:
    """Which countries are targeted, their classification and the RWG's decisions on them.

    Protected B and need-to-know: a user without both sees only totals across countries.
    """
    return is_cleared_for(user, SecurityLevel.PROTECTED_B, need_to_know=True)


def can_manage_people(user) -> bool:
    return is_administrator(user)


def can_ingest_data(user) -> bool:
    return has_role(user, Role.ANALYST)


def can_ingest_records(user, security_level: int) -> bool:
    """Ingest a file of records of this security level, and see such ingests: their errors
    and previous values quote the file."""
    return can_ingest_data(user) and is_cleared_for(user, security_level)


def can_manage_methodology(user) -> bool:
    """Create a methodology version (the RWG approves it as a decision)."""
    return has_role(user, Role.ANALYST) and can_view_targeting(user)


def can_run_assessment(user) -> bool:
    return has_role(user, Role.ANALYST, Role.RWG_MEMBER)


def can_record_rwg_decision(user) -> bool:
    return has_role(user, Role.RWG_MEMBER) and can_view_targeting(user)


def takes_part_in(user, departments) -> bool:
    """Whether the user's department is among `departments` (ids or Department objects)."""
    if not is_signed_in(user) or user.department_id is None:
        return False
    ids = {getattr(d, "pk", d) for d in departments}
    return user.department_id in ids


def sees_every_department(user) -> bool:
    """The RWG and administrators see every department's plans."""
    return has_role(user, Role.RWG_MEMBER)


def can_edit_engagement(user, departments) -> bool:
    """Plans, actions, engagements and commitments of the departments that take part."""
    if not can_view_targeting(user):
        return False
    if sees_every_department(user):
        return True
    return has_role(user, Role.ANALYST, Role.PROGRAM_OFFICER) and takes_part_in(user, departments)


def can_view_plan(user, plan) -> bool:
    """An Engagement Plan and what hangs on it: cleared for the plan's level with need-to-know,
    and the user's department takes part in it (lead or participant), unless the user is of
    the RWG or an administrator, who see every department's plans."""
    if not can_view_record(user, plan):
        return False
    return sees_every_department(user) or takes_part_in(user, plan.department_ids())


def can_edit_plan(user, plan) -> bool:
    """Change a plan's content, actions, engagements, commitments and ladder."""
    return can_view_plan(user, plan) and can_edit_engagement(user, plan.department_ids())


def can_evaluate_triggers(user) -> bool:
    """Evaluate every plan's escalation triggers now (the RWG's button)."""
    return can_record_rwg_decision(user)


def can_edit_envelope(user) -> bool:
    """Envelopes, amendments, partners, projects and payments."""
    return has_role(user, Role.PROGRAM_OFFICER)


def can_view_envelope(user, envelope=None) -> bool:
    """An envelope's authority and figures; its totals count every project (ADR 0100)."""
    if envelope is None:
        return is_signed_in(user)
    return can_view_record(user, envelope)


def can_edit_envelope_record(user, record) -> bool:
    """Change an envelope record the user may see: nobody edits what they cannot read."""
    return can_edit_envelope(user) and can_view_record(user, record)


def can_view_project_country(user, link) -> bool:
    """A project's target country: disclosed ones to whoever sees the project, others to
    users cleared for targeting."""
    if not can_view_record(user, link.project):
        return False
    return link.is_disclosed or can_view_targeting(user)


def can_edit_project_targeting(user) -> bool:
    """Add or remove a project's countries, or disclose one: needs the targeting clearance."""
    return can_edit_envelope(user) and can_view_targeting(user)
