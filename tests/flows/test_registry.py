"""The registry: flows are found, not listed, and two flows never claim the same place."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from flows.base import FlowMachine, State
from flows.intents import IntentRule, words
from flows.menu import MenuEntry
from flows.registry import FLOWS

ROOT = Path(__file__).resolve().parents[2]


def test_the_product_flows_are_found_in_menu_order() -> None:
    assert list(FLOWS) == [
        "details", "edit", "package", "history", "close", "notifications", "handover"]
    assert [flow.__module__ for flow in FLOWS.values()] == [
        "flows.details", "flows.edit", "flows.package", "flows.history", "flows.close",
        "flows.notifications", "flows.handover",
    ]
    assert [name for name, _ in FLOWS.intent_rules()] == [
        "handover", "close", "edit", "notifications", "package", "history", "details",
    ]


def test_no_other_module_of_flows_or_bot_names_a_flow() -> None:
    """Adding a flow edits no list: only flow modules mention a flow (details links to edit)."""
    flow_files = {ROOT / f"{flow.__module__.replace('.', '/')}.py" for flow in FLOWS.values()}
    sources = [*(ROOT / "flows").rglob("*.py"), *(ROOT / "bot").rglob("*.py")]
    for path in sorted(set(sources) - flow_files):
        # A command line's sub-command is a word of the command line (``support close``).
        text = re.sub(r'add_parser\("[a-z-]+"', "", path.read_text(encoding="utf-8"))
        for name, flow in FLOWS.items():
            assert f'"{name}"' not in text, f"{path.relative_to(ROOT)} names the {name} flow"
            assert flow.__name__ not in text, f"{path.relative_to(ROOT)} names {flow.__name__}"


def test_a_class_that_declares_no_name_is_no_flow() -> None:
    class SharedSteps(FlowMachine):
        """A base two flows could share: not a flow itself."""

    assert SharedSteps not in FLOWS.values()


@pytest.mark.parametrize(
    ("name", "position", "precedence", "clash"),
    [
        ("package", 99, 99, "the name 'package'"),
        ("clash", 30, 99, "menu position 30"),
        ("clash", 99, 20, "intent precedence 20"),
    ],
)
def test_two_flows_may_not_share_a_name_a_menu_position_or_a_precedence(
    name: str, position: int, precedence: int, clash: str
) -> None:
    before = dict(FLOWS)
    with pytest.raises(ValueError, match=f"PackageFlow and .*Clash both declare {clash}"):

        class Clash(FlowMachine):
            flow_name = name
            menu_entry = MenuEntry("Clash", position=position)
            intent_rule = IntentRule(precedence=precedence, all_of=(words("clash"),))

            only = State(initial=True)
            again = only.to.itself()

    assert dict(FLOWS) == before
