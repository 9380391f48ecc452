"""Conversation scripts from YAML files: :func:`load_file` and :func:`load_paths`.

Every mistake becomes a :class:`~bot.scripts.model.ScriptMistake` naming the
file and line, worded for the support staff who write the scripts.
"""

from __future__ import annotations

import re
from pathlib import Path

from yaml.nodes import MappingNode, Node

from bot.scripts.checks import ACCOUNT_FIELDS
from bot.scripts.durations import parse_duration
from bot.scripts.model import (
    CHANNELS,
    DEFAULT_CHANNEL,
    Channel,
    Expectation,
    Script,
    ScriptMistake,
    Step,
    Then,
    Where,
)
from bot.scripts.yamlnodes import NodeReader
from flows.i18n import LANGUAGES, language_of

SCRIPT_KEYS = ("name", "as", "channel", "language", "steps", "then")
STEP_KEYS = ("say", "press", "wait", "usage", "agent", "as", "expect", "agent_sees")
ACTIONS = ("say", "press", "wait", "usage", "agent")
USAGE_KEYS = ("meter", "add")
EXPECT_KEYS = ("text", "not_text", "regex", "buttons", "no_buttons")
THEN_KEYS = ("account", "subscriptions", "balance", "of")


def load_file(path: Path) -> list[Script]:
    """Every conversation in ``path`` (several may be separated by ``---``)."""
    try:
        source = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ScriptMistake(Where(path, 1), f"the file cannot be read ({error})") from None
    reader = NodeReader(path)
    scripts = [_script(reader, node) for node in reader.documents(source)]
    seen: dict[str, Where] = {}
    for script in scripts:
        if script.name in seen:
            raise ScriptMistake(
                script.where,
                f'two conversations are called "{script.name}" (the other is at line '
                f"{seen[script.name].line}); give each its own name",
            )
        seen[script.name] = script.where
    return scripts


def _script(reader: NodeReader, node: MappingNode) -> Script:
    where = reader.where(node)
    keys = reader.mapping(node, "a conversation", SCRIPT_KEYS)
    for required in ("name", "as", "steps"):
        if required not in keys:
            raise ScriptMistake(where, f'this conversation has no "{required}:"')
    user = reader.text(keys["as"], '"as"')
    if "@" not in user:
        raise ScriptMistake(
            reader.where(keys["as"]), f'"as" must be the e-mail of a demo user, not "{user}"'
        )
    channel = reader.text(keys["channel"], '"channel"') if "channel" in keys else DEFAULT_CHANNEL
    if channel not in CHANNELS:
        raise ScriptMistake(
            reader.where(keys["channel"]),
            f'unknown channel "{channel}"; use one of: {", ".join(CHANNELS)}',
        )
    language = reader.text(keys["language"], '"language"') if "language" in keys else None
    if language is not None and language_of(language) != language:
        raise ScriptMistake(
            reader.where(keys["language"]),
            f'unknown language "{language}"; use one of: {", ".join(LANGUAGES)}',
        )
    step_nodes = reader.list_of(keys["steps"], '"steps"')
    if not step_nodes:
        raise ScriptMistake(reader.key_where(keys["steps"]), "this conversation has no steps")
    return Script(
        where=where,
        name=reader.text(keys["name"], '"name"'),
        user=user.strip().lower(),
        user_where=reader.where(keys["as"]),
        channel=_channel(channel),
        steps=tuple(_step(reader, n, number) for number, n in enumerate(step_nodes, start=1)),
        then=_then(reader, keys["then"]) if "then" in keys else None,
        language=language,
    )


def _channel(name: str) -> Channel:
    return next((channel for channel in CHANNELS if channel == name), DEFAULT_CHANNEL)


def _step(reader: NodeReader, node: Node, number: int) -> Step:
    where = reader.where(node)
    keys = reader.mapping(node, "a step", STEP_KEYS)
    actions = [key for key in ACTIONS if key in keys]
    if len(actions) != 1:
        raise ScriptMistake(
            where,
            "each step needs exactly one of say:, press:, wait:, usage: or agent: "
            f"(this one has {', '.join(actions) or 'none'})",
        )
    action = actions[0]
    meter, quantity = _usage(reader, keys["usage"]) if action == "usage" else ("", 0)
    value = f"{quantity} {meter}" if action == "usage" else reader.text(keys[action], f'"{action}"')
    seconds = 0.0
    if action == "wait":
        seconds = parse_duration(value, reader.where(keys["wait"]))
        if "expect" in keys:
            raise ScriptMistake(
                reader.key_where(keys["expect"]),
                "a wait: step sends nothing, so it cannot expect replies",
            )
    user = reader.text(keys["as"], '"as"').strip().lower() if "as" in keys else None
    expect_nodes = reader.list_of(keys["expect"], '"expect"') if "expect" in keys else []
    agent_nodes = (reader.list_of(keys["agent_sees"], '"agent_sees"')
                   if "agent_sees" in keys else None)
    return Step(
        where=where,
        number=number,
        action=action,  # type: ignore[arg-type]  # one of ACTIONS, checked above
        value=value,
        seconds=seconds,
        user=user,
        expect=tuple(_expectation(reader, item) for item in expect_nodes),
        meter=meter,
        quantity=quantity,
        agent_sees=(tuple(_expectation(reader, item) for item in agent_nodes)
                    if agent_nodes is not None else None),
    )


def _usage(reader: NodeReader, node: Node) -> tuple[str, int]:
    """``usage: {meter: chatbot sessions, add: 200}``: the meter and how much to add."""
    keys = reader.mapping(node, '"usage"', USAGE_KEYS)
    for required in USAGE_KEYS:
        if required not in keys:
            raise ScriptMistake(reader.where(node), f'"usage" needs "{required}:" '
                                "(for example usage: {meter: chatbot sessions, add: 200})")
    quantity = reader.integer(keys["add"], '"add"')
    if quantity <= 0:
        raise ScriptMistake(reader.where(keys["add"]), '"add" must be a whole number above 0')
    return reader.text(keys["meter"], '"meter"'), quantity


def _expectation(reader: NodeReader, node: Node) -> Expectation:
    where = reader.where(node)
    keys = reader.mapping(node, "an expect item", EXPECT_KEYS)
    if not keys:
        raise ScriptMistake(where, f"an expect item needs one of: {', '.join(EXPECT_KEYS)}")
    regex = reader.text(keys["regex"], '"regex"') if "regex" in keys else None
    if regex is not None:
        try:
            re.compile(regex)
        except re.error as error:
            raise ScriptMistake(
                reader.where(keys["regex"]), f"the regex is not valid: {error}"
            ) from None
    return Expectation(
        where=where,
        text=reader.texts(keys["text"], '"text"') if "text" in keys else (),
        not_text=reader.texts(keys["not_text"], '"not_text"') if "not_text" in keys else (),
        regex=regex,
        buttons=reader.texts(keys["buttons"], '"buttons"') if "buttons" in keys else None,
        no_buttons=reader.texts(keys["no_buttons"], '"no_buttons"') if "no_buttons" in keys else (),
    )


def _then(reader: NodeReader, node: Node) -> Then:
    keys = reader.mapping(node, '"then"', THEN_KEYS)
    account: dict[str, str | None] = {}
    lines: dict[str, int] = {}
    if "account" in keys:
        for name, value in reader.mapping(keys["account"], "account", ACCOUNT_FIELDS).items():
            account[name] = reader.optional_text(value, f'"{name}"')
            lines[name] = reader.where(value).line
    return Then(
        where=reader.where(node),
        of_user=reader.text(keys["of"], '"of"').strip().lower() if "of" in keys else None,
        account=account,
        account_lines=lines,
        subscriptions=(
            reader.integer(keys["subscriptions"], '"subscriptions"')
            if "subscriptions" in keys
            else None
        ),
        balance=reader.decimal(keys["balance"], '"balance"') if "balance" in keys else None,
    )
