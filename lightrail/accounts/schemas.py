"""Request bodies of the account routes, with the original's JSON-schema limits."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from lightrail.accounts.addresses import is_email
from lightrail.accounts.passwords import MAX_LENGTH, MIN_LENGTH


def _email_format(value: str) -> str:
    if not is_email(value):
        raise ValueError('does not conform to the "email" format')
    return value


Email = Annotated[str, Field(max_length=320), AfterValidator(_email_format)]
NewPassword = Annotated[str, Field(min_length=MIN_LENGTH, max_length=MAX_LENGTH)]
Days = Annotated[int, Field(ge=7, le=999)]


class Closed(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")


class Open(BaseModel):
    model_config = ConfigDict(strict=True, extra="ignore")


class Register(Closed):
    email: Email
    password: NewPassword
    name: Annotated[str, Field(min_length=1, max_length=1023)] | None = None


class Login(Closed):
    email: str
    password: str


class ForgotPassword(Open):
    email: Email


class ResetPassword(Open):
    token: str
    password: NewPassword


class ChangePassword(Open):
    oldPassword: str
    newPassword: NewPassword


class ChangeEmail(Open):
    email: Email


class ContactSupport(Open):
    customerSupportEmail: Email
    subject: Annotated[str, Field(min_length=1, max_length=1024)]
    message: Annotated[str, Field(min_length=1, max_length=32768)]


class LoginMfa(Open):
    code: Annotated[str, Field(min_length=1)]
    trustThisDevice: bool = False


class StartMfa(Open):
    device: Annotated[str, Field(min_length=1)]


class CompleteMfa(Open):
    code: Annotated[str, Field(min_length=1)]


class UpdateAccount(Closed):
    maxInactiveDays: Days | None = None
    maxPasswordAge: Days | None = None
    name: Annotated[str, Field(min_length=1, max_length=1023)] = None
    requireMfa: bool = None


class CreateAccount(Open):
    name: Annotated[str, Field(min_length=1, max_length=1024)]


class Switch(Open):
    accountId: Annotated[str, Field(min_length=1)] | None = None
    mode: Literal["live", "test"]


class UpdateAccountUser(Closed):
    lockedByInactivity: bool = None
    roles: list[Annotated[str, Field(min_length=1)]] = None
    scopes: list[Annotated[str, Field(min_length=1)]] = None


Privilege = Annotated[str, Field(min_length=1, max_length=255)]


class Invite(Closed):
    email: Email
    userPrivilegeType: Literal["OWNER", "FULL_ACCESS", "LIMITED_ACCESS"] | None = None
    roles: list[Privilege] | None = None
    scopes: list[Privilege] | None = None

    @model_validator(mode="after")
    def _one_way_of_granting(self) -> "Invite":
        if self.userPrivilegeType is not None and self.roles is not None:
            raise ValueError("may not have both userPrivilegeType and roles")
        return self


class CreateApiKey(Open):
    name: Annotated[str, Field(min_length=1)] | None = None
