"""Each permission rule: who may see and do what."""

import pytest
from django.contrib.auth.models import AnonymousUser

from readmit.accounts import rules
from readmit.accounts.models import Role
from readmit.core.models import Country
from readmit.core.security import SecurityLevel
from tests.factories import DepartmentFactory, UserFactory


def _user(**kwargs):
    return UserFactory.build(**kwargs)


def test_anonymous_users_may_do_nothing():
    anonymous = AnonymousUser()
    assert not rules.is_signed_in(anonymous)
    assert not rules.can_view_targeting(anonymous)
    assert not rules.can_ingest_data(anonymous)
    assert not rules.is_cleared_for(anonymous, SecurityLevel.UNCLASSIFIED)


def test_inactive_users_may_do_nothing():
    user = _user(is_active=False, role=Role.ADMINISTRATOR, clearance=SecurityLevel.SECRET)
    assert not rules.is_cleared_for(user, SecurityLevel.UNCLASSIFIED)
    assert not rules.can_manage_people(user)


@pytest.mark.parametrize("clearance", list(SecurityLevel))
@pytest.mark.parametrize("level", list(SecurityLevel))
def test_clearance_covers_its_level_and_below(clearance, level):
    assert rules.is_cleared_for(_user(clearance=clearance), level) is (clearance >= level)


def test_need_to_know_records_need_the_grant_as_well_as_clearance():
    record = Country(code="XAA", security_level=SecurityLevel.PROTECTED_B, is_need_to_know=True)
    assert not rules.can_view_record(_user(clearance=SecurityLevel.SECRET), record)
    assert not rules.can_view_record(
        _user(clearance=SecurityLevel.PROTECTED_A, has_need_to_know=True), record
    )
    assert rules.can_view_record(
        _user(clearance=SecurityLevel.PROTECTED_B, has_need_to_know=True), record
    )


def test_targeting_needs_protected_b_and_need_to_know():
    assert rules.can_view_targeting(
        _user(clearance=SecurityLevel.PROTECTED_B, has_need_to_know=True)
    )
    assert not rules.can_view_targeting(_user(clearance=SecurityLevel.PROTECTED_B))
    assert not rules.can_view_targeting(
        _user(clearance=SecurityLevel.PROTECTED_A, has_need_to_know=True)
    )


@pytest.mark.parametrize(
    ("role", "may_ingest", "may_edit_envelope", "may_manage_people"),
    [
        (Role.VIEWER, False, False, False),
        (Role.ANALYST, True, False, False),
        (Role.PROGRAM_OFFICER, False, True, False),
        (Role.RWG_MEMBER, False, False, False),
        (Role.ADMINISTRATOR, True, True, True),
    ],
)
def test_roles_decide_who_changes_what(role, may_ingest, may_edit_envelope, may_manage_people):
    user = _user(role=role, clearance=SecurityLevel.PROTECTED_B, has_need_to_know=True)
    assert rules.can_ingest_data(user) is may_ingest
    assert rules.can_edit_envelope(user) is may_edit_envelope
    assert rules.can_manage_people(user) is may_manage_people


def test_rwg_decisions_need_the_rwg_role_and_targeting_clearance():
    assert rules.can_record_rwg_decision(
        _user(role=Role.RWG_MEMBER, clearance=SecurityLevel.PROTECTED_B, has_need_to_know=True)
    )
    assert not rules.can_record_rwg_decision(
        _user(role=Role.RWG_MEMBER, clearance=SecurityLevel.SECRET)
    )
    assert not rules.can_record_rwg_decision(
        _user(role=Role.ANALYST, clearance=SecurityLevel.SECRET, has_need_to_know=True)
    )


@pytest.mark.django_db
def test_departments_edit_only_the_engagement_they_take_part_in():
    ircc, gac = DepartmentFactory(code="IRCC"), DepartmentFactory(code="GAC")
    officer = UserFactory(
        role=Role.PROGRAM_OFFICER,
        department=ircc,
        clearance=SecurityLevel.PROTECTED_B,
        has_need_to_know=True,
    )
    rwg = UserFactory(
        role=Role.RWG_MEMBER,
        department=gac,
        clearance=SecurityLevel.PROTECTED_B,
        has_need_to_know=True,
    )
    assert rules.can_edit_engagement(officer, [ircc])
    assert not rules.can_edit_engagement(officer, [gac])
    assert rules.can_edit_engagement(rwg, [ircc])
    viewer = UserFactory(
        role=Role.VIEWER, department=ircc, clearance=SecurityLevel.SECRET, has_need_to_know=True
    )
    assert not rules.can_edit_engagement(viewer, [ircc])
