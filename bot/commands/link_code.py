"""``python -m bot link-code EMAIL``: a one-time code that links a Telegram chat to a user,
or with ``--channel web`` a one-time link that signs a browser in to the web chat."""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import UTC, datetime

from bot.config import Settings, get_settings
from bot.redaction import mask
from bot.runtime import open_runtime
from bot.startup.error import StartupError
from bot.web.links import chat_url, sign_in_link
from storage.errors import UnknownUser
from storage.identities import issue_link_code

PLACEHOLDER_BOT = "YourAccountBot"


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser("link-code", help="print a one-time Telegram link code "
                                 "(or web chat sign-in link)")
    parser.add_argument("email", help="the platform user's e-mail address")
    parser.add_argument("--channel", choices=("telegram", "web"), default="telegram",
                        help="telegram: a code for /start (default); web: a sign-in link "
                             "(WEB_PUBLIC_URL, else http://WEB_HOST:WEB_PORT)")
    parser.add_argument("--ttl", type=int, help="seconds the code stays valid "
                        "(default: LINK_CODE_TTL_SECONDS)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    return asyncio.run(link_code(get_settings(), args.email, args.ttl, channel=args.channel))


async def link_code(settings: Settings, email: str, ttl: int | None, *,
                    channel: str = "telegram") -> int:
    ttl = ttl or settings.link_code_ttl_seconds
    async with open_runtime(settings) as runtime, runtime.database.transaction() as connection:
        try:
            code = await issue_link_code(connection, email, datetime.now(UTC), ttl)
        except UnknownUser:
            print(f"There is no user with the e-mail {email}.", file=sys.stderr)
            return 2
    minutes = max(1, ttl // 60)
    if channel == "web":
        print(f"Sign-in link for {email}, valid for {minutes} minute{'s' if minutes != 1 else ''}, "
              "once:")
        print(sign_in_link(chat_url(settings), code))
        return 0
    username, note = await bot_username(settings)
    print(f"Link code for {email}: {code}")
    print(f"Valid for {minutes} minute{'s' if minutes != 1 else ''}, once.")
    print(f"Open https://t.me/{username}?start={code}")
    print(f"or send the bot: /start {code}")
    if note:
        print(note)
    return 0


async def bot_username(settings: Settings) -> tuple[str, str | None]:
    """The bot's username from getMe, or a placeholder and why it is one."""
    if not settings.bot_token:
        return PLACEHOLDER_BOT, (f"({PLACEHOLDER_BOT} is a placeholder: set BOT_TOKEN to print "
                                 "your bot's real username.)")
    from bot.telegram.preflight import checked_bot  # here: aiogram is slow to import

    try:
        bot = checked_bot(settings.bot_token, settings.bot_api_url)
    except StartupError as problem:  # a malformed token: the code works all the same
        return PLACEHOLDER_BOT, f"({problem.lines()[0]})"
    try:
        me = await bot.get_me()
    except Exception as error:  # the code is valid anyway; only the link text suffers
        # Masked: aiohttp's errors may quote the request URL, /bot<token>/ included.
        return PLACEHOLDER_BOT, f"(Could not ask Telegram for the bot's name: {mask(str(error))})"
    finally:
        await bot.session.close()
    return me.username or PLACEHOLDER_BOT, None
