"""Every flow the engine can run, by the name stored in conversation records.

A flow registers itself. A :class:`~flows.base.FlowMachine` subclass that declares
``flow_name`` is recorded here by ``FlowMachine.__init_subclass__`` as its class is
created, and everything else about it is declared on that class: its menu entry
(``menu_entry``) and the words that ask for it (``intent_rule``). To find the product's
flows, :data:`FLOWS` imports every module of the ``flows`` package the first time it is
read, so adding a flow is adding its module: no list here or anywhere else to extend.

Why this way rather than another:

- a hand-kept list of flow classes (what this replaces) is a second place to edit, and
  the menu and the typed requests needed a third and a fourth;
- walking ``FlowMachine.__subclasses__()`` would also find a flow a test defined for as
  long as the garbage collector keeps its class, so a test could not take it away
  again; recording on creation, with :meth:`FlowRegistry.unregister`, can;
- importing the flow modules lazily, not when this module is imported, is what keeps
  the imports acyclic: flow modules import this one (through ``flows.base``).
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flows.base import FlowMachine
    from flows.intents import IntentRule
    from flows.menu import MenuEntry


class FlowRegistry(Mapping[str, "type[FlowMachine]"]):
    """The registered flows by name, in menu order (flows without a menu entry last).

    Reading it (``FLOWS.get(name)``, iterating) first imports every module of the
    package, so every flow the product has is recorded before anyone looks.
    """

    def __init__(self, package: str) -> None:
        self._package = package
        self._flows: dict[str, type[FlowMachine]] = {}
        self._discovered = False

    def record(self, flow: type[FlowMachine]) -> None:
        """Register ``flow`` (``FlowMachine.__init_subclass__`` calls this).

        Two flows may not share a name, a menu position or an intent precedence:
        the menu's order and which request wins must never depend on import order.
        """
        if not flow.flow_name:
            raise ValueError(f"{flow.__qualname__} declares an empty flow_name")
        for other in self._flows.values():
            clash = _clash(flow, other) if other is not flow else ""
            if clash:
                raise ValueError(
                    f"flows {other.__qualname__} and {flow.__qualname__} both declare {clash}"
                )
        self._flows[flow.flow_name] = flow

    def unregister(self, flow: type[FlowMachine]) -> None:
        """Forget ``flow``: for tests that define a flow of their own, once they are done."""
        if self._flows.get(flow.flow_name) is flow:
            del self._flows[flow.flow_name]

    def intent_rules(self) -> tuple[tuple[str, IntentRule], ...]:
        """Every flow's intent rule with the flow's name, highest precedence first."""
        rules = [(name, flow.intent_rule) for name, flow in self.items() if flow.intent_rule]
        return tuple(sorted(rules, key=lambda named: -named[1].precedence))

    def menu_entries(self) -> tuple[tuple[str, MenuEntry], ...]:
        """Every flow's menu entry with the flow's name, in menu order."""
        return tuple((name, flow.menu_entry) for name, flow in self.items() if flow.menu_entry)

    def __getitem__(self, name: str) -> type[FlowMachine]:
        self._discover()
        return self._flows[name]

    def __iter__(self) -> Iterator[str]:
        self._discover()
        return iter(sorted(self._flows, key=lambda name: _menu_order(self._flows[name])))

    def __len__(self) -> int:
        self._discover()
        return len(self._flows)

    def _discover(self) -> None:
        if self._discovered:
            return
        package = importlib.import_module(self._package)
        for module in pkgutil.walk_packages(package.__path__, prefix=f"{self._package}."):
            importlib.import_module(module.name)
        self._discovered = True


def _menu_order(flow: type[FlowMachine]) -> tuple[bool, int, str]:
    entry = flow.menu_entry
    return (entry is None, entry.position if entry else 0, flow.flow_name)


def _clash(flow: type[FlowMachine], other: type[FlowMachine]) -> str:
    """What ``flow`` declares that ``other`` declares too, or an empty string."""
    if flow.flow_name == other.flow_name:
        return f"the name {flow.flow_name!r}"
    entry, other_entry = flow.menu_entry, other.menu_entry
    if entry and other_entry and entry.position == other_entry.position:
        return f"menu position {entry.position}"
    rule, other_rule = flow.intent_rule, other.intent_rule
    if rule and other_rule and rule.precedence == other_rule.precedence:
        return f"intent precedence {rule.precedence}"
    return ""


FLOWS = FlowRegistry(__name__.rpartition(".")[0])
"""Every flow of the product (and, while a test runs, the flows that test defines)."""
