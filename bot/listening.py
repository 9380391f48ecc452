"""Serving an aiohttp application on a port: the one way every server of the bot starts."""

from __future__ import annotations

from aiohttp import web

DEFAULT_SHUTDOWN_SECONDS = 60.0  # aiohttp's own default for requests still open


async def listen(
    app: web.Application, host: str, port: int, *, reuse_port: bool = False,
    shutdown_timeout: float = DEFAULT_SHUTDOWN_SECONDS,
) -> web.AppRunner:
    """Serve ``app`` on ``host:port`` (0: a free port, see ``runner.addresses``);
    ``runner.cleanup()`` stops it. With ``reuse_port`` several processes share the port
    (``SO_REUSEPORT``). When it cannot listen (a port in use, an address not of this
    machine) everything is cleaned up and the ``OSError`` raised, for the caller to
    explain in terms of its own settings."""
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=shutdown_timeout)
    await runner.setup()
    try:
        await web.TCPSite(runner, host, port, reuse_port=reuse_port or None).start()
    except BaseException:
        await runner.cleanup()
        raise
    return runner
