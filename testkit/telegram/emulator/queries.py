"""Button presses answered, and chat actions: the small interactive methods."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from testkit.telegram.emulator import errors as e
from testkit.telegram.emulator.chats import CallbackAnswer, ChatEvent
from testkit.telegram.emulator.methods import method
from testkit.telegram.emulator.params import Params

if TYPE_CHECKING:
    from testkit.telegram.emulator.telegram import FakeTelegram


@method("answerCallbackQuery")
def answer_callback_query(tg: FakeTelegram, p: Params) -> Any:
    query_id = p.required_text("callback_query_id")
    chat_id = tg.open_queries.pop(query_id, None)
    if chat_id is None:
        raise e.bad_request(e.QUERY_INVALID)
    answer = CallbackAnswer(query_id, p.text("text"), p.flag("show_alert"))
    tg.answers.append(answer)
    tg.chats[chat_id].events.append(ChatEvent("answered", answer=answer))
    return True


@method("sendChatAction")
def send_chat_action(tg: FakeTelegram, p: Params) -> Any:
    tg.chat_for_bot(p.chat_id())
    return True
