"""From the engine's replies to Telegram messages: text chunks, keyboards, photos.

Pure functions (no I/O) so the rules are easy to test: a reply with choices gets an
inline keyboard; an unlinked chat is told how to link, with a one-tap button that
shares the user's phone number; text over
Telegram's 4,096-character limit is split at line breaks, the keyboard going on the
last part; a picture goes first, as a photo of its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from aiogram.types import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)

from bot.telegram.callbacks import pack_token
from bot.telegram.limits import MAX_CAPTION, MAX_TEXT, utf16_length
from flows.i18n import N_, _
from flows.types import Choice, Reply, ReplyKind

SHARE_LABEL = N_("📱 Share my phone number")
HOW_TO_LINK = N_(
    "This chat is not linked to a platform account yet, so I cannot show anything. "
    "Ask your account owner or our support for a link code and send /start CODE, "
    "or share your phone number with the button below."
)
PAIR_LABELS_UP_TO = 20  # long menus put two short labels per row

Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One Telegram message to send: text (or a photo) and its keyboard.

    ``navigates`` marks a screen that may replace the pressed menu in place; results
    to keep (``keep``), notices without choices and photos always arrive as new messages.
    """

    text: str = ""
    markup: Markup | None = None
    photo: bytes | None = None
    keep: bool = False
    navigates: bool = False


def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    """``text`` in parts of at most ``limit`` units, cut at line breaks where possible."""
    if utf16_length(text) <= limit:
        return [text]
    parts: list[str] = []
    current = ""
    for line in text.splitlines(keepends=True):
        while utf16_length(line) > limit:  # a single huge line: cut it hard
            head = _fit(line, limit - utf16_length(current))
            parts.append(current + head)
            current, line = "", line[len(head):]
        if utf16_length(current + line) > limit:
            parts.append(current)
            current = ""
        current += line
    parts.append(current)
    return [part.strip("\n") for part in parts if part.strip()]


def _fit(text: str, room: int) -> str:
    """The longest prefix of ``text`` within ``room`` units (at least one character)."""
    used = 0
    for index, char in enumerate(text):
        used += utf16_length(char)
        if used > room:
            return text[: max(index, 1)]
    return text


def inline_keyboard(choices: list[Choice]) -> InlineKeyboardMarkup:
    """One button per choice; long menus pair short labels so they fit on a phone."""
    buttons = [
        _button(c.label).model_copy(update={"callback_data": pack_token(c.token)})
        for c in choices
    ]
    rows: list[list[InlineKeyboardButton]] = []
    pairing = len(buttons) > 6
    for button in buttons:
        last = rows[-1] if rows else None
        if (pairing and last is not None and len(last) == 1
                and max(len(last[0].text), len(button.text)) <= PAIR_LABELS_UP_TO):
            last.append(button)
        else:
            rows.append([button])
    return InlineKeyboardMarkup.model_construct(inline_keyboard=rows)


@lru_cache(maxsize=512)
def _button(label: str) -> InlineKeyboardButton:
    # Built (and validated) once per label, then copied with each screen's callback data:
    # building a button with its dozen optional fields every time was a tenth of an
    # update's time under load.
    return InlineKeyboardButton(text=label, callback_data="-")


def contact_keyboard() -> ReplyKeyboardMarkup:
    """A reply keyboard whose one button shares the user's own phone number."""
    return ReplyKeyboardMarkup(
        keyboard=[[KeyboardButton(text=_(SHARE_LABEL), request_contact=True)]],
        resize_keyboard=True,
        one_time_keyboard=True,
        input_field_placeholder="or send /start CODE",
    )


def plan(replies: list[Reply]) -> list[Outgoing]:
    """The Telegram messages for ``replies``, in order."""
    out: list[Outgoing] = []
    for reply in replies:
        if reply.image is not None:
            out.append(Outgoing(text=(reply.image_caption or "")[:MAX_CAPTION],
                                photo=reply.image, keep=reply.keep))
        unlinked = reply.kind is ReplyKind.UNLINKED
        text = _(HOW_TO_LINK) if unlinked else reply.text
        parts = split_text(text) if text.strip() else []
        markup: Markup | None = None
        if reply.choices:
            markup = inline_keyboard(reply.choices)
        elif unlinked:
            markup = contact_keyboard()
        for part in parts[:-1]:
            out.append(Outgoing(text=part, keep=reply.keep))
        if parts:
            navigates = bool(reply.choices) and not reply.keep and len(parts) == 1
            out.append(Outgoing(text=parts[-1], markup=markup, keep=reply.keep,
                                navigates=navigates and reply.image is None))
    return out
