"""Request bodies of programs and issuances (core.md §5.3, §5.5)."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from lightrail.http.validation import Amount, Metadata, system_id
from lightrail.values.schemas import (
    Code, DateTimeInput, GenerateCode, Liability, Rule, liability_keys_exclusive,
)

Name = Annotated[str, StringConstraints(min_length=1, max_length=65535)]


class CreateProgram(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")

    id: system_id()
    name: Name
    currency: Annotated[str, StringConstraints(min_length=1, max_length=16)]
    discount: bool | None = None
    discountSellerLiability: Liability | None = None
    discountSellerLiabilityRule: Rule | None = None
    pretax: bool | None = None
    active: bool | None = None
    redemptionRule: Rule | None = None
    balanceRule: Rule | None = None
    minInitialBalance: Amount | None = None
    maxInitialBalance: Amount | None = None
    fixedInitialBalances: list[Amount] | None = None
    fixedInitialUsesRemaining: list[Amount] | None = None
    startDate: DateTimeInput | None = None
    endDate: DateTimeInput | None = None
    metadata: Metadata = None

    _exclusive = model_validator(mode="before")(liability_keys_exclusive)


class UpdateProgram(BaseModel):
    # `currency` passes validation but is ignored: a program's currency never changes.
    model_config = ConfigDict(strict=True, extra="forbid")

    id: str | None = None
    currency: str | None = None
    name: Name | None = None
    discount: bool | None = None
    discountSellerLiability: Liability | None = None
    discountSellerLiabilityRule: Rule | None = None
    pretax: bool | None = None
    active: bool | None = None
    redemptionRule: Rule | None = None
    balanceRule: Rule | None = None
    minInitialBalance: Amount | None = None
    maxInitialBalance: Amount | None = None
    fixedInitialBalances: list[Amount] | None = None
    fixedInitialUsesRemaining: list[Amount] | None = None
    startDate: DateTimeInput | None = None
    endDate: DateTimeInput | None = None
    metadata: Metadata = None

    _exclusive = model_validator(mode="before")(liability_keys_exclusive)


class CreateIssuance(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")

    id: system_id(58)
    name: Name
    count: Annotated[int, Field(ge=1, le=10000)]
    balance: Amount | None = None
    usesRemaining: Amount | None = None
    active: bool | None = None
    code: Code | None = None
    isGenericCode: bool | None = None
    generateCode: GenerateCode | None = None
    redemptionRule: Rule | None = None
    balanceRule: Rule | None = None
    startDate: DateTimeInput | None = None
    endDate: DateTimeInput | None = None
    metadata: dict | None = None
