"""Fixtures every test may use."""

import pytest
from django.utils import translation
from rest_framework.test import APIClient

from readmit.accounts.models import Role
from readmit.core.security import SecurityLevel
from tests.factories import UserFactory, cleared_user

# The browser fixtures (one Chromium per test process) are shared by every app's browser tests.
pytest_plugins = ["tests.browser.fixtures"]


@pytest.fixture(autouse=True)
def english():
    """Each test starts in English, whatever language an earlier test left active."""
    translation.activate("en")
    yield
    translation.activate("en")


@pytest.fixture
def viewer(db):
    return UserFactory(role=Role.VIEWER, clearance=SecurityLevel.UNCLASSIFIED)


@pytest.fixture
def analyst(db):
    return cleared_user(role=Role.ANALYST)


@pytest.fixture
def uncleared_analyst(db):
    return UserFactory(role=Role.ANALYST, clearance=SecurityLevel.PROTECTED_A)


@pytest.fixture
def program_officer(db):
    return cleared_user(role=Role.PROGRAM_OFFICER)


@pytest.fixture
def rwg_member(db):
    return cleared_user(role=Role.RWG_MEMBER, clearance=SecurityLevel.SECRET)


@pytest.fixture
def administrator(db):
    return cleared_user(role=Role.ADMINISTRATOR, clearance=SecurityLevel.SECRET)


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def api_as(api_client):
    """`api_as(user)`: an API client signed in as that user."""

    def sign_in(user):
        api_client.force_authenticate(user)
        return api_client

    return sign_in
