"""The conversation engine: one inbound event in, replies out, state saved in between.

For every update the engine opens one storage transaction, loads the
conversation record and the user, lets an :class:`~flows.runner.ActionRunner`
route and carry out what the user did, and saves the record before the
replies leave.

The engine does not put a chat's updates in order; its channel does, because
only the channel sees the whole of an update (Telegram's ``ChatOrderMiddleware``
holds the chat across linking, the engine and the replies being sent; the
terminal and the script runner wait for each answer). Two updates of one chat
that do run at once, in one process or in several, still each apply once: the
record's version check makes the later one run again on the record the other left.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime

from flows.context import ChartRenderer, FlowContext, cached_chart
from flows.i18n import N_, _, switch_language, use_language
from flows.language import remember_app_language
from flows.observing import FlowEvent, TurnObserver, TurnOutcome, TurnReport
from flows.person import reaches_person, standing_choices
from flows.ports import AccountStatus, ConcurrentUpdate, StoreFactory, TurnStore, UsageReport
from flows.registry import FLOWS
from flows.runner import ActionRunner
from flows.settings import EngineSettings
from flows.types import ConversationKey, ConversationRecord, Inbound, Reply, ReplyKind
from flows.wording import closed_notice

__all__ = ["Engine", "utcnow"]

log = logging.getLogger(__name__)

CONFLICT_RETRIES = 3  # a chat rarely races more than one other process at a time
SORRY = N_(
    "Sorry, something went wrong on our side, so nothing was changed. "
    "Please try again in a moment; type menu to start over."
)
UNLINKED = N_("This chat is not linked to a platform account yet, so I cannot show anything.")
"""Said to an unlinked chat on channels that have no way of linking; the others say how."""


Prelude = Callable[[TurnStore], Awaitable[bool]]
"""A channel's work in an update's unit of work before its turn; False: no turn."""


def utcnow() -> datetime:
    return datetime.now(UTC)


class Engine:
    """Routes inbound events to flows; the one entry point every channel calls."""

    def __init__(
        self,
        stores: StoreFactory,
        settings: EngineSettings | None = None,
        *,
        clock: Callable[[], datetime] = utcnow,
        charts: Mapping[str, ChartRenderer] | None = None,
        observer: TurnObserver | None = None,
    ) -> None:
        """``observer`` is told about every turn once it is over (metrics, logs)."""
        self._stores = stores
        self._observer = observer
        # Find every flow now: a flow module that cannot be imported fails the start,
        # not some user's first update.
        if not FLOWS:
            raise RuntimeError("no flows are registered")
        self._settings = settings or EngineSettings()
        self._clock = clock
        self._charts = dict(charts or {})

    async def handle(self, inbound: Inbound, *, before: Prelude | None = None) -> list[Reply]:
        """Handle one user action; the record is committed before the replies return.

        ``before`` is a channel's own work in the same unit of work, ahead of the turn
        (linking the chat): if it returns False the update ends there, committed, with
        no reply from the engine. Never raises: an unexpected error rolls the whole
        update back, is logged, and the user is told that nothing was changed. An
        unlinked chat gets one reply of kind :attr:`ReplyKind.UNLINKED`, which its
        channel words.

        The turn speaks the user's stored language, else ``inbound.language`` (the
        channel's hint), else English.
        """
        return await self._run(
            inbound.key, lambda runner: runner.handle(inbound), before, inbound.language, inbound
        )

    async def resume(self, key: ConversationKey, *, language: str | None = None) -> list[Reply]:
        """Show where the conversation is (a channel opening again after a restart).

        An open flow shows its current step; an expired one says so; otherwise the menu.
        ``language`` is the channel's hint, as on :class:`Inbound`.
        """
        return await self._run(key, lambda runner: runner.resume(), language=language)

    async def _run(
        self,
        key: ConversationKey,
        act: Callable[[ActionRunner], Awaitable[None]],
        before: Prelude | None = None,
        language: str | None = None,
        inbound: Inbound | None = None,
    ) -> list[Reply]:
        # The hint until the user is known (linking, an unlinked chat); _handle then
        # switches to the user's own choice. The block restores the caller's language.
        with use_language(language):
            return await self._attempts(key, act, before, language, inbound)

    async def _attempts(
        self,
        key: ConversationKey,
        act: Callable[[ActionRunner], Awaitable[None]],
        before: Prelude | None,
        hint: str | None,
        inbound: Inbound | None,
    ) -> list[Reply]:
        observer = self._observer
        for attempt in range(CONFLICT_RETRIES):
            charts: list[tuple[Reply, UsageReport]] = []
            # What the observer is told; nothing is gathered when nobody listens.
            facts = _Facts() if observer is not None else None
            try:
                async with self._stores.transaction() as store:
                    if before is not None and not await before(store):
                        replies: list[Reply] = []
                    else:
                        replies = await self._handle(
                            store, key, act, charts, facts, hint, inbound
                        )
            except ConcurrentUpdate:
                # Another update of this chat was saved meanwhile (here or in another
                # process): everything here was rolled back, so run again on its record.
                log.info("conversation %s changed meanwhile; attempt %d", key, attempt + 1)
                continue
            except Exception as error:
                log.exception("update for %s failed; rolled back", key)
                if facts is not None:
                    self._report(facts.failed(key, attempt, error))
                return [Reply(text=_(SORRY), kind=ReplyKind.FAILED)]
            await self._draw(key.channel, charts)
            if facts is not None:
                self._report(facts.report(key, attempt))
            return replies
        log.error("conversation %s kept changing; gave up after %d attempts",
                  key, CONFLICT_RETRIES)
        if observer is not None:
            self._report(_Facts().failed(key, CONFLICT_RETRIES, None))
        return [Reply(text=_(SORRY), kind=ReplyKind.FAILED)]

    def _report(self, report: TurnReport) -> None:
        assert self._observer is not None
        try:
            self._observer.turn_done(report)
        except Exception:  # the turn is decided and committed; counting it is not worth more
            log.exception("the turn observer failed")

    async def _draw(self, channel: str, charts: list[tuple[Reply, UsageReport]]) -> None:
        """Draw requested charts after the commit, off the event loop (matplotlib is slow);
        a chart the renderer kept is taken as is."""
        renderer = self._charts.get(channel)
        for reply, report in charts:
            if renderer is None:
                continue
            try:
                image = cached_chart(renderer, report)  # kept: no thread needed
                reply.image = image or await asyncio.to_thread(renderer, report)
            except Exception:  # the text says it all; a missing picture is no failure
                log.exception("usage chart failed; sending the text alone")

    async def _handle(
        self,
        store: TurnStore,
        key: ConversationKey,
        act: Callable[[ActionRunner], Awaitable[None]],
        charts: list[tuple[Reply, UsageReport]],
        facts: _Facts | None,
        hint: str | None,
        inbound: Inbound | None = None,
    ) -> list[Reply]:
        now = self._clock()
        record = await store.load_conversation(key) or ConversationRecord(key=key)
        user = await store.user_context(key)
        if user is not None:
            # For messages nobody asked for (alerts, an agent's answers): written only
            # when the app says a supported language other than the one stored.
            user = await remember_app_language(store, user, hint)
        if user is not None and user.language:
            switch_language(user.language)  # the user's choice wins over the channel's hint
        else:
            switch_language(hint or "")
        if facts is not None:
            facts.flow_before = record.flow
        if user is None:
            _reset(record, user_id=None, facts=facts)
            await store.save_conversation(record)
            if facts is not None:
                facts.outcome = TurnOutcome.UNLINKED
            return [Reply(text=_(UNLINKED), kind=ReplyKind.UNLINKED)]
        if user.account_status is AccountStatus.CLOSED and not reaches_person(record, inbound):
            # Nothing of a closed account works, except reaching a person (flows.person).
            _reset(record, user_id=user.user_id, facts=facts)
            await store.save_conversation(record)
            if facts is not None:
                facts.outcome = TurnOutcome.CLOSED_ACCOUNT
            return [Reply(text=closed_notice(user, self._settings.support_contact),
                          choices=standing_choices())]
        if record.user_id != user.user_id:
            _reset(record, user_id=user.user_id, facts=facts)

        ctx = FlowContext(
            store=store,
            user=user,
            data=record.data.setdefault("flow", {}),
            now=now,
            channel=key.channel,
            key=key,
            settings=self._settings,
            charts=self._charts.get(key.channel),
        )
        runner = ActionRunner(record, ctx)
        await act(runner)
        replies = runner.finish()
        charts.extend(ctx.charts_to_draw)
        await store.save_conversation(record)
        if facts is not None:
            facts.flow, facts.state = record.flow, record.state
            facts.flow_events.extend(runner.flow_events)
            facts.account_closed = ctx.account_closed
        return replies


class _Facts:
    """What one run of a turn found out, gathered for the observer."""

    __slots__ = ("account_closed", "flow", "flow_before", "flow_events", "outcome", "state")

    def __init__(self) -> None:
        self.outcome = TurnOutcome.OK
        self.flow_before: str | None = None
        self.flow: str | None = None
        self.state: str | None = None
        self.flow_events: list[FlowEvent] = []
        self.account_closed = False

    def report(self, key: ConversationKey, conflicts: int) -> TurnReport:
        return TurnReport(
            key=key,
            outcome=self.outcome,
            flow_before=self.flow_before,
            flow=self.flow,
            state=self.state,
            flow_events=tuple(self.flow_events),
            account_closed=self.account_closed,
            conflicts=conflicts,
        )

    def failed(
        self, key: ConversationKey, conflicts: int, error: BaseException | None
    ) -> TurnReport:
        # Rolled back: the conversation is where it was, and no flow started or ended.
        return TurnReport(
            key=key,
            outcome=TurnOutcome.FAILED,
            flow_before=self.flow_before,
            flow=self.flow_before,
            conflicts=conflicts,
            error=error,
        )


def _reset(
    record: ConversationRecord, *, user_id: int | None, facts: _Facts | None = None
) -> None:
    if facts is not None and record.flow is not None:  # the flow ends with the link
        facts.flow_events.append(FlowEvent(record.flow, "left", record.state))
    record.user_id = user_id
    record.flow = None
    record.state = None
    record.data = {}
    record.menu_token = None
    record.expires_at = None
