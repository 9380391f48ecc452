"""The emulated Telegram, in process.

``emulator``: the Bot API's state and rules in memory (:class:`FakeTelegram`), with
fault injection; ``session``: an aiogram session answered by it; ``testing``: one bot
and its real dispatcher fed updates in process, and test clients acting as people.
"""
