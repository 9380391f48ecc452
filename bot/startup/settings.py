"""A setting pydantic refused (``FLOW_TIMEOUT_SECONDS=abc``), explained by its name."""

from __future__ import annotations

from pydantic import BaseModel, ValidationError

from bot.startup.error import StartupError

SECRET_WORDS = ("token", "secret", "password")  # settings whose values are never echoed


def invalid_setting(error: ValidationError, model: type[BaseModel]) -> StartupError:
    """Explain the first value of ``model`` (the settings) that failed validation."""
    first = error.errors()[0]
    field = str(first["loc"][0]) if first["loc"] else ""
    name = field.upper() or "the configuration"
    info = model.model_fields.get(field)
    bounds = ""
    if info is not None:
        for rule in info.metadata:  # Field(ge=...) constraints, as annotated_types objects
            if (least := getattr(rule, "ge", None)) is not None:
                bounds = f" of at least {least}"
    default = f"; unset it for the default, {info.default}" if info is not None else ""
    value = first.get("input")
    if any(word in field for word in SECRET_WORDS):
        value = "(hidden)"
    if first["type"].startswith("int_"):
        problem = f"{value!r} is not a whole number."
        expected = f"a whole number{bounds}"
    elif first["type"] == "greater_than_equal":
        problem = f"{value} is too small."
        expected = f"a whole number{bounds}"
    else:
        problem = f"{value!r} is not valid ({first['msg'][:1].lower()}{first['msg'][1:]})."
        expected = "a valid value"
    return StartupError(
        name, problem, f"Set {name} to {expected} (in the environment or .env){default}."
    )
