"""Routes with a fixed path served straight from a table, ahead of FastAPI's routing.

FastAPI matches a request against every route in turn, then resolves the endpoint's dependencies
through its general machinery (an exit stack, signature-driven solving): about a sixth of the API
process's time on a checkout. Most of our endpoints need none of that: their path has no parameters,
they take the request and dependencies that take only the request, and they return a Response. Those
are looked up here by method and path and called directly; everything else goes to FastAPI as before.
"""

from __future__ import annotations

import inspect
import typing
from collections.abc import Awaitable, Callable, Iterable

from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute
from starlette.types import ASGIApp, Receive, Scope, Send

from lightrail.http.errors import ApiError
from lightrail.http.responses import error_response

Handler = Callable[[Request], Awaitable[Response]]


class DirectRoutes:
    def __init__(self, app: ASGIApp, table: dict[tuple[str, str], tuple[APIRoute, Handler]]) -> None:
        self.app = app
        self.table = table

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        hit = self.table.get((scope.get("method"), scope["path"])) if scope["type"] == "http" else None
        if hit is None:
            await self.app(scope, receive, send)
            return
        route, handler = hit
        scope["route"] = route  # what the access log and the metrics name the request by
        try:
            response = await handler(Request(scope, receive))
        except ApiError as e:
            response = error_response(e)
        await response(scope, receive, send)


def direct_table(routes: Iterable[BaseRoute]) -> dict[tuple[str, str], tuple[APIRoute, Handler]]:
    """Every (method, path) of these routes that can be served directly, with its handler. The routes
    must be mounted as they are (routers included without prefix or dependencies of their own)."""
    table = {}
    earlier: list[APIRoute] = []
    for route in routes:
        if not isinstance(route, APIRoute):
            continue
        handler = None if "{" in route.path else _direct_handler(route)
        if handler is not None:
            for method in route.methods:
                # FastAPI would give the request to the first route that matches it, whatever its shape.
                if not any(method in e.methods and e.path_regex.match(route.path) for e in earlier):
                    table[(method, route.path)] = (route, handler)
        earlier.append(route)
    return table


def _takes_only_the_request(dependant: Dependant) -> bool:
    plain = not (
        dependant.path_params or dependant.query_params or dependant.header_params or dependant.cookie_params
        or dependant.body_params or dependant.response_param_name or dependant.background_tasks_param_name
        or dependant.security_scopes_param_name or dependant.websocket_param_name or dependant.http_connection_param_name
    )
    return plain and inspect.iscoroutinefunction(dependant.call)


def _direct_handler(route: APIRoute) -> Handler | None:
    endpoint = route.dependant
    dependencies = endpoint.dependencies
    if not _takes_only_the_request(endpoint) or not _returns_response(endpoint.call):
        return None
    if not all(d.name and d.request_param_name and not d.dependencies and _takes_only_the_request(d) for d in dependencies):
        return None
    call, request_name = endpoint.call, endpoint.request_param_name
    named = [(d.name, d.call) for d in dependencies]

    async def handle(request: Request) -> Response:
        kwargs = {name: await dependency(request) for name, dependency in named}
        if request_name:
            kwargs[request_name] = request
        return await call(**kwargs)

    return handle


def _returns_response(call: Callable[..., object]) -> bool:
    try:
        returned = typing.get_type_hints(call).get("return")
    except NameError:  # an annotation that cannot be resolved here: leave the route to FastAPI
        return False
    return isinstance(returned, type) and issubclass(returned, Response)
