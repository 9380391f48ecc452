"""Where the terminal chat's lines come from: a person at a terminal, or a pipe.

At a terminal, :class:`PromptLines` reads with prompt_toolkit: line editing (arrows,
Home/End, Ctrl-A/E/W…) and the lines typed before (Up/Down), kept in memory for the
session. Ctrl-D on an empty line and Ctrl-C end the chat. Piped input
(:class:`PipedLines`) is read exactly as before: one line per user turn, each echoed
after a ``> `` so a transcript reads like the conversation.
"""

from __future__ import annotations

import asyncio
import sys
import threading
from typing import Protocol, TextIO

from prompt_toolkit import PromptSession
from prompt_toolkit.history import InMemoryHistory
from prompt_toolkit.input import Input
from prompt_toolkit.output import Output

PROMPT = "> "


class LineReader(Protocol):
    """The user's next line, or None when they are done (end of input, Ctrl-D, Ctrl-C)."""

    interactive: bool
    """True when a person types at a terminal (so the chat may greet and say goodbye)."""

    async def read(self) -> str | None: ...


class PromptLines:
    """Lines typed at a terminal, with line editing and in-memory history."""

    interactive = True

    def __init__(self, input: Input | None = None, output: Output | None = None) -> None:
        # input/output: the terminal by default; tests pass a pipe input.
        self.session: PromptSession[str] = PromptSession(
            history=InMemoryHistory(), input=input, output=output
        )
        self.interrupted = False

    async def read(self) -> str | None:
        print()  # a blank line between the bot's reply and the prompt, as before
        try:
            return await self.session.prompt_async(PROMPT)
        except EOFError:  # Ctrl-D on an empty line
            return None
        except KeyboardInterrupt:  # Ctrl-C at the prompt (a key press in raw mode)
            self.interrupted = True
            return None


class PipedLines:
    """Lines from a pipe or a file, one user turn each, echoed after ``> ``.

    A daemon thread does the blocking reads, so Ctrl-C (or the chat ending) never
    waits for a line that is not coming: the thread dies with the process.
    """

    interactive = False

    def __init__(self, stream: TextIO | None = None) -> None:
        self._stream = stream or sys.stdin
        self._lines: asyncio.Queue[str] | None = None

    async def read(self) -> str | None:
        if self._lines is None:
            self._lines = asyncio.Queue()
            loop = asyncio.get_running_loop()
            feed = threading.Thread(target=self._feed, args=(loop, self._lines), daemon=True)
            feed.start()
        while True:
            line = await self._lines.get()
            if not line:  # end of input
                return None
            if line.strip():  # blank lines are not turns
                text = line.rstrip("\n")
                print(f"\n{PROMPT}{text.rstrip()}")
                return text

    def _feed(self, loop: asyncio.AbstractEventLoop, lines: asyncio.Queue[str]) -> None:
        while True:
            line = self._stream.readline()
            loop.call_soon_threadsafe(lines.put_nowait, line)
            if not line:
                return


def line_reader() -> LineReader:
    """prompt_toolkit when standard input is a terminal, else the pipe as always."""
    return PromptLines() if sys.stdin.isatty() else PipedLines()
