"""Browser fixtures: one headless Chromium for the session, a fresh context and page per test.

The app is served by pytest-django's ``live_server`` (a threaded WSGI server in this
process), so a test can read the outbox and the database the server writes to.
Debian's chromium is driven directly: Playwright's own browser downloads are not used.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol

import pytest
from django.core.cache import cache
from playwright.sync_api import (
    Browser,
    BrowserContext,
    Page,
    Playwright,
    WebSocketRoute,
    expect,
    sync_playwright,
)

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
SCREENS = ARTIFACTS / "screens"

# Generous ceilings, never waits: Playwright returns as soon as the condition holds, so a
# slow CI machine only gets more room, not a longer run.
ACTION_TIMEOUT_MS = 30_000
EXPECT_TIMEOUT_MS = 15_000


def _silent_socket(socket: WebSocketRoute) -> None:
    """Accept the socket and never send on it: a live connection with no news."""


class PageFactory(Protocol):
    def __call__(self, **context_options: Any) -> Page: ...


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    # Keep each phase's report on the test item so fixtures can tell, at teardown,
    # whether the test failed and a screenshot is worth saving.
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="package")
def playwright() -> Iterator[Playwright]:
    if not CHROMIUM.exists():
        message = f"browser tests need Debian's chromium at {CHROMIUM} (apt install chromium)"
        # A developer without chromium skips them; CI must never pass by skipping them.
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    # Playwright's sync API keeps an event loop running in the main thread, which makes
    # Django refuse ORM calls from the tests ("You cannot call this from an async
    # context"). Allow them while the browser tests run, and only then: the driver stops
    # and the variable goes when this package's tests are done.
    with pytest.MonkeyPatch.context() as patch, sync_playwright() as driver:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        yield driver


@pytest.fixture(scope="package")
def browser(playwright: Playwright) -> Iterator[Browser]:
    expect.set_options(timeout=EXPECT_TIMEOUT_MS)
    browser = playwright.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
    )
    yield browser
    browser.close()


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> None:
    # allauth counts sign-ups, failed logins and reset requests in the cache, which
    # outlives a test; each test starts with no attempts counted.
    cache.clear()


@pytest.fixture
def new_page(
    browser: Browser, live_server: Any, request: pytest.FixtureRequest
) -> Iterator[PageFactory]:
    """Open a page in a new browser context (its own cookies, locale, time zone).

    Contexts default to an English-speaking browser in UTC so that no test depends on
    the machine's locale; a test passes ``locale=`` or ``timezone_id=`` to change them.
    """
    contexts: list[BrowserContext] = []

    def _new_page(**context_options: Any) -> Page:
        options: dict[str, Any] = {
            "base_url": live_server.url,
            "locale": "en-US",
            "timezone_id": "UTC",
            **context_options,
        }
        context = browser.new_context(**options)
        context.set_default_timeout(ACTION_TIMEOUT_MS)
        # The live server speaks plain HTTP only (realtime is tested in tests/integration).
        # Answer the pages' live-notice socket in the browser, so it neither retries in
        # the background nor sends the server requests a test did not ask for.
        context.route_web_socket(re.compile(r"/ws/"), _silent_socket)
        contexts.append(context)
        return context.new_page()

    yield _new_page

    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^\w.-]+", "_", request.node.nodeid)
        for number, context in enumerate(contexts):
            for index, page in enumerate(context.pages):
                page.screenshot(path=ARTIFACTS / f"{name}-{number}-{index}.png", full_page=True)
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page: PageFactory) -> Page:
    return new_page()
