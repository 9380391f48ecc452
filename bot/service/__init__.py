"""Running the bot as a service: several worker processes behind one port.

``supervisor`` starts, watches, restarts and stops worker processes; it knows nothing
of Telegram (``bot.telegram.workers`` is the webhook service built on it).
"""
