"""``python -m bot ARGS`` as processes forked from one that has imported the bot already.

A fresh interpreter per case spends seconds of CPU importing aiogram before it reads
its first setting. This server (``python -m tests.cli.forkserver``) imports what
``python -m bot`` imports once, then forks a copy for each case it is asked for. The
copy becomes the command: its own environment, working folder, standard input
(/dev/null), output and error (files), it runs ``bot/__main__.py`` as ``__main__``
like ``python -m bot`` does, and it ends the way that interpreter would (exit status,
``atexit``, a traceback for an uncaught error, Ctrl-C). Starting the interpreter itself
is exercised by ``tests/telegram/test_cli.py``.

Protocol, one JSON object a line: the client sends ``{"id", "argv", "env", "cwd",
"stdout", "stderr"}``; the server answers ``{"id", "pid"}`` once forked and ``{"id",
"status"}`` when that process has ended (status as ``asyncio``'s ``returncode``:
negative for a signal). The server ends when its input ends and every case has.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import os
import runpy
import select
import signal
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
# What `python -m bot` imports (aiogram included), but not bot/__main__.py itself: each
# case runs that anew as __main__.
PRELOAD = [
    *(f"bot.commands.{name}" for name in
      ("chat", "database", "diagram", "link_code", "run", "script", "telegram")),
    "bot.charts", "bot.redaction", "bot.startup.error", "bot.telegram.app",
]
POLL = 0.02  # seconds between looks at ended children (server) or at output (client)


# -- the server ---------------------------------------------------------------------------
def _serve() -> dict[str, Any]:
    """Fork a child per request; returns only in a child, with its request."""
    running: dict[int, int] = {}  # pid -> request id
    pending = b""
    open_input = True
    while open_input or running:
        readable, _, _ = select.select([0] if open_input else [], [], [], POLL)
        if readable:
            chunk = os.read(0, 65536)
            open_input = bool(chunk)
            pending += chunk
        while b"\n" in pending:
            line, pending = pending.split(b"\n", 1)
            request = json.loads(line)
            sys.stdout.flush()  # a child must not inherit unwritten answers
            pid = os.fork()
            if pid == 0:
                return dict(request)
            running[pid] = request["id"]
            _answer(id=request["id"], pid=pid)
        while running:
            pid, status = os.waitpid(-1, os.WNOHANG)
            if pid == 0:
                break
            _answer(id=running.pop(pid), status=os.waitstatus_to_exitcode(status))
    raise SystemExit(0)


def _answer(**fields: Any) -> None:
    print(json.dumps(fields), flush=True)


def _become(request: dict[str, Any]) -> None:
    """In the child: turn into ``python -m bot *argv`` and run it (never returns)."""
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    sys.stdin = open(0, closefd=False)  # noqa: SIM115 (fd 0, closed by the interpreter)
    for fd, name in ((1, "stdout"), (2, "stderr")):
        target = os.open(request[name], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.dup2(target, fd)
        os.close(target)
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    signal.signal(signal.SIGINT, signal.default_int_handler)
    sys.argv = ["python", *request["argv"]]
    runpy.run_module("bot", run_name="__main__", alter_sys=True)  # raises SystemExit


def main() -> None:
    for module in PRELOAD:
        __import__(module)
    # What is imported stays as it is: children need not scan (and copy) it in every
    # garbage collection (the fork-server advice in the gc module's documentation).
    gc.freeze()
    _become(_serve())


# -- the client ---------------------------------------------------------------------------
@dataclass
class Finished:
    status: int | None
    stdout: str
    stderr: str


class BotProcesses:
    """Runs ``python -m bot`` cases through one fork server (``async with``)."""

    def __init__(self, folder: Path, env: dict[str, str]) -> None:
        self.folder = folder
        self.env = env  # the server's own environment
        self.server: asyncio.subprocess.Process | None = None
        self.reader: asyncio.Task[None] | None = None
        self.count = 0
        self.forked: dict[int, asyncio.Future[int]] = {}
        self.ended: dict[int, asyncio.Future[int]] = {}

    async def __aenter__(self) -> BotProcesses:
        self.folder.mkdir(parents=True, exist_ok=True)
        self.server = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "tests.cli.forkserver", cwd=ROOT, env=self.env,
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
        )
        self.reader = asyncio.create_task(self._read_answers())
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        assert self.server is not None and self.server.stdin is not None
        self.server.stdin.close()
        try:
            async with asyncio.timeout(10):
                await self.server.wait()
        finally:
            if self.server.returncode is None:
                self.server.kill()
            if self.reader is not None:
                self.reader.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await self.reader

    async def _read_answers(self) -> None:
        assert self.server is not None and self.server.stdout is not None
        async for line in self.server.stdout:
            answer = json.loads(line)
            if "pid" in answer:
                self.forked[answer["id"]].set_result(answer["pid"])
            else:
                self.ended[answer["id"]].set_result(answer["status"])
        for future in [*self.forked.values(), *self.ended.values()]:
            if not future.done():
                future.set_exception(RuntimeError("the fork server ended"))

    async def run(
        self, argv: list[str], env: dict[str, str], cwd: Path, *,
        until: str | None = None, until_on: str = "stdout",
    ) -> Finished:
        """``python -m bot *argv`` in ``cwd`` with exactly ``env``; with ``until``, Ctrl-C
        (SIGINT) once that text shows on ``until_on``. Killed if cancelled (a time-out)."""
        assert self.server is not None and self.server.stdin is not None
        self.count += 1
        number = self.count
        out, err = (self.folder / f"{number}.{name}" for name in ("out", "err"))
        loop = asyncio.get_running_loop()
        self.forked[number], self.ended[number] = loop.create_future(), loop.create_future()
        request = {"id": number, "argv": argv, "env": env, "cwd": str(cwd),
                   "stdout": str(out), "stderr": str(err)}
        self.server.stdin.write(json.dumps(request).encode() + b"\n")
        pid = await self.forked[number]
        watched = out if until_on == "stdout" else err
        try:
            while until is not None and not self.ended[number].done():
                if until in _read(watched):
                    os.kill(pid, signal.SIGINT)
                    break
                await asyncio.sleep(POLL)
            status = await self.ended[number]
        except BaseException:
            if not self.ended[number].done():
                os.kill(pid, signal.SIGKILL)
            raise
        return Finished(status, _read(out), _read(err))


def _read(path: Path) -> str:
    return path.read_bytes().decode(errors="replace") if path.exists() else ""


if __name__ == "__main__":
    main()
