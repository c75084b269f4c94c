"""Field rules shared by every resource's request schema (spec core.md §1.1, §1.3, §1.6)."""

from __future__ import annotations

import re
from typing import Annotated, Any

import orjson
from pydantic import AfterValidator, Field, StringConstraints

# Printable ASCII, no leading or trailing whitespace, inner spaces allowed (core.md §1.1).
SYSTEM_ID_PATTERN = r"^[ -~]*[!-~]$"
_SYSTEM_ID = re.compile(r"^[!-~](?:[ -~]*[!-~])?$")

MAX_INT = 2147483647
METADATA_MAX_CHARS = 65535


def is_system_id(value: Any) -> bool:
    return isinstance(value, str) and _SYSTEM_ID.fullmatch(value) is not None


def system_id_rule(value: str) -> str:
    if not is_system_id(value):
        raise ValueError(f'does not match pattern "{SYSTEM_ID_PATTERN}"')
    return value


def system_id(max_length: int = 64):
    return Annotated[
        str, StringConstraints(min_length=1, max_length=max_length), AfterValidator(system_id_rule)
    ]


def utf16_length(text: str) -> int:
    """JavaScript string length: astral characters count twice."""
    return len(text.encode("utf-16-le")) // 2


def _metadata_size(value: dict | None) -> dict | None:
    if value is not None and utf16_length(orjson.dumps(value).decode()) > METADATA_MAX_CHARS:
        raise ValueError(f"must have a maximum number of {METADATA_MAX_CHARS} characters")
    return value


Metadata = Annotated[dict[str, Any] | None, AfterValidator(_metadata_size)]
Amount = Annotated[int, Field(ge=0, le=MAX_INT)]
