"""Persistence: SQLAlchemy models, the ``flows.ports`` implementation, migrations, demo data.

Entry points: :func:`storage.database.make_engine`, :class:`storage.store.SqlStoreFactory`,
:func:`storage.migrate.upgrade`, :func:`storage.demo.seed_demo`,
:mod:`storage.identities` (chat linking, for channels) and
:func:`storage.sandbox.fresh_demo_database` (tests and the script runner).
"""
