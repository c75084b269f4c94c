"""The ASGI application: every service mounted under its paths, as the original's gateway did."""

from __future__ import annotations

import importlib
from collections.abc import Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from functools import partial

from fastapi import FastAPI
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from lightrail.auth.badge import BadgeVerifier
from lightrail.auth.requests import allow_all, authenticate
from lightrail.auth.scopes import load_roles
from lightrail.db.engine import Database
from lightrail.gauges import gauges_worker
from lightrail.http.direct import DirectRoutes, direct_table
from lightrail.http.errors import NO_MATCHING_PATH, ApiError
from lightrail.http.middleware import RequestContextMiddleware
from lightrail.http.responses import error_response, json_response
from lightrail.metrics import REGISTRY
from lightrail.settings import Settings
from lightrail.tracking import init_error_tracking

# Each service package has an `api` module with a `router`, and may have an `install(app)` hook in it
# for what it adds to the whole application (background workers, auth hooks). Requests are matched
# against the routers in this order, route by route: transactions, the busiest, come first. No two
# services' routes match the same method and path, so the order changes nothing else.
SERVICES: tuple[str, ...] = (
    "transactions",
    "currencies",
    "contacts",
    "programs",
    "values",
    "reports",
    "storage",
    "webhooks",
    "accounts",
)

BackgroundWorker = Callable[[FastAPI], Awaitable[None]]


class Gateway(FastAPI):
    """The whole API: our request plumbing (request id, access log, metrics) wraps every request, and the
    routes in the direct table are served ahead of FastAPI's own stack.

    FastAPI's stack adds five layers to every request (a telemetry check, server-error handling our
    plumbing already does, a body limit we don't set, OpenTelemetry hooks we don't use, exception
    handlers the direct routes answer themselves), each a coroutine and most a wrapper around `send`
    (docs/performance.md, seventh session). Everything else goes through it as before.
    """

    def serve_directly(self, table: dict, max_body_bytes: int) -> None:
        self._front = RequestContextMiddleware(DirectRoutes(partial(FastAPI.__call__, self), table), max_body_bytes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":  # lifespan and websockets: FastAPI's own
            await super().__call__(scope, receive, send)
            return
        scope["app"] = self
        await self._front(scope, receive, send)


def create_app(settings: Settings, services: Sequence[str] = SERVICES, database: Database | None = None) -> Gateway:
    @asynccontextmanager
    async def lifespan(app: FastAPI):
        import asyncio

        tasks = [asyncio.create_task(worker(app)) for worker in app.state.background_workers] if settings.run_workers else []
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            if database is None:
                await app.state.db.dispose()

    app = Gateway(
        title="Lightrail", version="2", lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None,
    )
    init_error_tracking(settings)
    app.state.settings = settings
    app.state.db = database or Database(settings.effective_database_url, settings.db_pool_size)
    app.state.verifier = BadgeVerifier(settings.effective_jwt_secret, load_roles(settings.roles_file))
    app.state.access_guard = allow_all
    app.state.background_workers: list[BackgroundWorker] = [gauges_worker]

    _install_operations_routes(app)
    routes = list(app.routes)
    for name in services:
        module = importlib.import_module(f"lightrail.{name}.api")
        app.include_router(module.router)
        routes += module.router.routes
        install = getattr(module, "install", None)
        if install is not None:
            install(app)
    _install_error_handlers(app)
    app.serve_directly(direct_table(routes), settings.max_body_bytes)
    return app


def _install_operations_routes(app: FastAPI) -> None:
    async def health(request: Request) -> Response:
        return json_response({})

    app.add_api_route(
        "/v2/healthCheck", health, methods=["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"],
        include_in_schema=False,
    )

    async def metrics(request: Request) -> Response:
        return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)

    app.add_api_route("/metrics", metrics, methods=["GET"], include_in_schema=False)


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(Exception)
    async def server_error(request: Request, exc: Exception) -> Response:
        # FastAPI answers with this and raises the error on to our plumbing, which logs and reports it.
        return error_response(ApiError(500))

    @app.exception_handler(ApiError)
    async def api_error(request: Request, exc: ApiError) -> Response:
        return error_response(exc)

    @app.exception_handler(StarletteHTTPException)
    async def no_route(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code not in (404, 405):
            return error_response(ApiError(exc.status_code))
        # As the original's router: the auth route matched everything, so strangers get 401.
        try:
            await authenticate(request)
        except ApiError as e:
            return error_response(e)
        return error_response(ApiError(404, NO_MATCHING_PATH))
