"""The bot's side of the Bot API: send, edit, delete, answer, as Telegram checks them."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from bot.telegram.limits import MAX_CALLBACK_DATA, MAX_TEXT, utf16_length
from testkit.telegram.emulator import errors as e
from testkit.telegram.emulator.chats import Chat, ShownMessage
from testkit.telegram.emulator.params import Params

if TYPE_CHECKING:
    from testkit.telegram.emulator.telegram import FakeTelegram

Method = Callable[["FakeTelegram", Params], Any]
METHODS: dict[str, Method] = {}


def method(name: str) -> Callable[[Method], Method]:
    """Register a Bot API method (names are case-insensitive, as Telegram's are)."""

    def register(function: Method) -> Method:
        METHODS[name.lower()] = function
        return function

    return register


def checked_markup(markup: Any) -> dict[str, Any] | None:
    """Validate ``reply_markup`` the way Telegram does; None when absent."""
    if not markup:
        return None
    for row in markup.get("inline_keyboard") or []:
        for button in row:
            data = button.get("callback_data")
            if data is not None and not 1 <= len(str(data).encode()) <= MAX_CALLBACK_DATA:
                raise e.bad_request(e.BUTTON_DATA_INVALID)
            if not button.get("text"):
                raise e.bad_request(
                    "Bad Request: text buttons are unallowed in the inline keyboard"
                )
    return dict(markup)


def checked_text(text: str | None, *, limit: int = MAX_TEXT, too_long: str = e.TOO_LONG) -> str:
    if text is None or not text.strip():
        raise e.bad_request(e.TEXT_EMPTY)
    if utf16_length(text) > limit:
        raise e.bad_request(too_long)
    return text


def attach_markup(message: dict[str, Any], markup: dict[str, Any] | None) -> ShownMessage:
    # Only inline keyboards belong to the message; reply keyboards are shown, never echoed.
    shown = ShownMessage(message, from_bot=True)
    if markup and "inline_keyboard" in markup:
        message["reply_markup"] = markup
    elif markup:
        shown.reply_keyboard = markup
    return shown


@method("sendMessage")
def send_message(tg: FakeTelegram, p: Params) -> Any:
    chat = tg.chat_for_bot(p.chat_id())
    text = checked_text(p.text("text"))
    markup = checked_markup(p.json("reply_markup"))
    thread_id = p.integer("message_thread_id")
    if thread_id is not None and thread_id not in chat.topics:
        raise e.bad_request(e.THREAD_NOT_FOUND)
    tg.throttle(chat)
    message = chat.in_topic(tg.new_message(chat, from_bot=True, text=text), thread_id)
    shown = attach_markup(message, markup)
    return chat.add(shown).json


def _editable(tg: FakeTelegram, p: Params) -> tuple[Chat, ShownMessage]:
    chat = tg.chats.get(p.chat_id())
    if chat is None:
        raise e.bad_request(e.CHAT_NOT_FOUND)
    message = chat.messages.get(p.integer("message_id") or 0)
    if message is None or message.deleted:
        raise e.bad_request(e.EDIT_NOT_FOUND)
    if not message.from_bot:
        raise e.bad_request(e.CANT_EDIT)
    return chat, message


def _apply_edit(tg: FakeTelegram, chat: Chat, message: ShownMessage,
                markup: dict[str, Any] | None, text: str | None = None) -> Any:
    if text is not None:
        message.json["text"] = text
    if markup is None:
        message.json.pop("reply_markup", None)  # an edit without markup removes the keyboard
    else:
        message.json["reply_markup"] = markup
    message.json["edit_date"] = tg.now()
    chat.log("edited" if text is not None else "buttons", message)
    return message.json


@method("editMessageText")
def edit_message_text(tg: FakeTelegram, p: Params) -> Any:
    chat, message = _editable(tg, p)
    if "text" not in message.json:
        raise e.bad_request(e.NO_TEXT_TO_EDIT)
    text = checked_text(p.text("text"))
    markup = checked_markup(p.json("reply_markup"))
    if text == message.json["text"] and markup == message.json.get("reply_markup"):
        raise e.bad_request(e.NOT_MODIFIED)
    return _apply_edit(tg, chat, message, markup, text)


@method("editMessageReplyMarkup")
def edit_message_reply_markup(tg: FakeTelegram, p: Params) -> Any:
    chat, message = _editable(tg, p)
    markup = checked_markup(p.json("reply_markup"))
    if markup == message.json.get("reply_markup"):
        raise e.bad_request(e.NOT_MODIFIED)
    return _apply_edit(tg, chat, message, markup)


@method("deleteMessage")
def delete_message(tg: FakeTelegram, p: Params) -> Any:
    chat = tg.chats.get(p.chat_id())
    message = chat.messages.get(p.integer("message_id") or 0) if chat else None
    if chat is None or message is None or message.deleted:
        raise e.bad_request(e.DELETE_NOT_FOUND)
    message.deleted = True
    chat.log("deleted", message)
    return True
