"""Running one conversation script from fresh demo data, through a real channel.

:func:`run_script` plays the steps, checks every reply and the stored data, and
turns whatever happens (a pass, a failure, a mistake, a crash) into a result.
"""

from __future__ import annotations

import asyncio
import logging
import time

from bot.scripts.agent import AgentSide
from bot.scripts.channels import ChannelSession, ScriptChannel, ScriptReply, TerminalSession
from bot.scripts.checks import check_then
from bot.scripts.clock import ManualClock
from bot.scripts.expectations import NoSuchButton, check_replies, find_button
from bot.scripts.model import Script, ScriptMistake, Step
from bot.scripts.results import Failure, Outcome, ScriptResult
from bot.scripts.telegram_channel import ChannelUnavailable, TelegramSession
from bot.scripts.transcript import Transcript, replies_block
from bot.usage.scripted import record_for, transcript_line
from flows.engine import Engine
from flows.settings import EngineSettings
from storage.errors import UnknownUser
from storage.sandbox import FreshDatabase, fresh_demo_database
from storage.usage_errors import UsageRefused

log = logging.getLogger(__name__)

STEP_TIMEOUT = 30.0  # seconds; real replies take milliseconds


class StepFailed(Exception):
    """A step (or the final checks) did not go as the script expects."""

    def __init__(self, failure: Failure) -> None:
        super().__init__(failure.heading)
        self.failure = failure


async def open_channel(
    script: Script, database: FreshDatabase, clock: ManualClock
) -> ChannelSession:
    """The channel the script asks for, over its own engine on ``database``."""
    settings = EngineSettings()  # the defaults, whatever .env says: scripts must not drift
    if script.channel == "terminal":
        engine = Engine(database.stores, settings, clock=clock)
        return TerminalSession(database, engine, language=script.language)
    from bot.charts import render_usage_chart  # matplotlib: only for channels with pictures

    # As ``python -m bot telegram`` and ``python -m bot web`` wire it.
    engine = Engine(database.stores, settings, clock=clock,
                    charts={script.channel: render_usage_chart})
    if script.channel == "web":
        from bot.scripts.web_channel import WebSession  # aiohttp's server: only for the web

        return await WebSession.start(database, engine, language=script.language)
    return await TelegramSession.start(database, engine, language=script.language)


class _Play:
    """One run of one script: the chats opened so far and the transcript."""

    def __init__(self, script: Script, channel: ChannelSession, clock: ManualClock,
                 agent: AgentSide, database: FreshDatabase | None = None) -> None:
        self.script = script
        self.agent = agent
        self.database = database  # for ``usage`` steps
        self.channel = channel
        self.clock = clock
        users = {script.user, *(step.user for step in script.steps if step.user)}
        self.transcript = Transcript(single_user=len(users) == 1)
        self.chats: dict[str, ScriptChannel] = {}

    async def chat(self, email: str, step: Step | None) -> ScriptChannel:
        if email not in self.chats:
            try:
                self.chats[email] = await self.channel.open(email)
            except UnknownUser:
                where = step.where if step is not None else self.script.user_where
                raise ScriptMistake(
                    where, f"there is no demo user {email}; check the e-mail address"
                ) from None
        return self.chats[email]

    async def step(self, step: Step) -> None:
        if step.action == "wait":
            self.clock.advance(step.seconds)
            self.transcript.clock(f"{step.value} pass")
            return
        user = step.user or self.script.user
        chat = await self.chat(user, step if step.user else None)
        if step.action == "usage":
            sending = self.usage(step, user, chat)
        elif step.action == "agent":
            self.transcript.agent(step.value)
            sending = self._agent_acts(step, user)
        elif step.action == "say":
            self.transcript.user(user, step.value)
            sending = chat.say(step.value)
        else:
            try:
                label = find_button(step.value, chat.buttons)
            except NoSuchButton as problem:
                self.transcript.user(user, f"(tries to press “{step.value}”)")
                raise StepFailed(self.failure(step, [f"press: {problem}"], [])) from None
            self.transcript.user(user, f"(presses [{label}])")
            sending = chat.press(label)
        try:
            # A bot that hangs must fail its script, not stall the whole run (or CI).
            async with asyncio.timeout(STEP_TIMEOUT):
                # Notices queued for this chat meanwhile arrive after the replies, as the
                # delivery loop of a running bot would send them a moment later.
                replies = await sending
                replies += await chat.notices()
        except TimeoutError:
            late = f"the bot did not answer within {STEP_TIMEOUT:.0f} seconds"
            raise StepFailed(self.failure(step, [late], [])) from None
        problems = check_replies(step.expect, replies)
        if problems:
            # The replies go under "what came instead", right after what was expected.
            raise StepFailed(self.failure(step, problems, replies_block(replies)))
        self.transcript.bot(replies)
        seen = await self.agent.sees(user)
        if step.agent_sees is not None:
            problems = [f"the agent: {problem}" for problem in check_replies(step.agent_sees, seen)]
            if problems:
                raise StepFailed(self.failure(step, problems, replies_block(seen)))

    async def _agent_acts(self, step: Step, user: str) -> list[ScriptReply]:
        """The agent answers (or closes) the user's ticket; the user's chat then shows
        whatever was delivered to it (their replies for this step)."""
        await self.agent.act(step, user, self.clock())
        return []

    async def usage(self, step: Step, user: str, chat: ScriptChannel) -> list[ScriptReply]:
        """Record the step's usage for ``user``'s account; no reply of its own (the
        notices it brings ``chat`` follow, as after every step)."""
        assert self.database is not None
        try:
            result = await record_for(self.database.database, user, step.meter,
                                      step.quantity, self.clock())
        except UsageRefused as refused:
            problem = f"usage cannot be recorded: {refused.message}"
            raise ScriptMistake(step.where, problem) from None
        self.transcript.clock(transcript_line(result))
        return []

    def failure(self, step: Step, expected: list[str], instead: list[str]) -> Failure:
        where = f"{step.where.path.name}, line {step.where.line}"
        heading = f"Step {step.number} ({where}): {step.describe()}"
        return Failure(heading, expected, instead, self.transcript.lines())


async def run_script(script: Script) -> ScriptResult:
    """Play ``script`` from fresh demo data; never raises."""
    started = time.perf_counter()

    def result(outcome: Outcome, failure: Failure | None = None) -> ScriptResult:
        seconds = time.perf_counter() - started
        return ScriptResult(
            script.where.path, script.where.line, script.name, outcome, seconds, failure
        )

    database = await fresh_demo_database("sqlite")
    clock = ManualClock()
    play: _Play | None = None
    try:
        channel = await open_channel(script, database, clock)
        play = _Play(script, channel, clock, AgentSide(database.database), database)
        await play.chat(script.user, None)
        for step in script.steps:
            await play.step(step)
        if script.then is not None:
            problems = await check_then(script.then, database.database, script.user)
            if problems:
                then = script.then.where
                heading = f"After the conversation (then: {then.path.name}, line {then.line})"
                raise StepFailed(Failure(heading, problems, [], play.transcript.lines()))
        return result(Outcome.PASSED)
    except StepFailed as failed:
        return result(Outcome.FAILED, failed.failure)
    except ScriptMistake as mistake:
        return result(Outcome.MISTAKE, Failure(f"Mistake in the script: {mistake}"))
    except ChannelUnavailable as missing:
        heading = f"{script.where}: the {script.channel} channel cannot run here: {missing}"
        return result(Outcome.ERROR, Failure(heading))
    except Exception as error:
        log.debug("script %s crashed", script.id, exc_info=True)
        transcript = play.transcript.lines() if play is not None else []
        heading = f"The run stopped on an unexpected error: {type(error).__name__}: {error}"
        return result(Outcome.ERROR, Failure(heading, transcript=transcript))
    finally:
        if play is not None:
            await play.channel.close()
        await database.dispose()
