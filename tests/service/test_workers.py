"""``python -m bot telegram --webhook --workers N``: processes sharing one port and one
PostgreSQL database, supervised, stopped gracefully. Real processes, real HTTP, the
local Bot API server, a real database."""

from __future__ import annotations

import os
import signal

from storage.sandbox import FreshDatabase
from testkit.botapi import BotApiServer
from testkit.botprocess import BotProcess
from tests.service.chats import Writers, assert_nothing_lost_or_half_done

CHATS = [8_880_001 + n for n in range(12)]
# No flood guard in the way: each chat writes as fast as the bot answers.
SERVICE_ENV = {"FLOOD_LIMIT_PER_MINUTE": "100000", "SHUTDOWN_GRACE_SECONDS": "20"}


async def test_two_workers_share_the_port_and_a_dead_one_is_replaced(
    botapi: BotApiServer, postgres_db: FreshDatabase
) -> None:
    await Writers.link(postgres_db, CHATS)
    async with BotProcess.webhook(botapi, postgres_db.url, workers=2, env=SERVICE_ENV) as bot:
        await bot.serving()
        # Posts in flight to the worker about to be killed get no answer: posted again.
        writers = Writers(bot, botapi.telegram, CHATS, repost=True)
        writers.start()
        await writers.until_accepted(3)
        assert len(writers.pids) == 2 and bot.pid not in writers.pids, writers.pids

        killed = min(writers.pids)
        writers.killed.add(killed)
        os.kill(killed, signal.SIGKILL)  # a worker dies; the supervisor starts another
        await bot.until("was killed by SIGKILL")
        survivor = max(writers.pids)
        writers.pids.clear()
        await writers.until_accepted(max(writers.accepted.values()) + 3)
        while len(writers.pids - {killed, survivor}) == 0:  # until the new one answers too
            await writers.until_accepted(max(writers.accepted.values()) + 1)
        assert killed not in writers.pids
        await writers.stop()
        bot.signal(signal.SIGINT)  # Ctrl-C reaches the supervisor; it stops the workers
        assert await bot.wait() == 0, bot.output


async def test_sigterm_mid_load_finishes_every_accepted_update(
    botapi: BotApiServer, postgres_db: FreshDatabase
) -> None:
    """SIGTERM to the service while chats are writing: each worker stops taking posts,
    finishes the updates it accepted (their replies sent), and exits; status 0."""
    await Writers.link(postgres_db, CHATS)
    async with BotProcess.webhook(botapi, postgres_db.url, workers=2, env=SERVICE_ENV) as bot:
        await bot.serving()
        writers = Writers(bot, botapi.telegram, CHATS)
        writers.start()
        await writers.until_accepted(5)
        bot.signal(signal.SIGTERM)
        await writers.finished()  # every chat met a closed port (or a 503)
        assert await bot.wait() == 0, bot.output
    assert "in progress get up to 20 s to finish" in bot.output  # it did have work to finish
    assert "cancelled" not in bot.output
    assert len(writers.pids) == 2
    await assert_nothing_lost_or_half_done(writers, postgres_db)


async def test_one_process_stops_the_same_way(botapi: BotApiServer, db: FreshDatabase) -> None:
    """``--workers 1`` (the default) is one process, on either database."""
    await Writers.link(db, CHATS)
    async with BotProcess.webhook(botapi, db.url, env=SERVICE_ENV) as bot:
        await bot.serving()
        writers = Writers(bot, botapi.telegram, CHATS)
        writers.start()
        await writers.until_accepted(5)
        bot.signal(signal.SIGTERM)
        await writers.finished()
        assert await bot.wait() == 0, bot.output
    assert writers.pids == {bot.pid}
    assert "in progress get up to 20 s to finish" in bot.output
    await assert_nothing_lost_or_half_done(writers, db)
