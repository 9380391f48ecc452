"""The Telegram channel on aiogram 3.

``dispatcher.build_dispatcher`` wires the routers and middlewares around the engine;
``app`` runs them by long polling or behind a webhook; ``rendering`` and ``output``
turn the engine's replies into messages, edits and keyboards, within the limits in
``limits``. The emulated Telegram that tests drive it with lives apart, in the
``testkit`` package: nothing here imports it.
"""
