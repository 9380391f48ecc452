"""Guards the guards: every invariant of the fuzz suite fails on a step that breaks it.

Each case builds the state before and after one step by hand (no bot involved) and
says which check must object; the same check must accept the honest variant.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from storage.demo_data import ACCOUNTS
from testkit.telegram.harness import SentMessage
from tests.fuzz.invariants import (
    CHECKS,
    Check,
    Facts,
    closed_accounts_are_settled,
    closes_only_by_the_owners_final_press,
    details_are_valid,
    details_change_only_on_save,
    no_generic_error,
    nothing_reopens,
    open_accounts_keep_their_money,
    violations,
)
from tests.fuzz.stored import DETAIL_FIELDS, AccountState, Snapshot
from tests.fuzz.world import Member, Step, StepResult

NOW = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)
OWNER = Member("owner@acme.example", 7000, 1, 1, "owner")
ADMIN = Member("admin@acme.example", 7001, 2, 1, "admin")
VIEWER = Member("viewer@acme.example", 7002, 3, 1, "viewer")
GLOBEX = Member("owner@globex.example", 7003, 4, 2, "owner")
MEMBERS = {m.email: m for m in (OWNER, ADMIN, VIEWER, GLOBEX)}
CLOSE = "Close Acme Trading Ltd permanently"


def account(index: int, **changes: object) -> AccountState:
    seeded = ACCOUNTS[index]
    details = {name: seeded.get(name) for name in DETAIL_FIELDS}
    details["contact_email"] = str(details["contact_email"])
    state = AccountState(
        id=index + 1, name=seeded["name"], status="open", package_code=seeded["package_code"],
        self_service_closure=seeded["package_code"] != "connect", details=details,
        closed_at=None, closure_reference=None,
        active_subscriptions=len(seeded["subscriptions"]), balance=seeded["balance"],
        closure_audits=0,
    )
    return replace(state, **changes)  # type: ignore[arg-type]


def closed(state: AccountState, **changes: object) -> AccountState:
    done = replace(state, status="closed", closed_at="2026-01-15 12:00:00",
                   closure_reference="CL-AAAA-BBBB", active_subscriptions=0,
                   balance=Decimal("0.00"), closure_audits=1)
    return replace(done, **changes)  # type: ignore[arg-type]


def snapshot(*accounts: AccountState) -> Snapshot:
    tokens: dict[int, str | None] = {m.chat_id: "tok" for m in MEMBERS.values()}
    return Snapshot({a.id: a for a in accounts}, tokens, frozenset(tokens), {})


ACME, GLOBEX_ACCOUNT = account(0), account(1)
BEFORE = snapshot(ACME, GLOBEX_ACCOUNT)
FACTS = Facts(MEMBERS, BEFORE)


def press(member: Member, data: str, label: str | None) -> Step:
    return Step("press", "test", email=member.email, data=data, message_id=1,
                label_on_screen=label)


def typed(member: Member, text: str) -> Step:
    return Step("type", "test", email=member.email, text=text)


def result(
    step: Step,
    after: Snapshot,
    *,
    sent: str = "ok",
    answers: tuple[str, ...] = (),
    errors: tuple[BaseException, ...] = (),
    waited: float = 10,
) -> StepResult:
    message = SentMessage({"message_id": 2, "text": sent}, from_bot=True)
    return StepResult(step, BEFORE, after, NOW, {7000: [message]}, list(answers), list(errors),
                      NOW - timedelta(seconds=waited), [])


ACME_CLOSED = snapshot(closed(ACME), GLOBEX_ACCOUNT)
FINAL_PRESS = press(OWNER, "m:tok:confirm", CLOSE)
SAVE_PRESS = press(ADMIN, "m:tok:save", "✅ Save")
RENAMED = snapshot(replace(ACME, details={**ACME.details, "name": "Acme Europe"}),
                   GLOBEX_ACCOUNT)

# (why, the check that must object, the step's result)
BROKEN: list[tuple[str, Check, StepResult]] = [
    ("catch-all apology", no_generic_error,
     result(typed(OWNER, "hi"), BEFORE, sent="Sorry, something went wrong on our side")),
    ("apology as a toast", no_generic_error,
     result(typed(OWNER, "hi"), BEFORE, answers=("Something went wrong",))),
    ("a handler raised", no_generic_error,
     result(typed(OWNER, "hi"), BEFORE, errors=(RuntimeError("boom"),))),
    ("typed text closed", closes_only_by_the_owners_final_press,
     result(typed(OWNER, "close"), ACME_CLOSED)),
    ("closed by the clock", closes_only_by_the_owners_final_press,
     result(Step("wait", "test", seconds=5), ACME_CLOSED)),
    ("a stale token closed", closes_only_by_the_owners_final_press,
     result(press(OWNER, "m:old:confirm", CLOSE), ACME_CLOSED)),
    ("a button not on screen closed", closes_only_by_the_owners_final_press,
     result(press(OWNER, "m:tok:confirm", None), ACME_CLOSED)),
    ("another button closed", closes_only_by_the_owners_final_press,
     result(press(OWNER, "m:tok:keep", "Keep my account"), ACME_CLOSED)),
    ("the admin closed", closes_only_by_the_owners_final_press,
     result(press(ADMIN, "m:tok:confirm", CLOSE), ACME_CLOSED)),
    ("another account's owner closed", closes_only_by_the_owners_final_press,
     result(press(GLOBEX, "m:tok:confirm", CLOSE), ACME_CLOSED)),
    ("closed after the window", closes_only_by_the_owners_final_press,
     result(FINAL_PRESS, ACME_CLOSED, waited=181)),
    ("Connect closed", closes_only_by_the_owners_final_press,
     result(press(GLOBEX, "m:tok:confirm", "Close Globex Retail permanently"),
            snapshot(ACME, closed(GLOBEX_ACCOUNT)))),
    ("subscription left active", closed_accounts_are_settled,
     result(FINAL_PRESS, snapshot(closed(ACME, active_subscriptions=1), GLOBEX_ACCOUNT))),
    ("balance kept", closed_accounts_are_settled,
     result(FINAL_PRESS, snapshot(closed(ACME, balance=Decimal("0.01")), GLOBEX_ACCOUNT))),
    ("no audit entry", closed_accounts_are_settled,
     result(FINAL_PRESS, snapshot(closed(ACME, closure_audits=0), GLOBEX_ACCOUNT))),
    ("two audit entries", closed_accounts_are_settled,
     result(FINAL_PRESS, snapshot(closed(ACME, closure_audits=2), GLOBEX_ACCOUNT))),
    ("no reference", closed_accounts_are_settled,
     result(FINAL_PRESS, snapshot(closed(ACME, closure_reference=None), GLOBEX_ACCOUNT))),
    ("open account lost its balance", open_accounts_keep_their_money,
     result(typed(OWNER, "hi"), snapshot(replace(ACME, balance=Decimal("0")), GLOBEX_ACCOUNT))),
    ("open account lost a subscription", open_accounts_keep_their_money,
     result(typed(OWNER, "hi"),
            snapshot(replace(ACME, active_subscriptions=1), GLOBEX_ACCOUNT))),
    ("invalid e-mail stored", details_are_valid,
     result(SAVE_PRESS, snapshot(replace(ACME, details={**ACME.details,
                                                        "contact_email": "nope"}),
                                 GLOBEX_ACCOUNT))),
    ("phone not normalised", details_are_valid,
     result(SAVE_PRESS, snapshot(replace(ACME, details={**ACME.details,
                                                        "contact_phone": "+44 20 7946 0018"}),
                                 GLOBEX_ACCOUNT))),
    ("name with a line break", details_are_valid,
     result(SAVE_PRESS, snapshot(replace(ACME, details={**ACME.details, "name": "A\nB"}),
                                 GLOBEX_ACCOUNT))),
    ("typed text saved", details_change_only_on_save,
     result(typed(ADMIN, "save"), RENAMED)),
    ("a stale Save saved", details_change_only_on_save,
     result(press(ADMIN, "m:old:save", "✅ Save"), RENAMED)),
    ("the viewer saved", details_change_only_on_save,
     result(press(VIEWER, "m:tok:save", "✅ Save"), RENAMED)),
    ("set currency changed", details_change_only_on_save,
     result(SAVE_PRESS, snapshot(replace(ACME, details={**ACME.details,
                                                        "billing_currency": "EUR"}),
                                 GLOBEX_ACCOUNT))),
]


def reopened(after: AccountState) -> StepResult:
    before_closed = snapshot(closed(ACME), GLOBEX_ACCOUNT)
    return replace(result(typed(OWNER, "hi"), snapshot(after, GLOBEX_ACCOUNT)),
                   before=before_closed)


BROKEN += [
    ("reopened", nothing_reopens, reopened(replace(closed(ACME), status="open"))),
    ("new reference", nothing_reopens, reopened(closed(ACME, closure_reference="CL-X"))),
    ("closed account edited", details_change_only_on_save,
     replace(result(SAVE_PRESS, snapshot(closed(ACME, details={**ACME.details, "name": "X Y"}),
                                         GLOBEX_ACCOUNT)),
             before=snapshot(closed(ACME), GLOBEX_ACCOUNT))),
]


@pytest.mark.parametrize(("why", "check", "step"), BROKEN, ids=[case[0] for case in BROKEN])
def test_each_check_objects_to_what_breaks_it(why: str, check: Check, step: StepResult) -> None:
    assert check(step, FACTS), why
    assert violations(step, FACTS)


@pytest.mark.parametrize(
    ("why", "step"),
    [
        ("a quiet step", result(typed(OWNER, "menu"), BEFORE)),
        ("the owner's final press", result(FINAL_PRESS, ACME_CLOSED, waited=180)),
        ("an admin's Save", result(SAVE_PRESS, RENAMED)),
        ("the owner saves over a conflict",
         result(press(OWNER, "m:tok:save", "✅ Save my changes"), RENAMED)),
    ],
)
def test_honest_steps_pass_every_check(why: str, step: StepResult) -> None:
    assert violations(step, FACTS) == [], why


def test_every_check_has_a_breaking_case() -> None:
    assert {check for _, check, _ in BROKEN} == {check for check, _ in CHECKS}
