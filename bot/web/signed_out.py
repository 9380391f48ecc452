"""The page a browser without a session sees: how to get a sign-in link, or why the one it
opened did not sign it in. Every value in it is escaped; it carries no script."""

from __future__ import annotations

import html
from datetime import datetime

from bot.linking import too_many_codes
from flows.engine import utcnow
from flows.i18n import N_, _, current_language
from storage.identities import LinkOutcome, LinkResult

TITLE = N_("Sign in to chat with us")
HOW_TO = N_(
    "To chat about your account, open the sign-in link you were given. A link works "
    "once, for {minutes} minutes. Ask your account owner or our support ({contact}) "
    "for a new one."
)
REASONS = {
    LinkOutcome.UNKNOWN: N_(
        "That sign-in link is not valid. Check that you opened all of it, or ask for a "
        "new one."
    ),
    LinkOutcome.USED: N_("That sign-in link was used already: each link works once."),
    LinkOutcome.EXPIRED: N_("That sign-in link has expired."),
}
CONTINUE = N_("Continue to the chat")
SIGNING_IN = N_("You are signed in.")

_PAGE = """<!doctype html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
{refresh}<title>{title}</title>
<link rel="stylesheet" href="/chat/static/chat.css">
</head>
<body>
<main class="signed-out">
<h1>{title}</h1>
{body}
</main>
</body>
</html>
"""


def signed_out_page(
    *, contact: str, minutes: int, refused: LinkResult | None = None, now: datetime | None = None,
    apology: str | None = None,
) -> str:
    """The page, in the current language: why a link did not sign in (``refused``, and
    the lock-out when wrong links reached a limit; or an ``apology`` when it failed on
    our side), then how to get one."""
    paragraphs = [apology] if apology else []
    if refused is not None and refused.outcome in REASONS:
        paragraphs.append(_(REASONS[refused.outcome]))
    if refused is not None and refused.locked_until is not None:
        paragraphs.append(too_many_codes(refused.locked_until, now or utcnow()))
    paragraphs.append(_(HOW_TO).format(minutes=minutes, contact=contact))
    return _render(_(TITLE), paragraphs)


def signed_in_page() -> str:
    """Shown once the code is exchanged: it moves on to ``/chat`` itself (a navigation of
    our own page, so the browser sends the ``SameSite=Strict`` cookie, which it would
    not on a redirect from the e-mail or app that opened the link)."""
    return _render(_(SIGNING_IN), [], link=("/chat", _(CONTINUE)), refresh="/chat")


def _render(
    title: str, paragraphs: list[str], *, link: tuple[str, str] | None = None,
    refresh: str | None = None,
) -> str:
    body = "\n".join(f"<p>{html.escape(text)}</p>" for text in paragraphs)
    if link is not None:
        body += f'\n<p><a href="{html.escape(link[0])}">{html.escape(link[1])}</a></p>'
    meta = (f'<meta http-equiv="refresh" content="0;url={html.escape(refresh)}">\n'
            if refresh else "")
    return _PAGE.format(lang=html.escape(current_language() or "en"), refresh=meta,
                        title=html.escape(title), body=body)
