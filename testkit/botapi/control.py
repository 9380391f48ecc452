"""A control API for trying the bot by hand: act as a user, read a chat.

    curl -s localhost:8081/_emulator/send -d chat_id=42 -d text=menu
    curl -s localhost:8081/_emulator/press -d chat_id=42 -d label=Package
    curl -s localhost:8081/_emulator/contact -d chat_id=42 -d phone=+442079460123
    curl -s localhost:8081/_emulator/chats/42
    curl -s localhost:8081/_emulator/send -d chat_id=-100123 -d thread_id=2 -d user_id=7 \
         -d text="Hello, this is Sam"                 # an agent, in a forum topic

Faults, to see how the bot copes (see :mod:`testkit.telegram.emulator.faults`)::

    curl -s localhost:8081/_emulator/fail -d method=answerCallbackQuery -d code=400 \
         -d "description=Bad Request: query is too old and response timeout expired ..."
    curl -s localhost:8081/_emulator/fail -d method=sendMessage -d code=429 -d retry_after=5
    curl -s localhost:8081/_emulator/fail -d method=answerCallbackQuery -d network=timeout
    curl -s localhost:8081/_emulator/fail -d method=sendMessage -d page=502 -d times=always
    curl -s localhost:8081/_emulator/heal                   # or -d method=sendMessage

A fault applies to the next ``times`` calls of the method (1 by default; ``always``:
until healed). ``code`` (with ``description``, ``retry_after``) is a JSON error as
Telegram sends it; ``page`` an HTML page of that status; ``network`` (refused, reset,
timeout) drops the connection unanswered.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from aiohttp import web

from testkit.telegram.emulator import ApiError, FakeTelegram, NoAnswer, ProxyPage, ShownMessage
from testkit.telegram.emulator.faults import CLIENT_WORDING, Failure


def add_control_routes(app: web.Application, telegram: FakeTelegram) -> None:
    async def form(request: web.Request) -> dict[str, Any]:
        if request.content_type == "application/json":
            return dict(await request.json())
        return dict(await request.post())

    async def send(request: web.Request) -> web.Response:
        data = await form(request)
        thread = int(data["thread_id"]) if data.get("thread_id") else None
        user = int(data["user_id"]) if data.get("user_id") else None
        try:
            update = telegram.send_text(int(data["chat_id"]), str(data["text"]),
                                        user_id=user, thread_id=thread)
        except KeyError as error:
            return web.json_response({"error": str(error)}, status=404)
        return web.json_response(update)

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

    async def fail(request: web.Request) -> web.Response:
        data = await form(request)
        try:
            failure = _failure(data)
            times = None if data.get("times") == "always" else int(data.get("times", 1))
            telegram.fail(str(data["method"]), failure, times=times)
        except (KeyError, ValueError) as error:
            return web.json_response({"error": f"bad fault: {error}"}, status=400)
        return web.json_response({"ok": True})

    async def heal(request: web.Request) -> web.Response:
        data = await form(request)
        telegram.heal(str(data["method"]) if data.get("method") else None)
        return web.json_response({"ok": True})

    app.router.add_post("/_emulator/send", send)
    app.router.add_post("/_emulator/press", press)
    app.router.add_post("/_emulator/contact", contact)
    app.router.add_get("/_emulator/chats/{chat_id}", chat)
    app.router.add_post("/_emulator/fail", fail)
    app.router.add_post("/_emulator/heal", heal)


def _failure(data: dict[str, Any]) -> Failure:
    """The fault a ``/_emulator/fail`` form describes; ValueError/KeyError when it is unclear."""
    if "network" in data:
        trouble = next((t for t in CLIENT_WORDING if t == data["network"]), None)
        if trouble is None:
            raise ValueError(f"network must be one of {', '.join(CLIENT_WORDING)}")
        return NoAnswer(trouble, hold=float(data.get("hold", 20.0)))
    if "page" in data:
        status = int(data["page"])
        return ProxyPage(status, HTTPStatus(status).phrase)
    retry_after = int(data["retry_after"]) if data.get("retry_after") else None
    code = int(data.get("code", 429 if retry_after else 0))
    if code < 400:
        raise ValueError("give code (400 and up), retry_after, page or network")
    default = f"Too Many Requests: retry after {retry_after}" if retry_after else "Error"
    return ApiError(code, str(data.get("description", default)), retry_after=retry_after)


def _view(message: ShownMessage) -> dict[str, Any]:
    return {
        "id": message.message_id,
        "from": "bot" if message.from_bot else "user",
        "text": message.text,
        "photo": message.photo is not None,
        "edited": message.edited,
        "buttons": [[b.label for b in row] for row in message.buttons],
        "thread_id": message.json.get("message_thread_id"),
    }
