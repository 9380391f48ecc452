"""The HTTP side of the test Bot API server."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from aiohttp import ClientError, ClientSession, ClientTimeout, web

from testkit.botapi.control import add_control_routes
from testkit.telegram.emulator import FakeTelegram, NoAnswer

log = logging.getLogger(__name__)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


class BotApiServer:
    """Serves ``/bot<token>/<method>`` for one bot over a :class:`FakeTelegram`.

    ``telegram`` is where tests inject what users do and read what chats show.
    ``webhook_posts`` records every webhook delivery: (update id, HTTP status).
    ``latency`` delays every Bot API answer by that many seconds (a distant server:
    the bot's calls are in flight that long, as they are with Telegram).
    """

    def __init__(self, telegram: FakeTelegram | None = None, *, latency: float = 0.0,
                 **options: Any) -> None:
        self.telegram = telegram or FakeTelegram(**options)
        self.latency = latency
        self.webhook_posts: list[tuple[int, int]] = []
        self.app = web.Application(client_max_size=50 * 1024 * 1024)
        self.app.router.add_route("*", "/bot{token}/{method}", self._api)
        add_control_routes(self.app, self.telegram)
        self._runner: web.AppRunner | None = None
        self._sender: asyncio.Task[None] | None = None
        self.url = ""

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> BotApiServer:
        self._runner = web.AppRunner(self.app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, host, port).start()
        bound_host, bound_port = self._runner.addresses[0][:2]
        self.url = f"http://{bound_host}:{bound_port}"
        self._sender = asyncio.create_task(self._send_webhooks())
        return self

    async def stop(self) -> None:
        self.telegram.close()
        if self._sender is not None:
            self._sender.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._sender
        if self._runner is not None:
            await self._runner.cleanup()

    async def __aenter__(self) -> BotApiServer:
        return await self.start()

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    async def _api(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.telegram.token:
            return web.json_response(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401
            )
        values, files = await _parameters(request)
        if self.latency:
            await asyncio.sleep(self.latency)
        try:
            status, body = await self.telegram.call(request.match_info["method"], values, files)
        except NoAnswer as trouble:
            return await _no_answer(request, trouble)
        if isinstance(body, str):  # an injected proxy page
            return web.Response(text=body, status=status, content_type="text/html")
        return web.json_response(body, status=status)

    async def _send_webhooks(self) -> None:
        """Deliver pending updates to the webhook one by one, in order; retry failures."""
        async with ClientSession(timeout=ClientTimeout(total=10)) as http:
            while True:
                hook, update = await self.telegram.next_webhook_update()
                headers = {SECRET_HEADER: hook["secret_token"]} if hook["secret_token"] else {}
                try:
                    async with http.post(hook["url"], json=update, headers=headers) as response:
                        status = response.status
                except (ClientError, TimeoutError) as error:
                    status = 0
                    hook["last_error_message"] = f"Connection failed: {error}"
                self.webhook_posts.append((update["update_id"], status))
                if 200 <= status < 300:
                    self.telegram.confirm(update["update_id"] + 1)
                    continue
                hook["last_error_date"] = self.telegram.now()
                if status:
                    hook["last_error_message"] = f"Wrong response from the webhook: {status}"
                await asyncio.sleep(0.2)  # Telegram retries later; so do we


async def _no_answer(request: web.Request, trouble: NoAnswer) -> web.Response:
    """Drop the connection unanswered (after ``hold`` seconds for a timeout).

    A listening server cannot refuse one call, so ``refused`` drops it too: either
    way the client gets no answer and aiogram raises ``TelegramNetworkError``.
    """
    if trouble.trouble == "timeout":
        await asyncio.sleep(trouble.hold)
    if request.transport is not None:
        request.transport.abort()
    raise web.HTTPServiceUnavailable()  # never reaches the client: the socket is gone


async def _parameters(request: web.Request) -> tuple[dict[str, Any], dict[str, bytes]]:
    """Query string plus body (urlencoded, multipart with files, or JSON)."""
    values: dict[str, Any] = dict(request.query)
    files: dict[str, bytes] = {}
    if request.content_type == "application/json":
        body = await request.json()
        if isinstance(body, dict):
            values.update(body)
    elif request.can_read_body:
        for name, value in (await request.post()).items():
            if isinstance(value, web.FileField):
                files[name] = value.file.read()
            else:
                values[name] = value
    return values, files
