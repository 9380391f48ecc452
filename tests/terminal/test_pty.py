"""``python -m bot chat`` in a real pseudo-terminal: keys typed as a person types them.

pexpect starts the command on a pty (so standard input *is* a terminal and
prompt_toolkit takes over), sends keys, including Ctrl-C and Ctrl-D, and reads the
screen. The chat must end with a goodbye, exit status 0 and no traceback.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pexpect
import pytest

ROOT = Path(__file__).resolve().parents[2]
UP, CTRL_C, CTRL_D = "\x1b[A", "\x03", "\x04"
# prompt_toolkit draws "> " with cursor movements, not as the two characters: wait for
# the ">" (no reply contains one) before typing the next line.
PROMPT = ">"


def spawn(database: Path) -> pexpect.spawn:
    env = {**os.environ, "DATABASE_URL": f"sqlite+aiosqlite:///{database}", "TERM": "xterm"}
    env.pop("BOT_TOKEN", None)
    # No cursor position requests: pexpect is not a terminal that answers them.
    env["PROMPT_TOOLKIT_NO_CPR"] = "1"
    child = pexpect.spawn(
        sys.executable,
        ["-m", "bot", "chat", "--as", "admin@acme.example"],
        cwd=ROOT,
        env=env,
        encoding="utf-8",
        timeout=60,
        dimensions=(40, 120),
    )
    child.expect("What would you like to do?")
    child.expect_exact(PROMPT)
    return child


def finish(child: pexpect.spawn) -> str:
    """Everything printed after the last expect, up to the end; the exit status is 0."""
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before
    return str(child.before)


@pytest.mark.parametrize("end", [CTRL_C, CTRL_D], ids=["ctrl-c", "ctrl-d"])
def test_typing_history_and_the_end_key_at_a_real_terminal(tmp_path: Path, end: str) -> None:
    child = spawn(tmp_path / "bot.db")
    child.send("show my usage\r")
    child.expect("Your package: Interact")
    child.expect_exact(PROMPT)
    child.send("menu\r")
    child.expect("You.re managing Acme Trading Ltd as admin")
    child.expect_exact(PROMPT)
    child.send(UP + UP + "\r")  # the line before last, from the session's history
    child.expect("Your package: Interact")
    child.expect_exact(PROMPT)
    child.send(end)
    child.expect("Goodbye!")
    rest = finish(child)
    assert "Traceback" not in str(child.before) + rest


def test_ctrl_c_with_a_half_typed_line_ends_cleanly(tmp_path: Path) -> None:
    child = spawn(tmp_path / "bot.db")
    child.send("change my e")
    child.sendcontrol("c")
    child.expect("Goodbye!")
    rest = finish(child)
    assert "Traceback" not in rest and "KeyboardInterrupt" not in rest


def test_ctrl_c_while_piped_input_waits_ends_cleanly_too(tmp_path: Path) -> None:
    """A script feeding the chat through a pipe that is interrupted (SIGINT, as Ctrl-C at
    the shell sends it) stops at once: no thread left waiting for a line, no traceback."""
    env = {**os.environ, "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"}
    env.pop("BOT_TOKEN", None)
    chat = subprocess.Popen(
        [sys.executable, "-m", "bot", "chat"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=ROOT,
        env=env,
        text=True,
    )
    assert chat.stdin is not None and chat.stdout is not None
    chat.stdin.write("show my usage\n")
    chat.stdin.flush()
    while "Your package" not in chat.stdout.readline():
        pass  # the first line was answered; the chat now waits for the next one
    chat.send_signal(signal.SIGINT)
    chat.wait(timeout=60)  # standard input stays open: the interrupt alone ends it
    out, err = chat.stdout.read(), chat.stderr.read() if chat.stderr else ""
    chat.stdin.close()
    assert chat.returncode == 0, err
    assert out.rstrip().endswith("Goodbye!")
    assert "Traceback" not in err
