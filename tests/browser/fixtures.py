"""Browser fixtures, loaded by tests/conftest.py for every app's browser tests.

A real browser for what only a browser shows: components that hydrate, the content security
policy, charts. Skipped, saying why, where Chromium or Playwright is absent."""

import os
import shutil

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def browser():
    if CHROMIUM is None:
        pytest.skip("Chromium is not installed (apt-get install chromium): browser tests skipped.")
    playwright_api = pytest.importorskip(
        "playwright.sync_api", reason="Playwright is not installed: browser tests skipped."
    )
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    """A page that records content-security-policy violations of this server's own resources."""
    context = browser.new_context()
    page = context.new_page()
    page.csp_violations = []
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', e => "
        "console.log('CSP-VIOLATION ' + e.violatedDirective + ' ' + e.blockedURI"
        " + ' ' + e.sourceFile))"
    )

    def record(message):
        text = message.text
        # The design system's stylesheet also asks a font CDN; the policy blocks it on purpose.
        if (
            text.startswith("CSP-VIOLATION")
            and "design-system.canada.ca" not in text
            and "fonts.googleapis.com" not in text
        ):
            page.csp_violations.append(text)

    page.on("console", record)
    yield page
    context.close()


@pytest.fixture
def sign_in(page, live_server):
    def sign_in_as(user, password="correct-horse-battery", language="en"):
        page.goto(f"{live_server.url}/{language}/accounts/sign-in/")
        page.locator("gcds-input[name=username] input").fill(user.username)
        page.locator("gcds-input[name=password] input").fill(password)
        page.locator("gcds-button[type=submit] button").click()
        page.wait_for_url(f"{live_server.url}/{language}/")
        return page

    return sign_in_as
