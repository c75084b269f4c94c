"""Shopper tokens signed with the merchant's stored jwtSecret (platform.md §2.6)."""

from __future__ import annotations

import time

from lightrail.auth.badge import badge_payload, sign

MERCHANT_SECRET = "merchant-shared-secret"


def shopper_token(account_id: str, secret: str, contact_id: str | None = "", roles=("shopper",), scopes=()) -> str:
    now = int(time.time())
    payload = badge_payload(
        account_id=account_id, user_id=account_id, contact_id=contact_id, roles=list(roles), scopes=list(scopes),
        issuer="MERCHANT", issued_at=now, expires_at=now + 43200,
    )
    return sign(payload, secret, {"alg": "HS256", "typ": "JWT", "ver": 3, "vav": 1})


def test_shopper_token_is_verified_with_the_stored_secret(api, account_id):
    shopper = api.as_token(shopper_token(account_id, MERCHANT_SECRET))
    assert shopper.get("/v1/storage/turnkeyPublicConfig").status_code == 401  # no secret set yet

    api.put("/v1/storage/jwtSecret", json=MERCHANT_SECRET)
    api.put("/v1/storage/turnkeyPublicConfig", json={"stripePublicKey": "pk_test_1"})
    response = shopper.get("/v1/storage/turnkeyPublicConfig")
    assert response.status_code == 200
    assert response.json() == {"stripePublicKey": "pk_test_1"}


def test_shopper_token_signed_with_another_secret_is_401(api, account_id):
    api.put("/v1/storage/jwtSecret", json=MERCHANT_SECRET)
    forged = api.as_token(shopper_token(account_id, "not-the-secret"))
    assert forged.get("/v1/storage/turnkeyPublicConfig").status_code == 401


def test_shopper_token_gets_only_shopper_scopes_whatever_it_claims(api, account_id):
    api.put("/v1/storage/jwtSecret", json=MERCHANT_SECRET)
    greedy = api.as_token(shopper_token(
        account_id, MERCHANT_SECRET, roles=["accountManager", "webPortal"], scopes=["lightrailV1:portal"],
    ))
    assert greedy.get("/v1/storage").status_code == 403
    assert greedy.put("/v1/storage/turnkeyPublicConfig", json={}).status_code == 403
    assert greedy.get("/v1/storage/jwtSecret").status_code == 403
    assert greedy.get("/v2/currencies").status_code == 403


def test_changing_or_deleting_the_secret_takes_effect_at_once(api, account_id):
    api.put("/v1/storage/jwtSecret", json=MERCHANT_SECRET)
    api.put("/v1/storage/turnkeyPublicConfig", json=1)
    old = api.as_token(shopper_token(account_id, MERCHANT_SECRET))
    assert old.get("/v1/storage/turnkeyPublicConfig").status_code == 200

    api.put("/v1/storage/jwtSecret", json="rotated-secret")
    assert old.get("/v1/storage/turnkeyPublicConfig").status_code == 401
    new = api.as_token(shopper_token(account_id, "rotated-secret"))
    assert new.get("/v1/storage/turnkeyPublicConfig").status_code == 200

    api.delete("/v1/storage/jwtSecret")
    assert new.get("/v1/storage/turnkeyPublicConfig").status_code == 401


def test_test_and_live_secrets_are_separate(api, account_id):
    api.put("/v1/storage/jwtSecret", json=MERCHANT_SECRET)
    live = account_id.removesuffix("-TEST")
    assert api.as_token(shopper_token(live, MERCHANT_SECRET)).get("/v1/storage/turnkeyPublicConfig").status_code == 401
