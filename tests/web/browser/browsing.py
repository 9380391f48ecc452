"""Debian's Chromium for the browser tests, and browser profiles that fail a test when
its pages throw or break the Content Security Policy."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Browser, BrowserContext, ConsoleMessage, Error, Page, expect

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


@asynccontextmanager
async def watched_context(browser: Browser, server: ChatServer,
                          **options: Any) -> AsyncIterator[BrowserContext]:
    """A new browser profile (cookies, tabs) on ``server`` (``options``: viewport and the
    like); fails when one of its pages threw an error or broke the Content Security
    Policy."""
    created = await browser.new_context(base_url=server.url, **options)
    created.set_default_timeout(TIMEOUT_MS)
    problems = PageProblems()

    def watch(page: Page) -> None:
        page.on("pageerror", problems.script_error)
        page.on("console", problems.console)

    created.on("page", watch)
    try:
        yield created
    finally:
        await created.close()
    assert not problems.problems, problems.problems
