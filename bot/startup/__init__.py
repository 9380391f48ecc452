"""Startup failures explained: which setting, what is wrong with it, how to fix it.

``python -m bot`` prints a :class:`bot.startup.error.StartupError` instead of a
traceback: two lines, exit status 2 (``--debug`` adds the traceback, secrets masked).
The ``check_*`` functions run before anything slow is imported or any connection is
made; the ``*_problem`` functions explain what only shows when connecting. One module
per subject: ``error`` (the error and its report), ``settings`` (values pydantic
refused), ``database``, ``telegram`` (the Telegram side without importing aiogram;
:mod:`bot.telegram.preflight` maps aiogram's errors onto it) and ``workers`` (how many
processes may share one database).
"""
