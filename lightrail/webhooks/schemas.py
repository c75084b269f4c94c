"""Request bodies of webhooks (platform.md §6.2): exactly the original's create and update schemas."""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, field_validator

# RFC 3986: a scheme, a colon, and no whitespace (what a JSON-schema "uri" format check accepts).
_URI = re.compile(r"[a-zA-Z][a-zA-Z0-9+.-]*:[^\s]+")


def _uri(value: str) -> str:
    if not _URI.fullmatch(value):
        raise ValueError('does not conform to the "uri" format')
    return value


WebhookId = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[ -~]*$")]
Url = Annotated[str, AfterValidator(_uri)]
EventName = Annotated[str, StringConstraints(min_length=1, max_length=100)]
Events = Annotated[list[EventName], Field(min_length=1, max_length=20)]

_TYPE_OF = {"url": "string", "events": "array", "active": "boolean"}


class CreateWebhook(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")

    id: WebhookId
    url: Url
    events: Events
    active: bool = True


class UpdateWebhook(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")

    url: Url | None = None
    events: Events | None = None
    active: bool | None = None

    @field_validator("url", "events", "active", mode="before")
    @classmethod
    def _not_null(cls, value: Any, info: Any) -> Any:
        # Absent means "unchanged"; an explicit null is not a value of the property's type.
        if value is None:
            raise ValueError(f"is not of a type(s) {_TYPE_OF[info.field_name]}")
        return value
