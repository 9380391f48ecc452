"""Refusals for lack of role, worded once: what the member cannot do, and whom to ask.

Every flow that a role may not use says so through :func:`role_refusal`, so each
refusal names the account owner ("Olivia Owner can do this, or can make you an
admin"), who is the one person who can either do it or change the member's role.
The owner's name comes with the user (``UserContext.owner_name``, read in the
turn's first statement), so refusals stay synchronous.
"""

from __future__ import annotations

from flows.i18n import _
from flows.ports import UserContext
from flows.types import Role


def whom_to_ask(user: UserContext, least_role: Role) -> str:
    """One sentence naming who can do what ``least_role`` may do, for ``user``."""
    owner = user.owner_name
    if owner is None:  # no owner right now (one was just demoted): still say whom
        if least_role is Role.OWNER:
            return _("Please ask the account owner.")
        return _("Please ask the account owner, who can also make you an admin.")
    if least_role is Role.OWNER:
        return _("{owner}, the account owner, can do this.").format(owner=owner)
    return _("{owner} can do this, or can make you an admin.").format(owner=owner)


def role_refusal(user: UserContext, what: str, least_role: Role) -> str:
    """``what`` (e.g. "edit the account details") is for ``least_role`` and above:
    the member's role, and whom to ask."""
    if least_role is Role.OWNER:
        first = _("Sorry, only the account owner can {what}.").format(what=what)
    else:
        first = _("Sorry, only the account owner or an admin can {what}.").format(what=what)
    role = _("Your role on {account} is {role}.").format(
        account=user.account_name, role=user.role.value
    )
    return " ".join((first, role, whom_to_ask(user, least_role)))
