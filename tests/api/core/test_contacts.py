"""Contacts (spec core.md §5.2, §7.3, checklist §16.2)."""

from __future__ import annotations

import pytest

from tests.conftest import ApiClient, make_token

C1 = {"id": "c1", "firstName": "First", "lastName": "Last", "email": "email@example.com"}


def test_empty_list_has_paging_headers(api):
    response = api.get("/v2/contacts")
    assert response.json() == []
    assert response.headers["Limit"] == "100"
    assert response.headers["Max-Limit"] == "1000"
    csv = api.get("/v2/contacts", headers={"Accept": "text/csv"})
    assert csv.text == "\ufeff"
    assert csv.headers["Limit"] == "100"
    assert csv.headers["Max-Limit"] == "10000"


def test_create_get_and_list(api):
    response = api.post("/v2/contacts", json=C1)
    assert response.status_code == 201
    contact = response.json()
    assert {k: contact[k] for k in C1} == C1
    assert contact["metadata"] is None
    assert contact["createdBy"] == api.account_id
    assert api.get("/v2/contacts/c1").json() == contact
    assert api.get("/v2/contacts").json() == [contact]


def test_unspecified_fields_are_null(api):
    contact = api.post("/v2/contacts", json={"id": "c2"}).json()
    assert contact["firstName"] is None and contact["lastName"] is None and contact["email"] is None


@pytest.mark.parametrize(
    "body",
    [
        {"firstName": "no id"},
        {"id": "🐭"},
        {"id": 123},
        {"id": "c", "firstName": 123},
        {"id": "c", "lastName": 123},
        {"id": "c", "email": 123},
        {"id": "c3", "userId": "malicious"},
        {"id": "x" * 80},
        {"id": "c", "email": "jon－paul@example.com"},
        {"id": "\tc"},
        {"id": "c\n"},
    ],
)
def test_invalid_bodies_are_422(api, body):
    assert api.post("/v2/contacts", json=body).status_code == 422


def test_id_length_limit_is_64(api):
    assert api.post("/v2/contacts", json={"id": "a" * 64}).status_code == 201
    response = api.post("/v2/contacts", json={"id": "b" * 65})
    assert response.status_code == 422
    assert "requestBody.id does not meet maximum length of 64" in response.json()["message"]


def test_update_merges_fields(api):
    api.post("/v2/contacts", json=C1)
    response = api.patch("/v2/contacts/c1", json={"firstName": "Customer", "lastName": "One"})
    assert response.status_code == 200
    assert response.json()["firstName"] == "Customer"
    assert response.json()["email"] == "email@example.com"
    assert api.get("/v2/contacts/c1").json() == response.json()


def test_update_cannot_change_id(api):
    api.post("/v2/contacts", json=C1)
    response = api.patch("/v2/contacts/c1", json={"id": "c9"})
    assert response.status_code == 422
    assert response.json()["message"] == "The body id 'c9' does not match the path id 'c1'.  The id cannot be updated."


def test_duplicate_id_is_409(api):
    api.post("/v2/contacts", json=C1)
    response = api.post("/v2/contacts", json=C1)
    assert response.status_code == 409
    assert response.json()["messageCode"] == "ContactIdExists"


def test_unknown_contact_is_404(api):
    response = api.get("/v2/contacts/iamnotavalidcontactid")
    assert response.status_code == 404
    assert response.json()["messageCode"] == "ContactNotFound"


def test_list_is_newest_first(api):
    api.post("/v2/contacts", json=C1)
    api.post("/v2/contacts", json={"id": "c2"})
    assert [c["id"] for c in api.get("/v2/contacts").json()] == ["c2", "c1"]


def test_metadata_round_trips(api):
    metadata = {"s": "text", "n": 1.5, "b": True, "a": [1, "two", None], "o": {"nested": {"deep": 3}}}
    created = api.post("/v2/contacts", json={"id": "c4", "firstName": "F", "metadata": metadata}).json()
    assert created["metadata"] == metadata
    assert api.get("/v2/contacts/c4").json() == created


def test_metadata_larger_than_65535_characters_is_422(api):
    response = api.post("/v2/contacts", json={"id": "big", "metadata": {"k": "x" * 65535}})
    assert response.status_code == 422
    assert "requestBody.metadata must have a maximum number of 65535 characters" in response.json()["message"]


def test_delete_then_gone(api):
    api.post("/v2/contacts", json={"id": "jerry"})
    assert api.delete("/v2/contacts/jerry").json() == {"success": True}
    assert api.get("/v2/contacts/jerry").status_code == 404
    response = api.delete("/v2/contacts/idonotexist")
    assert response.status_code == 404
    assert response.json()["messageCode"] == "ContactNotFound"


def test_unicode_names(api):
    body = {"id": "wang", "firstName": "芷若", "lastName": "王", "email": None, "metadata": None}
    created = api.post("/v2/contacts", json=body).json()
    assert {k: created[k] for k in body} == body


@pytest.mark.parametrize("method", ["GET", "PATCH", "DELETE"])
def test_non_ascii_id_in_path_is_404(api, method):
    response = api.request(method, "/v2/contacts/%F0%9F%92%A9", json={} if method == "PATCH" else None)
    assert response.status_code == 404
    assert response.json()["messageCode"] == "ContactNotFound"


def test_non_ascii_filters_give_empty_lists(api):
    api.post("/v2/contacts", json=C1)
    assert api.get("/v2/contacts?id=%F0%9F%92%A9").json() == []
    assert api.get("/v2/contacts?email=%F0%9F%92%A9").json() == []
    assert [c["id"] for c in api.get("/v2/contacts?id.in=%F0%9F%92%A9,<b>,c1").json()] == ["c1"]


def test_ids_are_case_sensitive(api):
    api.post("/v2/contacts", json={"id": "case-A"})
    api.post("/v2/contacts", json={"id": "case-a"})
    assert api.get("/v2/contacts/case-A").json()["id"] == "case-A"
    assert [c["id"] for c in api.get("/v2/contacts?id=case-a").json()] == ["case-a"]


def test_names_filter_case_insensitively(api):
    api.post("/v2/contacts", json={"id": "j1", "firstName": "Jane"})
    api.post("/v2/contacts", json={"id": "k1", "firstName": "Kim"})
    assert [c["id"] for c in api.get("/v2/contacts?firstName=jane").json()] == ["j1"]
    assert [c["id"] for c in api.get("/v2/contacts?firstName.like=J%25").json()] == ["j1"]


def test_unsupported_operator_is_400(api):
    response = api.get("/v2/contacts?id.like=c%25")
    assert response.status_code == 400
    assert response.json()["message"] == "Query filter key 'id' does not support operator 'like'."


def test_pages_walk_forward_and_back(api):
    ids = [f"p{i:02d}" for i in range(11)]
    for contact_id in ids:
        api.post("/v2/contacts", json={"id": contact_id, "firstName": "J" + contact_id})
    expected = sorted(ids, reverse=True)  # same second: ties broken by id, descending
    first = api.get("/v2/contacts?firstName.like=J%25&limit=5")
    assert first.headers["Limit"] == "5"
    page1 = [c["id"] for c in first.json()]
    links = parse_links(first.headers["Link"])
    assert set(links) == {"next", "last"}
    second = api.get(links["next"])
    page2 = [c["id"] for c in second.json()]
    third = api.get(parse_links(second.headers["Link"])["next"])
    page3 = [c["id"] for c in third.json()]
    assert page1 + page2 + page3 == expected[: len(page1 + page2 + page3)]
    assert len(page3) == 1 and "next" not in parse_links(third.headers["Link"])
    back = api.get(parse_links(second.headers["Link"])["prev"])
    assert [c["id"] for c in back.json()] == page1
    last = api.get(links["last"])
    assert [c["id"] for c in last.json()] == expected[-5:]


def test_bad_cursor_is_400(api):
    assert api.get("/v2/contacts?after=notacursor").status_code == 400


def test_created_date_filter(api):
    api.post("/v2/contacts", json=C1)
    assert [c["id"] for c in api.get("/v2/contacts?createdDate.gt=2020-01-01").json()] == ["c1"]
    assert api.get("/v2/contacts?createdDate.gt=3030-01-01").json() == []
    assert api.get("/v2/contacts?createdDate.gt=notadate").status_code == 400


def test_other_account_sees_nothing(api, client):
    api.post("/v2/contacts", json=C1)
    other = ApiClient(client, make_token("alternate-test-user-TEST"), "alternate-test-user-TEST")
    assert other.get("/v2/contacts/c1").status_code == 404
    assert all(c["id"] != "c1" or False for c in other.get("/v2/contacts?id=c1").json())


def test_shopper_reads_only_its_own_contact(api, account_id):
    api.post("/v2/contacts", json=C1)
    api.post("/v2/contacts", json={"id": "c2"})
    shopper = api.as_token(make_token(account_id, roles=["shopper"], contact_id="c1"))
    assert shopper.get("/v2/contacts/c1").status_code == 200
    assert shopper.get("/v2/contacts/c2").status_code == 403


def test_post_requires_team_member(api, account_id):
    import jwt

    from tests.conftest import JWT_SECRET

    token = jwt.encode({"g": {"gui": account_id}, "roles": ["contactManager"]}, JWT_SECRET, algorithm="HS256")
    assert api.as_token(token).post("/v2/contacts", json={"id": "x"}).status_code == 403


def parse_links(header: str) -> dict[str, str]:
    links = {}
    for part in filter(None, header.split(",<")):
        url, rel = part.lstrip("<").split(">; rel=")
        links[rel.strip('"')] = url
    return links
