"""The account fields a user can see and edit, each with its label, format and validator."""

from __future__ import annotations

from dataclasses import dataclass

from flows import validation as v
from flows.formatting import country_name, format_phone
from flows.i18n import N_, _
from flows.ports import AccountDetails


@dataclass(frozen=True, slots=True)
class EditableField:
    """One editable account field: how it is named, explained, checked and shown."""

    name: str  # attribute of AccountDetails and key of a change
    label_text: str  # English, marked with N_(); ``label`` is it in the turn's language
    hint_text: str  # the expected format, shown with the current value (``hint``)
    validate: v.Validator
    read_only_once_set: bool = False

    @property
    def label(self) -> str:
        """The field's name in the turn's language ("Contact e-mail")."""
        return _(self.label_text)

    @property
    def hint(self) -> str:
        """The expected format in the turn's language."""
        return _(self.hint_text)

    def display(self, value: str) -> str:
        """The stored value as people read it."""
        if not value:
            return _("(not set)")
        if self.name == "country":
            return f"{country_name(value)} ({value})"
        if self.name == "contact_phone":
            return format_phone(value)
        return value


FIELDS: tuple[EditableField, ...] = (
    EditableField(
        "name",
        N_("Account name"),
        N_("2–80 characters, one line."),
        v.text_validator(N_("account name"), 2, 80),
    ),
    EditableField(
        "legal_name",
        N_("Legal company name"),
        N_("As registered, 2–120 characters."),
        v.text_validator(N_("legal company name"), 2, 120),
    ),
    EditableField(
        "registration_number",
        N_("Company registration number"),
        N_("2–40 characters, as on your registration certificate."),
        v.text_validator(N_("registration number"), 2, 40),
    ),
    EditableField(
        "address",
        N_("Registered address"),
        N_("One line, 5–200 characters, e.g. 1 High Street, London EC1A 1AA."),
        v.text_validator(N_("address"), 5, 200),
    ),
    EditableField(
        "contact_name",
        N_("Contact person"),
        N_("Full name, 2–80 characters."),
        v.text_validator(N_("contact name"), 2, 80),
    ),
    EditableField(
        "contact_email",
        N_("Contact e-mail"),
        N_("An e-mail address, e.g. billing@example.com."),
        v.validate_email_address,
    ),
    EditableField(
        "contact_phone",
        N_("Contact phone"),
        N_("With country code, e.g. +44 20 7946 0958."),
        v.validate_phone,
    ),
    EditableField(
        "country",
        N_("Country"),
        N_("Country name in English or ISO code, e.g. Germany or DE."),
        v.validate_country,
    ),
    EditableField(
        "timezone",
        N_("Time zone"),
        N_("IANA name, Region/City, e.g. Europe/London."),
        v.validate_timezone,
    ),
    EditableField(
        "billing_currency",
        N_("Billing currency"),
        N_("Three-letter ISO code, e.g. USD. It cannot be changed once set."),
        v.validate_currency,
        read_only_once_set=True,
    ),
)

FIELDS_BY_NAME: dict[str, EditableField] = {f.name: f for f in FIELDS}


def is_locked(field: EditableField, details: AccountDetails) -> bool:
    """True when the field may no longer be changed (billing currency once set)."""
    return field.read_only_once_set and bool(details.value(field.name))
