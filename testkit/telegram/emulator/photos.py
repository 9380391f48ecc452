"""sendPhoto: uploads checked as Telegram checks them, stored for re-sending by file_id."""

from __future__ import annotations

import secrets
import struct
from typing import TYPE_CHECKING, Any

from bot.telegram.limits import MAX_CAPTION, utf16_length
from testkit.telegram.emulator import errors as e
from testkit.telegram.emulator.methods import attach_markup, checked_markup, method
from testkit.telegram.emulator.params import Params

if TYPE_CHECKING:
    from testkit.telegram.emulator.telegram import FakeTelegram


@method("sendPhoto")
def send_photo(tg: FakeTelegram, p: Params) -> Any:
    chat = tg.chat_for_bot(p.chat_id())
    photo = p.upload("photo")
    if photo is None:
        raise e.bad_request("Bad Request: there is no photo in the request")
    if isinstance(photo, str):
        if photo not in tg.files:
            raise e.bad_request("Bad Request: wrong file identifier/HTTP URL specified")
        photo = tg.files[photo]
    width, height = image_size(photo)
    caption = p.text("caption")
    if caption is not None and utf16_length(caption) > MAX_CAPTION:
        raise e.bad_request(e.CAPTION_TOO_LONG)
    markup = checked_markup(p.json("reply_markup"))
    tg.throttle(chat)
    sizes = [tg.store_file(photo, width, height)]
    content: dict[str, Any] = {"photo": sizes}
    if caption:
        content["caption"] = caption
    shown = attach_markup(tg.new_message(chat, from_bot=True, **content), markup)
    shown.photo = photo
    return chat.add(shown).json


def image_size(data: bytes) -> tuple[int, int]:
    """Width and height of a PNG or JPEG; anything else fails as Telegram fails it."""
    if data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return int(width), int(height)
    if data.startswith(b"\xff\xd8"):
        return 0, 0  # size unknown without decoding; Telegram would report it
    raise e.bad_request(e.IMAGE_FAILED)


def new_file_id() -> str:
    return "AgAC" + secrets.token_urlsafe(24)
