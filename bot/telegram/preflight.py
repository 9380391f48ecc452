"""Before serving: a Bot whose token and Bot API server are known to work.

aiogram's failures (a malformed token, a refused one, nobody answering) become
:class:`bot.startup.error.StartupError` here, the only place that knows both
aiogram's exceptions and which setting each one is about.
"""

from __future__ import annotations

from aiogram import Bot
from aiogram.exceptions import (
    ClientDecodeError,
    TelegramAPIError,
    TelegramNetworkError,
    TelegramNotFound,
    TelegramUnauthorizedError,
)
from aiogram.types import User
from aiogram.utils.token import TokenValidationError

from bot.startup.telegram import (
    api_unreachable,
    malformed_token,
    not_a_bot_api,
    token_refused,
)
from bot.telegram.app import make_bot

ANSWER_LENGTH = 80  # of the server's answer quoted in the explanation


def checked_bot(token: str, api_url: str | None) -> Bot:
    """:func:`make_bot`, with a malformed token explained (aiogram validates its shape)."""
    try:
        return make_bot(token, api_url)
    except TokenValidationError as error:
        raise malformed_token() from error


async def check_bot(bot: Bot, api_url: str | None, api_setting: str) -> User:
    """Ask the Bot API server who the bot is: proves the server answers and knows the
    token. ``api_setting`` names where ``api_url`` came from (BOT_API_URL or --api-url)."""
    try:
        return await bot.get_me()
    except TelegramUnauthorizedError as error:
        raise token_refused(api_url, _answer(error)) from error
    except TelegramNotFound as error:
        # api.telegram.org answers 404 to a token it cannot parse; another server
        # answering 404 is most likely not a Bot API server at all.
        if api_url is None:
            raise token_refused(api_url, _answer(error)) from error
        raise not_a_bot_api(api_url, api_setting, _answer(error)) from error
    except TelegramNetworkError as error:
        raise api_unreachable(api_url, api_setting, error) from error
    except (TelegramAPIError, ClientDecodeError) as error:
        if api_url is None:
            raise
        raise not_a_bot_api(api_url, api_setting, _answer(error)) from error


def _answer(error: TelegramAPIError | ClientDecodeError) -> str:
    return error.message.splitlines()[0][:ANSWER_LENGTH] if error.message else "no answer"
