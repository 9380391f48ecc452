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

from collections.abc import AsyncIterator

import pytest_asyncio
from playwright.async_api import Browser, BrowserContext, async_playwright

from tests.web.browser.browsing import (
    CHROMIUM,
    CHROMIUM_ARGS,
    require_chromium,
    watched_context,
)
from tests.web.browser.server import ChatServer


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


@pytest_asyncio.fixture(loop_scope="module")
async def context(browser: Browser, server: ChatServer) -> AsyncIterator[BrowserContext]:
    """A new browser profile on ``server`` (see :func:`watched_context`)."""
    async with watched_context(browser, server) as created:
        yield created
