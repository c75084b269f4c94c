from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

CurrencyCode = Annotated[str, StringConstraints(min_length=1, max_length=16, pattern=r"^[A-Z]+$")]
Name = Annotated[str, StringConstraints(min_length=1, max_length=255)]
Symbol = Annotated[str, StringConstraints(min_length=1, max_length=16)]
DecimalPlaces = Annotated[int, Field(ge=0, le=4)]


class CreateCurrency(BaseModel):
    # The original's schema ignored unknown properties here.
    model_config = ConfigDict(strict=True, extra="ignore")

    code: CurrencyCode
    name: Name
    symbol: Symbol
    decimalPlaces: DecimalPlaces


class UpdateCurrency(BaseModel):
    model_config = ConfigDict(strict=True, extra="ignore")

    code: str | None = None
    name: Name | None = None
    symbol: Symbol | None = None
    decimalPlaces: DecimalPlaces | None = None
