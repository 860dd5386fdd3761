"""Production settings: secrets from the environment, and Django's deployment check passes."""

import os
import subprocess
import sys

import pytest

STRONG_KEY = "k8Jx2Q-production-test-key-" + "A1b2C3d4E5f6G7h8I9j0" * 3


def _readmit(*args: str, **env: str) -> subprocess.CompletedProcess:
    # The browser tests allow Django's ORM beside Playwright's event loop; a server must not.
    ignored = {"SECRET_KEY", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    environment = {k: v for k, v in os.environ.items() if k not in ignored}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "-m", "readmit", *args],
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
    )


@pytest.mark.slow
def test_production_refuses_to_start_without_a_secret_key():
    result = _readmit("check", READMIT_ENV="production", ALLOWED_HOSTS="readmit.example")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


@pytest.mark.slow
def test_production_settings_pass_the_deployment_check():
    result = _readmit(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        READMIT_ENV="production",
        SECRET_KEY=STRONG_KEY,
        ALLOWED_HOSTS="readmit.example",
    )
    assert result.returncode == 0, result.stderr + result.stdout


def test_development_settings_hash_passwords_with_argon2(settings):
    assert settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


def test_sessions_expire(settings):
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
    assert settings.SESSION_COOKIE_AGE <= 12 * 60 * 60


@pytest.mark.django_db
def test_pages_carry_a_content_security_policy_and_security_headers(client):
    response = client.get("/en/accounts/sign-in/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
