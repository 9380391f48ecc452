"""The account's history: keyset pages of the audit log, on both backends."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import bindparam, text
from sqlalchemy.engine.default import DefaultDialect

from flows.history import HISTORY, HistoryCursor, HistoryPage
from storage.audit import record_audit
from storage.history import _PAGES, history_page
from storage.sandbox import FreshDatabase
from storage.sqltypes import UTCDateTime
from tests.storage.helpers import NOW, account_id, user_id


async def _seed(db: FreshDatabase, count: int, *, start: int = 0) -> list[int]:
    """``count`` audit rows on Acme, a minute apart, every third row with no user and two
    rows at the same moment (the id breaks the tie); rows of other accounts around."""
    acme = await account_id(db, "Acme Trading Ltd")
    globex = await account_id(db, "Globex Retail")
    admin = await user_id(db, "admin@acme.example")
    async with db.database.transaction() as connection:
        for n in range(start, start + count):
            moment = NOW + timedelta(minutes=n - (n % 2 if n < 2 else 0))  # rows 0 and 1 tie
            await record_audit(
                connection,
                account_id=acme,
                user_id=None if n % 3 == 2 else admin,
                channel="support" if n % 3 == 2 else "telegram",
                action="details.updated",
                changes={"address": {"from": f"{n} Old St", "to": f"{n} New St"}},
                now=moment,
            )
            await record_audit(
                connection,
                account_id=globex,
                user_id=None,
                channel="cli",
                action="other.thing",
                changes={},
                now=moment,
            )
            await record_audit(
                connection,
                account_id=None,
                user_id=None,
                channel="telegram",
                action="link.code_refused",
                changes={},
                now=moment,
            )
    return list(range(start, start + count))


def _numbers(page: HistoryPage) -> list[int]:
    """Which seeded rows a page shows (the number is in the new address)."""
    return [int(e.changes["address"]["to"].split()[0]) for e in page.entries]


async def _page(db: FreshDatabase, **cursor: HistoryCursor | None) -> HistoryPage:
    acme = await account_id(db, "Acme Trading Ltd")
    async with db.stores.transaction() as store:
        return await store.get(HISTORY).history_page(acme, **cursor)


async def test_an_account_without_changes_has_an_empty_history(db: FreshDatabase) -> None:
    page = await _page(db)
    assert page.entries == () and not page.has_older and not page.has_newer
    assert page.older_than is None and page.timezone is None


async def test_pages_older_then_newer_cover_every_entry_once_in_order(
    db: FreshDatabase,
) -> None:
    await _seed(db, 12)
    first = await _page(db)
    assert _numbers(first) == [11, 10, 9, 8, 7]
    assert (first.has_older, first.has_newer, first.older_than) == (True, False, None)
    assert first.timezone == "Europe/London"
    by_user = {e.user_name for e in first.entries}
    assert by_user == {"Adam Admin", None}  # rows without a member have no name
    assert {e.channel for e in first.entries if e.user_name is None} == {"support"}

    second = await _page(db, older_than=first.entries[-1].cursor)
    assert _numbers(second) == [6, 5, 4, 3, 2]
    assert (second.has_older, second.has_newer) == (True, True)
    third = await _page(db, older_than=second.entries[-1].cursor)
    assert _numbers(third) == [1, 0]  # the tie at the same moment: the higher id first
    assert (third.has_older, third.has_newer) == (False, True)

    back = await _page(db, newer_than=third.entries[0].cursor)
    assert _numbers(back) == [6, 5, 4, 3, 2]
    assert (back.has_older, back.has_newer) == (True, True)
    assert back.older_than == first.entries[-1].cursor  # shows this page again
    top = await _page(db, newer_than=back.entries[0].cursor)
    assert _numbers(top) == [11, 10, 9, 8, 7]
    assert (top.has_older, top.has_newer, top.older_than) == (True, False, None)
    again = await _page(db, older_than=back.older_than)
    assert _numbers(again) == _numbers(back)


async def test_entries_added_meanwhile_never_shift_the_pages_being_read(
    db: FreshDatabase,
) -> None:
    await _seed(db, 7)
    first = await _page(db)
    await _seed(db, 3, start=20)  # three newer entries arrive while the user reads
    second = await _page(db, older_than=first.entries[-1].cursor)
    assert _numbers(second) == [1, 0]
    back = await _page(db, newer_than=second.entries[0].cursor)
    assert _numbers(back) == [6, 5, 4, 3, 2]
    assert back.has_newer  # the three new ones are above
    top = await _page(db, newer_than=back.entries[0].cursor)
    assert _numbers(top) == [22, 21, 20]


async def test_a_page_is_one_statement_on_the_account_time_index(db: FreshDatabase) -> None:
    await _seed(db, 6)
    acme = await account_id(db, "Acme Trading Ltd")
    cursor = HistoryCursor(NOW + timedelta(minutes=3), 10**6)
    parameters = {"account_id": acme, "limit": 6, "at": cursor.created_at, "entry_id": 1}
    async with db.database.reading() as connection:
        name = connection.dialect.name
        explain = "EXPLAIN QUERY PLAN" if name == "sqlite" else "EXPLAIN"
        if name == "postgresql":  # the demo tables are tiny: ask what the index can do
            await connection.execute(text("SET enable_seqscan = off"))
        for kind, statement in _PAGES.items():
            # Plain SQL with :named parameters, which text() reads on either backend.
            compiled = statement.compile(dialect=DefaultDialect(paramstyle="named"))
            sql = str(compiled)
            query = text(f"{explain} {sql}")
            used = {key: value for key, value in parameters.items() if f":{key}" in sql}
            used = {**compiled.params, **used}  # and the constants it bound (an OFFSET 0)
            if "at" in used:
                query = query.bindparams(bindparam("at", type_=UTCDateTime()))
            plan = " ".join(str(row[-1]) for row in await connection.execute(query, used))
            assert "ix_audit_log_account_time" in plan, (kind, plan)
            assert "TEMP B-TREE" not in plan and "Sort" not in plan, (kind, plan)  # index order
        if name == "postgresql":
            await connection.execute(text("RESET enable_seqscan"))
        page = await history_page(connection, acme, older_than=cursor)
    assert _numbers(page) == [3, 2, 1, 0]
