"""Invariant fuzzing: a Hypothesis state machine drives the real bot and checks, after
every step, the promises that must hold whatever people type or press.

- :mod:`tests.fuzz.world`: one example's bot (real aiogram dispatcher, engine, SQLite
  demo database, a hand-moved clock) with five linked chats.
- :mod:`tests.fuzz.stored`: what the bot has stored, read back after every step.
- :mod:`tests.fuzz.strategies`: what people type, forged button data, time passing.
- :mod:`tests.fuzz.invariants`: the checks, each a plain function that can fail.
- :mod:`tests.fuzz.machine`: the rules (type, press current / old / forged, wait).
- :mod:`tests.fuzz.stats`: counts of steps, closures, saves and refusals.
- ``test_invariants.py``: the bounded run (about 30 s) that ``make test`` collects;
  ``test_checks.py``: every check fails on a hand-made step that breaks it.
- ``python -m tests.fuzz --steps 50000`` (``make fuzz``): the long run with a report.
"""
