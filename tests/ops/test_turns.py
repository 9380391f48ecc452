"""The service's turn observer on the real engine: database errors and version conflicts
counted, and the trace handed to the update being handled."""

from __future__ import annotations

import socket

from prometheus_client import REGISTRY

from bot.ops.turns import MetricsObserver, current_trace, is_database_error, tracing
from flows.engine import SORRY, Engine
from flows.observing import TurnOutcome
from flows.settings import EngineSettings
from flows.types import ConversationKey, Inbound
from storage.sandbox import fresh_demo_database
from storage.store import SqlStoreFactory
from storage.unit_of_work import Database
from tests.backends import require_postgresql
from tests.flows.talk import Talk
from tests.flows.test_conflicts import Meanwhile, Process, at_final_step, processes


def value(name: str) -> float:
    return REGISTRY.get_sample_value(name) or 0.0


async def test_a_turn_the_database_fails_is_counted_and_traced() -> None:
    with socket.socket() as probe:  # bound, never listening: connections are refused
        probe.bind(("127.0.0.1", 0))
        url = f"postgresql+asyncpg://postgres@127.0.0.1:{probe.getsockname()[1]}/test"
        database = Database(url)
        try:
            engine = Engine(SqlStoreFactory(database), EngineSettings(),
                            observer=MetricsObserver())
            before = value("bot_database_errors_total")
            with tracing() as trace:
                assert current_trace() is trace
                replies = await engine.handle(Inbound.typed(ConversationKey("t", "1"), "menu"))
        finally:
            await database.dispose()
    assert [reply.text for reply in replies] == [SORRY]
    assert value("bot_database_errors_total") - before == 1
    assert trace.report is not None and trace.report.outcome is TurnOutcome.FAILED
    assert is_database_error(trace.report.error)
    assert current_trace() is None  # the trace ends with its update


def test_other_errors_are_not_the_database() -> None:
    assert not is_database_error(RuntimeError("a bug")) and not is_database_error(None)


async def test_a_turn_run_again_counts_a_version_conflict() -> None:
    await require_postgresql()
    async with await fresh_demo_database("postgresql") as db, processes(db, 1) as (winner,):
        owner = await Talk.open(winner.engine, db, "owner@acme.example")
        press = Inbound.pressed(owner.key, await at_final_step(owner))
        loser = Process(db.url)
        before = value("bot_version_conflicts_total"), value("bot_account_closures_total")
        try:
            stores = Meanwhile(loser.stores, lambda: winner.engine.handle(press))
            engine = Engine(stores, EngineSettings(),  # type: ignore[arg-type]
                            observer=MetricsObserver())
            await engine.handle(press)
        finally:
            await loser.close()
        after = value("bot_version_conflicts_total"), value("bot_account_closures_total")
        # One conflict; the closure was the winner's (it has no observer), not counted here.
        assert (after[0] - before[0], after[1] - before[1]) == (1, 0)
