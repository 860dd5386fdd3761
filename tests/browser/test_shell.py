"""The page shell in a browser: design-system components hydrate, sign-in works, nothing breaks
the content security policy."""

import pytest

from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def test_signing_in_through_the_design_system_form(sign_in, page):
    user = UserFactory(username="browser-user")
    sign_in(user)
    assert "Signed in as browser-user" in page.content()
    assert "hydrated" in page.locator("gcds-header").get_attribute("class")
    assert page.csp_violations == []


def test_the_language_toggle_leads_to_the_same_page_in_french(page, live_server):
    page.goto(f"{live_server.url}/en/accounts/sign-in/")
    page.locator("gcds-header gcds-lang-toggle a, gcds-header >> text=Français").first.click()
    page.wait_for_url(f"{live_server.url}/fr/accounts/sign-in/")
    assert "Connexion à Readmit" in page.content()
    assert page.csp_violations == []
