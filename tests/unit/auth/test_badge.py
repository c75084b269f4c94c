"""Badge tokens: construction, verification and shopper sanitising (platform.md §2)."""

from __future__ import annotations

import asyncio
import time
from datetime import datetime, timezone

import jwt
import pytest

from lightrail.auth.badge import BadgeVerifier, InvalidToken, badge_payload, sign
from lightrail.auth.scopes import load_roles


def run(coro):
    return asyncio.run(coro)


def test_api_key_golden_vector():
    created = datetime(2020, 6, 25, 17, 10, 17, 76000, tzinfo=timezone.utc)
    payload = badge_payload(
        account_id="64f3611d-e4ee-49df-9", user_id="2a1310f5-6ff0-437b-a", roles=["a"], scopes=["b"],
        audience="API", issuer="EDHI", token_id="tok-943c5f2dfe92412a8e14aad111d0f5ee",
        issued_at=round(created.timestamp() * 1000) / 1000,
    )
    token = sign(payload, "secret")
    assert token.split(".")[2] == "KPwyR8xlitBx4FgSEjtyUTtoHappBd7MDq9KizNCYro"


def test_whole_second_iat_is_written_without_fraction():
    token = sign(badge_payload(account_id="a", issued_at=1593105017.0), "s")
    assert jwt.decode(token, options={"verify_signature": False})["iat"] == 1593105017
    assert ".0" not in jwt.utils.base64url_decode(token.split(".")[1]).decode()


def verifier(shared=None):
    async def lookup(account_id):
        return (shared or {}).get(account_id)

    return BadgeVerifier("platform", load_roles(), lookup)


def test_verified_badge_exposes_ids_and_scopes():
    token = sign(badge_payload(account_id="acc-TEST", user_id="u", roles=["reporter"]), "platform")
    principal = run(verifier().verify(token))
    assert principal.account_id == "acc-TEST" and principal.user_id == "u" and principal.is_test
    assert principal.has_scope("lightrailV2:values:list")


@pytest.mark.parametrize(
    "token",
    [
        jwt.encode({"g": {"gui": "a"}}, "other", algorithm="HS256"),
        jwt.encode({"g": {"gui": "a"}}, None, algorithm="none"),
        jwt.encode({"g": {"gui": "a"}, "exp": int(time.time()) - 1}, "platform", algorithm="HS256"),
        jwt.encode({"g": {"gui": "a"}}, "platform", algorithm="HS512"),
        "not.a.token",
    ],
)
def test_forged_or_expired_tokens_are_refused(token):
    with pytest.raises(InvalidToken):
        run(verifier().verify(token))


def test_legacy_date_string_iat_is_accepted():
    token = jwt.encode({"g": {"gui": "a"}, "iat": "2017-01-01T00:00:00.000Z"}, "platform", algorithm="HS256")
    assert run(verifier().verify(token)).account_id == "a"


def test_merchant_token_uses_shared_secret_and_is_reduced_to_shopper():
    claims = {"g": {"gui": "acc", "tmi": "u"}, "iss": "MERCHANT", "roles": ["accountManager"], "scopes": ["lightrailV2"]}
    token = jwt.encode(claims, "merchant-secret", algorithm="HS256")
    principal = run(verifier({"acc": "merchant-secret"}).verify(token))
    assert principal.claims["roles"] == ["shopper"] and principal.claims["scopes"] == []
    assert principal.contact_id == "defaultShopper"
    assert not principal.has_scope("lightrailV2:currencies:list")
    with pytest.raises(InvalidToken):
        run(verifier().verify(token))
    with pytest.raises(InvalidToken):
        run(verifier({"acc": "merchant-secret"}).verify(jwt.encode(claims, "platform", algorithm="HS256")))


def test_cached_token_still_expires():
    v = verifier()
    expires = int(time.time()) + 1
    token = jwt.encode({"g": {"gui": "a"}, "exp": expires}, "platform", algorithm="HS256")
    assert run(v.verify(token)).account_id == "a"
    time.sleep(max(0.0, expires - time.time()) + 0.1)
    with pytest.raises(InvalidToken):
        run(v.verify(token))


def test_shopper_tokens_are_not_cached():
    secrets = {"acc": "one"}
    v = verifier(secrets)
    token = jwt.encode({"g": {"gui": "acc"}, "iss": "MERCHANT"}, "one", algorithm="HS256")
    assert run(v.verify(token)).is_shopper
    secrets["acc"] = "two"  # the merchant rotated its secret
    with pytest.raises(InvalidToken):
        run(v.verify(token))
