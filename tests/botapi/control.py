"""A control API for trying the bot by hand: act as a user, read a chat.

    curl -s localhost:8081/_emulator/send -d chat_id=42 -d text=menu
    curl -s localhost:8081/_emulator/press -d chat_id=42 -d label=Package
    curl -s localhost:8081/_emulator/contact -d chat_id=42 -d phone=+442079460123
    curl -s localhost:8081/_emulator/chats/42
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from bot.telegram.emulator import FakeTelegram, ShownMessage


def add_control_routes(app: web.Application, telegram: FakeTelegram) -> None:
    async def form(request: web.Request) -> dict[str, Any]:
        if request.content_type == "application/json":
            return dict(await request.json())
        return dict(await request.post())

    async def send(request: web.Request) -> web.Response:
        data = await form(request)
        return web.json_response(telegram.send_text(int(data["chat_id"]), str(data["text"])))

    async def press(request: web.Request) -> web.Response:
        data = await form(request)
        chat_id = int(data["chat_id"])
        if "data" in data:
            update = telegram.press(chat_id, int(data["message_id"]), str(data["data"]))
        else:
            try:
                update = telegram.press_button(chat_id, str(data["label"]))
            except LookupError as error:
                return web.json_response({"error": str(error)}, status=404)
        return web.json_response(update)

    async def contact(request: web.Request) -> web.Response:
        data = await form(request)
        chat_id = int(data["chat_id"])
        own = str(data.get("own", "true")).lower() != "false"
        update = telegram.share_contact(chat_id, str(data["phone"]),
                                        contact_user_id=chat_id if own else chat_id + 1)
        return web.json_response(update)

    async def chat(request: web.Request) -> web.Response:
        found = telegram.chats.get(int(request.match_info["chat_id"]))
        if found is None:
            return web.json_response({"error": "no such chat"}, status=404)
        return web.json_response([_view(m) for m in found.visible()])

    app.router.add_post("/_emulator/send", send)
    app.router.add_post("/_emulator/press", press)
    app.router.add_post("/_emulator/contact", contact)
    app.router.add_get("/_emulator/chats/{chat_id}", chat)


def _view(message: ShownMessage) -> dict[str, Any]:
    return {
        "id": message.message_id,
        "from": "bot" if message.from_bot else "user",
        "text": message.text,
        "photo": message.photo is not None,
        "edited": message.edited,
        "buttons": [[b.label for b in row] for row in message.buttons],
    }
