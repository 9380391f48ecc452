"""The main menu: a greeting and the options this member's role allows."""

from __future__ import annotations

from flows.context import FlowContext, Option
from flows.types import Role

MENU_OPTIONS: tuple[tuple[str, str, Role | None], ...] = (
    # (label, flow, least role that sees it: None = everyone)
    ("📄 Account details", "details", None),
    ("✏️ Edit details", "edit", Role.ADMIN),
    ("📦 Package & usage", "package", None),
    ("🛑 Close account", "close", Role.OWNER),
)


def allowed(role: Role, least: Role | None) -> bool:
    """Whether ``role`` reaches an option meant for ``least`` and above."""
    if least is None:
        return True
    if least is Role.ADMIN:
        return role.can_edit
    return role.can_close


def menu_options(role: Role) -> list[Option]:
    options = [
        (label, f"start.{flow}") for label, flow, least in MENU_OPTIONS if allowed(role, least)
    ]
    options.append(("❓ Help", "help"))
    return options


def show_menu(ctx: FlowContext, *, greet: bool = True) -> None:
    """Show the main menu, greeting the user by name with the account and their role."""
    user = ctx.user
    first_name = user.user_name.split()[0]
    if greet:
        text = (
            f"Hi {first_name}! You're managing {user.account_name} as {user.role.value}.\n"
            "What would you like to do?"
        )
    else:
        text = f"{user.account_name}: main menu. What would you like to do?"
    ctx.screen(text, menu_options(user.role))
