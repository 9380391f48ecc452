"""Long polling: our own small loop over ``getUpdates``, one instance per bot token.

Ours rather than aiogram's ``start_polling``, for two things it does not do:

- **One poller per token.** Telegram hands a bot's updates to one ``getUpdates`` caller
  at a time: a second caller's long poll ends the first one's with 409 Conflict
  ("terminated by other getUpdates request"). aiogram logs that and polls again forever,
  so two instances fight, each handling some of the updates. Here a poller whose first
  long poll is ended that way gives way at once (it is the newcomer); one that was
  polling polls again to keep its place, and gives way after
  :data:`CONFLICTS_IN_A_ROW` conflicts in a row (the other side fights back). Giving
  way raises the StartupError that says so (exit status 2). A webhook set meanwhile
  ends polling the same way.
- **A graceful stop.** :meth:`Poller.stop` ends the long poll at once, the updates in
  progress get ``grace`` seconds to finish (their replies sent), what is left then is
  cancelled and logged by update id, and the last offset is confirmed to Telegram.

Updates run as tasks in arrival order (``ChatOrderMiddleware`` keeps each chat's in
order); there is no concurrency cap here (a shedding middleware bounds the work in
flight), only a bound on what is held in memory: past :data:`HELD_LIMIT` updates in
progress the loop stops asking for more until some finish (they wait at Telegram).
Other failures of ``getUpdates`` are logged and retried with a growing pause, as
aiogram does.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.exceptions import TelegramConflictError, TelegramRetryAfter
from aiogram.types import Update
from aiogram.utils.backoff import Backoff, BackoffConfig

from bot.startup.telegram import another_poller, webhook_while_polling
from bot.telegram.draining import finish_in_time

log = logging.getLogger(__name__)

HELD_LIMIT = 1000  # updates in progress at once before polling waits (memory, not speed)
CONFLICTS_IN_A_ROW = 3  # 409s without an answer in between before an established poller yields
BACKOFF = BackoffConfig(min_delay=1.0, max_delay=5.0, factor=1.3, jitter=0.1)  # aiogram's
CONFIRM_SECONDS = 5.0  # for the last getUpdates at stop, which only confirms the offset


class Poller:
    """Polls ``bot`` for updates and feeds them to ``dispatcher`` until :meth:`stop`.

    ``timeout`` is the long poll's length in seconds; ``grace`` how long updates in
    progress get to finish once stopped.
    """

    def __init__(self, bot: Bot, dispatcher: Dispatcher, *, timeout: int = 30,
                 grace: float = 25.0) -> None:
        self.bot = bot
        self.dispatcher = dispatcher
        self.timeout = timeout
        self.grace = grace
        self.running: set[asyncio.Task[Any]] = set()
        self._stopping = asyncio.Event()
        self._offset: int | None = None  # the next update id to ask for
        self._told: int | None = None  # the offset Telegram last saw (confirmed below it)

    def stop(self) -> None:
        """Stop asking for updates; :meth:`run` returns once those in progress are done."""
        self._stopping.set()

    async def run(self) -> None:
        """Poll until stopped; raises a StartupError when another poller or a webhook
        has this bot's updates (after letting the updates in progress finish)."""
        allowed = self.dispatcher.resolve_used_update_types()
        # What aiogram's start_polling hands the startup and shutdown handlers.
        data = {"dispatcher": self.dispatcher, "bots": [self.bot],
                **self.dispatcher.workflow_data}
        await self.dispatcher.emit_startup(bot=self.bot, **data)
        try:
            await self._poll(allowed)
        finally:
            await self._finish()
            await self.dispatcher.emit_shutdown(bot=self.bot, **data)

    async def _poll(self, allowed: list[str]) -> None:
        backoff = Backoff(BACKOFF)
        answered = False  # has a getUpdates of ours been answered yet?
        conflicts = 0
        while not self._stopping.is_set():
            if len(self.running) >= HELD_LIMIT:
                await self._until_room()
                continue
            try:
                updates = await self._get_updates(allowed)
            except TelegramConflictError as error:
                if "webhook" in error.message.lower():
                    raise webhook_while_polling() from None
                conflicts += 1
                if not answered or conflicts >= CONFLICTS_IN_A_ROW:
                    raise another_poller() from None
                log.warning("polling: another process polled this bot's updates (409 "
                            "Conflict, %d in a row); polling again to keep them", conflicts)
                continue
            except TelegramRetryAfter as error:
                log.warning("polling: 429 on getUpdates; polling again in %s s",
                            error.retry_after)
                await self._pause(error.retry_after)
                continue
            except Exception as error:  # the network, Telegram's 5xx: try again, as aiogram
                # Worded as aiogram words it, so operators' log searches keep working.
                log.error("Failed to fetch updates - %s: %s", type(error).__name__, error)
                await self._pause(next(backoff))
                continue
            if updates is None:  # stopped while waiting
                return
            answered, conflicts = True, 0
            backoff.reset()
            for update in updates:
                self._offset = update.update_id + 1
                self._start(update)

    async def _get_updates(self, allowed: list[str]) -> list[Update] | None:
        """One long poll; None when :meth:`stop` came first (the poll is abandoned:
        updates it would have brought stay unconfirmed, so Telegram keeps them)."""
        request = asyncio.ensure_future(self.bot.get_updates(
            offset=self._offset,
            timeout=self.timeout,
            allowed_updates=allowed,
            # Longer than the long poll itself, or a quiet minute would look like a timeout.
            request_timeout=int(self.bot.session.timeout + self.timeout),
        ))
        self._told = self._offset
        stopping = asyncio.ensure_future(self._stopping.wait())
        try:
            await asyncio.wait({request, stopping}, return_when=asyncio.FIRST_COMPLETED)
        except BaseException:  # cancelled from outside: take the request down with us
            request.cancel()
            raise
        finally:
            stopping.cancel()
        if request.done():
            return request.result()
        request.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await request
        return None

    def _start(self, update: Update) -> None:
        # Tasks start in creation order, so each chat's updates reach the chat lock in
        # the order Telegram sent them.
        task = asyncio.create_task(self.dispatcher.feed_update(self.bot, update),
                                   name=f"update {update.update_id}")
        self.running.add(task)
        task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Task[Any]) -> None:
        self.running.discard(task)
        if task.cancelled():
            return
        error = task.exception()  # retrieved: asyncio has nothing to complain about
        if error is not None:  # the error router handles everything; this is a bug
            log.error("polling: %s failed outside the error handler", task.get_name(),
                      exc_info=(type(error), error, error.__traceback__))

    async def _until_room(self) -> None:
        stopping = asyncio.ensure_future(self._stopping.wait())
        try:
            await asyncio.wait({*self.running, stopping}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stopping.cancel()

    async def _pause(self, seconds: float) -> None:
        """Sleep ``seconds``, or less if stopped meanwhile."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), seconds)

    async def _finish(self) -> None:
        """Let the updates in progress finish (``grace``), cancel the rest, confirm."""
        await finish_in_time(self.running, self.grace, "polling")
        await self._confirm()

    async def _confirm(self) -> None:
        """Tell Telegram the updates handled here are done, so the next instance does not
        receive them again (a getUpdates that asks for nothing new and waits for nothing;
        an update it returns stays unconfirmed)."""
        if self._offset is None or self._offset == self._told:
            return
        try:
            async with asyncio.timeout(CONFIRM_SECONDS):
                await self.bot.get_updates(offset=self._offset, limit=1, timeout=0)
        except Exception as error:  # stopping anyway: they may be delivered once more
            log.warning("polling: could not confirm the last updates (%s: %s)",
                        type(error).__name__, error)
