"""The main menu: a greeting and the options this member's role allows.

Each option is a flow's :class:`MenuEntry`, declared on the flow's class and read
from the registry; Help comes after all of them.
"""

from __future__ import annotations

from dataclasses import dataclass

from flows.context import FlowContext, Option
from flows.i18n import N_, _
from flows.registry import FLOWS
from flows.types import Role

HELP_OPTION: Option = (N_("❓ Help"), "help")
ROLE_NAMES: dict[Role, str] = {Role.OWNER: N_("owner"), Role.ADMIN: N_("admin"),
                               Role.VIEWER: N_("viewer")}


@dataclass(frozen=True, slots=True)
class MenuEntry:
    """A flow's option in the main menu; declared on the flow's class (``menu_entry``).

    ``least_role`` only decides who sees the option: whether a member may use the
    flow is its ``refusal``, asked on every event however the flow was reached.
    ``label`` is English marked with ``N_()``; the menu translates it when shown.
    """

    label: str
    position: int  # options are shown by position, lowest first; no two flows share one
    least_role: Role = Role.VIEWER  # the least role that sees it (viewer: everyone)


def menu_options(role: Role) -> list[Option]:
    """The main menu's options for a member with ``role``, in order, Help last, in the
    turn's language."""
    options = [
        (_(entry.label), f"start.{flow}")
        for flow, entry in FLOWS.menu_entries()
        if role.reaches(entry.least_role)
    ]
    label, action = HELP_OPTION
    options.append((_(label), action))
    return options


def role_name(role: Role) -> str:
    """The role as people read it, in the turn's language ("owner", "propietario")."""
    return _(ROLE_NAMES[role])


def show_menu(ctx: FlowContext, *, greet: bool = True) -> None:
    """Show the main menu, greeting the user by name with the account and their role."""
    user = ctx.user
    first_name = user.user_name.split()[0]
    if greet:
        text = _(
            "Hi {first_name}! You're managing {account} as {role}.\nWhat would you like to do?"
        ).format(first_name=first_name, account=user.account_name, role=role_name(user.role))
    else:
        text = _("{account}: main menu. What would you like to do?").format(
            account=user.account_name
        )
    ctx.screen(text, menu_options(user.role))
