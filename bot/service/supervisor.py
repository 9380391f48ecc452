"""Worker processes of one command: started, watched, restarted and stopped together.

Each worker is a fresh interpreter (a subprocess of ``sys.executable``), so it
inherits no event loop, thread or database connection from the supervisor, and its
exit status is its own. It runs in a process group of its own: a Ctrl-C at the
terminal reaches the supervisor only, which passes every stop on as SIGTERM.

A worker talks back over a socket pair whose descriptor it gets as ``--control-fd N``
(see :class:`SupervisorLink`): one JSON line, ``{"ready": pid}`` once it serves, or
``{"error": [lines]}`` when it cannot start (its StartupError's two lines). The
supervisor keeps its end open while it lives; a worker that sees it close (the
supervisor was killed) stops by itself.

With more than one worker, ``PROMETHEUS_MULTIPROC_DIR`` is set to a fresh folder for
them (``/metrics`` then adds up every worker's counters), a dead worker's live gauges
are removed with ``mark_process_dead``, and the folder is deleted at the end.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import shutil
import signal
import socket
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from prometheus_client import multiprocess

log = logging.getLogger(__name__)

CONTROL_OPTION = "--control-fd"
METRICS_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"
RESTART_FIRST = 1.0  # seconds before a dead worker is replaced; doubles while they keep dying
RESTART_MAX = 30.0
STABLE_SECONDS = 30.0  # a worker that ran this long was not crash-looping: back to RESTART_FIRST
KILL_MARGIN = 10.0  # past the grace period, a worker still running is killed (SIGKILL)

# prometheus-client ships this function without annotations; its documented signature.
_mark_process_dead: Callable[[int, str], None] = multiprocess.mark_process_dead


class WorkerFailed(Exception):
    """A worker could not start: its exit status and what it said (two lines, or none)."""

    def __init__(self, status: int | None, lines: Sequence[str]) -> None:
        super().__init__("; ".join(lines) or f"a worker ended: {describe(status)}")
        self.status = status
        self.lines = tuple(lines)


def describe(status: int | None) -> str:
    """An exit status in words: ``exited with status 1``, ``was killed by SIGKILL``."""
    if status is None:
        return "is still running"
    if status < 0:
        return f"was killed by {signal.Signals(-status).name}"
    return f"exited with status {status}"


@dataclass(slots=True)
class _Slot:
    """One worker's place: the process filling it now, and how to hear from it."""

    number: int
    process: asyncio.subprocess.Process | None = None
    reader: asyncio.StreamReader | None = None
    control: asyncio.StreamWriter | None = None
    started: float = 0.0
    ready: bool = False  # the process said it serves
    status: int | None = None  # how the last process in this place ended

    @property
    def clean(self) -> bool:
        """Whether the last process ended well: exit status 0, or stopped by our SIGTERM
        before it was ready (it had nothing in progress yet)."""
        return self.status == 0 or (self.status == -signal.SIGTERM and not self.ready)


class Supervisor:
    """Runs ``count`` copies of ``command`` (each given ``--control-fd N``).

    ``await start()`` starts them and waits until each is ready; ``await run()``
    replaces any that dies (after a pause that grows while they keep dying) until
    :meth:`stop`, then waits for them to finish (``grace`` seconds, plus a margin,
    before killing) and returns 0 when every one exited cleanly, else 1.
    """

    def __init__(self, command: Sequence[str], count: int, *,
                 env: Mapping[str, str] | None = None, grace: float = 25.0) -> None:
        self.command = list(command)
        self.env = dict(os.environ if env is None else env)
        self.grace = grace
        self.slots = [_Slot(number) for number in range(1, count + 1)]
        self.metrics_dir: str | None = None
        if count > 1:
            self.metrics_dir = tempfile.mkdtemp(prefix="bot-metrics-")
            self.env[METRICS_VARIABLE] = self.metrics_dir
        self._stopping = asyncio.Event()
        self._keepers: list[asyncio.Task[None]] = []

    @property
    def pids(self) -> list[int]:
        """The workers running now."""
        return [slot.process.pid for slot in self.slots
                if slot.process is not None and slot.process.returncode is None]

    @property
    def stopping(self) -> bool:
        return self._stopping.is_set()

    async def start(self) -> None:
        """Start every worker; return once each said it is ready (or a stop came).

        Raises :class:`WorkerFailed` for the first that could not start, once the
        others are stopped too.
        """
        try:
            for slot in self.slots:
                await self._launch(slot)
            results = await asyncio.gather(*(self._ready(slot) for slot in self.slots),
                                           return_exceptions=True)
        except BaseException:
            self.stop()
            await self._all_down()
            self._clean_up()
            raise
        failures = [result for result in results if isinstance(result, BaseException)]
        if failures:
            self.stop()
            await self._all_down()
            self._clean_up()
            raise failures[0]
        self._keepers = [asyncio.create_task(self._keep(slot)) for slot in self.slots]

    def stop(self) -> None:
        """Stop every worker (SIGTERM: each finishes what it has in progress)."""
        if self._stopping.is_set():
            return
        self._stopping.set()
        log.info("stopping the workers (pids %s): each finishes what it has in progress",
                 ", ".join(str(pid) for pid in self.pids) or "none")
        for slot in self.slots:
            self._terminate(slot)

    async def run(self) -> int:
        """Keep the workers running until :meth:`stop`; then wait for them."""
        late: set[asyncio.Task[None]] = set()
        try:
            await self._stopping.wait()
            if self._keepers:
                _, late = await asyncio.wait(self._keepers, timeout=self.grace + KILL_MARGIN)
            for slot in self.slots:
                if slot.process is not None and slot.process.returncode is None:
                    log.error("worker %d (pid %d) still running %.0f s after the stop: "
                              "killing it", slot.number, slot.process.pid,
                              self.grace + KILL_MARGIN)
                    slot.process.kill()
            await asyncio.gather(*late, return_exceptions=True)
        finally:
            self._clean_up()
        clean = all(slot.clean for slot in self.slots) and not late
        if clean:
            log.info("every worker finished cleanly")
        else:
            log.warning("workers ended: %s", ", ".join(
                f"{slot.number} {describe(slot.status)}" for slot in self.slots))
        return 0 if clean else 1

    # -- one worker --------------------------------------------------------------------
    async def _launch(self, slot: _Slot) -> None:
        ours, theirs = socket.socketpair()
        try:
            slot.process = await asyncio.create_subprocess_exec(
                *self.command, CONTROL_OPTION, str(theirs.fileno()),
                env=self.env, pass_fds=(theirs.fileno(),), process_group=0,
            )
        except BaseException:
            ours.close()
            raise
        finally:
            theirs.close()
        slot.reader, slot.control = await asyncio.open_connection(sock=ours)
        slot.started = asyncio.get_running_loop().time()
        slot.ready, slot.status = False, None
        log.info("worker %d started (pid %d)", slot.number, slot.process.pid)
        if self._stopping.is_set():  # stopped while it was being started
            self._terminate(slot)

    async def _ready(self, slot: _Slot) -> None:
        """Until the worker says it is ready (or a stop comes); WorkerFailed when it
        says it cannot start, or ends before saying anything."""
        assert slot.reader is not None and slot.process is not None
        reading = asyncio.ensure_future(slot.reader.readline())
        stopping = asyncio.ensure_future(self._stopping.wait())
        try:
            await asyncio.wait({reading, stopping}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stopping.cancel()
            if not reading.done():
                reading.cancel()
        if not reading.done() or reading.cancelled():
            return
        message = _message(reading.result())
        if "ready" in message:
            slot.ready = True
            log.info("worker %d (pid %d) ready", slot.number, slot.process.pid)
            return
        status = await slot.process.wait()  # it exits after saying why
        raise WorkerFailed(status, [str(line) for line in message.get("error", [])])

    async def _keep(self, slot: _Slot) -> None:
        """Replace the worker whenever it ends, until stopping."""
        pause = RESTART_FIRST
        while True:
            assert slot.process is not None
            status = await slot.process.wait()
            self._gone(slot, status)
            if self._stopping.is_set():
                return
            ran = asyncio.get_running_loop().time() - slot.started
            if ran >= STABLE_SECONDS:
                pause = RESTART_FIRST
            log.warning("worker %d (pid %d) %s after %.1f s; starting another in %.1f s",
                        slot.number, slot.process.pid, describe(status), ran, pause)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), pause)
                return  # stopped while pausing
            pause = min(pause * 2, RESTART_MAX)
            try:
                await self._launch(slot)
                await self._ready(slot)
            except WorkerFailed as failure:
                log.warning("worker %d could not start: %s", slot.number, failure)
            except OSError as error:  # could not even start the interpreter: try later
                log.error("worker %d could not be started: %s", slot.number, error)
                slot.started = asyncio.get_running_loop().time()

    def _terminate(self, slot: _Slot) -> None:
        if slot.process is not None and slot.process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                slot.process.send_signal(signal.SIGTERM)

    def _gone(self, slot: _Slot, status: int) -> None:
        slot.status = status
        if slot.control is not None:
            slot.control.close()
            slot.control = None
        if self.metrics_dir is not None and slot.process is not None:
            _mark_process_dead(slot.process.pid, self.metrics_dir)

    async def _all_down(self) -> None:
        """Wait for every started worker to end (killed after the grace period)."""
        running = [slot for slot in self.slots if slot.process is not None]
        waits = [asyncio.ensure_future(slot.process.wait()) for slot in running
                 if slot.process is not None]
        if not waits:
            return
        _, late = await asyncio.wait(waits, timeout=self.grace + KILL_MARGIN)
        for slot in running:
            if slot.process is not None and slot.process.returncode is None:
                slot.process.kill()
        await asyncio.gather(*late, return_exceptions=True)
        for slot in running:
            assert slot.process is not None
            if slot.process.returncode is not None:
                self._gone(slot, slot.process.returncode)

    def _clean_up(self) -> None:
        if self.metrics_dir is not None:
            shutil.rmtree(self.metrics_dir, ignore_errors=True)
            self.metrics_dir = None


def _message(line: bytes) -> dict[str, Any]:
    try:
        message = json.loads(line)
    except ValueError:
        return {}
    return message if isinstance(message, dict) else {}


class SupervisorLink:
    """The worker's side of the control socket (``--control-fd N``)."""

    def __init__(self, fd: int) -> None:
        self.socket = socket.socket(fileno=fd)

    def ready(self) -> None:
        """Tell the supervisor this worker serves now."""
        self._tell({"ready": os.getpid()})

    def failed(self, lines: Sequence[str]) -> None:
        """Tell the supervisor why this worker cannot start (it prints the lines)."""
        self._tell({"error": list(lines)})

    def on_gone(self, callback: Callable[[], None]) -> None:
        """Call ``callback`` (once) when the supervisor's end closes: it is gone."""
        loop = asyncio.get_running_loop()
        fd = self.socket.fileno()

        def readable() -> None:
            try:
                if self.socket.recv(64):
                    return  # nothing is sent this way today; ignore it
            except BlockingIOError:
                return
            except OSError:
                pass  # reset: gone all the same
            loop.remove_reader(fd)
            callback()

        self.socket.setblocking(False)
        loop.add_reader(fd, readable)

    def close(self) -> None:
        self.socket.close()

    def _tell(self, message: dict[str, Any]) -> None:
        with contextlib.suppress(OSError):  # the supervisor is gone: nobody to tell
            self.socket.sendall(json.dumps(message).encode() + b"\n")
