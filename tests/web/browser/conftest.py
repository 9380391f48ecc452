"""Fixtures of the web chat's browser tests: Debian's Chromium driven by Playwright
(async API), one browser per module, a fresh context (cookies, tabs) per test, and the
real web chat server on a fresh demo database per test, in the test's event loop.

Chromium is Debian's (``/usr/bin/chromium``); Playwright never downloads a browser here.
Without it the tests are skipped, except under CI (env ``CI`` set), where they fail: a
silently skipped browser is an untested page.

Every test module using these fixtures runs its tests and fixtures in one event loop per
module (``pytestmark``: ``asyncio(loop_scope="module")``, and the ``xdist_group`` that
keeps the module's browser on one worker).
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from playwright.async_api import Browser, BrowserContext, ConsoleMessage, Error, expect
from playwright.async_api import async_playwright

from tests.web.browser.server import ChatServer

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",  # tests run as root in containers, where the sandbox cannot start
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
MISSING = (
    f"Chromium is not installed: run `sudo apt-get install chromium` (Debian) so that "
    f"{CHROMIUM} exists; the web chat's browser tests drive that browser (Playwright's "
    "own browser download is never used)."
)
TIMEOUT_MS = 10_000

expect.set_options(timeout=TIMEOUT_MS)


def require_chromium() -> None:
    """Skip the calling test when Chromium is missing (fail it under CI)."""
    if not os.access(CHROMIUM, os.X_OK):
        if os.environ.get("CI"):
            pytest.fail(MISSING)
        pytest.skip(MISSING)


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def browser() -> AsyncIterator[Browser]:
    """One headless Chromium for the module's tests."""
    require_chromium()
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
        )
        try:
            yield launched
        finally:
            await launched.close()


@pytest_asyncio.fixture(loop_scope="module")
async def server() -> AsyncIterator[ChatServer]:
    """The web chat on a fresh demo database, on a free port of 127.0.0.1."""
    async with ChatServer() as running:
        yield running


class PageProblems:
    """What went wrong inside the pages of a context: uncaught script errors and what
    the Content Security Policy refused. A test fails on any (see ``context``)."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def script_error(self, error: Error) -> None:
        self.problems.append(f"script error: {error.message}")

    def console(self, message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            self.problems.append(f"CSP: {message.text}")


@pytest_asyncio.fixture(loop_scope="module")
async def context(browser: Browser, server: ChatServer) -> AsyncIterator[BrowserContext]:
    """A new browser profile (cookies, tabs) on ``server``; fails the test when one of
    its pages threw an error or broke the Content Security Policy."""
    created = await browser.new_context(base_url=server.url)
    created.set_default_timeout(TIMEOUT_MS)
    problems = PageProblems()

    def watch(page) -> None:  # type: ignore[no-untyped-def]
        page.on("pageerror", problems.script_error)
        page.on("console", problems.console)

    created.on("page", watch)
    try:
        yield created
    finally:
        await created.close()
    assert not problems.problems, problems.problems
