"""Validators for free-text answers: each returns the normalised value or raises.

The messages are shown to users as they are, so they say in plain words what is
wrong and what would be right. Real libraries do the hard parts: email-validator
(RFC 5322/6531 syntax), phonenumbers (Google's libphonenumber), pycountry
(ISO 3166) and zoneinfo with the tzdata package (IANA time zones).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from functools import lru_cache
from typing import Any
from zoneinfo import available_timezones

import phonenumbers
import pycountry
from email_validator import EmailNotValidError, validate_email
from rapidfuzz import fuzz, process

from flows.i18n import N_, _, current_locale, fold


class InvalidValue(ValueError):
    """The answer cannot be used; ``str(error)`` is the explanation for the user, in the
    turn's language.

    ``suggestions`` are values the user may have meant ("Europe/London" for
    "Europe/Londn"), each valid as typed: a flow may offer them as buttons.
    """

    def __init__(self, message: str, suggestions: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.suggestions = suggestions


Validator = Callable[[str, "ValidationContext"], str]


class ValidationContext:
    """What some validators need to know besides the answer (the account's country)."""

    def __init__(self, country: str | None = None) -> None:
        self.country = country


def clean_text(raw: str, *, label: str, min_len: int, max_len: int) -> str:
    """Trim, fold inner runs of spaces, and refuse control characters and bad lengths.

    ``label`` is English marked with ``N_()`` ("account name"), translated here.
    """
    name = _(label)
    if any(unicodedata.category(ch) in ("Cc", "Cf") for ch in raw.strip()):
        raise InvalidValue(
            _(
                "The {label} contains invisible control characters (such as a line break or "
                "tab). Please type it on one line."
            ).format(label=name)
        )
    text = " ".join(raw.split())
    if not text:
        raise InvalidValue(_("The {label} cannot be empty.").format(label=name))
    if len(text) < min_len:
        raise InvalidValue(
            _(
                "The {label} is too short: it needs at least {minimum} characters "
                "(you typed {typed})."
            ).format(label=name, minimum=min_len, typed=len(text))
        )
    if len(text) > max_len:
        raise InvalidValue(
            _(
                "The {label} is too long: at most {maximum} characters are allowed "
                "(you typed {typed})."
            ).format(label=name, maximum=max_len, typed=len(text))
        )
    return text


def text_validator(label: str, min_len: int, max_len: int) -> Validator:
    """A validator for a plain one-line text field (``label`` marked with ``N_()``)."""

    def validate(raw: str, _ctx: ValidationContext) -> str:
        return clean_text(raw, label=label, min_len=min_len, max_len=max_len)

    return validate


def validate_email_address(raw: str, _ctx: ValidationContext) -> str:
    text = clean_text(raw, label=N_("e-mail address"), min_len=3, max_len=254)
    if "@" not in text:
        raise InvalidValue(
            _(
                "That is not an e-mail address: it needs an @ between the name and the domain, "
                "like billing@example.com."
            )
        )
    try:
        # Deliverability would need DNS, which a chat answer must not wait on.
        result = validate_email(text, check_deliverability=False)
    except EmailNotValidError as error:
        # email-validator explains in English; the sentence around it is translated.
        raise InvalidValue(
            _("That e-mail address is not valid: {reason}").format(reason=error)
        ) from None
    return result.normalized


def validate_phone(raw: str, ctx: ValidationContext) -> str:
    text = clean_text(raw, label=N_("phone number"), min_len=3, max_len=40)
    if not any(ch.isdigit() for ch in text):
        raise InvalidValue(_("A phone number needs digits, for example +44 20 7946 0958."))
    try:
        number = phonenumbers.parse(text, ctx.country)
    except phonenumbers.NumberParseException as error:
        if error.error_type in (
            phonenumbers.NumberParseException.TOO_SHORT_NSN,
            phonenumbers.NumberParseException.TOO_SHORT_AFTER_IDD,
        ):
            raise InvalidValue(_(_PHONE_REASONS[_Reason.TOO_SHORT])) from None
        if error.error_type == phonenumbers.NumberParseException.INVALID_COUNTRY_CODE:
            raise InvalidValue(_(_PHONE_REASONS[_Reason.INVALID_COUNTRY_CODE])) from None
        raise InvalidValue(
            _(
                "I could not read that as a phone number. Please include the country code, "
                "for example +44 20 7946 0958."
            )
        ) from None
    reason = phonenumbers.is_possible_number_with_reason(number)
    if reason != _Reason.IS_POSSIBLE:
        raise InvalidValue(
            _(_PHONE_REASONS.get(reason, _PHONE_REASONS[_Reason.INVALID_LENGTH]))
        )
    if not phonenumbers.is_valid_number(number):
        raise InvalidValue(
            _(
                "That is not a phone number in use in its country (the area or operator code "
                "does not exist). Please check it, for example +44 20 7946 0958."
            )
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


_Reason = phonenumbers.ValidationResult
_PHONE_REASONS = {  # translated where raised
    _Reason.TOO_SHORT: N_(
        "That phone number has too few digits. Please type the whole number "
        "with its country code, for example +44 20 7946 0958."
    ),
    _Reason.TOO_LONG: N_(
        "That phone number has too many digits. Please check it, "
        "for example +44 20 7946 0958."
    ),
    _Reason.INVALID_COUNTRY_CODE: N_(
        "That country code does not exist. Start with + and a "
        "real country code, for example +44 for the UK or +1 for the US."
    ),
    _Reason.IS_POSSIBLE_LOCAL_ONLY: N_(
        "That looks like a local number without its area code. "
        "Please type the whole number with its country code, for example +44 20 7946 0958."
    ),
    _Reason.INVALID_LENGTH: N_(
        "That phone number has the wrong number of digits for its "
        "country. Please check it, for example +44 20 7946 0958."
    ),
}


def validate_country(raw: str, _ctx: ValidationContext) -> str:
    text = clean_text(raw, label=N_("country"), min_len=2, max_len=80)
    country = _lookup_country(text)
    if country is None:
        code = _local_countries().get(fold(text))  # "Alemania" in Spanish
        if code is not None:
            return code
        suggestions = _suggest(text, _country_names())
        hint = " " + did_you_mean(suggestions) if suggestions else ""
        raise InvalidValue(
            _("I don't know a country called “{text}”.").format(text=text)
            + hint
            + " "
            + _("Type its name in English or its two-letter code, like Germany or DE."),
            suggestions,
        )
    return str(country.alpha_2)


def did_you_mean(suggestions: tuple[str, ...]) -> str:
    """``Did you mean Europe/London?`` (``… A or B?``) in the turn's language."""
    if len(suggestions) > 1:
        listed = _("{first} or {second}").format(
            first=", ".join(suggestions[:-1]), second=suggestions[-1]
        )
    else:
        listed = suggestions[0]
    return _("Did you mean {suggestions}?").format(suggestions=listed)


def _local_countries() -> dict[str, str]:
    """Country names in the turn's language (Babel's CLDR data), folded, to their codes."""
    return _territories(str(current_locale()))


@lru_cache(maxsize=4)
def _territories(locale: str) -> dict[str, str]:
    from babel import Locale  # only when a name in another language is typed

    names = Locale.parse(locale).territories
    return {fold(name): code for code, name in names.items() if len(code) == 2 and code.isalpha()}


def validate_timezone(raw: str, _ctx: ValidationContext) -> str:
    text = clean_text(raw, label=N_("time zone"), min_len=1, max_len=64).replace(" ", "_")
    zone = _timezones_by_folded_name().get(text.casefold())
    if zone is None:
        suggestions = _suggest(text, sorted(_timezones_by_folded_name().values()))
        hint = " " + did_you_mean(suggestions) if suggestions else ""
        raise InvalidValue(
            _("“{text}” is not a time zone I know.").format(text=text)
            + hint
            + " "
            + _("Use an IANA name: Region/City, like Europe/London or America/New_York."),
            suggestions,
        )
    return zone


def validate_currency(raw: str, _ctx: ValidationContext) -> str:
    text = clean_text(raw, label=N_("currency"), min_len=3, max_len=3).upper()
    if pycountry.currencies.get(alpha_3=text) is None:
        raise InvalidValue(
            _(
                "“{text}” is not an ISO 4217 currency code. Use three letters, like USD or EUR."
            ).format(text=text)
        )
    return text


def _lookup_country(text: str) -> Any:
    if len(text) == 2 and text.isalpha():
        found = pycountry.countries.get(alpha_2=text.upper())
        if found is not None:
            return found
    if len(text) == 3 and text.isalpha():
        found = pycountry.countries.get(alpha_3=text.upper())
        if found is not None:
            return found
    folded = text.casefold()
    for country in pycountry.countries:
        names = (
            getattr(country, "name", ""),
            getattr(country, "common_name", ""),
            getattr(country, "official_name", ""),
        )
        if any(name and name.casefold() == folded for name in names):
            return country
    return _ALIASES.get(folded)


_ALIASES: dict[str, Any] = {
    alias: pycountry.countries.get(alpha_2=code)
    for alias, code in {
        "uk": "GB",
        "england": "GB",
        "great britain": "GB",
        "usa": "US",
        "america": "US",
        "united states of america": "US",
        "holland": "NL",
        "south korea": "KR",
        "russia": "RU",
    }.items()
}


@lru_cache(maxsize=1)
def _country_names() -> list[str]:
    return [str(c.name) for c in pycountry.countries]


@lru_cache(maxsize=1)
def _timezones_by_folded_name() -> dict[str, str]:
    return {name.casefold(): name for name in available_timezones() if "/" in name or name == "UTC"}


def _suggest(text: str, options: list[str]) -> tuple[str, ...]:
    """Up to two close matches of ``text`` among ``options``, the closest first; a second
    one only when nearly as close ("Europe/Londn" is London, not also Lisbon)."""
    matches = process.extract(text, options, scorer=fuzz.WRatio, limit=2, score_cutoff=75)
    if not matches:
        return ()
    best = matches[0][1]
    return tuple(str(match[0]) for match in matches if match[1] >= best - SUGGESTION_MARGIN)


SUGGESTION_MARGIN = 8  # points of rapidfuzz's WRatio (0-100)
