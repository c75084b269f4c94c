"""Is an email address one we can send to: its syntax, and (when switched on) an MX record for its domain."""

from __future__ import annotations

import asyncio
import re

import dns.asyncresolver
import dns.exception
import dns.resolver

from lightrail.http.errors import ApiError

# The shape JSON-schema validators accept as `format: email`: local@domain.tld, no spaces.
_EMAIL = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$")


def is_email(value: str) -> bool:
    return len(value) <= 320 and bool(_EMAIL.match(value))


async def has_mx(domain: str) -> bool:
    """False only when DNS answers that the domain has no MX; an unreachable resolver accepts."""
    try:
        answer = await asyncio.wait_for(dns.asyncresolver.resolve(domain, "MX"), timeout=5)
    except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
        return False
    except (dns.exception.DNSException, asyncio.TimeoutError, OSError):
        return True
    return any(str(record.exchange) not in ("", ".") for record in answer)


async def require_deliverable(email: str, check_mx: bool) -> None:
    if not is_email(email) or (check_mx and not await has_mx(email.rsplit("@", 1)[1])):
        raise ApiError(422, "Email address is not valid.")
