"""The test kit: an emulated Telegram to drive the bot with, without a network.

:mod:`testkit.telegram` runs the real aiogram dispatcher in process against an
in-memory Bot API; :mod:`testkit.botapi` serves that Bot API over real HTTP
(``python -m testkit.botapi``). Tests, benchmarks and the conversation-script
runner use it; the product never imports it.
"""
