"""People writing to the bot over its webhook while it runs, and what must hold after.

Each chat writes ``menu``, waits for the reply, and writes again, as people do; the
updates are posted straight to the webhook (several chats at once, a new connection
each time, so any worker may take each). By default a chat stops at its first post that
is not answered 200: the worker is stopping (Telegram would post it again later). With
``repost``, a post that got no answer at all is posted again, as Telegram does: a worker
killed with SIGKILL resets the connections it had accepted or had waiting in its queue,
and the service must take the update on another worker.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import text

from storage.identities import ensure_identity
from storage.sandbox import FreshDatabase
from testkit.botprocess import BotProcess
from testkit.telegram.emulator import FakeTelegram

REPLY_SECONDS = 20.0
# A guard, not a measure: a replaced worker starts by importing aiogram (8 s on this
# machine on a slow day, more beside a browser test), so it gets ample time.
PROGRESS_SECONDS = 180.0


@dataclass
class Writers:
    """``chats`` (linked to the demo owner) writing to ``bot`` until :meth:`stop`."""

    bot: BotProcess
    telegram: FakeTelegram
    chats: list[int]
    repost: bool = False
    accepted: Counter[int] = field(default_factory=Counter)  # updates answered 200, by chat
    posted: Counter[int] = field(default_factory=Counter)
    pids: set[int] = field(default_factory=set)  # the workers that answered
    # Workers killed with SIGKILL: an update one of them accepted may die with it
    # (no reply, nothing committed); its chat stops waiting and counts it as lost.
    killed: set[int] = field(default_factory=set)
    lost: Counter[int] = field(default_factory=Counter)
    reposted: Counter[int] = field(default_factory=Counter)  # posts sent again (``repost``)
    _stop: asyncio.Event = field(default_factory=asyncio.Event)
    _tasks: list[asyncio.Task[None]] = field(default_factory=list)

    @staticmethod
    async def link(db: FreshDatabase, chats: list[int]) -> None:
        async with db.database.transaction() as connection:
            for chat in chats:
                await ensure_identity(connection, "telegram", str(chat), "owner@acme.example")

    def start(self) -> None:
        self._tasks = [asyncio.create_task(self._write(chat)) for chat in self.chats]

    async def until_accepted(self, each: int) -> None:
        """Until every chat had ``each`` updates accepted; fails, saying why, when a
        chat stopped writing or the chats made no such progress in time."""
        try:
            async with asyncio.timeout(PROGRESS_SECONDS):
                while min(self.accepted[chat] for chat in self.chats) < each:
                    for chat, task in zip(self.chats, self._tasks, strict=True):
                        if task.done():
                            raise AssertionError(
                                f"chat {chat} stopped writing ({_ending(task)})\n"
                                f"{self._progress()}\n{self.bot.output}")
                    await asyncio.sleep(0.05)
        except TimeoutError:
            raise AssertionError(
                f"not every chat had {each} updates accepted in {PROGRESS_SECONDS:.0f} s\n"
                f"{self._progress()}\n{self.bot.output}") from None

    async def stop(self) -> None:
        """Until every chat stopped (at a post refused, or when told)."""
        self._stop.set()
        await asyncio.gather(*self._tasks)

    async def finished(self) -> None:
        """Until every chat stopped by itself (its worker stopped taking posts)."""
        async with asyncio.timeout(PROGRESS_SECONDS):
            await asyncio.gather(*self._tasks)

    def replies(self, chat: int) -> int:
        return sum(1 for event in self.telegram.chats[chat].events
                   if event.kind == "sent" and event.message and event.message.from_bot)

    def _progress(self) -> str:
        return "\n".join(
            f"chat {chat}: posted {self.posted[chat]}, accepted {self.accepted[chat]}, "
            f"reposted {self.reposted[chat]}, lost {self.lost[chat]}, "
            f"replies {self.replies(chat)}"
            for chat in self.chats)

    async def _write(self, chat: int) -> None:
        while not self._stop.is_set():
            update = self.telegram.send_text(chat, "menu", queue=False)
            self.posted[chat] += 1
            status, pid = await self.bot.post(update)
            while status == 0 and self.repost and not self._stop.is_set():
                self.reposted[chat] += 1
                await asyncio.sleep(0.2)  # Telegram waits too before posting again
                status, pid = await self.bot.post(update)
            if status != 200:
                return
            self.accepted[chat] += 1
            if pid is not None:
                self.pids.add(pid)
            async with asyncio.timeout(REPLY_SECONDS):
                while self.replies(chat) < self.accepted[chat] - self.lost[chat]:
                    if pid in self.killed:
                        await asyncio.sleep(1)  # a reply on its way out had time to arrive
                        if self.replies(chat) < self.accepted[chat] - self.lost[chat]:
                            self.lost[chat] += 1
                        break
                    await asyncio.sleep(0.01)


def _ending(task: asyncio.Task[None]) -> str:
    if task.cancelled():
        return "cancelled"
    error = task.exception()
    return "it met a post not answered 200" if error is None else repr(error)


async def versions(db: FreshDatabase) -> dict[int, int]:
    """Each Telegram chat's conversation record version: how many turns it committed."""
    async with db.database.reading() as connection:
        rows = await connection.execute(
            text("SELECT chat_id, version FROM conversations WHERE channel = 'telegram'"))
        return {int(chat): int(version) for chat, version in rows}


async def assert_nothing_lost_or_half_done(writers: Writers, db: FreshDatabase) -> None:
    """Every update answered 200 was handled and its reply sent; every turn that
    committed sent its reply, and no reply went out for a turn that did not commit."""
    stored = await versions(db)
    for chat in writers.chats:
        accepted, replies = writers.accepted[chat], writers.replies(chat)
        assert accepted <= replies <= writers.posted[chat], (chat, accepted, replies)
        assert stored.get(chat, 0) == replies, (chat, stored.get(chat), replies)
