"""Races: requests that pass a check ("is this address free?", "is this under the limit?") at the same moment
must still get the answers the requests would get one after the other, never a 5xx (on PostgreSQL the
loser of such a race meets the unique key, or overshoots a limit, unless the service handles it).

Every test fires its requests concurrently on the app's own loop, a few rounds."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx

from tests.api.accounts.conftest import PASSWORD, Browser, body, link_token, new_email
from tests.api.accounts.test_mfa import away_from_step_boundary, code

ROUNDS = 4
VERIFY = "/v2/user/register/verifyEmail"
ACCEPT = "/v2/user/register/acceptInvitation"


def new_ip() -> str:
    n = uuid.uuid4().int
    return f"172.{16 + n % 16}.{(n >> 8) % 256}.{(n >> 16) % 256}"


def headers(user: Browser | None = None, ip: str | None = None) -> dict[str, str]:
    """What a browser sends: its address, X-Requested-With and (when logged in) its session cookies."""
    found = {"X-Forwarded-For": f"{ip or (user.ip if user else new_ip())}, 192.0.2.1", "X-Requested-With": "XMLHttpRequest"}
    if user is not None and user.cookies:
        found["Cookie"] = "; ".join(f"{k}={v}" for k, v in user.cookies.items())
    return found


def race(run_async, app, *requests: tuple[str, str, dict[str, Any] | None, dict[str, str]]) -> list[httpx.Response]:  # noqa: ANN001
    """Sends (method, path, json, headers) requests all at once; their responses in the same order."""

    async def fire() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://lightrail.test") as client:
            return await asyncio.gather(*(
                client.request(method, path, json=json, headers=sent) for method, path, json, sent in requests
            ))

    return run_async(fire)


def no_5xx(responses: list[httpx.Response]) -> None:
    assert all(r.status_code < 500 for r in responses), [(r.status_code, r.text) for r in responses]


def registration(address: str, ip: str | None = None) -> tuple[str, str, dict[str, Any], dict[str, str]]:
    return "POST", "/v2/user/register", {"email": address, "password": PASSWORD, "name": "Racer"}, headers(ip=ip)


def links(mailbox, address: str, path: str) -> list[str]:  # noqa: ANN001
    return [m for m in mailbox.to(address) if path in body(m)]


def test_racing_registrations_of_one_new_email_all_get_201_and_make_one_user(web_client, accounts_app, mailbox, run_async):
    """§4.5: a registration of an existing email silently answers 201 and mails the owner a "Recover" link."""
    for _ in range(ROUNDS):
        address = new_email()
        responses = race(run_async, accounts_app, *(registration(address) for _ in range(3)))
        no_5xx(responses)
        assert [r.status_code for r in responses] == [201, 201, 201], [r.text for r in responses]
        # One registration made the user; the others were told apart only by mail, to the owner.
        assert len(links(mailbox, address, VERIFY)) == 1
        assert [m["Subject"] for m in mailbox.to(address)].count("Recover Your Lightrail Account") == 2
        user = Browser(web_client)
        assert user.get(f"{VERIFY}?token={link_token(links(mailbox, address, VERIFY)[0], VERIFY)}").status_code == 302
        assert len(user.get("/v2/user/accounts").json()) == 1


def test_registration_limit_holds_under_concurrent_registrations(accounts_app, run_async):
    """§4.5 step 2: ten registrations per address in 24 h, however many arrive at once."""
    for _ in range(2):
        ip = new_ip()
        responses = race(run_async, accounts_app, *(registration(new_email(), ip) for _ in range(13)))
        no_5xx(responses)
        assert sorted(r.status_code for r in responses) == [201] * 10 + [429] * 3, [r.status_code for r in responses]


def test_invitation_racing_the_registration_of_its_email(register, web_client, accounts_app, mailbox, run_async):
    """Either order ends with one user, the invitation pending, and the registrant able to verify and log in."""
    for _ in range(ROUNDS):
        owner, _ = register()
        address = new_email()
        invitation, registered = race(
            run_async, accounts_app,
            ("POST", "/v2/account/invitations", {"email": address, "userPrivilegeType": "FULL_ACCESS"}, headers(owner)),
            registration(address),
        )
        no_5xx([invitation, registered])
        assert (invitation.status_code, registered.status_code) == (201, 201), (invitation.text, registered.text)
        assert invitation.json()["email"] == address
        assert [i["userId"] for i in owner.get("/v2/account/invitations").json()] == [invitation.json()["userId"]]
        verification = links(mailbox, address, VERIFY)
        assert len(verification) == 1 and len(links(mailbox, address, ACCEPT)) == 1
        user = Browser(web_client)
        assert user.get(f"{VERIFY}?token={link_token(verification[0], VERIFY)}").status_code == 302
        assert user.get("/v2/user").json()["id"] == invitation.json()["userId"]
        assert len(user.get("/v2/user/accounts").json()) == 1


def test_racing_invitations_of_one_email_all_get_201(register, accounts_app, mailbox, run_async):
    """The same account inviting twice at once (a resend), and two accounts inviting the same new address."""
    for _ in range(ROUNDS):
        owner, _ = register()
        other, _ = register()
        address = new_email()
        invite = ("POST", "/v2/account/invitations", {"email": address, "userPrivilegeType": "LIMITED_ACCESS"})
        responses = race(run_async, accounts_app, (*invite, headers(owner)), (*invite, headers(owner)), (*invite, headers(other)))
        no_5xx(responses)
        assert [r.status_code for r in responses] == [201, 201, 201], [r.text for r in responses]
        assert len({r.json()["userId"] for r in responses}) == 1
        assert len(owner.get("/v2/account/invitations").json()) == 1
        assert len(other.get("/v2/account/invitations").json()) == 1
        assert len(links(mailbox, address, ACCEPT)) == 3


def test_confirmed_email_change_racing_a_registration_of_that_email(register, web_client, accounts_app, mailbox, run_async):
    """Change first: 302, and the registration is the silent 201 of an existing address.  Registration first:
    201, and the change is refused with 409 as the address is taken."""
    for _ in range(ROUNDS):
        user, old = register()
        wanted = new_email()
        assert user.post("/v2/user/changeEmail", {"email": wanted}).status_code == 200
        token = link_token(mailbox.last(wanted), "/v2/user/changeEmail/complete")
        changed, registered = race(
            run_async, accounts_app, ("GET", f"/v2/user/changeEmail/complete?token={token}", None, headers()), registration(wanted),
        )
        no_5xx([changed, registered])
        assert registered.status_code == 201, registered.text
        if changed.status_code == 302:
            assert user.get("/v2/user").json()["email"] == wanted
            assert [m["Subject"] for m in mailbox.to(wanted)][-1] == "Recover Your Lightrail Account"
        else:
            assert changed.status_code == 409, changed.text
            assert changed.json()["message"] == "The email address is already in use in the Lightrail system."
            assert user.get("/v2/user").json()["email"] == old
            assert len(links(mailbox, wanted, VERIFY)) == 1


def test_racing_requests_for_backup_codes_get_the_same_codes(register, accounts_app, run_async):
    from tests.api.accounts.test_mfa import enable_totp

    for _ in range(ROUNDS):
        user, _ = register()
        enable_totp(user)
        responses = race(run_async, accounts_app, *(("GET", "/v2/user/mfa/backupCodes", None, headers(user)) for _ in range(3)))
        no_5xx(responses)
        assert [r.status_code for r in responses] == [200, 200, 200], [r.text for r in responses]
        assert len({tuple(r.json()) for r in responses}) == 1 and len(responses[0].json()) == 10
        assert user.get("/v2/user/mfa/backupCodes").json() == responses[0].json()


def test_racing_mfa_completions_with_one_code_accept_it_once(register, accounts_app, run_async):
    """§4.7: the first valid code is accepted, the same code again is "already entered"; then a second code."""
    for _ in range(ROUNDS):
        user, _ = register()
        secret = user.post("/v2/user/mfa", {"device": "totp"}).json()["secret"]
        away_from_step_boundary()
        first = code(secret, -30)
        responses = race(run_async, accounts_app, *(("POST", "/v2/user/mfa/complete", {"code": first}, headers(user)) for _ in range(3)))
        no_5xx(responses)
        assert sorted(r.status_code for r in responses) == [200, 409, 409], [r.text for r in responses]
        assert [r.json() for r in responses if r.status_code == 200] == \
            [{"complete": False, "message": "Code accepted.  Please enter the next code."}]
        assert {r.json()["message"] for r in responses if r.status_code == 409} == \
            {"You have already entered this code.  Please enter the next code."}
        assert user.post("/v2/user/mfa/complete", {"code": code(secret)}).json() == {"complete": True, "message": "Success."}


def test_racing_password_changes_from_one_old_password_let_one_through(register, browser, accounts_app, run_async):
    """Whoever knows the password may change it once: a second change that presented the same old
    password at the same moment must find it already replaced, as it would one after the other."""
    for round_ in range(ROUNDS):
        user, address = register()
        news = [f"racing new secret {round_} {i}" for i in range(3)]
        responses = race(run_async, accounts_app, *(
            ("POST", "/v2/user/changePassword", {"oldPassword": PASSWORD, "newPassword": new}, headers(user)) for new in news
        ))
        no_5xx(responses)
        assert sorted(r.status_code for r in responses) == [200, 409, 409], [r.text for r in responses]
        assert {r.json()["messageCode"] for r in responses if r.status_code == 409} == {"IncorrectPassword"}
        winner = next(new for new, r in zip(news, responses) if r.status_code == 200)
        logins = {new: browser.fresh().post("/v2/user/login", {"email": address, "password": new}).status_code for new in [PASSWORD, *news]}
        assert logins == {new: 200 if new == winner else 401 for new in logins}
