"""``POST /usage`` over real HTTP (the ops server polling mode runs) on both backends."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from aiohttp import ClientSession
from sqlalchemy import update

from bot.ops.http import start_ops_server
from storage import models as m
from storage.sandbox import FreshDatabase
from tests.storage.helpers import account_id, count
from tests.usage.helpers import ACME, OWNER_AND_ADMIN_CHATS, link_acme_chats, outbox

TOKEN = "usage-token-0123456789abcdef"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


class Api:
    """``POST /usage`` of one running server."""

    def __init__(self, base: str) -> None:
        self.url = base + "/usage"

    async def post(
        self, body: Any, *, headers: dict[str, str] | None = None, raw: bytes | None = None
    ) -> tuple[int, dict[str, Any]]:
        data = raw if raw is not None else json.dumps(body).encode()
        sent = AUTH if headers is None else headers
        async with ClientSession() as http, http.post(self.url, data=data, headers=sent) as r:
            assert r.content_type == "application/json"
            return r.status, await r.json()


async def serving(db: FreshDatabase, token: str | None) -> AsyncIterator[Api]:
    runner = await start_ops_server(db.database, "127.0.0.1", 0, usage_token=token)
    host, port = runner.addresses[0][:2]
    try:
        yield Api(f"http://{host}:{port}")
    finally:
        await runner.cleanup()


@pytest.fixture
async def api(db: FreshDatabase) -> AsyncIterator[Api]:
    async for served in serving(db, TOKEN):
        yield served


def event(**fields: Any) -> dict[str, Any]:
    return {"account": ACME, "meter": "campaign_messages", "quantity": 100,
            "idempotency_key": "evt-1", **fields}


async def test_an_event_is_recorded_once_and_replayed_with_the_same_answer(
    api: Api, db: FreshDatabase
) -> None:
    status, first = await api.post(event())
    assert status == 201 and first["status"] == "recorded"
    assert (first["meter"], first["quantity"], first["included"]) == ("campaign_messages",
                                                                        100, 10_000)
    acme = await account_id(db, ACME)
    status, again = await api.post(event(account=acme))  # the same event, named by id
    assert status == 200 and again == {**first, "status": "replayed"}
    status, changed = await api.post(event(quantity=101))
    assert status == 409 and changed["error"] == "idempotency_key_reused"
    status, header_keyed = await api.post(
        {"account": acme, "meter": "campaign_messages", "quantity": 5},
        headers={**AUTH, "Idempotency-Key": "evt-2"},
    )
    assert status == 201 and header_keyed["used"] == first["used"] + 5
    assert await count(db, m.UsageEvent) == 2


async def test_crossing_a_threshold_answers_with_the_alert_queued(
    api: Api, db: FreshDatabase
) -> None:
    await link_acme_chats(db)
    status, answer = await api.post(event(meter="agent_seats", quantity=5))  # 5 of 5 seats
    assert status == 201
    assert answer["alert"] == {"threshold": 100, "chats": len(OWNER_AND_ADMIN_CHATS)}
    assert len(await outbox(db)) == len(OWNER_AND_ADMIN_CHATS)


@pytest.mark.parametrize(
    ("body", "status", "error"),
    [
        (b"{not json", 400, "bad_json"),
        (b"[1, 2]", 400, "bad_json"),
        (event(quantity=None), 400, "missing_field"),
        ({"account": ACME, "meter": "conversations", "quantity": 1}, 400, "missing_field"),
        (event(quantity=0), 400, "invalid_quantity"),
        (event(quantity=2.5), 400, "invalid_quantity"),
        (event(quantity="3"), 400, "invalid_quantity"),
        (event(quantity=True), 400, "invalid_quantity"),
        (event(account=None), 400, "missing_field"),
        (event(time="yesterday"), 400, "invalid_time"),
        (event(time="2026-11-28T09:30:00"), 400, "invalid_time"),  # no offset
        (event(quantiy=3), 400, "unknown_field"),
        (event(account="Nobody Ltd"), 422, "unknown_account"),
        (event(account="acme trading ltd"), 422, "unknown_account"),  # the API is exact
        (event(meter="Campaign messages"), 422, "unknown_meter"),  # codes only
        (event(time="2999-01-01T00:00:00+00:00"), 422, "time_in_the_future"),
        (event(time="2020-01-01T00:00:00Z"), 422, "period_closed"),
        (b"{" + b" " * 20_000 + b"}", 413, "body_too_large"),
    ],
)
async def test_what_is_not_an_event_is_refused_with_a_reason(
    api: Api, db: FreshDatabase, body: Any, status: int, error: str
) -> None:
    raw = body if isinstance(body, bytes) else None
    answer_status, answer = await api.post(body, raw=raw)
    assert (answer_status, answer["error"]) == (status, error), answer
    assert answer["message"]
    assert await count(db, m.UsageEvent) == 0  # nothing kept


async def test_a_body_sent_in_chunks_is_read_whole_and_still_limited(api: Api) -> None:
    async def pieces(data: bytes) -> AsyncIterator[bytes]:
        for start in range(0, len(data), 7):  # chunked: no Content-Length
            yield data[start:start + 7]

    whole = json.dumps(event(idempotency_key="chunked")).encode()
    async with ClientSession() as http:
        async with http.post(api.url, data=pieces(whole), headers=AUTH) as response:
            assert response.status == 201, await response.text()
        async with http.post(api.url, data=pieces(b" " * 20_000), headers=AUTH) as response:
            assert (response.status, (await response.json())["error"]) == (413, "body_too_large")


async def test_a_closed_account_is_refused(api: Api, db: FreshDatabase) -> None:
    async with db.database.transaction() as connection:
        await connection.execute(
            update(m.Account).where(m.Account.name == ACME).values(status="closed"))
    status, answer = await api.post(event())
    assert (status, answer["error"]) == (422, "account_closed")


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer wrong"}, {"Authorization": TOKEN},
     {"Authorization": f"Basic {TOKEN}"}],
    ids=["none", "wrong", "no-scheme", "basic"],
)
async def test_without_the_token_nothing_is_recorded(
    api: Api, db: FreshDatabase, headers: dict[str, str]
) -> None:
    status, answer = await api.post(event(), headers=headers)
    assert (status, answer["error"]) == (401, "unauthorized")
    assert await count(db, m.UsageEvent) == 0


async def test_without_a_configured_token_the_endpoint_says_it_is_off(db: FreshDatabase) -> None:
    async for api in serving(db, None):
        status, answer = await api.post(event())
        assert (status, answer["error"]) == (503, "usage_api_off")
        assert "USAGE_API_TOKEN" in answer["message"]


async def test_the_time_may_be_given_with_any_offset(api: Api) -> None:
    moment = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=1)
    local = moment.astimezone(timezone(timedelta(hours=-5))).isoformat()
    status, answer = await api.post(event(time=local))
    assert status == 201 and answer["time"] == moment.isoformat()
