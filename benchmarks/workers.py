"""Webhook workers on PostgreSQL under real HTTP load: 1 worker against 2, in one run.

    .venv/bin/python benchmarks/workers.py                 # 200 chats, 20 s per run
    .venv/bin/python benchmarks/workers.py --seconds 5 --workers 1,2,4

What runs, each in its own process, all on loopback:

- the bot: ``python -m bot telegram --webhook --workers N`` on a fresh PostgreSQL
  demo database (one port shared with ``SO_REUSEPORT``, advisory chat locks);
- the load generator (this file with ``--generate``): the Telegram side. It serves
  the Bot API the workers call (``testkit.botapi``) and posts each update to the
  webhook itself over fresh HTTP connections, so the kernel spreads them over the
  workers. ``--chats`` users each type "menu" and wait for the menu to arrive before
  typing again (closed loop). Latency: from posting an update to its reply reaching
  the Bot API.

It prints, per worker count: updates/s, p50/p99 latency, the scaling factor against
one worker, and the CPU seconds used per 1,000 updates by the bot's processes, the
generator and PostgreSQL (from ``/proc``). This machine has 2 cores shared by all of
them, so the scaling factor says how much the bot gains from a second core that the
generator and the database also need, not what it gains on a machine of its own.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import suppress
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "123456:BENCH-TOKEN"
SECRET = "bench-secret-0123456789"
FIRST_CHAT = 30_000_000


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU seconds of ``pids`` so far (Linux ``/proc``)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        with suppress(OSError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def children(pid: int) -> list[int]:
    """``pid`` and its descendants."""
    found, queue = [], [pid]
    while queue:
        parent = queue.pop()
        found.append(parent)
        with suppress(OSError):
            for task in Path(f"/proc/{parent}/task").iterdir():
                text = (task / "children").read_text().split()
                queue.extend(int(child) for child in text)
    return found


def postgres_pids() -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with suppress(OSError):
                if (entry / "comm").read_text().strip() in {"postgres", "postmaster"}:
                    pids.append(int(entry.name))
    return pids


# -- the generator process ---------------------------------------------------------


async def generate(args: argparse.Namespace) -> None:
    """Serve the Bot API, wait for the webhook, drive the chats, print one JSON line."""
    from aiohttp import ClientSession, ClientTimeout, TCPConnector

    from testkit.botapi import BotApiServer

    server = await BotApiServer(token=TOKEN, history_limit=4).start("127.0.0.1", args.api_port)
    telegram = server.telegram
    telegram.record_calls = False
    print("ready", flush=True)
    while telegram.webhook is None:  # the bot registers it once it is up
        await asyncio.sleep(0.05)
    url = telegram.webhook["url"]
    waiting: dict[int, asyncio.Future[None]] = {}

    def replied(method: str, values: Any) -> None:
        if method == "sendMessage":
            future = waiting.pop(int(values["chat_id"]), None)
            if future is not None and not future.done():
                future.set_result(None)

    telegram.observers.append(replied)
    latencies: list[float] = []
    # A connection per post (no keep-alive): SO_REUSEPORT spreads connections, not posts.
    connector = TCPConnector(force_close=True, limit=0)
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
    deadline = time.monotonic() + args.warmup + args.seconds
    measure_from = time.monotonic() + args.warmup

    async def announce() -> None:  # the coordinator samples CPU from now on
        await asyncio.sleep(max(0.0, measure_from - time.monotonic()))
        print("measuring", flush=True)

    announcing = asyncio.create_task(announce())
    async with ClientSession(connector=connector, timeout=ClientTimeout(total=30)) as http:

        async def user(chat_id: int) -> None:
            while time.monotonic() < deadline:
                # Not queued for the server's own delivery (one at a time): posted here.
                update = telegram.send_text(chat_id, "menu", queue=False)
                reply = waiting[chat_id] = asyncio.get_running_loop().create_future()
                started = time.monotonic()
                while True:
                    async with http.post(url, json=update, headers=headers) as response:
                        if response.status == 200:
                            break
                    await asyncio.sleep(0.05)  # 503: the worker sheds load; Telegram retries
                try:
                    await asyncio.wait_for(reply, 30)
                except TimeoutError:
                    raise RuntimeError(
                        f"no reply in chat {chat_id} to update {update['update_id']} for 30 s"
                    ) from None
                if started >= measure_from:
                    latencies.append(time.monotonic() - started)

        await asyncio.gather(*(user(FIRST_CHAT + n) for n in range(args.chats)))
    await announcing
    await server.stop()
    print(json.dumps({"updates": len(latencies), "seconds": args.seconds,
                      "latencies": latencies}), flush=True)


# -- the coordinator -----------------------------------------------------------------


async def prepare_database(chats: int) -> tuple[Any, str]:
    from bot.telegram.chat import CHANNEL
    from storage.identities import ensure_identity
    from storage.sandbox import fresh_demo_database

    db = await fresh_demo_database("postgresql")
    async with db.database.transaction() as connection:
        for n in range(chats):
            await ensure_identity(connection, CHANNEL, str(FIRST_CHAT + n), "viewer@acme.example")
    return db, db.url


def run_once(workers: int, url: str, args: argparse.Namespace) -> dict[str, Any]:
    api_port, hook_port = free_port(), free_port()
    python = sys.executable
    generator = subprocess.Popen(
        [python, __file__, "--generate", "--api-port", str(api_port), "--chats",
         str(args.chats), "--seconds", str(args.seconds), "--warmup", str(args.warmup)],
        stdout=subprocess.PIPE, text=True, cwd=ROOT,
    )
    assert generator.stdout is not None
    assert generator.stdout.readline().strip() == "ready"
    env = dict(os.environ, BOT_TOKEN=TOKEN, BOT_API_URL=f"http://127.0.0.1:{api_port}",
               DATABASE_URL=url, WEBHOOK_SECRET=SECRET, WEBHOOK_PORT=str(hook_port),
               FLOOD_LIMIT_PER_MINUTE="100000")
    log_path = Path(tempfile.gettempdir()) / f"bench-workers-{workers}.log"
    log_file = log_path.open("w")
    bot = subprocess.Popen(
        [python, "-m", "bot", "telegram", "--webhook", "--workers", str(workers)],
        env=env, cwd=ROOT, stdout=log_file, stderr=subprocess.STDOUT, text=True,
    )
    try:
        # Start-up and warm-up are not measured: the generator says when it measures.
        if generator.stdout.readline().strip() != "measuring":
            raise RuntimeError(f"the generator stopped early; the bot's output is in {log_path}")
        processes = children(bot.pid)
        pg = postgres_pids()
        before = (cpu_seconds(processes), cpu_seconds([generator.pid]), cpu_seconds(pg))
        print(f"  ({len(processes)} bot processes, {len(pg)} PostgreSQL processes measured)",
              flush=True)
        line = generator.stdout.readline()
        after = (cpu_seconds(processes), cpu_seconds([generator.pid]), cpu_seconds(pg))
    finally:
        bot.send_signal(signal.SIGTERM)
        try:
            bot.wait(timeout=30)
        except subprocess.TimeoutExpired:
            bot.kill()
            bot.wait()
        log_file.close()
        generator.wait(timeout=30)
    if not line:
        raise RuntimeError(f"the generator stopped early; the bot's output is in {log_path}")
    result: dict[str, Any] = json.loads(line)
    result["cpu"] = [b - a for a, b in zip(before, after, strict=True)]
    result["workers"] = workers
    return result


def report(result: dict[str, Any], one: float | None) -> str:
    latencies = result["latencies"]
    cuts = statistics.quantiles(latencies, n=100)
    rate = result["updates"] / result["seconds"]
    per_k = [seconds / result["updates"] * 1000 for seconds in result["cpu"]]
    scaling = f"x{rate / one:.2f}" if one else "  1  "
    return (f"  {result['workers']} worker(s): {rate:7.0f} updates/s  {scaling}   "
            f"p50 {cuts[49] * 1e3:6.1f} ms  p99 {cuts[98] * 1e3:6.1f} ms   CPU s per 1k updates: "
            f"bot {per_k[0]:.2f}, generator {per_k[1]:.2f}, PostgreSQL {per_k[2]:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workers", default="1,2", help="worker counts to compare")
    parser.add_argument("--chats", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=20.0, help="measured, per run")
    parser.add_argument("--warmup", type=float, default=3.0)
    parser.add_argument("--repeat", type=int, default=1, help="runs per worker count (median)")
    parser.add_argument("--generate", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--api-port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.generate:
        asyncio.run(generate(args))
        return
    asyncio.run(coordinate(args))


async def coordinate(args: argparse.Namespace) -> None:
    """One fresh database for every run; each run in a thread (it waits on processes)."""
    db, url = await prepare_database(args.chats)
    try:
        counts = [int(n) for n in args.workers.split(",")]
        print(f"PostgreSQL, webhook over loopback HTTP, {args.chats} chats typing 'menu' "
              f"(closed loop), {args.seconds:.0f} s measured per run, {os.cpu_count()} cores")
        one: float | None = None
        for workers in counts:
            runs = [await asyncio.to_thread(run_once, workers, url, args)
                    for _ in range(args.repeat)]
            result = sorted(runs, key=lambda run: run["updates"])[len(runs) // 2]
            print(report(result, one), flush=True)
            if workers == counts[0]:
                one = result["updates"] / result["seconds"]
    finally:
        await db.dispose()

if __name__ == "__main__":
    main()
