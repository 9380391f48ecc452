"""The promises checked after every fuzz step; each check returns what it saw broken.

Every check compares what is stored (and what was sent) with what the step was. None
of them trusts the bot's own replies about what happened: closures and saves are read
from the database, and whether a press was "the final button" is decided from the
screen the user had and the engine's stored menu token before the step.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from flows.fields import FIELDS_BY_NAME
from flows.validation import InvalidValue, ValidationContext
from tests.fuzz.world import (
    CLOSE_LABEL,
    SAVE_LABELS,
    SETTINGS,
    AccountState,
    Member,
    Snapshot,
    StepResult,
)

GENERIC_ERROR = "something went wrong"  # the wording of both catch-all apologies


class InvariantViolated(AssertionError):
    """A promise did not hold after a step. Each check raises its own subclass, so that
    Hypothesis tells different broken promises apart and shrinks each on its own."""


class GenericErrorShown(InvariantViolated):
    """The user got the catch-all apology, or a handler raised."""


class ClosedWithoutFinalPress(InvariantViolated):
    """An account closed on a step that was not its owner's press of the final button."""


class ClosedButUnsettled(InvariantViolated):
    """A closed account kept a subscription, money, or lacks its one audit entry."""


class Reopened(InvariantViolated):
    """A closed account changed status, closing time or reference."""


class OpenAccountTouched(InvariantViolated):
    """An open account's subscriptions, balance or closure audits changed."""


class InvalidDetailStored(InvariantViolated):
    """A stored detail fails the project's own validator."""


class ChangedWithoutSave(InvariantViolated):
    """Details changed on a step that was not a member's press of the current Save."""


@dataclass(frozen=True, slots=True)
class Facts:
    """What does not change during an example: who is who, and the demo data as seeded."""

    members: Mapping[str, Member]
    initial: Snapshot


Check = Callable[[StepResult, Facts], list[str]]


def no_generic_error(result: StepResult, facts: Facts) -> list[str]:
    """No reply (or button toast) is the catch-all apology, and no handler raised."""
    problems = [
        f"chat {chat}: generic error reply {message.text[:200]!r}"
        for chat, messages in result.sent.items()
        for message in messages
        if GENERIC_ERROR in message.text.casefold()
    ]
    problems += [f"generic error toast {text!r}" for text in result.answers
                 if GENERIC_ERROR in text.casefold()]
    problems += [f"the dispatcher caught {type(e).__name__}: {e}" for e in result.errors]
    if problems:
        problems += [f"logged: {line[:300]}" for line in result.logged]
    return problems


def pressed_action(result: StepResult, facts: Facts) -> tuple[Member, str] | None:
    """(who, action) when the step pressed a button of the chat's *current* menu.

    Current means: the data is in our format, its menu token is the one the engine had
    stored for this chat before the step, and a button shown in the chat carries
    exactly this data (``label_on_screen``).
    """
    step = result.step
    if not step.is_press or step.email is None or step.data is None:
        return None
    member = facts.members[step.email]
    parts = step.data.split(":")
    if len(parts) != 3 or parts[0] != "m" or step.label_on_screen is None:
        return None
    if parts[1] != result.before.menu_tokens.get(member.chat_id):
        return None
    return member, parts[2]


def closes_only_by_the_owners_final_press(result: StepResult, facts: Facts) -> list[str]:
    """open → closed only on the step where that account's owner pressed the current
    "Close … permanently" button, within the close window; Connect never closes."""
    problems = []
    for account_id, after in result.after.accounts.items():
        before = result.before.accounts[account_id]
        if not (before.status == "open" and after.status == "closed"):
            continue
        if not after.self_service_closure:
            problems.append(f"{after.name} closed although its package "
                            f"({after.package_code}) has no self-service closure")
        pressed = pressed_action(result, facts)
        label = result.step.label_on_screen or ""
        if pressed is None or pressed[1] != "confirm" or not CLOSE_LABEL.match(label):
            problems.append(f"{after.name} closed by a step that is not a press of the "
                            f"current close button: {result.step.describe()}")
            continue
        member, _ = pressed
        if member.account_id != account_id or member.role != "owner":
            problems.append(f"{after.name} closed by {member.email} ({member.role} of "
                            f"account {member.account_id})")
        shown = result.close_shown_at
        waited = None if shown is None else (result.now - shown).total_seconds()
        if waited is None or waited > SETTINGS.close_confirm_seconds:
            problems.append(f"{after.name} closed {waited} s after the close button appeared "
                            f"(it works for {SETTINGS.close_confirm_seconds} s)")
    return problems


def closed_accounts_are_settled(result: StepResult, facts: Facts) -> list[str]:
    """A closed account: no active subscription, zero balance, one closure audit entry,
    a closing time and a reference."""
    problems = []
    for account in result.after.accounts.values():
        if account.status != "closed":
            continue
        if account.active_subscriptions:
            problems.append(f"closed {account.name} has {account.active_subscriptions} "
                            "active subscription(s)")
        if account.balance != Decimal("0"):
            problems.append(f"closed {account.name} has a balance of {account.balance}")
        if account.closure_audits != 1:
            problems.append(f"closed {account.name} has {account.closure_audits} closure "
                            "audit entries")
        if account.closed_at is None or not account.closure_reference:
            problems.append(f"closed {account.name} lacks its closing time or reference")
    return problems


def nothing_reopens(result: StepResult, facts: Facts) -> list[str]:
    """Closed stays closed, with the same time and reference."""
    problems = []
    for account_id, before in result.before.accounts.items():
        after = result.after.accounts[account_id]
        if before.status == "closed" and (
            after.status != "closed"
            or (after.closed_at, after.closure_reference)
            != (before.closed_at, before.closure_reference)
        ):
            problems.append(f"{before.name} was closed and is now {after.status} "
                            f"({after.closed_at}, {after.closure_reference})")
    return problems


def open_accounts_keep_their_money(result: StepResult, facts: Facts) -> list[str]:
    """Only closing touches subscriptions, balance and closure audits."""
    problems = []
    for account in result.after.accounts.values():
        seeded = facts.initial.accounts[account.id]
        if account.status != "open":
            continue
        if (account.active_subscriptions, account.balance, account.closure_audits) != (
            seeded.active_subscriptions, seeded.balance, 0
        ):
            problems.append(
                f"open {account.name}: {account.active_subscriptions} active subscriptions, "
                f"balance {account.balance}, {account.closure_audits} closure audits "
                f"(seeded: {seeded.active_subscriptions}, {seeded.balance}, 0)"
            )
    return problems


def details_are_valid(result: StepResult, facts: Facts) -> list[str]:
    """Every stored detail passes the project's own validator unchanged."""
    problems = []
    for account in result.after.accounts.values():
        problems += [f"{account.name}: {p}" for p in invalid_details(account)]
    return problems


def invalid_details(account: AccountState) -> list[str]:
    problems = []
    country = account.details.get("country")
    for name, value in account.details.items():
        if value is None:
            if name != "billing_currency":  # the only detail that may be unset
                problems.append(f"{name} is empty")
            continue
        problem = validation_problem(name, value, country)
        if problem is not None:
            problems.append(problem)
    return problems


@lru_cache(maxsize=4096)
def validation_problem(name: str, value: str, country: str | None) -> str | None:
    """Why the stored ``value`` of detail ``name`` would not pass its validator, or None.

    Cached: stored details rarely change, and the validators (pycountry, phonenumbers,
    email-validator) would otherwise be most of a step's checking time.
    """
    try:
        normalised = FIELDS_BY_NAME[name].validate(value, ValidationContext(country=country))
    except InvalidValue as problem:
        return f"{name} {value[:100]!r} is invalid: {problem}"
    if normalised != value:
        return f"{name} {value[:100]!r} is stored unnormalised ({normalised!r})"
    return None


def details_change_only_on_save(result: StepResult, facts: Facts) -> list[str]:
    """Details change only when an owner or admin of that account presses the current
    Save button; the billing currency never changes once set; closed accounts never
    change."""
    problems = []
    for account_id, after in result.after.accounts.items():
        before = result.before.accounts[account_id]
        changed = [n for n in after.details if after.details[n] != before.details[n]]
        if not changed:
            continue
        what = f"{before.name}: {', '.join(changed)} changed"
        if before.status == "closed":
            problems.append(f"{what} after the account was closed")
        currency = before.details.get("billing_currency")
        if "billing_currency" in changed and currency is not None:
            problems.append(f"{what}: billing currency {currency} was already set")
        pressed = pressed_action(result, facts)
        if pressed is None or pressed[1] != "save" or result.step.label_on_screen not in (
            SAVE_LABELS
        ):
            problems.append(f"{what} by a step that is not a press of the current Save "
                            f"button: {result.step.describe()}")
            continue
        member, _ = pressed
        if member.account_id != account_id or member.role not in ("owner", "admin"):
            problems.append(f"{what} by {member.email} ({member.role} of account "
                            f"{member.account_id})")
    return problems


CHECKS: tuple[tuple[Check, type[InvariantViolated]], ...] = (
    (no_generic_error, GenericErrorShown),
    (closes_only_by_the_owners_final_press, ClosedWithoutFinalPress),
    (closed_accounts_are_settled, ClosedButUnsettled),
    (nothing_reopens, Reopened),
    (open_accounts_keep_their_money, OpenAccountTouched),
    (details_are_valid, InvalidDetailStored),
    (details_change_only_on_save, ChangedWithoutSave),
)


def violations(result: StepResult, facts: Facts) -> list[tuple[type[InvariantViolated], str]]:
    """Every broken promise after this step, with the error it raises (empty when all hold)."""
    return [(error, problem) for check, error in CHECKS for problem in check(result, facts)]
