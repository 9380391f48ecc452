"""The engine's turn reports: what the observer is told, on real databases."""

from __future__ import annotations

from flows.engine import SORRY, Engine
from flows.observing import FlowEvent, TurnOutcome, TurnReport
from flows.settings import EngineSettings
from flows.types import ConversationKey, Inbound
from storage.sandbox import FreshDatabase, fresh_demo_database
from tests.backends import require_postgresql
from tests.flows.talk import Clock, Talk
from tests.flows.test_conflicts import Meanwhile, Process, at_final_step, processes


class Recorder:
    """A TurnObserver that keeps every report."""

    def __init__(self) -> None:
        self.reports: list[TurnReport] = []

    def turn_done(self, report: TurnReport) -> None:
        self.reports.append(report)

    def take(self) -> list[TurnReport]:
        taken, self.reports = self.reports, []
        return taken


def observed(db: FreshDatabase, clock: Clock | None = None) -> tuple[Engine, Recorder]:
    recorder = Recorder()
    engine = Engine(db.stores, EngineSettings(), clock=clock or Clock(), observer=recorder)
    return engine, recorder


async def test_a_closure_is_reported_from_start_to_finish(db: FreshDatabase) -> None:
    engine, recorder = observed(db)
    owner = await Talk.open(engine, db, "owner@acme.example")

    await owner.say("close my account")
    (started,) = recorder.take()
    assert started.outcome is TurnOutcome.OK
    assert (started.flow_before, started.flow, started.state) == (None, "close", "warning")
    assert started.flow_events == (FlowEvent("close", "started", "warning"),)
    assert not started.account_closed and started.conflicts == 0 and started.error is None

    await owner.press("Continue")
    await owner.say("Acme Trading Ltd")
    assert [(r.flow, r.state, r.flow_events) for r in recorder.take()] == [
        ("close", "naming", ()), ("close", "confirming", ()),
    ]

    await owner.press("permanently")
    (closed,) = recorder.take()
    assert closed.account_closed
    assert (closed.flow_before, closed.flow, closed.state) == ("close", None, None)
    assert closed.flow_events == (FlowEvent("close", "finished", "closed"),)

    # Another member writes afterwards: told the account is closed, reported as such.
    viewer = await Talk.open(engine, db, "viewer@acme.example")
    await viewer.say("menu")
    (after,) = recorder.take()
    assert after.outcome is TurnOutcome.CLOSED_ACCOUNT and not after.account_closed


async def test_leaving_expiring_and_switching_are_reported(db: FreshDatabase) -> None:
    clock = Clock()
    engine, recorder = observed(db, clock)
    admin = await Talk.open(engine, db, "admin@acme.example")

    await admin.say("change my email")
    await admin.say("cancel")
    assert [r.flow_events for r in recorder.take()] == [
        (FlowEvent("edit", "started", "entering"),),
        (FlowEvent("edit", "left", "entering"),),
    ]

    await admin.say("show my usage")
    clock.advance(seconds=EngineSettings().flow_timeout_seconds + 1)
    await admin.say("menu")
    assert [r.flow_events for r in recorder.take()] == [
        (FlowEvent("package", "started", "overview"),),
        (FlowEvent("package", "expired", "overview"),),
    ]

    await admin.say("show my usage")
    await admin.say("change my email")  # one flow for another: it is left, the other starts
    assert recorder.take()[-1].flow_events == (
        FlowEvent("package", "left", "overview"), FlowEvent("edit", "started", "entering"),
    )


async def test_an_unlinked_chat_is_reported_as_such(db: FreshDatabase) -> None:
    engine, recorder = observed(db)
    await engine.handle(Inbound.typed(ConversationKey("test", "nobody"), "menu"))
    (report,) = recorder.take()
    assert report.outcome is TurnOutcome.UNLINKED and report.flow is None


async def test_a_prelude_that_declines_reports_a_turn_without_a_flow(db: FreshDatabase) -> None:
    engine, recorder = observed(db)

    async def decline(_store: object) -> bool:
        return False

    assert await engine.handle(Inbound.typed(ConversationKey("test", "x"), "/start"),
                               before=decline) == []
    (report,) = recorder.take()
    assert report.outcome is TurnOutcome.OK and report.flow_events == ()


async def test_a_failed_turn_reports_its_error_and_no_flow_events(db: FreshDatabase) -> None:
    engine, recorder = observed(db)
    owner = await Talk.open(engine, db, "owner@acme.example")
    await owner.say("show my usage")
    recorder.take()

    async def explode(_store: object) -> bool:
        raise RuntimeError("boom")

    replies = await engine.handle(Inbound.typed(owner.key, "menu"), before=explode)
    assert [reply.text for reply in replies] == [SORRY]
    (report,) = recorder.take()
    assert report.outcome is TurnOutcome.FAILED
    assert isinstance(report.error, RuntimeError) and report.flow_events == ()


async def test_a_turn_run_again_after_a_conflict_reports_once_with_the_count() -> None:
    await require_postgresql()
    async with await fresh_demo_database("postgresql") as db, processes(db, 1) as (winner,):
        owner = await Talk.open(winner.engine, db, "owner@acme.example")
        press = Inbound.pressed(owner.key, await at_final_step(owner))
        loser = Process(db.url)
        recorder = Recorder()
        try:
            stores = Meanwhile(loser.stores, lambda: winner.engine.handle(press))
            engine = Engine(stores, EngineSettings(), observer=recorder)  # type: ignore[arg-type]
            await engine.handle(press)
        finally:
            await loser.close()
        (report,) = recorder.take()
        # The winner closed the account; the run that counted only read that.
        assert report.conflicts == 1 and report.outcome is TurnOutcome.CLOSED_ACCOUNT
        assert not report.account_closed and report.flow_events == ()
