"""The terminal chat at a terminal: prompt_toolkit's line editing, history and Ctrl-C/D.

Keys go in through prompt_toolkit's own pipe input (the real key parser and the real
line editor, only the terminal device replaced); ``test_pty.py`` runs the whole
command in a pseudo-terminal.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from prompt_toolkit.input import PipeInput, create_pipe_input
from prompt_toolkit.output import DummyOutput

from bot.commands.chat import converse
from bot.terminal import CHANNEL, TerminalConversation
from bot.terminal_input import PromptLines
from flows.engine import Engine
from flows.settings import EngineSettings
from storage.identities import ensure_identity
from storage.sandbox import FreshDatabase

LEFT, UP, ENTER, CTRL_C, CTRL_D = "\x1b[D", "\x1b[A", "\r", "\x03", "\x04"


@pytest.fixture
def keys() -> Iterator[PipeInput]:
    with create_pipe_input() as pipe:
        yield pipe


def lines(keys: PipeInput) -> PromptLines:
    return PromptLines(input=keys, output=DummyOutput())


async def test_a_typo_is_fixed_in_place_and_up_brings_the_last_line_back(
    keys: PipeInput,
) -> None:
    reader = lines(keys)
    keys.send_text("shw my usage")
    keys.send_text(LEFT * 10 + "o" + ENTER)  # back to after "sh", insert the missing "o"
    assert await reader.read() == "show my usage"
    keys.send_text(UP + ENTER)  # the line typed before, from the in-memory history
    assert await reader.read() == "show my usage"
    keys.send_text(UP + UP + "\x1b[F" + " now" + ENTER)  # Up, and End to add words
    assert await reader.read() == "show my usage now"


async def test_ctrl_d_on_an_empty_line_and_ctrl_c_end_the_chat(keys: PipeInput) -> None:
    reader = lines(keys)
    keys.send_text(CTRL_D)
    assert await reader.read() is None and not reader.interrupted
    keys.send_text("half a line" + CTRL_C)
    assert await reader.read() is None and reader.interrupted


@pytest.mark.parametrize("end", [CTRL_C, CTRL_D], ids=["ctrl-c", "ctrl-d"])
async def test_a_conversation_at_the_prompt_ends_with_a_goodbye(
    db: FreshDatabase, keys: PipeInput, end: str, capsys: pytest.CaptureFixture[str]
) -> None:
    async with db.database.transaction() as connection:
        await ensure_identity(connection, CHANNEL, "admin@acme.example", "admin@acme.example")
    engine = Engine(db.stores, EngineSettings())
    conversation = TerminalConversation(engine, "admin@acme.example")
    keys.send_text("histroy" + ENTER + end)  # a typo the bot corrects, then the end key
    await converse(conversation, lines=lines(keys))
    printed = capsys.readouterr().out
    assert printed.startswith("Chatting as admin@acme.example.")
    assert "Hi Adam! You're managing Acme Trading Ltd as admin." in printed
    assert "No changes have been recorded yet." in printed
    assert printed.rstrip().endswith("Goodbye!")
