"""The emails the account service sends, and sending them over SMTP (or to the log in development)."""

from __future__ import annotations

import asyncio
import smtplib
from dataclasses import dataclass
from datetime import datetime, timezone
from email.message import EmailMessage
from urllib.parse import urlsplit

from lightrail.logs import get_logger

log = get_logger("lightrail.accounts.mail")

LOCK_MINUTES = 60


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    text: str


def _footer() -> str:
    return f"\n\n--\nLightrail\nCopyright {datetime.now(timezone.utc).year}\n"


class Mails:
    """The templates; every link is absolute, built on the configured base URL."""

    def __init__(self, base_url: str) -> None:
        self.base = base_url.rstrip("/")

    def verify_email(self, to: str, token: str) -> Mail:
        link = f"{self.base}/v2/user/register/verifyEmail?token={token}"
        return Mail(to, "Activate Your Lightrail Account", f"Welcome to Lightrail.\n\nConfirm your email address to activate your account:\n{link}\n\nThe link is valid for 7 days.{_footer()}")

    def invitation(self, to: str, token: str, account_name: str) -> Mail:
        link = f"{self.base}/v2/user/register/acceptInvitation?token={token}"
        return Mail(to, "Activate Your Lightrail Account", f"You have been invited to join the Lightrail account \"{account_name}\".\n\nAccept the invitation:\n{link}\n\nThe link is valid for 5 days.{_footer()}")

    def recover_account(self, to: str, token: str) -> Mail:
        link = f"{self.base}/app/#/resetPassword?token={token}"
        return Mail(to, "Recover Your Lightrail Account", f"Someone tried to register a Lightrail account with this email address, which already has one.\n\nIf you have forgotten your password, set a new one here:\n{link}\n\nThe link is valid for 24 hours.  If this wasn't you, ignore this email.{_footer()}")

    def reset_password(self, to: str, token: str) -> Mail:
        link = f"{self.base}/app/#/resetPassword?token={token}"
        return Mail(to, "Reset Your Lightrail Password", f"Set a new password for your Lightrail account:\n{link}\n\nThe link is valid for 24 hours.  If you did not ask for this, ignore this email.{_footer()}")

    def change_email(self, to: str, token: str) -> Mail:
        link = f"{self.base}/v2/user/changeEmail/complete?token={token}"
        return Mail(to, "Change Your Lightrail Email Address", f"Confirm this address as the new email address of your Lightrail account:\n{link}\n\nThe link is valid for 24 hours.{_footer()}")

    def email_changed(self, to: str, new_email: str) -> Mail:
        return Mail(to, "Your Lightrail Email Address Has Changed", f"The email address of your Lightrail account was changed to {new_email}.\n\nIf you did not do this, contact customer support at once.{_footer()}")

    def locked(self, to: str, failures: int) -> Mail:
        return Mail(to, "Account Temporarily Locked", f"Your Lightrail account was locked after {failures} failed login attempts.\n\nYou can log in again in {LOCK_MINUTES} minutes.  If this wasn't you, consider changing your password.{_footer()}")

    def customer_support(self, to: str, subject: str, message: str, account_id: str | None, user_id: str, email: str) -> Mail:
        return Mail(to, f"A Lightrail user requested customer support: {subject}", f"{message}\n\naccountId: {account_id or '-'}\nuserId: {user_id}\nemail: {email}\n")


class Mailer:
    """Delivers mails through plain SMTP; without an SMTP URL, writes them to the log (development)."""

    def __init__(self, smtp_url: str | None, base_url: str) -> None:
        self._smtp = urlsplit(smtp_url) if smtp_url else None
        self.sender = f"notifications@{urlsplit(base_url).hostname or 'localhost'}"

    async def send(self, mail: Mail) -> None:
        if self._smtp is None:
            log.info("mail", to=mail.to, subject=mail.subject, text=mail.text)
            return
        try:
            await asyncio.to_thread(self._deliver, mail)
        except (OSError, smtplib.SMTPException) as e:
            # The user's action has been recorded; they can ask for the mail again.
            log.error("mail delivery failed", to=mail.to, subject=mail.subject, error=str(e))

    def _deliver(self, mail: Mail) -> None:
        message = EmailMessage()
        message["From"] = f"Lightrail <{self.sender}>"
        message["To"] = mail.to
        message["Subject"] = mail.subject
        message.set_content(mail.text)
        with smtplib.SMTP(self._smtp.hostname or "localhost", self._smtp.port or 25, timeout=10) as smtp:
            smtp.send_message(message)
