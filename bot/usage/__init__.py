"""Usage recorded from outside a conversation: ``POST /usage`` and its wording.

Both the HTTP endpoint and ``python -m bot usage add`` go through the one service,
:func:`storage.usage_service.record`.
"""
