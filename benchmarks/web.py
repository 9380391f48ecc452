"""Turns per second through the web chat (real HTTP and WebSockets on localhost), beside the
Telegram full stack measured in the same run on the same workload.

    .venv/bin/python benchmarks/web.py                        # SQLite and PostgreSQL
    .venv/bin/python benchmarks/web.py --backends sqlite --turns 2000 --chats 20
    .venv/bin/python benchmarks/web.py --backends sqlite --profile   # where the time goes

``--chats`` people, each signed in on a page of their own (``testkit.web``: a sign-in link,
a cookie, the page's WebSocket), act at once, each as soon as its last turn has ended (the
server's ``idle``). A turn types "menu" or presses Help, as the Telegram ``menu`` workload
does; on the web each turn also keeps the user's words and the reply (``web_messages``)
and the page reads them back, which Telegram's chats keep on Telegram's side.

The baseline is ``benchmarks/stacks.py``'s full Telegram stack (in process, no network)
with the same number of chats: the ratio says what the web channel costs beside it.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert, select

from benchmarks.memory import PeakMemory
from benchmarks.profiling import by_package
from benchmarks.stacks import Result, full
from bot.config import Settings
from bot.gc_tuning import tune_for_serving
from bot.web.links import issue_sign_in_link
from bot.web.server import start_web_server
from flows.engine import Engine
from storage import models as m
from storage.sandbox import FreshDatabase, fresh_demo_database
from testkit.web import WebTestClient

HELP = "❓ Help"


async def people(db: FreshDatabase, count: int) -> list[str]:
    """``count`` admins of Acme, each a web conversation of their own."""
    emails = [f"bench{n}@acme.example" for n in range(count)]
    async with db.database.transaction() as connection:
        acme = await connection.scalar(select(m.Account.id).where(m.Account.name ==
                                                                  "Acme Trading Ltd"))
        for email in emails:
            user = (await connection.execute(
                insert(m.User).values(name=email.split("@")[0].title(), email=email)
                .returning(m.User.id)
            )).scalar_one()
            await connection.execute(
                insert(m.Membership).values(user_id=user, account_id=acme, role="admin")
            )
    return emails


async def web(db: FreshDatabase, chats: int, total: int) -> Result:
    engine = Engine(db.stores)
    # Far above any person's pace: the flood guard is not what is measured.
    settings = Settings.model_construct(flood_limit_per_minute=10**9)
    server = await start_web_server(engine, db.database, settings, host="127.0.0.1", port=0,
                                    deliver_notices=False)
    base = f"http://127.0.0.1:{server.port}"
    pages: list[WebTestClient] = []
    try:
        for email in await people(db, chats):
            page = WebTestClient(base)
            pages.append(page)
            await page.sign_in(await issue_sign_in_link(db.database, email, server.url, 900))
            await page.open()
        latencies: list[float] = []

        async def person(page: WebTestClient, turns: int) -> None:
            for turn in range(turns):
                started = time.perf_counter()
                if turn % 2 == 0:
                    await page.say("menu")
                else:
                    await page.press(HELP)
                latencies.append(time.perf_counter() - started)

        share, extra = divmod(total, chats)
        with PeakMemory() as memory:
            started = time.perf_counter()
            await asyncio.gather(*(person(page, share + (n < extra))
                                   for n, page in enumerate(pages)))
            seconds = time.perf_counter() - started
        label = f"web chat, {db.kind}, menu, {chats} page{'s' * (chats > 1)}"
        return Result(label, len(latencies), seconds, latencies, memory.peak_mib)
    finally:
        for page in pages:
            await page.close()
        await server.stop()


async def backend(kind: str, args: argparse.Namespace) -> None:
    try:
        telegram_db = await fresh_demo_database(kind)  # type: ignore[arg-type]
        web_db = await fresh_demo_database(kind)  # type: ignore[arg-type]
    except Exception as error:
        print(f"  ({kind}: skipped, no database: {type(error).__name__}: {error})")
        return
    try:
        baseline = await full(telegram_db, args.chats, args.turns, "menu")
        print(baseline.line())
        measured = await web(web_db, args.chats, args.turns)
        print(measured.line())
        print(f"  web / Telegram full stack: {measured.rate / baseline.rate:.2f}")
    finally:
        await telegram_db.dispose()
        await web_db.dispose()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backends", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument("--turns", type=int, default=3000)
    parser.add_argument("--chats", type=int, default=20)
    parser.add_argument("--profile", action="store_true",
                        help="profile the web chat alone (first backend), summed by package")
    args = parser.parse_args()
    tune_for_serving()
    print(f"{args.turns} turns, {args.chats} chats at once")
    if args.profile:
        await profiled(args.backends[0], args)
        return
    for kind in args.backends:
        await backend(kind, args)


async def profiled(kind: str, args: argparse.Namespace) -> None:
    db = await fresh_demo_database(kind)  # type: ignore[arg-type]
    profile = cProfile.Profile()
    try:
        profile.enable()
        result = await web(db, args.chats, args.turns)
        profile.disable()
    finally:
        await db.dispose()
    print(result.line() + "   (profiled: slower)")
    print(by_package(pstats.Stats(profile)))


if __name__ == "__main__":
    asyncio.run(main())
