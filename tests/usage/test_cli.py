"""``python -m bot usage add`` as operators run it: a process of its own, on a real database.

(What the service refuses is tested in ``test_recording``; here, that the command says it.)
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from storage.sandbox import FreshDatabase, fresh_demo_database
from testkit.botprocess import environment
from tests.usage.helpers import link_acme_chats, outbox

ROOT = Path(__file__).resolve().parents[2]


async def bot(url: str, folder: Path, *argv: str) -> tuple[int, str, str]:
    """Run ``python -m bot *argv`` on the database at ``url``; status, output, errors."""
    env = environment(DATABASE_URL=url, PYTHONPATH=str(ROOT))
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", *argv, cwd=folder, env=env,
        stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await process.communicate()
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


async def test_usage_add_records_totals_and_queues_the_alert(
    db: FreshDatabase, tmp_path: Path
) -> None:
    await link_acme_chats(db)
    status, out, err = await bot(db.url, tmp_path, "usage", "add", "acme trading ltd",
                                 "Chatbot sessions", "200", "--key", "demo-1")
    assert (status, err) == (0, "")
    lines = out.splitlines()
    assert lines[0].startswith("Recorded: +200 sessions on the Chatbot sessions meter of "
                               "Acme Trading Ltd (event ")
    assert "2,540 / 2,000 sessions (127%)" in lines[1]  # the demo month had 2,340
    assert lines[2] == "Alert queued: 100% of what the package includes, for 3 chats."
    assert len(await outbox(db)) == 3
    status, out, _err = await bot(db.url, tmp_path, "usage", "add", "1", "bot_sessions",
                                  "200", "--key", "demo-1")
    assert status == 0 and out.startswith("Already recorded, counted once: +200 sessions")
    assert "2,540 / 2,000" in out  # not counted twice


@pytest.fixture
async def sqlite_url() -> AsyncIterator[str]:
    database = await fresh_demo_database("sqlite")
    try:
        yield database.url
    finally:
        await database.dispose()


@pytest.mark.parametrize(
    ("argv", "first"),
    [
        (["Nobody Ltd", "conversations", "5"], "no such account: 'Nobody Ltd'"),
        (["Acme Trading Ltd", "conversations", "five"], "QUANTITY must be a whole number"),
        (["Acme Trading Ltd", "conversations", "5", "--time", "soon"], "not an ISO 8601 time"),
    ],
    ids=["account", "quantity", "time"],
)
async def test_bad_input_is_two_lines_and_status_2(
    sqlite_url: str, tmp_path: Path, argv: list[str], first: str
) -> None:
    status, out, err = await bot(sqlite_url, tmp_path, "usage", "add", *argv)
    lines = err.splitlines()
    assert (status, out, len(lines)) == (2, "", 2), err
    assert lines[0].startswith("Usage not recorded: ") and first in lines[0]
    assert lines[1].startswith("Fix: ")
