"""Users: created without prompts, signing in and out, locked out after failures, tokens."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from readmit.accounts.models import Department, User
from readmit.core.security import SecurityLevel
from tests.factories import UserFactory


@pytest.mark.django_db
def test_the_canadian_departments_are_configured_by_default():
    assert set(Department.objects.values_list("code", flat=True)) >= {"IRCC", "CBSA", "GAC", "PS"}


@pytest.mark.django_db
def test_create_user_command_sets_department_role_clearance_and_prints_a_token(capsys):
    call_command(
        "create_user",
        "alex",
        "--password",
        "a-long-passphrase-42",
        "--department",
        "cbsa",
        "--role",
        "analyst",
        "--clearance",
        "protected_b",
        "--need-to-know",
        "--api-token",
    )
    user = User.objects.get(username="alex")
    assert (user.department.code, user.role, user.clearance, user.has_need_to_know) == (
        "CBSA",
        "analyst",
        SecurityLevel.PROTECTED_B,
        True,
    )
    assert user.check_password("a-long-passphrase-42")
    token = capsys.readouterr().out.strip().splitlines()[-1]
    assert len(token) == 40


@pytest.mark.django_db
def test_create_user_without_password_cannot_sign_in():
    call_command("create_user", "nopass", "--department", "IRCC")
    assert not User.objects.get(username="nopass").has_usable_password()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--department", "XYZ"], "Unknown department XYZ"),
        (["--clearance", "top"], "Unknown clearance top"),
        (["--password", "short"], "too short"),
    ],
)
def test_create_user_refuses_bad_input_with_a_clear_message(args, message):
    with pytest.raises(CommandError, match=message):
        call_command("create_user", "bad", *args)
    assert not User.objects.filter(username="bad").exists()


@pytest.mark.django_db
def test_api_token_authenticates(client):
    call_command("create_user", "tok", "--department", "GAC", "--api-token")
    from rest_framework.authtoken.models import Token

    key = Token.objects.get(user__username="tok").key
    response = client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 200
    assert response.json()["department"] == "GAC"


@pytest.mark.django_db
def test_sign_in_page_in_english_and_french(client):
    english = client.get("/en/accounts/sign-in/")
    french = client.get("/fr/accounts/sign-in/")
    assert english.status_code == french.status_code == 200
    assert "Sign in to Readmit" in english.content.decode()
    assert "Connexion à Readmit" in french.content.decode()
    assert 'lang="fr"' in french.content.decode()
    assert 'lang-href="/en/accounts/sign-in/"' in french.content.decode()


@pytest.mark.django_db
def test_signing_in_leads_home_and_signing_out_leads_back(client):
    UserFactory(username="pat", password="a-long-passphrase-42")
    response = client.post(
        "/en/accounts/sign-in/", {"username": "pat", "password": "a-long-passphrase-42"}
    )
    assert response.status_code == 302
    home = client.get(response["Location"])
    assert "Signed in as pat" in home.content.decode()
    response = client.post("/en/accounts/sign-out/")
    assert response.status_code == 302
    assert client.get("/en/").status_code == 302


@pytest.mark.django_db
def test_repeated_failed_sign_ins_lock_the_account(client, settings):
    UserFactory(username="sam", password="a-long-passphrase-42")
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        client.post("/en/accounts/sign-in/", {"username": "sam", "password": "wrong"})
    response = client.post(
        "/en/accounts/sign-in/", {"username": "sam", "password": "a-long-passphrase-42"}
    )
    assert response.status_code == 429
    assert "locked" in response.content.decode()


@pytest.mark.django_db
def test_failed_sign_in_says_so_without_saying_which_part_was_wrong(client):
    response = client.post("/en/accounts/sign-in/", {"username": "nobody", "password": "x"})
    assert response.status_code == 200
    assert "do not match an active account" in response.content.decode()


@pytest.mark.django_db
def test_profile_shows_the_users_access(client):
    user = UserFactory(clearance=SecurityLevel.PROTECTED_B, has_need_to_know=True)
    client.force_login(user)
    content = client.get("/en/accounts/me/").content.decode()
    assert "Protected B" in content
    assert user.department.code in content
