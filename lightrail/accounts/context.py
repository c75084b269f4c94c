"""What the account service's behaviour needs besides its inputs, built once per application."""

from __future__ import annotations

from dataclasses import dataclass

from lightrail.accounts.guard import AccessGuard
from lightrail.accounts.mail import Mail, Mailer, Mails
from lightrail.db.engine import Database
from lightrail.secretbox import SecretBox
from lightrail.settings import Settings


@dataclass
class Accounts:
    db: Database
    jwt_secret: str
    mailer: Mailer
    mails: Mails
    box: SecretBox
    guard: AccessGuard
    check_mx: bool
    support_email: str | None

    @classmethod
    def from_settings(cls, settings: Settings, db: Database) -> "Accounts":
        return cls(
            db=db, jwt_secret=settings.effective_jwt_secret, mailer=Mailer(settings.smtp_url, settings.base_url),
            mails=Mails(settings.base_url), box=SecretBox(settings.effective_code_secret, "lightrail mfa secrets"), guard=AccessGuard(db),
            check_mx=settings.email_mx_check, support_email=settings.support_email,
        )

    async def send(self, mails: list[Mail]) -> None:
        for mail in mails:
            await self.mailer.send(mail)
