"""What the support team reads about a handed-over customer: the summary and their lines.

The summary is the ticket's first message, written so an agent can act without asking
again: who (name, e-mail, role), which account and package, what the customer was doing
(the flow and step of :class:`flows.trail.Trail`) and their last few messages.
"""

from __future__ import annotations

from flows.i18n import DEFAULT_LANGUAGE, _, use_language
from flows.ports import AccountDetails, UserContext
from flows.registry import FLOWS
from flows.trail import Trail

SUPPORT_LANGUAGE = DEFAULT_LANGUAGE
"""The support team reads English (the source), whatever language the customer speaks."""


def summary(user: UserContext, details: AccountDetails, trail: Trail, channel: str) -> str:
    """The ticket's opening message for the support team, in :data:`SUPPORT_LANGUAGE`."""
    with use_language(SUPPORT_LANGUAGE):
        return _summary(user, details, trail, channel)


def _summary(user: UserContext, details: AccountDetails, trail: Trail, channel: str) -> str:
    lines = [
        _("🙋 {name} asks to talk to a person.").format(name=user.user_name),
        _("Who: {name} <{email}>, {role}").format(
            name=user.user_name, email=user.email, role=user.role.value
        ),
        _("Account: {account} (#{id}), {package} package, {status}").format(
            account=details.name, id=details.account_id, package=details.package_name,
            status=details.status.value,
        ),
        _("Chat: {channel}").format(channel=channel),
        _("Doing: {doing}").format(doing=doing(trail)),
    ]
    if trail.texts:
        lines.append(_("Last messages:"))
        lines += [f"• {text}" for text in trail.texts]
    else:
        lines.append(_("Last messages: none typed (buttons only)"))
    return "\n".join(lines)


def doing(trail: Trail) -> str:
    """What the customer was doing, in a few words: the flow's menu label and its step."""
    if trail.flow is None:
        return _("at the main menu")
    flow = FLOWS.get(trail.flow)
    label = _(flow.menu_entry.label) if flow is not None and flow.menu_entry else trail.flow
    where = _("{flow}, step “{step}”").format(flow=label, step=trail.state or "?")
    if trail.in_flow:
        return _("{where} (left it to ask for a person)").format(where=where)
    return _("at the main menu; last in {where}").format(where=where)


def customer_line(name: str, text: str) -> str:
    """A customer's message as the support team reads it in the ticket's topic."""
    with use_language(SUPPORT_LANGUAGE):
        return _("💬 {name}: {text}").format(name=name, text=text)


def ended_line(name: str, reference: str) -> str:
    """Told to the support team when the customer ends the chat."""
    with use_language(SUPPORT_LANGUAGE):
        return _("🔚 {name} ended the chat; {reference} is closed.").format(
            name=name, reference=reference
        )


def agent_line(agent: str, text: str) -> str:
    """An agent's answer as the customer reads it in their chat (worded in the customer's
    language by the caller: ``bot.support_desk``)."""
    return _("💬 {agent}: {text}").format(agent=agent, text=text)


def handed_back(reference: str) -> str:
    """Told to the customer when an agent closes the ticket."""
    return _("🤖 Our support team has ended the chat ({reference}). You're talking to the bot "
             "again: type menu to see your options.").format(reference=reference)


def logged_out(name: str, reference: str) -> str:
    """Told to the support team when the customer's chat is unlinked (``/logout``)."""
    return _("🔚 {name} logged out of the chat; {reference} is closed and nothing more "
             "reaches that chat.").format(name=name, reference=reference)
