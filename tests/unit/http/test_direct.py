"""Routes served from the direct table answer exactly as FastAPI would have routed them."""

from fastapi import APIRouter, Depends, FastAPI
from fastapi.testclient import TestClient
from starlette.requests import Request
from starlette.responses import Response

from lightrail.http.direct import DirectRoutes, direct_table
from lightrail.http.errors import ApiError
from lightrail.http.responses import json_response


async def caller(request: Request) -> str:
    name = request.headers.get("x-caller")
    if name is None:
        raise ApiError(401)
    return name


def build() -> tuple[FastAPI, dict]:
    router = APIRouter()
    seen = {}

    @router.get("/things/{thing}")
    async def one_thing(thing: str) -> Response:
        return json_response({"route": "param", "thing": thing})

    @router.get("/things/special")  # shadowed: FastAPI gives it to the route above
    async def special(request: Request) -> Response:
        return json_response({"route": "special"})

    @router.post("/things")
    async def create(request: Request, who: str = Depends(caller)) -> Response:
        seen["route"] = request.scope["route"].path
        return json_response({"by": who, "body": await request.json()}, 201)

    @router.get("/things")
    async def listing(limit: int = 10) -> Response:  # a query parameter: FastAPI's to parse
        return json_response({"limit": limit})

    @router.get("/plain")
    async def plain() -> dict:  # not a Response: FastAPI's to serialise
        return {"plain": True}

    async def unresolved(request: Request) -> Response:
        return json_response({"unresolved": True})

    unresolved.__annotations__["return"] = "NotImportedHere"  # a name only a type checker would know
    router.get("/unresolved")(unresolved)

    app = FastAPI()
    app.include_router(router)

    @app.exception_handler(ApiError)
    async def api_error(request: Request, exc: ApiError) -> Response:
        return json_response(exc.body(), exc.status)

    table = direct_table(router.routes)
    app.add_middleware(DirectRoutes, table=table)
    return app, {"table": table, "seen": seen}


def test_only_plain_unshadowed_routes_are_direct():
    _, ctx = build()
    assert set(ctx["table"]) == {("POST", "/things")}


def test_direct_route_runs_dependencies_and_names_its_route():
    app, ctx = build()
    with TestClient(app) as client:
        response = client.post("/things", json={"a": 1}, headers={"x-caller": "ann"})
        assert (response.status_code, response.json()) == (201, {"by": "ann", "body": {"a": 1}})
        assert ctx["seen"]["route"] == "/things"
        refused = client.post("/things", json={}, headers={})
        assert refused.status_code == 401 and refused.json()["statusCode"] == 401


def test_everything_else_is_routed_by_fastapi_as_before():
    app, _ = build()
    with TestClient(app) as client:
        assert client.get("/things/special").json() == {"route": "param", "thing": "special"}
        assert client.get("/things?limit=3").json() == {"limit": 3}
        assert client.get("/plain").json() == {"plain": True}
        assert client.get("/unresolved").json() == {"unresolved": True}
        assert client.put("/things").status_code == 405
