"""The emulated Telegram, in process.

``emulator``: the Bot API's state and rules in memory (:class:`FakeTelegram`), with
fault injection; it imports no aiogram. ``session``: an aiogram session that
:class:`FakeTelegram` answers instead of the network. ``harness``: one bot and the
real dispatcher fed updates in process, and test clients acting as people in chats.
"""
