"""Typed requests: which flow, with which arguments, for the phrases people and tests type.

The expected values were recorded from ``recognise`` as it was before flows declared
their own intent rules (each flow module now says which words ask for it); they pin
that the generic recogniser over the registered rules answers exactly the same.
"""

from __future__ import annotations

import pytest

from flows.intents import Intent, recognise

PINNED: list[tuple[str, Intent | None]] = [
    # typed in tests/conversations/*.yaml
    ("show my usage", Intent("package")),
    ("chnage my emial", Intent("edit", {"field": "contact_email"})),
    ("account details", Intent("details")),
    ("Account details", Intent("details")),
    ("package", Intent("package")),
    ("close my account", Intent("close")),
    ("please close my account", Intent("close")),
    ("delete my account", Intent("close")),
    ("close", None),
    ("change the contact person", Intent("edit", {"field": "contact_name"})),
    ("change the account name", Intent("edit", {"field": "name"})),
    ("change my billing currency", Intent("edit", {"field": "billing_currency"})),
    ("update phone", Intent("edit", {"field": "contact_phone"})),
    ("edit details", Intent("edit")),
    ("how much have I used", Intent("package")),
    ("what about lunch", None),
    ("purple elephants", None),
    ("call me maybe", None),
    ("hello", None),
    ("billing", None),
    ("Germny", None),
    ("Acme Trading Ltd", None),
    ("Close Acme Tradng Ltd permanently", None),
    ("close acme trading ltd permanently", None),
    ("permanently", None),
    # typed in tests/flows and tests/terminal
    ("change my email", Intent("edit", {"field": "contact_email"})),
    ("chnage my email", Intent("edit", {"field": "contact_email"})),
    ("change my phone", Intent("edit", {"field": "contact_phone"})),
    ("change my currency", Intent("edit", {"field": "billing_currency"})),
    ("e-mail", Intent("details")),
    ("what package am I on", Intent("package")),
    ("acount detials", Intent("details")),
    ("keep my acount", Intent("details")),
    ("purple monkey dishwasher", None),
    ("banana", None),
    ("Package & usage", Intent("package")),
    ("cancel my account", Intent("close")),
    # tests/fuzz/strategies.py INTENTS
    ("clsoe my acount", Intent("close")),
    ("terminate account please", Intent("close")),
    ("update my phone", Intent("edit", {"field": "contact_phone"})),
    ("set my time zone", Intent("edit", {"field": "timezone"})),
    ("change the country", Intent("edit", {"field": "country"})),
    ("change currency", Intent("edit", {"field": "billing_currency"})),
    ("edit my address", Intent("edit", {"field": "address"})),
    ("compare packages", Intent("package")),
    ("show details", Intent("details")),
    ("how do I close", None),
    ("who is the owner", None),
    ("balance", Intent("package")),
    ("I want to shut down the account now", Intent("close")),
    ("remove account and subscriptions", Intent("close")),
    ("time zone", Intent("details")),
    # special rules: time zone, the field named first, field words alone
    ("change my time zone and email", Intent("edit", {"field": "timezone"})),
    ("my email and phone", Intent("details")),
    ("set timezone", Intent("edit", {"field": "timezone"})),
    ("zone", Intent("details")),
    ("change the legal name", Intent("edit", {"field": "legal_name"})),
    ("registration", Intent("details")),
    ("my plan", Intent("package")),
    ("view profile", Intent("details")),
    ("show package details", Intent("package")),
    # precedence: close > edit > package > details
    ("edit my plan", Intent("edit")),
    ("change account", Intent("edit")),
    ("delete my email", Intent("details")),
    ("cancel subscription", Intent("package")),
    ("close and change my account email", Intent("close")),
    # history (precedence 15): its words, typos corrected; "changed" is still edit's verb
    ("history", Intent("history")),
    ("show the history", Intent("history")),
    ("account history", Intent("history")),
    ("histroy", Intent("history")),
    ("audit log", Intent("history")),
    ("show my activity", Intent("history")),
    ("log", None),
    # notifications (precedence 25: above package, so "usage alerts" are the alerts)
    ("notifications", Intent("notifications")),
    ("notfications", Intent("notifications")),
    ("turn off usage alerts", Intent("notifications")),
    ("usage warnings", Intent("notifications")),
    ("stop notifying me", Intent("notifications")),
    # Spanish (flows/i18n.py): accents optional, the same rules
    ("cambiar mi correo", Intent("edit", {"field": "contact_email"})),
    ("Cambiar el teléfono", Intent("edit", {"field": "contact_phone"})),
    ("modificar la zona horaria", Intent("edit", {"field": "timezone"})),
    ("quiero cerrar mi cuenta", Intent("close")),
    ("dar de baja la cuenta", Intent("close")),
    ("mi cuenta", Intent("details")),
    ("mis datos", Intent("details")),
    ("ver mi consumo", Intent("package")),
    ("¿Cuánto saldo me queda?", Intent("package")),
    ("idioma", Intent("choose_language")),
    ("desactivar los avisos", Intent("notifications")),
    ("quiero hablar con un agente", Intent("handover")),
    ("ver el historial", Intent("history")),
    ("language", Intent("choose_language")),
    ("change the language", Intent("edit")),  # precedence 5: the verb wins, as for "plan"
]


@pytest.mark.parametrize(("text", "expected"), PINNED, ids=[text for text, _ in PINNED])
def test_recognise_answers_as_before(text: str, expected: Intent | None) -> None:
    assert recognise(text) == expected
