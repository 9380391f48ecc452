"""Bot API methods about the bot itself: getMe, webhooks, commands."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from testkit.telegram.emulator import errors as e
from testkit.telegram.emulator.methods import method
from testkit.telegram.emulator.params import Params

if TYPE_CHECKING:
    from testkit.telegram.emulator.telegram import FakeTelegram

SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,256}")


@method("getMe")
def get_me(tg: FakeTelegram, p: Params) -> Any:
    return tg.bot_user


@method("setWebhook")
def set_webhook(tg: FakeTelegram, p: Params) -> Any:
    url = p.text("url") or ""
    if not url:
        return delete_webhook(tg, p)
    if not url.startswith(("http://", "https://")):
        raise e.bad_request("Bad Request: bad webhook: An HTTPS URL must be provided for webhook")
    secret = p.text("secret_token")
    if secret is not None and not SECRET_TOKEN.fullmatch(secret):
        raise e.bad_request("Bad Request: secret token contains unallowed characters")
    if p.flag("drop_pending_updates"):
        tg.pending.clear()
    if p.has("allowed_updates"):
        tg.allowed_updates = list(p.json("allowed_updates") or []) or None
    tg.abort_long_poll(e.TERMINATED_BY_SET_WEBHOOK)  # as Telegram: a poller is told
    tg.webhook = {
        "url": url,
        "secret_token": secret,
        "max_connections": p.integer("max_connections", 40),
        "last_error_date": None,
        "last_error_message": None,
    }
    tg.wake()
    return True


@method("deleteWebhook")
def delete_webhook(tg: FakeTelegram, p: Params) -> Any:
    tg.webhook = None
    if p.flag("drop_pending_updates"):
        tg.pending.clear()
    return True


@method("getWebhookInfo")
def get_webhook_info(tg: FakeTelegram, p: Params) -> Any:
    hook = tg.webhook or {}
    info: dict[str, Any] = {
        "url": hook.get("url", ""),
        "has_custom_certificate": False,
        "pending_update_count": len(tg.pending),
    }
    if hook:
        info["max_connections"] = hook["max_connections"]
        if tg.allowed_updates:
            info["allowed_updates"] = tg.allowed_updates
        if hook.get("last_error_date"):
            info["last_error_date"] = hook["last_error_date"]
            info["last_error_message"] = hook["last_error_message"]
    return info


@method("setMyCommands")
def set_my_commands(tg: FakeTelegram, p: Params) -> Any:
    commands = p.json("commands")
    if not isinstance(commands, list):
        raise e.missing("commands")
    language = p.text("language_code")  # Telegram keeps a list per language (empty: all)
    if language:
        tg.localized_commands[language] = commands
    else:
        tg.commands = commands
    return True


@method("getMyCommands")
def get_my_commands(tg: FakeTelegram, p: Params) -> Any:
    language = p.text("language_code")
    return tg.localized_commands.get(language, []) if language else tg.commands


@method("deleteMyCommands")
def delete_my_commands(tg: FakeTelegram, p: Params) -> Any:
    language = p.text("language_code")
    if language:
        tg.localized_commands.pop(language, None)
    else:
        tg.commands = []
    return True


@method("logOut")
def log_out(tg: FakeTelegram, p: Params) -> Any:
    return True


@method("close")
def close(tg: FakeTelegram, p: Params) -> Any:
    return True
