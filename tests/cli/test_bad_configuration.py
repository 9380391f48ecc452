"""Bad configuration, as people meet it: ``python -m bot ...``, each case a process.

Every case must end in at most two lines on standard error that name the setting
and the fix, exit status 2, no traceback, and no secret (token, password) anywhere.
The processes are independent, so they all run at once before the first test
(one module fixture); each test then checks its own case. They are forked from one
process that imported the bot once (``tests/cli/forkserver.py``): a fresh interpreter
per case spent seconds of CPU importing aiogram, seventeen times over. A "refused" or
"unreachable" server is the local test Bot API server or a local port that is bound
but not listening, never an outside address.
"""

from __future__ import annotations

import asyncio
import os
import socket
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from bot.config import Settings
from bot.runtime import prepare_database
from storage.sandbox import postgres_base_url
from storage.unit_of_work import Database
from testkit.botapi import BotApiServer
from tests.backends import require_postgresql
from tests.cli.forkserver import BotProcesses
from tests.cli.leaky_api import start_leaky_bot_api

# One fixture runs every case: under pytest-xdist this module stays on one worker.
pytestmark = pytest.mark.xdist_group("bad-configuration")

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "123456:TEST-TOKEN"  # what the local Bot API server accepts
# Shaped like a real token, so masking by shape is exercised too.
REAL_LOOKING_TOKEN = "1234567890:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
PASSWORD = "s3cret-pw-4242"
TIMEOUT = 120  # seconds for every case together (importing the bot once included)


@dataclass
class Case:
    """A command line and its environment; ``secrets`` must never show."""

    argv: list[str]
    env: dict[str, str]
    secrets: list[str] = field(default_factory=list)
    until_ready: str | None = None  # a long-running case: stop it (Ctrl-C) once this shows
    ready_on: str = "stdout"  # where it shows: "stdout" or "stderr"


@dataclass
class Outcome:
    status: int | None
    stdout: str
    stderr: str
    secrets: list[str]

    @property
    def stderr_lines(self) -> list[str]:
        return [line for line in self.stderr.splitlines() if line.strip()]


def environment(**values: str) -> dict[str, str]:
    """This process's environment without any setting of the bot, plus ``values``."""
    names = {name.upper() for name in Settings.model_fields}
    env = {k: v for k, v in os.environ.items() if k.upper() not in names}
    env["PYTHONPATH"] = str(ROOT)
    env["OPS_PORT"] = "0"  # no health port: polling cases running at once would share 9464
    env.update(values)
    return env


@dataclass
class Places:
    """What the cases point at: temporary files, a refusing port, the Bot API server."""

    tmp: Path
    botapi: BotApiServer
    closed_port: int  # bound, not listening: connections are refused
    busy_port: int  # listening: binding it again fails
    seeded_sqlite: str  # a migrated demo database (no "seeded" log line on start)
    leaky_api: str  # a Bot API server whose getUpdates failure makes aiogram log the token

    def sqlite(self, name: str = "bot.db") -> str:
        return f"sqlite+aiosqlite:///{self.tmp / name}"


def cases(at: Places) -> dict[str, Case]:
    sqlite = at.sqlite()
    postgres = make_url(postgres_base_url())
    missing_db = postgres.set(password=PASSWORD, database=f"missing_{uuid.uuid4().hex[:8]}")
    (at.tmp / "a-file").write_text("in the way")
    (at.tmp / "read-only.db").touch()
    read_only = f"sqlite+aiosqlite:///file:{at.tmp / 'read-only.db'}?mode=ro&uri=true"
    chat = ["chat"]
    telegram = ["telegram", "--polling-timeout", "1"]
    return {
        "database_url_unparsable": Case(chat, environment(DATABASE_URL="not a url")),
        "database_url_without_driver": Case(
            chat, environment(DATABASE_URL=f"postgres://bot:{PASSWORD}@127.0.0.1/bot"),
            [PASSWORD],
        ),
        "database_unsupported": Case(
            chat, environment(DATABASE_URL=f"mysql+aiomysql://bot:{PASSWORD}@127.0.0.1/bot"),
            [PASSWORD],
        ),
        "postgresql_unreachable": Case(
            chat,
            environment(
                DATABASE_URL=f"postgresql+asyncpg://bot:{PASSWORD}@127.0.0.1:{at.closed_port}/bot"
            ),
            [PASSWORD],
        ),
        "postgresql_database_missing": Case(
            chat,
            environment(DATABASE_URL=missing_db.render_as_string(hide_password=False)),
            [PASSWORD],
        ),
        "sqlite_path_cannot_be_created": Case(
            chat, environment(DATABASE_URL=at.sqlite("a-file/bot.db"))
        ),
        # mode=ro: read-only even for root, who may write any file whatever its mode.
        "sqlite_read_only": Case(chat, environment(DATABASE_URL=read_only)),
        "flow_timeout_not_a_number": Case(
            chat, environment(DATABASE_URL=sqlite, FLOW_TIMEOUT_SECONDS="abc")
        ),
        "bot_token_malformed": Case(
            telegram, environment(DATABASE_URL=sqlite, BOT_TOKEN="not-a-token"), ["not-a-token"]
        ),
        "bot_token_refused": Case(
            telegram,
            environment(
                DATABASE_URL=sqlite, BOT_TOKEN=REAL_LOOKING_TOKEN, BOT_API_URL=at.botapi.url
            ),
            [REAL_LOOKING_TOKEN],
        ),
        "bot_api_unreachable": Case(
            telegram,
            environment(DATABASE_URL=sqlite, BOT_TOKEN=REAL_LOOKING_TOKEN,
                        BOT_API_URL=f"http://127.0.0.1:{at.closed_port}"),
            [REAL_LOOKING_TOKEN],
        ),
        "bot_api_url_not_a_url": Case(
            telegram,
            environment(DATABASE_URL=sqlite, BOT_TOKEN=TOKEN, BOT_API_URL="notaurl"),
            [TOKEN],
        ),
        "webhook_port_in_use": Case(
            [*telegram, "--webhook"],
            environment(DATABASE_URL=at.seeded_sqlite, BOT_TOKEN=TOKEN, BOT_API_URL=at.botapi.url,
                        WEBHOOK_PORT=str(at.busy_port), WEBHOOK_SECRET=PASSWORD),
            [TOKEN, PASSWORD],
        ),
        "ops_port_in_use": Case(
            telegram,
            environment(DATABASE_URL=at.seeded_sqlite, BOT_TOKEN=TOKEN, BOT_API_URL=at.botapi.url,
                        OPS_PORT=str(at.busy_port)),
            [TOKEN],
        ),
        "log_format_unknown": Case(chat, environment(DATABASE_URL=sqlite, LOG_FORMAT="xml")),
        "webhook_without_public_url": Case(
            [*telegram, "--webhook"],
            environment(DATABASE_URL=sqlite, BOT_TOKEN=REAL_LOOKING_TOKEN),
            [REAL_LOOKING_TOKEN],
        ),
        "webhook_on_a_local_bot_api_server": Case(
            [*telegram, "--webhook", "--port", "0"],
            environment(DATABASE_URL=at.seeded_sqlite, BOT_TOKEN=TOKEN, BOT_API_URL=at.botapi.url),
            [TOKEN],
            until_ready="Webhook registered at",
        ),
        "aiogram_log_lines_are_masked": Case(
            telegram,
            environment(DATABASE_URL=at.seeded_sqlite, BOT_TOKEN=REAL_LOOKING_TOKEN,
                        BOT_API_URL=at.leaky_api),
            [REAL_LOOKING_TOKEN],
            until_ready="Failed to fetch updates",
            ready_on="stderr",
        ),
        "workers_on_sqlite": Case(
            [*telegram, "--webhook", "--workers", "3"],
            environment(DATABASE_URL=sqlite, BOT_TOKEN=TOKEN, BOT_API_URL=at.botapi.url),
            [TOKEN],
        ),
        "web_concurrency_on_sqlite": Case(
            [*telegram, "--webhook"],
            environment(DATABASE_URL=sqlite, BOT_TOKEN=TOKEN, BOT_API_URL=at.botapi.url,
                        WEB_CONCURRENCY="2"),
            [TOKEN],
        ),
        "chat_lock_postgres_on_sqlite": Case(
            [*telegram, "--webhook", "--port", "0"],
            environment(DATABASE_URL=at.seeded_sqlite, BOT_TOKEN=TOKEN, BOT_API_URL=at.botapi.url,
                        CHAT_LOCK="postgres"),
            [TOKEN],
        ),
        "workers_polling": Case(
            [*telegram, "--workers", "2"],
            environment(DATABASE_URL=sqlite, BOT_TOKEN=TOKEN, BOT_API_URL=at.botapi.url),
            [TOKEN],
        ),
        "workers_port_in_use": Case(
            [*telegram, "--webhook", "--workers", "2"],
            environment(
                DATABASE_URL=f"postgresql+asyncpg://bot:{PASSWORD}@127.0.0.1:{at.closed_port}/bot",
                BOT_TOKEN=TOKEN, BOT_API_URL=at.botapi.url, WEBHOOK_PORT=str(at.busy_port),
            ),
            [TOKEN, PASSWORD],
        ),
        "debug_shows_the_traceback": Case(
            ["--debug", *chat],
            environment(DATABASE_URL=f"postgresql+asyncpg://bot:{PASSWORD}@127.0.0.1:{at.closed_port}/bot"),
            [PASSWORD],
        ),
    }


async def run_case(processes: BotProcesses, case: Case, cwd: Path) -> Outcome:
    finished = await processes.run(case.argv, case.env, cwd, until=case.until_ready,
                                   until_on=case.ready_on)
    return Outcome(finished.status, finished.stdout, finished.stderr, case.secrets)


async def run_all(tmp: Path) -> dict[str, Outcome]:
    with socket.socket() as closed, socket.socket() as busy:
        closed.bind(("127.0.0.1", 0))
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        seeded = f"sqlite+aiosqlite:///{tmp / 'seeded.db'}"
        database = Database(seeded)
        await prepare_database(database)
        await database.dispose()
        leaky, leaky_url = await start_leaky_bot_api()
        try:
            async with BotApiServer(token=TOKEN) as botapi:
                places = Places(tmp, botapi, closed.getsockname()[1], busy.getsockname()[1],
                                seeded, leaky_url)
                runs = cases(places)
                async with (BotProcesses(tmp / "output", environment()) as processes,
                            asyncio.timeout(TIMEOUT)):
                    outcomes = await asyncio.gather(
                        *(run_case(processes, case, tmp) for case in runs.values())
                    )
        finally:
            await leaky.cleanup()
    return dict(zip(runs, outcomes, strict=True))


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Outcome]]:
    yield asyncio.run(run_all(tmp_path_factory.mktemp("bad-configuration")))


def explained(outcome: Outcome, setting: str, *fragments: str) -> None:
    """Exit 2, one or two lines naming ``setting`` (and ``fragments``), no traceback, no
    secret."""
    shown = f"exit {outcome.status}\nstderr:\n{outcome.stderr}\nstdout:\n{outcome.stdout}"
    assert outcome.status == 2, shown
    assert "Traceback" not in outcome.stderr, shown
    assert 1 <= len(outcome.stderr_lines) <= 2, shown
    assert outcome.stderr_lines[0].startswith(setting), shown
    for fragment in fragments:
        assert fragment in outcome.stderr, shown
    assert_no_secrets(outcome)


def assert_no_secrets(outcome: Outcome) -> None:
    for secret in outcome.secrets:
        assert secret not in outcome.stderr and secret not in outcome.stdout, outcome.stderr


def test_database_url_that_does_not_parse(outcomes: dict[str, Outcome]) -> None:
    explained(outcomes["database_url_unparsable"], "DATABASE_URL", "not a database URL",
              "sqlite+aiosqlite:///")


def test_database_url_without_a_driver(outcomes: dict[str, Outcome]) -> None:
    explained(outcomes["database_url_without_driver"], "DATABASE_URL", "no driver",
              "Write it as postgresql+asyncpg://bot:***@127.0.0.1/bot")


def test_database_that_is_not_supported(outcomes: dict[str, Outcome]) -> None:
    explained(outcomes["database_unsupported"], "DATABASE_URL", "mysql",
              "SQLite or PostgreSQL")


def test_postgresql_server_that_does_not_answer(outcomes: dict[str, Outcome]) -> None:
    explained(outcomes["postgresql_unreachable"], "DATABASE_URL",
              "no PostgreSQL server answers", "connection refused")


async def test_postgresql_database_that_does_not_exist(outcomes: dict[str, Outcome]) -> None:
    await require_postgresql()
    explained(outcomes["postgresql_database_missing"], "DATABASE_URL", "has no database 'missing_",
              "createdb")


def test_sqlite_path_that_cannot_be_created(outcomes: dict[str, Outcome]) -> None:
    explained(outcomes["sqlite_path_cannot_be_created"], "DATABASE_URL",
              "cannot create the folder", "a file is in the way")


def test_sqlite_database_that_is_read_only(outcomes: dict[str, Outcome]) -> None:
    explained(outcomes["sqlite_read_only"], "DATABASE_URL", "read-only.db is read-only",
              "writable")


def test_flow_timeout_that_is_not_a_number(outcomes: dict[str, Outcome]) -> None:
    explained(outcomes["flow_timeout_not_a_number"], "FLOW_TIMEOUT_SECONDS",
              "'abc' is not a whole number", "at least 10")


def test_bot_token_that_is_malformed(outcomes: dict[str, Outcome]) -> None:
    explained(outcomes["bot_token_malformed"], "BOT_TOKEN", "not a bot token", "@BotFather")


def test_bot_token_the_server_refuses(outcomes: dict[str, Outcome]) -> None:
    explained(outcomes["bot_token_refused"], "BOT_TOKEN", "refused by", "Unauthorized")


def test_bot_api_server_that_does_not_answer(outcomes: dict[str, Outcome]) -> None:
    explained(outcomes["bot_api_unreachable"], "BOT_API_URL", "nothing answers",
              "connection refused")


def test_bot_api_url_that_is_not_a_url(outcomes: dict[str, Outcome]) -> None:
    # It used to print notaurl/bot<token>/deleteWebhook in a traceback.
    explained(outcomes["bot_api_url_not_a_url"], "BOT_API_URL", "'notaurl' is not an http")


def test_webhook_port_already_in_use(outcomes: dict[str, Outcome]) -> None:
    explained(outcomes["webhook_port_in_use"], "WEBHOOK_PORT", "already in use", "--port")


def test_ops_port_already_in_use(outcomes: dict[str, Outcome]) -> None:
    explained(outcomes["ops_port_in_use"], "OPS_PORT", "already in use", "OPS_PORT=0")


def test_log_format_that_is_not_text_or_json(outcomes: dict[str, Outcome]) -> None:
    explained(outcomes["log_format_unknown"], "LOG_FORMAT", "'xml'", "'text' or 'json'")


def test_webhook_without_a_public_url_for_telegram(outcomes: dict[str, Outcome]) -> None:
    explained(outcomes["webhook_without_public_url"], "WEBHOOK_URL", "loopback",
              "public https:// URL")


def test_webhook_on_a_local_bot_api_server_says_where_it_registered(
    outcomes: dict[str, Outcome],
) -> None:
    # A loopback webhook is right for a Bot API server on this machine; it says so.
    outcome = outcomes["webhook_on_a_local_bot_api_server"]
    assert outcome.status == 0, outcome.stderr + outcome.stdout
    assert "Webhook registered at http://127.0.0.1:" in outcome.stdout, outcome.stdout
    assert "no WEBHOOK_URL" in outcome.stdout
    assert_no_secrets(outcome)


def test_several_workers_on_sqlite(outcomes: dict[str, Outcome]) -> None:
    explained(outcomes["workers_on_sqlite"], "--workers",
              "3 worker processes need PostgreSQL; SQLite is one process's database",
              "DATABASE_URL=postgresql+asyncpg://", "--workers 1")


def test_web_concurrency_on_sqlite(outcomes: dict[str, Outcome]) -> None:
    explained(outcomes["web_concurrency_on_sqlite"], "WEB_CONCURRENCY",
              "2 worker processes need PostgreSQL")


def test_postgres_chat_lock_on_sqlite(outcomes: dict[str, Outcome]) -> None:
    explained(outcomes["chat_lock_postgres_on_sqlite"], "CHAT_LOCK",
              "advisory locks need DATABASE_URL on PostgreSQL", "CHAT_LOCK=auto")


def test_several_pollers_are_refused(outcomes: dict[str, Outcome]) -> None:
    explained(outcomes["workers_polling"], "--workers", "polling is single-instance",
              "--webhook")


def test_workers_on_a_port_in_use(outcomes: dict[str, Outcome]) -> None:
    # Found before any worker starts: the supervisor reserves the port first.
    explained(outcomes["workers_port_in_use"], "WEBHOOK_PORT", "already in use")


def test_debug_flag_adds_the_traceback(outcomes: dict[str, Outcome]) -> None:
    outcome = outcomes["debug_shows_the_traceback"]
    assert outcome.status == 2, outcome.stderr
    assert "Traceback" in outcome.stderr and "ConnectionRefusedError" in outcome.stderr
    assert outcome.stderr_lines[-2].startswith("DATABASE_URL: no PostgreSQL server answers")
    assert_no_secrets(outcome)


def test_aiogram_log_lines_are_masked(outcomes: dict[str, Outcome]) -> None:
    # aiogram's "Failed to fetch updates" quotes the request URL, /bot<token>/ and all.
    outcome = outcomes["aiogram_log_lines_are_masked"]
    assert outcome.status == 0, outcome.stderr
    failed = [line for line in outcome.stderr_lines if "Failed to fetch updates" in line]
    assert failed and "/bot***/getUpdates" in failed[0], outcome.stderr
    assert_no_secrets(outcome)
