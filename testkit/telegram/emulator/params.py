"""Method parameters as the Bot API receives them: form strings, JSON, or uploads."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from testkit.telegram.emulator.errors import ApiError, bad_request, missing


class Params:
    """Typed access to one call's parameters; values may be strings (forms) or JSON types."""

    def __init__(self, values: Mapping[str, Any], files: Mapping[str, bytes] | None = None) -> None:
        self.values = dict(values)
        self.files = dict(files or {})

    def has(self, name: str) -> bool:
        return self.values.get(name) not in (None, "")

    def text(self, name: str, default: str | None = None) -> str | None:
        value = self.values.get(name)
        return default if value is None else str(value)

    def required_text(self, name: str) -> str:
        value = self.text(name)
        if value is None:
            raise missing(name)
        return value

    def integer(self, name: str, default: int | None = None) -> int | None:
        value = self.values.get(name)
        if value in (None, ""):
            return default
        try:
            return int(value)
        except (TypeError, ValueError):
            raise bad_request(f"Bad Request: invalid {name} specified") from None

    def chat_id(self) -> int:
        value = self.values.get("chat_id")
        if value in (None, ""):
            raise ApiError(400, "Bad Request: chat_id is empty")
        try:
            return int(value)
        except (TypeError, ValueError):
            raise bad_request("Bad Request: chat not found") from None

    def flag(self, name: str) -> bool:
        value = self.values.get(name)
        if isinstance(value, str):
            return value.lower() in ("true", "1")
        return bool(value)

    def json(self, name: str) -> Any:
        """A JSON-serialised object parameter (``reply_markup``, ``allowed_updates``)."""
        value = self.values.get(name)
        if value in (None, ""):
            return None
        if not isinstance(value, str):
            return value
        try:
            return json.loads(value)
        except ValueError:
            raise bad_request(f"Bad Request: can't parse {name} JSON object") from None

    def upload(self, name: str) -> bytes | str | None:
        """An uploaded file's bytes (``attach://key`` or a part of that name), else the string
        (a file_id or URL)."""
        value = self.values.get(name)
        if isinstance(value, bytes):
            return value
        if isinstance(value, str) and value.startswith("attach://"):
            key = value.removeprefix("attach://")
            if key not in self.files:
                raise bad_request(f"Bad Request: file attach://{key} not found")
            return self.files[key]
        if name in self.files:
            return self.files[name]
        return None if value in (None, "") else str(value)
