from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, StringConstraints

from lightrail.http.validation import Metadata, system_id_rule, system_id

Name = Annotated[str, StringConstraints(max_length=255)]
Email = Annotated[str, StringConstraints(max_length=320), AfterValidator(system_id_rule)]


class CreateContact(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")

    id: system_id()
    firstName: Name | None = None
    lastName: Name | None = None
    email: Email | None = None
    metadata: Metadata = None


class UpdateContact(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")

    id: str | None = None
    firstName: Name | None = None
    lastName: Name | None = None
    email: Email | None = None
    metadata: Metadata = None
