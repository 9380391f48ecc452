"""The Telegram channel on aiogram 3.

``dispatcher.build_dispatcher`` wires the routers and middlewares around the engine;
``app`` runs them by long polling or behind a webhook; ``rendering`` and ``output``
turn the engine's replies into messages, edits and keyboards; ``testing`` drives the
real dispatcher in process, with :mod:`bot.telegram.emulator` standing in for Telegram.
"""
