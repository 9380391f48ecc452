"""The bot as operators run it, in processes of its own: ``python -m bot telegram ...``.

For tests and benchmarks of the service: start it against a local Bot API server
(:class:`testkit.botapi.BotApiServer`), wait until it serves, post updates straight to
its webhook (as Telegram does, several at once), stop it with a signal, and read what
it printed::

    async with BotProcess.webhook(server, database_url, workers=2) as bot:
        status, pid = await bot.post(server.telegram.send_text(chat, "menu", queue=False))
    assert bot.status == 0

Everything the processes print (the supervisor and its workers share the output) is
kept in :attr:`BotProcess.output`, and shown in every assertion that fails.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from aiohttp import ClientError, ClientSession, ClientTimeout, TCPConnector

from testkit.botapi import BotApiServer

SECRET = "botprocess-secret_0123456789"  # the WEBHOOK_SECRET it runs with unless told
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
PID_HEADER = "X-Worker-Pid"
REGISTERED = re.compile(r"Webhook registered at (\S+?)[;\s]")
# Settings of the bot that the calling environment must not leak into the process.
SETTINGS_PREFIXES = ("BOT_", "WEBHOOK_", "DATABASE_URL", "WEB_CONCURRENCY", "SHUTDOWN_",
                     "PROMETHEUS_MULTIPROC_DIR", "OPS_", "LOG_FORMAT", "CHAT_LOCK")


def environment(**values: str) -> dict[str, str]:
    """This process's environment without the bot's settings, plus ``values``."""
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith(SETTINGS_PREFIXES)}
    env.update(values)
    return env


class BotProcess:
    """``python -m bot *argv`` in ``cwd`` with exactly ``env`` (``async with``: started,
    then stopped with SIGTERM if still running)."""

    def __init__(self, argv: Sequence[str], env: Mapping[str, str], *,
                 cwd: str | Path | None = None) -> None:
        self.argv = list(argv)
        self.env = dict(env)
        self.cwd = cwd
        self.process: asyncio.subprocess.Process | None = None
        self.url: str | None = None  # the webhook, once it serves
        self._lines: list[str] = []
        self._changed = asyncio.Event()
        self._reader: asyncio.Task[None] | None = None
        self._http: ClientSession | None = None

    @classmethod
    def webhook(cls, server: BotApiServer, database_url: str, *, workers: int = 1,
                env: Mapping[str, str] | None = None, cwd: str | Path | None = None
                ) -> BotProcess:
        """The webhook service on a free port of 127.0.0.1, registered with ``server``."""
        argv = ["telegram", "--webhook", "--port", "0", "--workers", str(workers)]
        values = {"DATABASE_URL": database_url, "BOT_TOKEN": server.telegram.token,
                  "BOT_API_URL": server.url, "WEBHOOK_SECRET": SECRET, **(env or {})}
        return cls(argv, environment(**values), cwd=cwd)

    @classmethod
    def polling(cls, server: BotApiServer, database_url: str, *, polling_timeout: int = 5,
                env: Mapping[str, str] | None = None, cwd: str | Path | None = None
                ) -> BotProcess:
        """Long polling from ``server`` (no health side port unless ``env`` sets
        ``OPS_PORT``: tests run many at once)."""
        argv = ["telegram", "--polling-timeout", str(polling_timeout)]
        values = {"DATABASE_URL": database_url, "BOT_TOKEN": server.telegram.token,
                  "BOT_API_URL": server.url, "OPS_PORT": "0", **(env or {})}
        return cls(argv, environment(**values), cwd=cwd)

    # -- running ------------------------------------------------------------------------
    async def start(self) -> BotProcess:
        self.process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", *self.argv, cwd=self.cwd, env=self.env,
            stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        self._reader = asyncio.create_task(self._read())
        return self

    async def __aenter__(self) -> BotProcess:
        return await self.start()

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def close(self, timeout: float = 60) -> None:
        """Stop it (SIGTERM) if it still runs, killed after ``timeout`` seconds."""
        if self._http is not None:
            await self._http.close()
        if self.process is not None and self.process.returncode is None:
            self.signal(signal.SIGTERM)
            try:
                await self.wait(timeout)
            finally:
                if self.process.returncode is None:
                    self.process.kill()
                    await self.process.wait()
        if self._reader is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader

    @property
    def pid(self) -> int:
        assert self.process is not None, "not started"
        return self.process.pid

    @property
    def status(self) -> int | None:
        """The exit status once it ended (negative: killed by that signal)."""
        return None if self.process is None else self.process.returncode

    @property
    def output(self) -> str:
        return "".join(self._lines)

    def signal(self, signum: int) -> None:
        assert self.process is not None, "not started"
        with contextlib.suppress(ProcessLookupError):
            self.process.send_signal(signum)

    async def wait(self, timeout: float = 60) -> int:
        """Until it ends; its exit status."""
        assert self.process is not None, "not started"
        try:
            async with asyncio.timeout(timeout):
                status = await self.process.wait()
                if self._reader is not None:
                    await self._reader  # everything it printed is in `output` now
        except TimeoutError:
            raise AssertionError(f"still running after {timeout} s:\n{self.output}") from None
        return status

    async def until(self, text: str, timeout: float = 90) -> None:
        """Until ``text`` shows in the output; fails (with the output) if it ends first."""
        try:
            async with asyncio.timeout(timeout):
                while text not in self.output:
                    if self._reader is not None and self._reader.done():  # output closed
                        assert self.process is not None
                        status = await self.process.wait()
                        raise AssertionError(
                            f"ended with {status} before printing {text!r}:\n{self.output}")
                    self._changed.clear()
                    await self._changed.wait()
        except TimeoutError:
            raise AssertionError(f"{text!r} not printed in {timeout} s:\n{self.output}") from None

    async def serving(self, timeout: float = 90) -> str:
        """Until the webhook is registered; its URL."""
        await self.until("Webhook registered at", timeout)
        found = REGISTERED.search(self.output)
        assert found, self.output
        self.url = found.group(1)
        return self.url

    # -- as Telegram ----------------------------------------------------------------------
    async def post(self, update: dict[str, Any], *, secret: str = SECRET,
                   timeout: float = 10) -> tuple[int, int | None]:
        """POST ``update`` to the webhook, on a new connection each time (so the kernel
        may pick any worker); (HTTP status, pid of the worker that answered). Status 0:
        no answer (refused, reset: a stopping worker's socket is closed)."""
        assert self.url is not None, "call serving() first"
        if self._http is None:
            self._http = ClientSession(connector=TCPConnector(force_close=True),
                                       timeout=ClientTimeout(total=timeout))
        try:
            async with self._http.post(self.url, json=update,
                                       headers={SECRET_HEADER: secret}) as response:
                await response.read()
                pid = response.headers.get(PID_HEADER)
                return response.status, int(pid) if pid else None
        except (ClientError, TimeoutError):
            return 0, None

    async def _read(self) -> None:
        assert self.process is not None and self.process.stdout is not None
        async for line in self.process.stdout:
            self._lines.append(line.decode(errors="replace"))
            self._changed.set()
        self._changed.set()
