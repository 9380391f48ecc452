"""Talk to a person: open a ticket, relay what the customer types, until someone ends it.

While the customer talks to a person the bot does not interpret their messages: every
typed text is kept on the ticket and relayed to the support team (``holds_conversation``;
keywords too), and only ``end chat`` or the End chat button hands back to the bot. An
agent's answers reach the customer's chat through the outbox (``bot.support_desk``).
The flow never expires: an agent may take a while to answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from flows.base import FlowMachine, State
from flows.context import FlowContext
from flows.handover_wording import customer_line, ended_line, summary
from flows.i18n import N_, _, fold
from flows.intents import IntentRule, words
from flows.matching import normalise
from flows.menu import MenuEntry
from flows.person import option
from flows.ports import ACCOUNT_DETAILS, OUTBOX, AccountStatus, Capability, Notice, UserContext
from flows.types import ConversationKey
from flows.wording import closed_notice

SUPPORT_CHANNEL = "support"
"""The channel of notices for the support team: its chat id is the ticket's id."""
END_CHAT = "end chat"
END_CHAT_WORDS = frozenset({END_CHAT, "terminar chat", "terminar el chat"})  # and in Spanish
END_CHAT_LABEL = N_("🔚 End chat")


@dataclass(frozen=True, slots=True)
class TicketInfo:
    """A ticket as the flow needs it; ``new`` when this request opened it."""

    ticket_id: int
    reference: str
    opened_at: datetime
    new: bool = False


class TicketDesk(Protocol):
    """Tickets, as the handover flow uses them (``storage.tickets``)."""

    async def open_ticket(
        self, *, user: UserContext, key: ConversationKey, summary: str, now: datetime
    ) -> TicketInfo:
        """The user's open ticket (answering in ``key`` from now on), or a new one whose
        first message is ``summary``: a user has at most one open ticket."""

    async def customer_says(
        self, *, user: UserContext, key: ConversationKey, text: str, now: datetime
    ) -> TicketInfo | None:
        """Keep the customer's message on their open ticket; None when they have none
        (an agent closed it meanwhile)."""

    async def end_ticket(
        self, *, user: UserContext, note: str, now: datetime
    ) -> TicketInfo | None:
        """Close the user's open ticket, ``note`` its last message: the customer ended
        the chat."""


TICKETS = Capability[TicketDesk]("tickets")


def support_key(ticket_id: int) -> ConversationKey:
    """Where notices for the support team about a ticket go."""
    return ConversationKey(SUPPORT_CHANNEL, str(ticket_id))


class HandoverFlow(FlowMachine):
    """talking ⇄ relaying → ended: the customer and a person, the bot only passing on."""

    flow_name = "handover"
    menu_entry = MenuEntry(N_("🙋 Talk to a person"), position=60)
    intent_rule = IntentRule(
        precedence=50,  # above closing: "talk to someone about closing" wants a person
        all_of=(
            words("talk speak chat reach hablar contactar"),  # and Spanish
            words("person human agent someone somebody people staff persona humano agente"),
        ),
    )
    help_text = N_("A person from our support team answers here. Type end chat to come back.")
    holds_conversation = True
    held_press_text = N_("You're still talking to our support team, so I did not open that. "
                         "Type end chat to come back to the bot, then press it again.")
    expires = False
    reaches_people = True

    talking = State(initial=True)
    relaying = State()  # never rested in: whether the ticket was still open picks the way
    ended = State(final=True)

    text = talking.to(ended, cond="asks_to_end", on="end_chat") | talking.to(
        relaying, on="relay"
    )
    relaying.to(talking, cond="was_relayed")
    relaying.to(ended, on="explain_gone")
    end = talking.to(ended, on="end_chat")

    relayed: TicketInfo | None = None
    quiet = False  # a relayed message needs no answer: the screen stays as it is

    @classmethod
    async def entry(cls, ctx: FlowContext, args: dict[str, Any]) -> str:
        """Open the ticket (or find the open one) with a summary an agent can act on."""
        assert ctx.key is not None  # the engine names the conversation of every update
        details = await ctx.store.get(ACCOUNT_DETAILS).account_details(ctx.user.account_id)
        text = summary(ctx.user, details, ctx.trail, ctx.channel)
        ticket = await ctx.store.get(TICKETS).open_ticket(
            user=ctx.user, key=ctx.key, summary=text, now=ctx.now
        )
        ctx.data.update(ticket=ticket.ticket_id, reference=ticket.reference, new=ticket.new)
        if ticket.new:
            await _to_support(ctx, ticket.ticket_id, text)
        return cls.initial_state_id()

    # -- guards -------------------------------------------------------------
    def asks_to_end(self, value: str = "") -> bool:
        return fold(normalise(value)) in END_CHAT_WORDS

    def was_relayed(self) -> bool:
        return self.relayed is not None

    # -- actions ------------------------------------------------------------
    async def relay(self, value: str = "") -> None:
        ctx = self.ctx
        assert ctx.key is not None
        self.relayed = await ctx.store.get(TICKETS).customer_says(
            user=ctx.user, key=ctx.key, text=value, now=ctx.now
        )
        if self.relayed is not None:
            await _to_support(ctx, self.relayed.ticket_id, customer_line(ctx.user.user_name, value))
            self.quiet = True

    async def end_chat(self) -> None:
        ctx = self.ctx
        line = ended_line(ctx.user.user_name, ctx.data.get("reference", ""))
        ticket = await ctx.store.get(TICKETS).end_ticket(user=ctx.user, note=line, now=ctx.now)
        if ticket is not None:
            await _to_support(ctx, ticket.ticket_id, line)
        ctx.note(_("🤖 You're talking to the bot again. The chat with our support team has "
                   "ended; its reference is {reference}.").format(
                       reference=ctx.data.get("reference", "")))
        self._back_to_bot()

    def explain_gone(self) -> None:
        self.ctx.note(_("Our support team has already ended this chat, so your message was "
                        "not sent. You're talking to the bot again."))
        self._back_to_bot()

    def _back_to_bot(self) -> None:
        ctx = self.ctx
        if ctx.user.account_status is AccountStatus.CLOSED:
            ctx.menu_after = False  # a closed account has no menu: a person is all it has
            talk = option()
            notice = closed_notice(ctx.user, ctx.settings.support_contact)
            ctx.screen(notice, [talk] if talk is not None else [])

    # -- screens --------------------------------------------------------------
    async def render_talking(self) -> None:
        if self.quiet:
            return
        ctx = self.ctx
        if ctx.data.pop("new", False):  # said once: shown again, the ticket is not new
            opening = _("🙋 I've asked our support team to join this chat (ticket {reference}).")
        else:
            opening = _("🙋 You're already talking to our support team (ticket {reference}).")
        ctx.screen(
            "\n".join([
                opening.format(reference=ctx.data.get("reference", "")),
                _("A person will answer here as soon as they can. Everything you type now "
                  "goes to them, and I won't act on it."),
                _("Type end chat when you're done to come back to the bot."),
            ]),
            [(_(END_CHAT_LABEL), "end")],
        )


async def _to_support(ctx: FlowContext, ticket_id: int, text: str) -> None:
    """Relay ``text`` to the ticket's topic in the support group, when there is one."""
    if ctx.settings.support_group:
        await ctx.store.get(OUTBOX).post(Notice(to=support_key(ticket_id), text=text))
