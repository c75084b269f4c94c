"""Request bodies of the transaction routes (transactions.md §1.3–§1.6, §2)."""

from __future__ import annotations

from typing import Annotated, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from lightrail.http.validation import MAX_INT, Metadata, system_id

TransactionId = system_id(64)
Currency = Annotated[str, StringConstraints(min_length=1, max_length=16)]
PositiveAmount = Annotated[int, Field(ge=1, le=MAX_INT)]
Rate = Annotated[float, Field(ge=0, le=1)]
Pending = Union[bool, str, None]


class _Body(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")


def _exactly_one(party: BaseModel, names: tuple[str, ...]) -> None:
    given = [n for n in names if getattr(party, n) is not None]
    if len(given) != 1:
        raise ValueError(f"must have exactly one of {', '.join(names)}")


class LightrailParty(_Body):
    rail: Literal["lightrail"]
    contactId: str | None = None
    code: str | None = None
    valueId: str | None = None

    @model_validator(mode="after")
    def _one_reference(self) -> "LightrailParty":
        _exactly_one(self, ("contactId", "code", "valueId"))
        return self


class LightrailUniqueParty(_Body):
    rail: Literal["lightrail"]
    code: str | None = None
    valueId: str | None = None

    @model_validator(mode="after")
    def _one_reference(self) -> "LightrailUniqueParty":
        _exactly_one(self, ("code", "valueId"))
        return self


class Address(_Body):
    city: str | None = None
    country: str | None = None
    line1: str | None = None
    line2: str | None = None
    postal_code: str | None = None
    state: str | None = None


class Shipping(_Body):
    address: Address | None = None
    carrier: str | None = None
    name: str | None = None
    phone: str | None = None
    tracking_number: str | None = None


class AdditionalStripeParams(_Body):
    application_fee: int | None = None
    application_fee_amount: int | None = None
    description: str | None = None
    on_behalf_of: str | None = None
    receipt_email: str | None = None
    shipping: Shipping | None = None
    statement_descriptor: str | None = None
    transfer_group: str | None = None


class StripeParty(_Body):
    rail: Literal["stripe"]
    source: str | None = None
    customer: str | None = None
    maxAmount: Annotated[int, Field(ge=1)] | None = None
    minAmount: Annotated[int, Field(ge=0)] | None = None
    forgiveSubMinAmount: bool | None = None
    additionalStripeParams: AdditionalStripeParams | None = None

    @model_validator(mode="after")
    def _who_pays(self) -> "StripeParty":
        if self.source is None and self.customer is None:
            raise ValueError("must have at least one of source, customer")
        return self


class InternalParty(_Body):
    rail: Literal["internal"]
    internalId: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    balance: Annotated[int, Field(ge=0)]
    pretax: bool | None = None
    beforeLightrail: bool | None = None


CheckoutSource = Annotated[Union[LightrailParty, StripeParty, InternalParty], Field(discriminator="rail")]
TransferSource = Annotated[Union[LightrailParty, StripeParty], Field(discriminator="rail")]


class TaxProperties(_Body):
    roundingMode: Literal["HALF_EVEN", "HALF_UP"] | None = None


class LineItem(BaseModel):
    # Line items keep whatever else the client sends (variantId, tags, …): it is echoed back.
    model_config = ConfigDict(strict=True, extra="allow")

    type: Literal["product", "shipping", "fee"] | None = None
    productId: str | None = None
    unitPrice: Annotated[int, Field(ge=0, le=MAX_INT)]
    quantity: Annotated[int, Field(ge=1, le=MAX_INT)] | None = None
    taxRate: Rate | None = None
    marketplaceRate: Rate | None = None


class _AmountOrUses(_Body):
    amount: PositiveAmount | None = None
    uses: PositiveAmount | None = None

    @model_validator(mode="after")
    def _something_to_move(self) -> "_AmountOrUses":
        if self.amount is None and self.uses is None:
            raise ValueError("must have at least one of amount, uses")
        return self


class Credit(_AmountOrUses):
    id: TransactionId
    destination: LightrailUniqueParty
    currency: Currency
    simulate: bool | None = None
    metadata: Metadata = None


class Debit(_AmountOrUses):
    id: TransactionId
    source: LightrailUniqueParty
    currency: Currency
    simulate: bool | None = None
    allowRemainder: bool | None = None
    pending: Pending = None
    metadata: Metadata = None


class Transfer(_Body):
    id: TransactionId
    source: TransferSource
    destination: LightrailUniqueParty
    amount: PositiveAmount
    currency: Currency
    simulate: bool | None = None
    allowRemainder: bool | None = None
    metadata: Metadata = None


class Checkout(_Body):
    id: TransactionId
    lineItems: list[LineItem]
    currency: Currency
    sources: list[CheckoutSource]
    simulate: bool | None = None
    allowRemainder: bool | None = None
    tax: TaxProperties | None = None
    pending: Pending = None
    metadata: Metadata = None


class FollowUp(_Body):
    """The body of reverse, capture and void: the new transaction's id."""

    id: TransactionId
    simulate: bool | None = None
    metadata: Metadata = None

