"""Tickets on both backends: a handover through the engine opens one ticket with its
summary, relays what the customer types, and agents answer and close through the desk."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from bot import support_desk
from flows.engine import Engine
from flows.ports import TurnStore
from flows.settings import EngineSettings
from flows.types import ConversationKey, Inbound
from storage import models as m
from storage.identities import LINKING, ensure_identity
from storage.sandbox import FreshDatabase
from storage.ticket_queries import find_ticket, open_tickets, transcript
from storage.tickets import set_thread
from tests.storage.helpers import NOW

KEY = ConversationKey("terminal", "owner@acme.example")


async def talk(
    db: FreshDatabase, *texts: str, key: ConversationKey = KEY, language: str | None = None
) -> list[str]:
    """Say ``texts`` in ``key``'s chat (linked to its e-mail), the channel hinting
    ``language``; the bot's last reply."""
    async with db.database.transaction() as connection:
        await ensure_identity(connection, key.channel, key.chat_id, key.chat_id)
    engine = Engine(db.stores, EngineSettings(support_group=True), clock=lambda: NOW)
    said: list[str] = []
    for text in texts:
        inbound = Inbound.typed(key, text, language=language)
        said = [reply.text for reply in await engine.handle(inbound)]
    return said


async def outbox(db: FreshDatabase) -> list[tuple[str, str, str]]:
    async with db.database.reading() as connection:
        rows = await connection.execute(select(m.OutboxMessage.channel, m.OutboxMessage.chat_id,
                                               m.OutboxMessage.text).order_by(m.OutboxMessage.id))
        return [tuple(row) for row in rows]


async def test_a_handover_opens_one_ticket_and_relays(db: FreshDatabase) -> None:
    said = await talk(db, "change my email", "agent", "my invoice is wrong", "human")
    assert said == []  # relayed, not answered: "human" is the customer's words to a person
    async with db.database.reading() as connection:
        [ticket] = await open_tickets(connection)
        messages = await transcript(connection, ticket.id)
    assert re.fullmatch(r"T-\d{4}", ticket.reference)
    assert ticket.customer == KEY and ticket.user_name == "Olivia Owner"
    assert [message.author for message in messages] == ["bot", "customer", "customer"]
    assert "Edit details" in messages[0].text and "• change my email" in messages[0].text
    assert [text for channel, _, text in await outbox(db) if channel == "support"] == [
        messages[0].text, "💬 Olivia Owner: my invoice is wrong", "💬 Olivia Owner: human"]


async def test_agents_answer_and_close(db: FreshDatabase) -> None:
    await talk(db, "agent")
    async with db.database.reading() as connection:
        [ticket] = await open_tickets(connection)
    await support_desk.answer(db.database, "Hello, this is Sam", NOW,
                              reference=ticket.reference.lower(), agent="Sam")
    await support_desk.close(db.database, NOW, reference=ticket.reference)
    to_customer = [text for channel, _, text in await outbox(db) if channel == "terminal"]
    assert to_customer[0] == "💬 Sam: Hello, this is Sam"
    assert "Our support team has ended the chat" in to_customer[1]
    async with db.database.reading() as connection:
        closed = await find_ticket(connection, reference=ticket.reference)
        record = (await connection.execute(select(m.Conversation.flow).where(
            m.Conversation.chat_id == KEY.chat_id))).scalar_one()
    assert closed is not None and closed.status == "closed" and record is None
    with pytest.raises(support_desk.TicketProblem, match="is closed"):
        await support_desk.answer(db.database, "still there?", NOW, reference=ticket.reference)
    with pytest.raises(support_desk.TicketProblem, match="no ticket T-0000"):
        await support_desk.close(db.database, NOW, reference="T-0000")
    assert "What would you like to do?" in (await talk(db, "menu"))[-1]


async def test_the_customer_reads_the_desk_in_the_language_their_app_said(
    db: FreshDatabase,
) -> None:
    await talk(db, "hablar con una persona", language="es-ES")  # never chose a language
    async with db.database.reading() as connection:
        [ticket] = await open_tickets(connection)
    await support_desk.answer(db.database, "Hola, soy Sam", NOW,
                              reference=ticket.reference, agent="Sam")
    await support_desk.close(db.database, NOW, reference=ticket.reference)
    to_customer = [text for channel, _, text in await outbox(db) if channel == "terminal"]
    assert to_customer[0] == "💬 Sam: Hola, soy Sam"
    assert "Nuestro equipo de soporte ha terminado el chat" in to_customer[1]


async def test_a_blank_agent_name_reads_as_the_support_team(db: FreshDatabase) -> None:
    """QA: ``support reply T-… TEXT --as ""`` reached the customer as "💬 : TEXT"."""
    await talk(db, "agent")
    async with db.database.reading() as connection:
        [ticket] = await open_tickets(connection)
    await support_desk.answer(db.database, "Hello", NOW, reference=ticket.reference, agent="  ")
    await support_desk.close(db.database, NOW, reference=ticket.reference, agent="",
                             to_group=True)
    sent = [(channel, text) for channel, _, text in await outbox(db)]
    assert ("terminal", "💬 Support team: Hello") in sent
    assert ("support", f"✅ Support team closed {ticket.reference}; the customer is talking to "
            "the bot again.") in sent
    async with db.database.reading() as connection:
        messages = await transcript(connection, ticket.id)
    assert "Support team" in [message.name for message in messages]


async def test_logging_out_closes_the_ticket_of_that_chat(db: FreshDatabase) -> None:
    """QA: after /logout the ticket stayed open and agents' answers reached the chat."""
    await talk(db, "agent", "my invoice is wrong")
    async with db.database.reading() as connection:
        [ticket] = await open_tickets(connection)
    engine = Engine(db.stores, EngineSettings(support_group=True), clock=lambda: NOW)

    async def forget(store: TurnStore) -> bool:
        assert await store.get(LINKING).unlink(KEY.channel, KEY.chat_id, now=NOW, to_group=True)
        return False

    assert await engine.handle(Inbound.typed(KEY, "/logout"), before=forget) == []
    with pytest.raises(support_desk.TicketProblem, match="is closed"):
        await support_desk.answer(db.database, "Here is your invoice", NOW,
                                  reference=ticket.reference)
    told = [text for channel, _, text in await outbox(db) if channel == "support"]
    assert told[-1] == (f"🔚 Olivia Owner logged out of the chat; {ticket.reference} is closed "
                        "and nothing more reaches that chat.")
    assert not [text for channel, _, text in await outbox(db) if channel == KEY.channel]


async def test_end_chat_closes_and_asking_again_opens_a_new_one(db: FreshDatabase) -> None:
    await talk(db, "agent", "end chat")
    await talk(db, "agent")
    async with db.database.reading() as connection:
        statuses = list(await connection.scalars(select(m.Ticket.status).order_by(m.Ticket.id)))
    assert statuses == ["closed", "open"]


async def test_one_open_ticket_per_user_and_one_topic_per_ticket(db: FreshDatabase) -> None:
    await talk(db, "agent")
    async with db.database.transaction() as connection:
        ticket = (await connection.execute(select(m.Ticket))).one()
        assert await set_thread(connection, ticket.id, 11) == 11
        assert await set_thread(connection, ticket.id, 12) == 11  # the first topic stays
    with pytest.raises(IntegrityError):  # the database itself refuses a second open one
        async with db.database.transaction() as connection:
            await connection.execute(m.Ticket.__table__.insert().values(
                reference="T-0001", account_id=ticket.account_id, user_id=ticket.user_id,
                channel="telegram", chat_id="1", status="open", opened_at=NOW,
                updated_at=NOW))
