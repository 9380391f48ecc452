"""The conversation so far, written down as it happened, for failure reports."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.scripts.channels import ScriptReply

INDENT = "        "


@dataclass(frozen=True, slots=True)
class TranscriptEntry:
    """One entry of the transcript: who (``bot``, a user, or ``clock``) said or did what."""

    speaker: str
    text: str
    buttons: tuple[str, ...] = ()
    picture: bool = False


def buttons_line(buttons: list[str] | tuple[str, ...]) -> str:
    """Buttons as they look on screen: ``[📄 Account details]  [❓ Help]``."""
    return "  ".join(f"[{label}]" for label in buttons)


def reply_lines(reply: ScriptReply) -> list[str]:
    """A reply's text lines, then its buttons on one line."""
    lines = reply.text.splitlines()
    if reply.picture:
        lines.insert(0, "(a picture)")
    lines = lines or [""]
    return [*lines, buttons_line(reply.buttons)] if reply.buttons else lines


def replies_block(replies: list[ScriptReply]) -> list[str]:
    """The replies of one step, numbered when there are several."""
    if not replies:
        return ["(the bot sent nothing)"]
    lines: list[str] = []
    for number, reply in enumerate(replies, start=1):
        prefix = f"reply {number}: " if len(replies) > 1 else ""
        body = reply_lines(reply)
        lines += [prefix + body[0], *(" " * len(prefix) + line for line in body[1:])]
    return lines


@dataclass(slots=True)
class Transcript:
    """Everything said so far; ``single_user`` writes "You" instead of e-mail addresses."""

    single_user: bool = True
    entries: list[TranscriptEntry] = field(default_factory=list)

    def user(self, email: str, text: str) -> None:
        self.entries.append(TranscriptEntry(email, text))

    def bot(self, replies: list[ScriptReply]) -> None:
        if not replies:
            self.entries.append(TranscriptEntry("bot", "(no reply)"))
        for reply in replies:
            entry = TranscriptEntry("bot", reply.text, tuple(reply.buttons), reply.picture)
            self.entries.append(entry)

    def clock(self, text: str) -> None:
        self.entries.append(TranscriptEntry("clock", text))

    def agent(self, text: str) -> None:
        """A support agent answered the user's ticket (the ``agent:`` step)."""
        self.entries.append(TranscriptEntry("agent", text))

    def lines(self) -> list[str]:
        """The transcript as text, one speaker label per message."""
        out: list[str] = []
        for entry in self.entries:
            if entry.speaker == "clock":
                out.append(f"  ⏱  {entry.text}")
                continue
            who = {"bot": "Bot", "agent": "Agent"}.get(entry.speaker) or self._name(entry.speaker)
            body = reply_lines(ScriptReply(entry.text, list(entry.buttons), entry.picture))
            label = f"{who + ':':<6}" if len(who) < 5 else f"{who}: "
            out.append(f"  {label}{body[0]}")
            out += [f"{INDENT}{line}" for line in body[1:]]
        return out

    def _name(self, email: str) -> str:
        return "You" if self.single_user else email
