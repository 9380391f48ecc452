"""Conversation scripts: support staff check, without reading code, that every flow behaves.

A script is a short YAML file (see docs/support-guide.md). The pieces, in the order a run uses them:

- :mod:`~bot.scripts.parser` reads files into :mod:`~bot.scripts.model` objects,
  every part with its line number (:mod:`~bot.scripts.yamlnodes`);
- :mod:`~bot.scripts.runner` plays one script from fresh demo data through a
  :mod:`~bot.scripts.channels` adapter (terminal, or real aiogram updates via
  :mod:`~bot.scripts.telegram_channel`), matching replies with
  :mod:`~bot.scripts.expectations` and stored data with :mod:`~bot.scripts.checks`;
- :mod:`~bot.scripts.library` runs every script under some paths;
- :mod:`~bot.scripts.report` and :mod:`~bot.scripts.junit` tell people and CI;
- :mod:`~bot.scripts.recorder` turns a terminal chat into a new script.
"""
