"""Reading YAML as nodes, so every value keeps the line it was written on.

PyYAML's ``compose_all`` gives the node tree before any conversion; reading
scalars as the text that was typed (not as YAML booleans or floats) means
``say: yes`` says "yes" and ``balance: 125.40`` stays exactly 125.40.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from pathlib import Path

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from bot.scripts.model import ScriptMistake, Where

NULL_TAG = "tag:yaml.org,2002:null"
QUOTING_HINT = (
    'Tip: put a text in double quotes ("...") when it contains : ? # , [ ] { } '
    "or starts with a quote, a dash or a symbol such as @ or %."
)
QUESTION_HINT = (
    "A text with a question mark inside [ ] must be in double quotes, "
    'like [Hello, "What would you like to do?"].'
)


class NodeReader:
    """Turns the nodes of one file into checked Python values, or a :class:`ScriptMistake`."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._keys: dict[int, Node] = {}  # id(value node) -> its key node

    def key_where(self, value: Node) -> Where:
        """Where the key of ``value`` was written (its value may start on a later line)."""
        return self.where(self._keys.get(id(value), value))

    def where(self, node: Node) -> Where:
        return Where(self.path, node.start_mark.line + 1)

    def documents(self, source: str) -> list[MappingNode]:
        """Every non-empty document of the file, each of which must be a mapping."""
        try:
            nodes = [node for node in yaml.compose_all(source, Loader=yaml.SafeLoader) if node]
        except yaml.MarkedYAMLError as error:
            mark = error.problem_mark or error.context_mark
            if error.context_mark is not None and "<stream end>" in str(error.problem):
                # Something opened (a bracket, a quote) and never closed: point at its start.
                mark = error.context_mark
            line = mark.line + 1 if mark is not None else 1
            problem = error.problem or error.context or "it cannot be read"
            hint = QUESTION_HINT if "got '?'" in problem else QUOTING_HINT
            raise ScriptMistake(
                Where(self.path, line), f"this is not valid YAML: {problem}. {hint}"
            ) from None
        except yaml.YAMLError as error:
            raise ScriptMistake(Where(self.path, 1), f"this is not valid YAML: {error}") from None
        if not nodes:
            raise ScriptMistake(Where(self.path, 1), "the file holds no conversation")
        for node in nodes:
            if not isinstance(node, MappingNode):
                raise ScriptMistake(
                    self.where(node),
                    "a conversation must start with keys such as name:, as: and steps:",
                )
        return [node for node in nodes if isinstance(node, MappingNode)]

    def mapping(self, node: Node, what: str, allowed: Iterable[str]) -> dict[str, Node]:
        """A mapping's values by key; unknown and repeated keys are mistakes."""
        if not isinstance(node, MappingNode):
            raise ScriptMistake(self.where(node), f"{what} must be a set of key: value lines")
        allowed = tuple(allowed)
        values: dict[str, Node] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value)
            if key not in allowed:
                close = difflib.get_close_matches(key, allowed, n=1)
                hint = f' Did you mean "{close[0]}"?' if close else ""
                raise ScriptMistake(
                    self.where(key_node),
                    f'unknown key "{key}" in {what}.{hint} Allowed here: {", ".join(allowed)}.',
                )
            if key in values:
                raise ScriptMistake(self.where(key_node), f'"{key}" is given twice in {what}')
            values[key] = value_node
            self._keys[id(value_node)] = key_node
        return values

    def text(self, node: Node, what: str) -> str:
        """A single value, as typed."""
        if not isinstance(node, ScalarNode) or (node.tag == NULL_TAG and not node.value):
            raise ScriptMistake(self.where(node), f"{what} needs a single value here")
        return str(node.value)

    def optional_text(self, node: Node, what: str) -> str | None:
        """A single value, or None for ``null``/``~``/nothing."""
        if isinstance(node, ScalarNode) and node.tag == NULL_TAG:
            return None
        return self.text(node, what)

    def texts(self, node: Node, what: str) -> tuple[str, ...]:
        """One value or a list of values (``[a, b]`` or one ``- item`` per line)."""
        if isinstance(node, SequenceNode):
            return tuple(self.text(item, what) for item in node.value)
        return (self.text(node, what),)

    def list_of(self, node: Node, what: str) -> list[Node]:
        if not isinstance(node, SequenceNode):
            raise ScriptMistake(
                self.where(node), f"{what} must be a list, one item per line starting with -"
            )
        return list(node.value)

    def integer(self, node: Node, what: str) -> int:
        value = self.text(node, what)
        if not value.isdigit():
            raise ScriptMistake(self.where(node), f"{what} must be a whole number, not {value!r}")
        return int(value)

    def decimal(self, node: Node, what: str) -> Decimal:
        value = self.text(node, what)
        try:
            return Decimal(value.replace(",", ""))
        except InvalidOperation:
            raise ScriptMistake(
                self.where(node), f"{what} must be an amount like 125.40, not {value!r}"
            ) from None
