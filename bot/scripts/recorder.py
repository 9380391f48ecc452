"""Writing a conversation that just happened as a script, ready to trim and commit.

Every reply becomes an ``expect`` item: each of its lines a ``text`` entry and its
buttons a ``buttons`` list, so trimming is deleting lines. Lines that change by
themselves (clock times, dates, closure references) are written commented out,
so the recorded script passes when it is run again later.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from sqlalchemy import func, select

from bot.scripts.channels import ScriptReply
from bot.scripts.checks import account_of
from bot.scripts.expectations import NoSuchButton, find_button
from bot.scripts.model import Where
from storage.models import Balance, SubscriptionRow
from storage.unit_of_work import Database

_MONTHS = "jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec"
VOLATILE = re.compile(
    rf"\b\d{{1,2}}:\d{{2}}\b|\b\d{{1,2}} ({_MONTHS})\w* \d{{4}}\b|reference", re.IGNORECASE
)


def quoted(text: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


def short_label(label: str, labels: list[str]) -> str:
    """The label without its emoji, if that still presses exactly this button."""
    short = re.sub(r"^\W+", "", label).strip() or label
    try:
        return short if find_button(short, labels) == label else label
    except NoSuchButton:
        return label


@dataclass(slots=True)
class Recorder:
    """Collects what was said and pressed, and the replies, then writes the script."""

    user: str
    channel: str = "terminal"
    language: str | None = None  # --language: the script says it too, to replay the same
    lines: list[str] = field(default_factory=list)

    def said(self, text: str, replies: list[ScriptReply]) -> None:
        self.lines.append(f"  - say: {quoted(text)}")
        self._expect(replies)

    def pressed(self, label: str, on_screen: list[str], replies: list[ScriptReply]) -> None:
        self.lines.append(f"  - press: {quoted(short_label(label, on_screen))}")
        self._expect(replies)

    def _expect(self, replies: list[ScriptReply]) -> None:
        if not replies:
            return
        self.lines.append("    expect:")
        for reply in replies:
            texts = [line.strip() for line in reply.text.splitlines() if line.strip()]
            self.lines.append("      - text:")
            for text in texts:
                if VOLATILE.search(text):
                    self.lines.append(f"          # - {quoted(text)}  # changes over time")
                else:
                    self.lines.append(f"          - {quoted(text)}")
            if reply.buttons:
                labels = ", ".join(quoted(short_label(b, reply.buttons)) for b in reply.buttons)
                self.lines.append(f"        buttons: [{labels}]")

    def script(self, name: str, then: list[str] | None = None) -> str:
        """The whole script as YAML text."""
        head = [
            "# Recorded with: python -m bot chat --record. Trim what does not matter,",
            "# keep what the conversation is meant to prove, and give it a clear name.",
            f"name: {quoted(name)}",
            f"as: {self.user}",
            f"channel: {self.channel}",
            *([f"language: {self.language}"] if self.language else []),
            "steps:",
        ]
        return "\n".join([*head, *self.lines, *(then or [])]) + "\n"

    def write(self, path: Path, name: str, then: list[str] | None = None) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(self.script(name, then), encoding="utf-8")


async def then_lines(database: Database, email: str) -> list[str]:
    """A ``then:`` block with the account's status, active subscriptions and balance now."""
    async with database.reading() as connection:
        account = await account_of(connection, email, Where(Path("-"), 1))
        active = await connection.scalar(
            select(func.count())
            .select_from(SubscriptionRow)
            .where(SubscriptionRow.account_id == account.id, SubscriptionRow.status == "active")
        )
        balance = await connection.scalar(
            select(Balance.amount).where(Balance.account_id == account.id)
        )
    amount = quoted(str(Decimal(balance or 0).quantize(Decimal("0.01"))))
    return [
        "then:",
        f"  account: {{name: {quoted(account.name)}, status: {account.status}}}",
        f"  subscriptions: {active}",
        f"  balance: {amount}",
    ]
