"""A local Telegram Bot API server for end-to-end tests (aiohttp, real HTTP).

aiogram talks to it exactly as to api.telegram.org (``TelegramAPIServer.from_base``).
The rules and wording come from :class:`testkit.telegram.emulator.FakeTelegram`; this
package adds HTTP: form, multipart and JSON requests, long-polling ``getUpdates``,
webhook delivery with the secret-token header, and a small control API for trying
the bot by hand (``python -m testkit.botapi --port 8081``).
"""

from testkit.botapi.server import BotApiServer

__all__ = ["BotApiServer"]
