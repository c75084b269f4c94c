"""Roles become scopes; negation removes a scope and its children; parents grant children (platform.md §2.8)."""

from lightrail.auth.scopes import effective_scopes, has_scope, load_roles

ROLES = load_roles()


def test_roles_grant_their_scopes():
    scopes = effective_scopes(["pointOfSale"], [], ROLES)
    assert "lightrailV2:transactions:checkout" in scopes
    assert "lightrailV2:currencies" not in scopes


def test_unknown_roles_are_ignored():
    assert effective_scopes(["noSuchRole"], ["a:b"], ROLES) == frozenset({"a:b"})


def test_explicit_scopes_add():
    assert has_scope(effective_scopes([], ["lightrailV2:values"], ROLES), "lightrailV2:values:attach:self")


def test_negation_removes_scope_and_children_but_not_parents():
    scopes = effective_scopes([], ["a", "a:b", "a:b:c", "a:bc", "-a:b"], ROLES)
    assert scopes == frozenset({"a", "a:bc"})
    # The parent still grants the child through the hierarchy: negation removes listed scopes only.
    assert has_scope(scopes, "a:b")


def test_parent_grants_child_and_child_never_parent():
    scopes = frozenset({"lightrailV2:user"})
    assert has_scope(scopes, "lightrailV2:user:mfa:read")
    assert not has_scope(frozenset({"lightrailV2:user:mfa"}), "lightrailV2:user")
    assert not has_scope(scopes, "lightrailV2:users")


def test_shopper_role_has_self_scopes_only():
    scopes = effective_scopes(["shopper"], [], ROLES)
    assert has_scope(scopes, "lightrailV2:contacts:read:self")
    assert not has_scope(scopes, "lightrailV2:contacts:read")
