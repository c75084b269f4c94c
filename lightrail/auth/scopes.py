"""Roles become scopes; `-scope` removes a scope and its children; a parent scope grants its children."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from importlib import resources
from pathlib import Path

RoleDefinitions = Mapping[str, frozenset[str]]

# The presets the account service grants at registration, invitation and account creation.
FULL_ACCESS_ROLES = (
    "webPortal", "pointOfSale", "teamAdmin", "accountManager", "programManager", "contactManager",
    "customerServiceRepresentative", "customerServiceManager", "promoter", "reporter",
    "securityManager", "self",
)
LIMITED_ACCESS_ROLES = tuple(r for r in FULL_ACCESS_ROLES if r != "teamAdmin")


def load_roles(path: Path | None = None) -> RoleDefinitions:
    text = path.read_text() if path else resources.files("lightrail.auth").joinpath("roles.json").read_text()
    return {role["name"]: frozenset(role["scopes"]) for role in json.loads(text)["roles"]}


def effective_scopes(roles: Iterable[str], scopes: Iterable[str], definitions: RoleDefinitions) -> frozenset[str]:
    granted: set[str] = set()
    for role in roles:
        granted |= definitions.get(role, frozenset())
    explicit = list(scopes)
    granted.update(s for s in explicit if not s.startswith("-"))
    for negated in (s[1:] for s in explicit if s.startswith("-")):
        granted = {s for s in granted if s != negated and not s.startswith(negated + ":")}
    return frozenset(granted)


def has_scope(effective: frozenset[str], scope: str) -> bool:
    parts = scope.split(":")
    return any(":".join(parts[:i]) in effective for i in range(len(parts), 0, -1))
