"""A Bot API server whose getUpdates fails in a way that makes aiogram log the token.

It knows the bot and accepts every other call, but answers getUpdates with a
redirect to itself: aiohttp gives up with an error quoting the request URL,
``/bot<token>/getUpdates`` included, and aiogram logs it ("Failed to fetch updates").
"""

from __future__ import annotations

from aiohttp import web

BOT = {"id": 123456, "is_bot": True, "first_name": "Test", "username": "test_bot"}


async def _api(request: web.Request) -> web.StreamResponse:
    method = request.match_info["method"]
    if method == "getUpdates":
        raise web.HTTPFound(request.path)
    return web.json_response({"ok": True, "result": BOT if method == "getMe" else True})


async def start_leaky_bot_api() -> tuple[web.AppRunner, str]:
    """The running server (``cleanup()`` it) and its base URL."""
    app = web.Application()
    app.router.add_route("*", "/bot{token}/{method}", _api)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    host, port = runner.addresses[0][:2]
    return runner, f"http://{host}:{port}"
