"""Persistence: SQLAlchemy models, the ``flows.ports`` implementation, migrations, demo data.

Entry points: :class:`storage.unit_of_work.Database` (the one owner of transactions),
:class:`storage.store.SqlStoreFactory` (the engine's stores), :mod:`storage.capabilities`,
:func:`storage.migrate.upgrade`, :func:`storage.demo.seed_demo`,
:mod:`storage.identities` (chat linking, for channels) and
:func:`storage.sandbox.fresh_demo_database` (tests and the script runner).
"""
