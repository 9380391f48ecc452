"""The supervisor on its own, with tiny worker scripts (real processes, no bot)."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

import pytest

from bot.service.supervisor import METRICS_VARIABLE, Supervisor, WorkerFailed

# A worker: says it is ready (or why it cannot start), then waits for SIGTERM; it
# writes where its metrics would go to a file named after its pid.
WORKER = """
import json, os, signal, socket, sys
control = socket.socket(fileno=int(sys.argv[sys.argv.index("--control-fd") + 1]))
out = sys.argv[1]
with open(os.path.join(out, str(os.getpid())), "w") as f:
    f.write(os.environ.get("PROMETHEUS_MULTIPROC_DIR", ""))
if os.environ.get("FAIL"):
    control.sendall(json.dumps({"error": ["PORT: taken.", "Fix: another."]}).encode() + b"\\n")
    sys.exit(2)
signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
control.sendall(json.dumps({"ready": os.getpid()}).encode() + b"\\n")
signal.pause()
"""


def command(folder: Path) -> list[str]:
    return [sys.executable, "-c", WORKER, str(folder)]


async def test_workers_start_share_a_metrics_folder_and_stop_cleanly(tmp_path: Path) -> None:
    supervisor = Supervisor(command(tmp_path), 3, grace=5)
    await supervisor.start()
    pids = supervisor.pids
    assert len(pids) == 3
    folder = {(tmp_path / str(pid)).read_text() for pid in pids}
    assert len(folder) == 1 and Path(folder.pop()).is_dir()  # one fresh folder for all
    running = asyncio.create_task(supervisor.run())
    supervisor.stop()
    assert await running == 0
    assert supervisor.metrics_dir is None
    assert not Path((tmp_path / str(pids[0])).read_text()).exists()  # deleted at the end


async def test_a_dead_worker_is_replaced(tmp_path: Path) -> None:
    supervisor = Supervisor(command(tmp_path), 2, grace=5)
    await supervisor.start()
    running = asyncio.create_task(supervisor.run())
    first = supervisor.pids
    os.kill(first[0], signal.SIGKILL)
    async with asyncio.timeout(30):
        while len(set(supervisor.pids) - set(first)) == 0:
            await asyncio.sleep(0.05)
    assert first[0] not in supervisor.pids and first[1] in supervisor.pids
    supervisor.stop()
    assert await running == 0  # the one killed was replaced; every one left ended cleanly


async def test_a_worker_that_cannot_start_stops_them_all(tmp_path: Path) -> None:
    supervisor = Supervisor(command(tmp_path), 2, env={**os.environ, "FAIL": "1"}, grace=5)
    with pytest.raises(WorkerFailed) as failed:
        await supervisor.start()
    assert failed.value.lines == ("PORT: taken.", "Fix: another.")
    assert failed.value.status == 2
    assert supervisor.pids == []
    assert supervisor.metrics_dir is None


async def test_one_worker_gets_no_metrics_folder(tmp_path: Path) -> None:
    supervisor = Supervisor(command(tmp_path), 1, env={
        k: v for k, v in os.environ.items() if k != METRICS_VARIABLE}, grace=5)
    await supervisor.start()
    (pid,) = supervisor.pids
    assert (tmp_path / str(pid)).read_text() == ""
    supervisor.stop()
    assert await supervisor.run() == 0
