"""How stored values read to people: country names, phone numbers, local times."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import phonenumbers
import pycountry
from babel.dates import format_datetime

from flows.i18n import DEFAULT_LANGUAGE, _, current_language, current_locale


def country_name(code: str) -> str:
    """The name of an ISO alpha-2 code in the turn's language (ISO's English name in
    English, CLDR's otherwise), or the code itself if unknown."""
    if current_language() != DEFAULT_LANGUAGE:
        local = current_locale().territories.get(code)
        if local:
            return str(local)
    country = pycountry.countries.get(alpha_2=code)
    return str(country.name) if country is not None else code


def format_phone(e164: str) -> str:
    """An E.164 number in international format (+44 20 7946 0958)."""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def local_time(zone: str, now: datetime) -> str:
    """The wall-clock time in ``zone`` at ``now``, like ``14:05 (UTC+01:00)``."""
    try:
        local = now.astimezone(ZoneInfo(zone))
    except (KeyError, ValueError):
        return _("unknown")
    offset = local.strftime("%z")
    shown = format_datetime(local, "HH:mm, EEE dd MMM", locale=current_locale())
    return f"{shown} (UTC{offset[:3]}:{offset[3:]})"
