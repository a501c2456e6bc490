"""A real headless browser for the web console: Debian's chromium driven by Playwright.

Playwright never downloads a browser here: it starts /usr/bin/chromium (installed by
.ci/install-packages). One browser serves these tests, with a fresh profile; it is
closed when they are done, because Playwright's sync API keeps an event loop running
in the test thread, which later tests of code that refuses to block inside a running
loop (the JavaScript action's timeout) would trip over.
Without chromium or Playwright the tests are skipped, except under CI=true, where they
are mandatory and fail instead.
"""

import os
import shutil
import tempfile

import pytest

from tests.functional.server_fixture import mistral_server  # noqa: F401

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]


def _unavailable(msg):
    if os.environ.get("CI") == "true":
        pytest.fail(msg + " (mandatory under CI=true)")
    pytest.skip(msg)


@pytest.fixture(scope="package")
def browser_context():
    if not os.access(CHROMIUM, os.X_OK):
        _unavailable("%s is not installed" % CHROMIUM)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("playwright is not installed")
    profile = tempfile.mkdtemp(prefix="mistral-svc-chromium-")
    with sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            profile, executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True,
            viewport={"width": 1200, "height": 640})
        context.set_default_timeout(20000)
        try:
            yield context
        finally:
            context.close()
    shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
def page(browser_context):
    page = browser_context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    yield page
    page.close()
    assert not errors, "JavaScript errors on the page: %s" % errors
