"""Request bodies of values, changeCode, attach and detach (core.md §5.4, §7.4, §7.5)."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints, model_validator

from lightrail.db.clock import to_second
from lightrail.http.validation import Amount, Metadata, system_id

_DATE_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})")


def _date_time(text: Any) -> datetime:
    """JSON-schema `date-time`, truncated to the second as the ledger stores it."""
    if not isinstance(text, str):
        raise ValueError("is not of a type(s) string")
    if not _DATE_TIME.fullmatch(text):
        raise ValueError('does not conform to the "date-time" format')
    try:
        return to_second(datetime.fromisoformat(text.replace(" ", "T").upper().replace("Z", "+00:00")))
    except ValueError:
        raise ValueError('does not conform to the "date-time" format') from None


DateTimeInput = Annotated[datetime, BeforeValidator(_date_time)]
Code = Annotated[str, StringConstraints(min_length=1, max_length=255)]
Liability = Annotated[float, Field(ge=0, le=1)]


class Rule(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")

    rule: str
    explanation: str


class GenerateCode(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")

    length: int | None = None
    charset: str | None = None
    prefix: str | None = None
    suffix: str | None = None


class PerContact(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")

    balance: Amount | None = None
    usesRemaining: Amount | None = None


class GenericCodeOptions(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")

    perContact: PerContact


def liability_keys_exclusive(data: Any) -> Any:
    """The number and the rule are alternatives: one of them given, the other must be absent or null."""
    if isinstance(data, dict) and "discountSellerLiability" in data and "discountSellerLiabilityRule" in data:
        if data["discountSellerLiability"] is not None or data["discountSellerLiabilityRule"] is not None:
            raise ValueError("is not exactly one from discountSellerLiability, discountSellerLiabilityRule")
    return data


class CreateValue(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")

    id: system_id()
    currency: Annotated[str, StringConstraints(min_length=1, max_length=16)] | None = None
    programId: Annotated[str, StringConstraints(min_length=1, max_length=64)] | None = None
    balance: Amount | None = None
    usesRemaining: Amount | None = None
    code: Code | None = None
    isGenericCode: bool | None = None
    generateCode: GenerateCode | None = None
    genericCodeOptions: GenericCodeOptions | None = None
    contactId: Annotated[str, StringConstraints(min_length=1, max_length=64)] | None = None
    active: bool | None = None
    frozen: bool | None = None
    pretax: bool | None = None
    redemptionRule: Rule | None = None
    balanceRule: Rule | None = None
    discount: bool | None = None
    discountSellerLiabilityRule: Rule | None = None
    discountSellerLiability: Liability | None = None
    startDate: DateTimeInput | None = None
    endDate: DateTimeInput | None = None
    metadata: Metadata = None

    _exclusive = model_validator(mode="before")(liability_keys_exclusive)


class UpdateValue(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")

    id: str | None = None
    active: bool | None = None
    frozen: bool | None = None
    canceled: bool | None = None
    pretax: bool | None = None
    discount: bool | None = None
    discountSellerLiability: Liability | None = None
    discountSellerLiabilityRule: Rule | None = None
    redemptionRule: Rule | None = None
    balanceRule: Rule | None = None
    startDate: DateTimeInput | None = None
    endDate: DateTimeInput | None = None
    metadata: Metadata = None
    genericCodeOptions: GenericCodeOptions | None = None

    _exclusive = model_validator(mode="before")(liability_keys_exclusive)


class ChangeCode(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")

    code: Code | None = None
    generateCode: GenerateCode | None = None


class Attach(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")

    code: Annotated[str, StringConstraints(min_length=1)] | None = None
    valueId: Annotated[str, StringConstraints(min_length=1)] | None = None
    # Only one historical account may send it (core.md §8.5); the service refuses it for others.
    attachGenericAsNewValue: bool | None = None

    @model_validator(mode="after")
    def _code_xor_value_id(self) -> "Attach":
        if (self.code is None) == (self.valueId is None):
            raise ValueError("is not exactly one from code, valueId")
        return self


class Detach(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")

    valueId: Annotated[str, StringConstraints(min_length=1)]
