"""A new flow is its module: declared once, it is in the menu, in typed requests and in
the engine, with nothing else edited.

The flow here exists only in this file. It shows the account's name, to owners and
admins, so it needs no storage. Defining its class registers it exactly as the
product's flows are registered (``FlowMachine.__init_subclass__``); the fixture
defines it for one test and unregisters it afterwards, so other tests never see it.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from flows.base import FlowMachine, State
from flows.context import FlowContext
from flows.intents import Intent, IntentRule, recognise, words
from flows.menu import MenuEntry, menu_options
from flows.registry import FLOWS
from flows.types import Role
from storage.sandbox import FreshDatabase
from tests.flows.talk import Talk, make_engine

REFUSED = "Only the account owner or an admin can see what the account is called."
HELP = "This shows what your account is called."
ASKED = "what is my acount calld"  # typos: corrected towards the new flow's words too


@pytest.fixture
def name_flow() -> Iterator[type[FlowMachine]]:
    """The new flow, registered for one test."""

    class AccountNameFlow(FlowMachine):
        """One screen: what the account is called."""

        flow_name = "account_name"
        menu_entry = MenuEntry("🏷 Account name", position=25, least_role=Role.ADMIN)
        # Above details (10), below history (15): "my account" alone still means details.
        intent_rule = IntentRule(precedence=12, all_of=(words("called named"),))
        help_text = HELP

        showing = State(initial=True)
        again = showing.to.itself()

        @classmethod
        def refusal(cls, ctx: FlowContext) -> str | None:
            return None if ctx.user.role.reaches(Role.ADMIN) else REFUSED

        async def render_showing(self) -> None:
            self.ctx.screen(
                f"🏷 Your account is called {self.ctx.user.account_name}.",
                [("🔁 Again", "again"), ("🏠 Menu", "menu")],
            )

    yield AccountNameFlow
    FLOWS.unregister(AccountNameFlow)


@pytest.mark.parametrize(
    ("email", "labels"),
    [
        (
            "owner@acme.example",
            ["📄 Account details", "✏️ Edit details", "🏷 Account name", "📦 Package & usage",
             "🕘 History", "🛑 Close account", "🔔 Notifications", "🙋 Talk to a person",
             "❓ Help"],
        ),
        (
            "admin@acme.example",
            ["📄 Account details", "✏️ Edit details", "🏷 Account name", "📦 Package & usage",
             "🕘 History", "🔔 Notifications", "🙋 Talk to a person", "❓ Help"],
        ),
        ("viewer@acme.example",
         ["📄 Account details", "📦 Package & usage", "🙋 Talk to a person", "❓ Help"]),
    ],
)
async def test_it_is_in_the_menu_at_its_position_for_the_roles_it_names(
    db: FreshDatabase, name_flow: type[FlowMachine], email: str, labels: list[str]
) -> None:
    talk = await Talk.open(make_engine(db), db, email)
    await talk.say("/start")
    assert talk.labels == labels


async def test_its_menu_button_starts_it(db: FreshDatabase, name_flow: type[FlowMachine]) -> None:
    talk = await Talk.open(make_engine(db), db, "admin@acme.example")
    await talk.say("/start")
    await talk.press("Account name")
    assert talk.text == "🏷 Your account is called Acme Trading Ltd."
    await talk.press("Again")
    assert talk.text == "🏷 Your account is called Acme Trading Ltd."
    await talk.say("help")
    assert HELP in talk.text  # its own help, then the step again
    assert talk.labels == ["🔁 Again", "🏠 Menu"]
    await talk.press("Menu")
    assert "Hi Adam!" in talk.text
    assert "🏷 Account name" in talk.labels


async def test_its_words_start_it_at_the_menu_and_from_another_flow(
    db: FreshDatabase, name_flow: type[FlowMachine]
) -> None:
    talk = await Talk.open(make_engine(db), db, "owner@acme.example")
    await talk.say(ASKED)
    assert talk.text == "🏷 Your account is called Acme Trading Ltd."
    await talk.say("show my usage")
    assert "Your package: Interact" in talk.text
    await talk.say("how is my account named")
    assert talk.text == "🏷 Your account is called Acme Trading Ltd."


async def test_its_refusal_answers_a_role_that_does_not_see_it(
    db: FreshDatabase, name_flow: type[FlowMachine]
) -> None:
    talk = await Talk.open(make_engine(db), db, "viewer@acme.example")
    await talk.say(ASKED)
    assert REFUSED in talk.text
    assert "Acme Trading Ltd: main menu" in talk.text
    assert "🏷 Account name" not in talk.labels


def test_precedence_decides_between_its_words_and_the_other_flows(
    name_flow: type[FlowMachine],
) -> None:
    assert recognise(ASKED) == Intent("account_name")
    assert recognise("show my account") == Intent("details")  # no word of the new flow
    assert recognise("change what my account is called") == Intent("edit")  # edit outranks it
    assert recognise("close the account named Acme") == Intent("close")


def test_unregistered_it_is_gone_from_the_menu_and_the_requests(
    name_flow: type[FlowMachine],
) -> None:
    assert ("🏷 Account name", "start.account_name") in menu_options(Role.OWNER)
    FLOWS.unregister(name_flow)
    assert "account_name" not in FLOWS
    assert ("🏷 Account name", "start.account_name") not in menu_options(Role.OWNER)
    assert recognise(ASKED) == Intent("details")  # as before it was defined
