"""Several worker processes, one scrape: ``PROMETHEUS_MULTIPROC_DIR`` aggregates them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

ROOT = Path(__file__).resolve().parents[2]

WORKER = """
import sys
from bot.ops.metrics import CLOSURES, UPDATES
UPDATES.labels("message", "ok").inc(int(sys.argv[1]))
CLOSURES.inc()
"""

SCRAPE = """
import asyncio
from aiohttp import ClientSession
from bot.ops.http import start_ops_server
from storage.unit_of_work import Database

async def main():
    database = Database("sqlite+aiosqlite:///" + {db!r})
    runner = await start_ops_server(database, "127.0.0.1", 0)
    host, port = runner.addresses[0][:2]
    async with ClientSession() as http, http.get(f"http://{{host}}:{{port}}/metrics") as r:
        print(await r.text())
    await runner.cleanup()
    await database.dispose()

asyncio.run(main())
"""


def run(code: str, *args: str, env: dict[str, str]) -> str:
    done = subprocess.run([sys.executable, "-c", code, *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_a_scrape_adds_up_every_worker(tmp_path: Path) -> None:
    shared = tmp_path / "metrics"
    shared.mkdir()
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT),
           "PROMETHEUS_MULTIPROC_DIR": str(shared)}
    run(WORKER, "3", env=env)  # two workers, each counting its own updates
    run(WORKER, "4", env=env)
    scraped = run(SCRAPE.format(db=str(tmp_path / "bot.db")), env=env)  # a third answers
    values = {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(scraped)
        for sample in family.samples
    }
    assert values["bot_updates_total", (("kind", "message"), ("outcome", "ok"))] == 7
    assert values["bot_account_closures_total", ()] == 2
