"""Routing: from what the user did, the screen and the step to an action, without I/O."""

from __future__ import annotations

import pytest

from flows.close import CloseFlow
from flows.edit import EditFlow
from flows.routing import (
    Cancel,
    Fire,
    FlowChoice,
    ForStep,
    GoToMenu,
    Help,
    LeaveFlow,
    MustPress,
    NotHere,
    NotUnderstood,
    Screen,
    ShowMenu,
    Stale,
    StartFlow,
    Step,
    SwitchFlow,
    in_step,
    route,
    route_typed,
)
from flows.tokens import STANDING_MENU, encode, standing
from flows.types import ConversationKey, Inbound

KEY = ConversationKey("test", "1")
MENU = Screen(
    menu_token="Ab3_x-9Z",
    choices=(
        ("📄 Account details", "start.details"),
        ("✏️ Edit details", "start.edit"),
        ("📦 Package & usage", "start.package"),
        ("❓ Help", "help"),
    ),
)
FINAL_CLOSE = Screen(
    menu_token="Zz9-Qq_1",
    choices=(("Close Acme Trading Ltd permanently", "confirm"), ("Keep my account", "keep")),
)
CONFIRMING = Step(
    flow="close",
    accepts=frozenset({"confirm", "keep", "back"}),
    commits=CloseFlow.commits,
    changes_things=True,
)
NAMING = Step(
    flow="close", accepts=frozenset({"text", "keep", "back"}), commits=CloseFlow.commits,
    changes_things=True,
)
NAMING_SCREEN = Screen(menu_token="Nn0-Pp_2", choices=(("⬅️ Back", "back"),
                                                      ("Keep my account", "keep")))
CHOOSING = Step(
    flow="edit", accepts=frozenset({"pick", "discard"}), commits=EditFlow.commits,
    changes_things=True,
)
CHOOSING_SCREEN = Screen(
    menu_token="Cc1-Dd_3",
    choices=(("Contact e-mail", "pick.contact_email"), ("Phone", "pick.contact_phone"),
             ("✖️ Cancel", "discard")),
)
VIEWING = Step(flow="details", accepts=frozenset({"edit"}))


def typed(text: str) -> Inbound:
    return Inbound.typed(KEY, text)


def pressed(token: str) -> Inbound:
    return Inbound.pressed(KEY, token)


# -- presses --------------------------------------------------------------------------
def test_a_press_of_the_current_menu_means_its_action() -> None:
    assert route(pressed(encode("Ab3_x-9Z", "start.edit")), MENU, in_flow=False) == StartFlow(
        "edit"
    )
    assert route(pressed(encode("Ab3_x-9Z", "help")), MENU, in_flow=False) == Help()
    assert route(pressed(encode("Zz9-Qq_1", "confirm")), FINAL_CLOSE, in_flow=True) == (
        FlowChoice("confirm")
    )
    assert route(pressed(encode("Cc1-Dd_3", "pick.contact_email")), CHOOSING_SCREEN,
                 in_flow=True) == FlowChoice("pick", "contact_email")


@pytest.mark.parametrize(
    "token", ["Old-Menu:start.edit", "", ":", "nonsense", "Ab3_x-9Z:", ":start.close"]
)
def test_a_press_of_another_menu_or_no_menu_is_stale(token: str) -> None:
    assert route(pressed(token), MENU, in_flow=False) == Stale()
    assert route(pressed(token), MENU, in_flow=True) == Stale()


def test_with_no_menu_on_screen_every_press_is_stale() -> None:
    assert route(pressed(encode("Ab3_x-9Z", "help")), Screen(None), in_flow=False) == Stale()


def test_a_flow_choice_after_the_flow_ended_shows_the_menu() -> None:
    assert route(pressed(encode("Zz9-Qq_1", "confirm")), FINAL_CLOSE, in_flow=False) == (
        ShowMenu()
    )


# -- keywords ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "action"),
    [("menu", GoToMenu()), ("  MAIN   menu ", GoToMenu()), ("/start", GoToMenu()),
     ("cancel", Cancel()), ("stop", Cancel()), ("?", Help()), ("/help", Help())],
)
def test_keywords_win_everywhere(text: str, action: object) -> None:
    assert route(typed(text), MENU, in_flow=False) == action
    assert route(typed(text), FINAL_CLOSE, in_flow=True) == action


def test_back_is_a_flow_choice_in_a_flow_and_the_menu_at_the_menu() -> None:
    assert route(typed("back"), MENU, in_flow=False) == ShowMenu()
    assert route(typed("Back"), FINAL_CLOSE, in_flow=True) == FlowChoice("back")


# -- typed text at the menu ---------------------------------------------------------------
def test_typed_text_at_the_menu_names_a_choice_typos_forgiven() -> None:
    assert route(typed("Package & usage"), MENU, in_flow=False) == StartFlow("package")
    assert route(typed("acount detials"), MENU, in_flow=False) == StartFlow("details")


def test_typed_requests_at_the_menu_start_their_flow_with_arguments() -> None:
    assert route(typed("chnage my email"), MENU, in_flow=False) == StartFlow(
        "edit", {"field": "contact_email"}
    )
    assert route(typed("close my account"), MENU, in_flow=False) == StartFlow("close")


def test_anything_else_at_the_menu_is_not_understood() -> None:
    assert route(typed("  banana  "), MENU, in_flow=False) == NotUnderstood("banana")


def test_typed_text_in_a_flow_is_for_the_step() -> None:
    assert route(typed("  Acme Trading Ltd "), NAMING_SCREEN, in_flow=True) == ForStep(
        "Acme Trading Ltd"
    )


# -- typed text at a step ------------------------------------------------------------------
@pytest.mark.parametrize(
    "text",
    ["Close Acme Trading Ltd permanently", "close acme trading ltd permanently", "close",
     "yes", "permanently", "Acme Trading Ltd", "Close Acme Tradng Ltd permanently"],
)
def test_no_typed_text_confirms_a_step_that_writes(text: str) -> None:
    assert route_typed(text, FINAL_CLOSE, CONFIRMING) == MustPress(
        "Close Acme Trading Ltd permanently", "close the account"
    )


def test_harmless_choices_at_a_step_that_writes_may_be_typed() -> None:
    assert route_typed("keep my acount", FINAL_CLOSE, CONFIRMING) == Fire("keep", arg="")


def test_a_step_that_takes_text_gets_it_unless_a_label_is_typed_exactly() -> None:
    assert route_typed("Acme Trading Ltd", NAMING_SCREEN, NAMING) == Fire(
        "text", value="Acme Trading Ltd"
    )
    assert route_typed("keep my acount", NAMING_SCREEN, NAMING) == Fire(
        "text", value="keep my acount"
    )
    assert route_typed("Keep my account", NAMING_SCREEN, NAMING) == Fire("keep", arg="")
    assert route_typed("Back", NAMING_SCREEN, NAMING) == Fire("back", arg="")


def test_a_request_for_another_flow_switches_and_says_nothing_changed() -> None:
    assert route_typed("show my usage", CHOOSING_SCREEN, CHOOSING) == SwitchFlow(
        "package", nothing_changed=True
    )
    assert route_typed("show my usage", Screen("x", (("✏️ Edit", "edit"),)), VIEWING) == (
        SwitchFlow("package", nothing_changed=False)
    )


def test_naming_a_field_while_picking_picks_it() -> None:
    assert route_typed("change my phone", CHOOSING_SCREEN, CHOOSING) == Fire(
        "pick", arg="contact_phone"
    )
    assert route_typed("e-mail", CHOOSING_SCREEN, CHOOSING) == Fire(
        "pick", arg="contact_email"
    )


def test_a_keyword_label_typed_at_a_step_means_the_keyword() -> None:
    screen = Screen("x", (("❓ Help", "help"), ("Main menu", "menu")))
    assert route_typed("Help", screen, VIEWING) == Help()
    assert route_typed("main menu", screen, VIEWING) == GoToMenu()


def test_other_text_at_a_step_is_not_understood() -> None:
    assert route_typed("banana", CHOOSING_SCREEN, CHOOSING) == NotUnderstood("banana")


# -- a flow's choice at a step ---------------------------------------------------------------
def test_a_choice_the_step_takes_is_fired_with_its_argument() -> None:
    assert in_step(FlowChoice("pick", "contact_email"), CHOOSING) == Fire(
        "pick", arg="contact_email"
    )
    assert Fire("pick", arg="contact_email").kwargs() == {"arg": "contact_email"}
    assert Fire("text", value="x").kwargs() == {"value": "x"}


def test_back_from_a_first_step_leaves_the_flow() -> None:
    assert in_step(FlowChoice("back"), CHOOSING) == LeaveFlow(nothing_changed=True)
    assert in_step(FlowChoice("back"), VIEWING) == LeaveFlow(nothing_changed=False)


def test_a_choice_the_step_does_not_take_is_refused() -> None:
    assert in_step(FlowChoice("drop_tables"), CHOOSING) == NotHere()
    assert in_step(FlowChoice("confirm"), NAMING) == NotHere()


# -- standing choices (buttons on notices) ----------------------------------------------
@pytest.mark.parametrize("in_flow", [False, True])
def test_a_standing_choice_starts_its_flow_from_any_screen(in_flow: bool) -> None:
    token = standing("start.package")
    assert route(pressed(token), MENU, in_flow=in_flow) == StartFlow("package")
    assert route(pressed(token), Screen(None), in_flow=in_flow) == StartFlow("package")
    assert route(pressed(token), FINAL_CLOSE, in_flow=in_flow) == StartFlow("package")


@pytest.mark.parametrize("action", ["confirm", "pick.email", "help", "start.", "menu"])
def test_only_starting_a_flow_can_stand(action: str) -> None:
    # A forged "~:confirm" must never reach the final close step as a press.
    assert route(pressed(encode(STANDING_MENU, action)), FINAL_CLOSE, in_flow=True) == Stale()
    with pytest.raises(ValueError, match="start"):
        standing(action)


@pytest.mark.parametrize("text", ["end chat", "End Chat", "terminar chat"])
def test_end_chat_away_from_a_person_goes_back_to_the_menu(text: str) -> None:
    assert route(typed(text), MENU, in_flow=False) == GoToMenu()
    assert route(typed(text), NAMING_SCREEN, in_flow=True) == GoToMenu()
