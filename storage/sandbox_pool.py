"""Reused PostgreSQL demo databases: put back in milliseconds instead of cloned anew.

``CREATE DATABASE ... TEMPLATE`` copies some 8 MB and waits for the disk (0.2 s on a
quiet machine, a second or more when it is busy), and ``DROP DATABASE`` waits again:
that was most of the time a PostgreSQL test took. Here a clone of the template is
kept and reused. Claiming one first checks that its schema is still the template's,
then puts back the template's rows and sequence positions (one round trip: DELETE,
INSERT, ``setval``), so every claim sees exactly what a fresh clone would. A database
whose schema was changed (a test that drops a table) is dropped and cloned again.

A claim is an advisory lock, taken on a connection to the maintenance database and
held until :func:`release`: processes (pytest-xdist workers, other checkouts using
the same server) never get the same database, and the claims of a process that dies
end with its connections. Pool databases are named after the template and the date,
``acct_pool_<yyyymmdd>_<template hash>_<random>``; those of earlier days are dropped
when a new one is made.
"""

from __future__ import annotations

import hashlib
import uuid
import zlib
from datetime import date
from graphlib import CycleError, TopologicalSorter
from typing import Any

import asyncpg
from sqlalchemy.engine import make_url

POOL_PREFIX = "acct_pool_"
LOCK_CLASS = 0x61637374  # "acct": the first key of every advisory lock taken here
RESET_LOCK_TIMEOUT = "10s"  # a reset that waits longer for a lock gives up: clone anew

# Everything a test could change about the schema, as one digest.
SCHEMA_DIGEST = r"""
WITH user_ns AS (
  SELECT oid FROM pg_namespace
  WHERE nspname NOT IN ('pg_catalog', 'information_schema') AND nspname NOT LIKE 'pg\_%'
), items AS (
  SELECT format('schema %s %s', nspname, nspacl) AS item FROM pg_namespace
    WHERE oid IN (SELECT oid FROM user_ns)
  UNION ALL
  SELECT format('rel %s %s %s %s %s %s', c.oid::regclass, c.relkind, c.relpersistence,
                c.relrowsecurity, c.reloptions, c.relacl)
    FROM pg_class c WHERE c.relnamespace IN (SELECT oid FROM user_ns)
  UNION ALL
  SELECT format('col %s %s %s %s %s %s %s %s', a.attrelid::regclass, a.attnum, a.attname,
                format_type(a.atttypid, a.atttypmod), a.attnotnull, a.attidentity,
                a.attgenerated, pg_get_expr(d.adbin, d.adrelid))
    FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
    LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
    WHERE c.relnamespace IN (SELECT oid FROM user_ns) AND a.attnum > 0
      AND NOT a.attisdropped
  UNION ALL
  SELECT format('constraint %s %s %s', conrelid::regclass, conname, pg_get_constraintdef(oid))
    FROM pg_constraint WHERE connamespace IN (SELECT oid FROM user_ns)
  UNION ALL
  SELECT 'index ' || pg_get_indexdef(i.indexrelid)
    FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
    WHERE c.relnamespace IN (SELECT oid FROM user_ns)
  UNION ALL
  SELECT 'trigger ' || pg_get_triggerdef(oid) FROM pg_trigger WHERE NOT tgisinternal
  UNION ALL
  SELECT 'rule ' || pg_get_ruledef(r.oid) FROM pg_rewrite r JOIN pg_class c ON c.oid = r.ev_class
    WHERE r.rulename <> '_RETURN' AND c.relnamespace IN (SELECT oid FROM user_ns)
  UNION ALL
  SELECT format('view %s %s', c.oid::regclass, pg_get_viewdef(c.oid)) FROM pg_class c
    WHERE c.relkind IN ('v', 'm') AND c.relnamespace IN (SELECT oid FROM user_ns)
  UNION ALL
  SELECT format('policy %s %s %s %s', polrelid::regclass, polname,
                pg_get_expr(polqual, polrelid), pg_get_expr(polwithcheck, polrelid))
    FROM pg_policy
  UNION ALL
  SELECT format('function %s %s', p.oid::regprocedure, md5(pg_get_functiondef(p.oid)))
    FROM pg_proc p WHERE p.pronamespace IN (SELECT oid FROM user_ns) AND p.prokind <> 'a'
  UNION ALL
  SELECT format('type %s %s %s', t.oid::regtype, t.typtype,
                (SELECT string_agg(enumlabel, ',' ORDER BY enumsortorder)
                 FROM pg_enum WHERE enumtypid = t.oid))
    FROM pg_type t
    WHERE t.typnamespace IN (SELECT oid FROM user_ns) AND t.typtype IN ('e', 'd', 'r', 'm')
  UNION ALL
  SELECT format('sequence %s %s %s %s %s %s %s', seqrelid::regclass, seqtypid::regtype,
                seqstart, seqincrement, seqmax, seqmin, seqcycle) FROM pg_sequence
  UNION ALL
  SELECT format('extension %s %s', extname, extversion) FROM pg_extension
  UNION ALL
  SELECT 'setting ' || array_to_string(setconfig, ',') FROM pg_db_role_setting
    WHERE setdatabase = (SELECT oid FROM pg_database WHERE datname = current_database())
  UNION ALL
  SELECT 'large objects ' || count(*) FROM pg_largeobject_metadata
)
SELECT md5(string_agg(item, E'\n' ORDER BY item)) FROM items
"""

_claims: dict[str, Any] = {}  # database name -> the connection holding its lock
_reset_scripts: dict[str, str] = {}  # template name -> the SQL that puts its rows back


def _dsn(admin_url: str, database: str | None = None) -> str:
    """A libpq URL for asyncpg from the SQLAlchemy URL of the maintenance database."""
    url = make_url(admin_url).set(drivername="postgresql")
    if database is not None:
        url = url.set(database=database)
    return url.render_as_string(hide_password=False)


def _quote(name: str) -> str:
    assert name.replace("_", "").isalnum(), name  # names are ours; refuse anything odd
    return f'"{name}"'


def _lock_key(name: str) -> int:
    """The second key of ``name``'s advisory lock: a signed 32-bit hash of the name."""
    crc = zlib.crc32(name.encode())
    return crc - (1 << 32) if crc >= 1 << 31 else crc


def _prefix(template: str, today: date) -> str:
    return f"{POOL_PREFIX}{today:%Y%m%d}_{hashlib.sha256(template.encode()).hexdigest()[:12]}_"


async def claim(admin_url: str, template: str, today: date) -> str:
    """A pool database of ``template`` for this caller alone, holding exactly the
    template's data; :func:`release` it when done."""
    admin = await asyncpg.connect(_dsn(admin_url))
    try:
        prefix = _prefix(template, today)
        names = await admin.fetch(
            "SELECT datname FROM pg_database WHERE starts_with(datname, $1) ORDER BY datname",
            prefix,
        )
        for row in names:
            name: str = row["datname"]
            if name in _claims or not await _try_lock(admin, name):
                continue
            _claims[name] = admin
            try:
                await _reset(admin_url, admin, name, template)
            except BaseException:
                del _claims[name]
                raise
            return name
        await _drop_stale(admin, today)
        name = f"{prefix}{uuid.uuid4().hex[:8]}"
        while not await _try_lock(admin, name):  # a new name; its lock's hash was taken
            name = f"{prefix}{uuid.uuid4().hex[:8]}"
        await admin.execute(f"CREATE DATABASE {_quote(name)} TEMPLATE {_quote(template)}")
        _claims[name] = admin
        return name
    except BaseException:
        await admin.close()
        raise


async def release(name: str) -> bool:
    """Give back a database from :func:`claim`. True for any pool database (given back
    now, or before: releasing twice changes nothing); False for one not from the pool."""
    admin = _claims.pop(name, None)
    if admin is None:
        return name.startswith(POOL_PREFIX)
    try:
        # A test that leaked a connection must not hold on to the database.
        await admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = $1 AND pid <> pg_backend_pid()",
            name,
        )
    finally:
        await admin.close()  # ends the claim: the advisory lock goes with the connection
    return True


async def _try_lock(admin: Any, name: str) -> bool:
    locked: bool = await admin.fetchval(
        "SELECT pg_try_advisory_lock($1, $2)", LOCK_CLASS, _lock_key(name)
    )
    return locked


async def _reset(admin_url: str, admin: Any, name: str, template: str) -> None:
    """Put the template's rows back into ``name`` (claimed), or clone it anew."""
    if template not in _reset_scripts:
        _reset_scripts[template] = await _reset_script(admin_url, template)
    try:
        connection = await asyncpg.connect(
            _dsn(admin_url, name), server_settings={"lock_timeout": RESET_LOCK_TIMEOUT}
        )
        try:
            await connection.execute(_reset_scripts[template])
        finally:
            await connection.close()
    except (OSError, asyncpg.PostgresError):
        # The schema was changed, the database is gone or will not let go: start over.
        await admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = $1 AND pid <> pg_backend_pid()",
            name,
        )
        await admin.execute(f"DROP DATABASE IF EXISTS {_quote(name)}")
        await admin.execute(f"CREATE DATABASE {_quote(name)} TEMPLATE {_quote(template)}")


async def _reset_script(admin_url: str, template: str) -> str:
    """SQL that makes a clone of ``template`` hold the template's data again, after
    checking that its schema is the template's (else it fails)."""
    connection = await asyncpg.connect(_dsn(admin_url, template))
    try:
        digest = await connection.fetchval(SCHEMA_DIGEST)
        tables = await connection.fetch(
            """
            SELECT c.oid, format('%I.%I', n.nspname, c.relname) AS name,
                   (SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum)
                    FROM pg_attribute WHERE attrelid = c.oid AND attnum > 0
                      AND NOT attisdropped AND attgenerated = '') AS columns
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema')
              AND n.nspname NOT LIKE 'pg\\_%'
            """
        )
        references = await connection.fetch(
            "SELECT conrelid, confrelid FROM pg_constraint WHERE contype = 'f'"
        )
        sequences = await connection.fetch(
            """
            SELECT format('%I.%I', schemaname, sequencename) AS name, start_value, last_value
            FROM pg_sequences
            """
        )
        rows = {
            table["oid"]: await connection.fetchval(
                f"SELECT coalesce(json_agg(t), '[]')::text FROM {table['name']} t"
            )
            for table in tables
        }
    finally:
        await connection.close()
    by_oid = {table["oid"]: table for table in tables}
    graph: dict[int, set[int]] = {oid: set() for oid in by_oid}  # table -> what it references
    for reference in references:
        if reference["conrelid"] in graph and reference["conrelid"] != reference["confrelid"]:
            graph[reference["conrelid"]].add(reference["confrelid"])
    try:
        parents_first = [by_oid[oid] for oid in TopologicalSorter(graph).static_order()]
        empty = [f"DELETE FROM {t['name']};" for t in reversed(parents_first)]
    except CycleError:  # tables that reference each other: emptied together
        parents_first = list(tables)
        empty = [f"TRUNCATE {', '.join(t['name'] for t in tables)};"]
    fill = [
        f"INSERT INTO {t['name']} ({t['columns']}) OVERRIDING SYSTEM VALUE "
        f"SELECT {t['columns']} FROM json_populate_recordset(NULL::{t['name']}, "
        f"{_literal(rows[t['oid']])});"
        for t in parents_first
        if rows[t["oid"]] != "[]"
    ]
    positions = [
        f"SELECT setval({_literal(s['name'])}, {s['last_value']}, true);"
        if s["last_value"] is not None
        else f"SELECT setval({_literal(s['name'])}, {s['start_value']}, false);"
        for s in sequences
    ]
    check = (
        "DO $check$ BEGIN "
        f"IF ({SCHEMA_DIGEST}) IS DISTINCT FROM {_literal(digest)} THEN "
        "RAISE EXCEPTION 'the schema is not the template''s'; END IF; END $check$;"
    )
    return "\n".join(["BEGIN;", check, *empty, *fill, *positions, "COMMIT;"])


def _literal(text: str) -> str:
    """``text`` as an SQL string literal (standard_conforming_strings is on by default)."""
    return "'" + text.replace("'", "''") + "'"


async def _drop_stale(admin: Any, today: date) -> None:
    """Drop unclaimed pool databases of earlier days."""
    names = await admin.fetch(
        "SELECT datname FROM pg_database WHERE starts_with(datname, $1) "
        "AND substr(datname, $2, 8) < $3",
        POOL_PREFIX, len(POOL_PREFIX) + 1, f"{today:%Y%m%d}",
    )
    for row in names:
        name: str = row["datname"]
        if await _try_lock(admin, name):
            try:
                await admin.execute(f"DROP DATABASE IF EXISTS {_quote(name)}")
            except asyncpg.PostgresError:
                pass  # in use after all: its owner will drop it another day
            finally:
                await admin.execute(
                    "SELECT pg_advisory_unlock($1, $2)", LOCK_CLASS, _lock_key(name)
                )
