"""Request bodies: JSON parsing and validation errors worded as the original's JSON-schema validator did.

Clients match on those sentences (e.g. `requestBody.id does not meet maximum length of 64`), so pydantic's
errors are translated into them rather than exposed as they are.
"""

from __future__ import annotations

import re
from typing import Any, TypeVar

import orjson
from pydantic import BaseModel, ValidationError
from starlette.requests import Request

from lightrail.http.errors import ApiError

M = TypeVar("M", bound=BaseModel)

_TYPE_NAMES = {
    "string_type": "string",
    "int_type": "integer",
    "int_from_float": "integer",
    "bool_type": "boolean",
    "float_type": "number",
    "dict_type": "object",
    "model_type": "object",
    "model_attributes_type": "object",
    "list_type": "array",
}


async def read_json(request: Request) -> Any:
    """The parsed body, or None when there is none; 400 when it is not JSON.

    Bodies are read as JSON whatever their declared type, so `curl -d '{…}'` works as people expect.
    """
    raw = await request.body()
    if not raw.strip():
        return None
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as e:
        raise ApiError(400, f"Unable to parse JSON body: {e}") from None


async def parse_body(request: Request, model: type[M]) -> M:
    return validate_body(model, await read_json(request), request.method)


def validate_body(model: type[M], data: Any, method: str) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as e:
        raise validation_error(method, [_describe(err) for err in e.errors()]) from None


def validation_error(method: str, messages: list[str]) -> ApiError:
    return ApiError(
        422,
        f"The {method.upper()} body has {len(messages)} validation error(s): {', '.join(messages)}.",
    )


def _path(loc: tuple[Any, ...]) -> str:
    text = "requestBody"
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        elif part in _TYPE_NAMES or part in ("str", "int", "bool", "float", "none", "dict", "list"):
            # pydantic names union members in the location; JSON schema paths don't.
            continue
        else:
            text += f".{part}"
    return text


def _describe(err: dict[str, Any]) -> str:
    kind = err["type"]
    loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and (p.startswith("function-") or "[" in p)))
    ctx = err.get("ctx") or {}
    if kind == "missing":
        return f'{_path(loc[:-1])} requires property "{loc[-1]}"'
    if kind == "extra_forbidden":
        return f'{_path(loc[:-1])} additionalProperty "{loc[-1]}" exists in instance when not allowed'
    path = _path(loc)
    if kind in _TYPE_NAMES:
        return f"{path} is not of a type(s) {_TYPE_NAMES[kind]}"
    if kind == "string_too_long":
        return f"{path} does not meet maximum length of {ctx['max_length']}"
    if kind == "string_too_short":
        return f"{path} does not meet minimum length of {ctx['min_length']}"
    if kind == "too_long":
        return f"{path} has more items than allowed"
    if kind == "too_short":
        return f"{path} does not meet minimum length of {ctx.get('min_length')}"
    if kind == "string_pattern_mismatch":
        return f'{path} does not match pattern "{ctx["pattern"]}"'
    if kind in ("greater_than_equal", "greater_than"):
        return f"{path} must have a minimum value of {ctx.get('ge', ctx.get('gt'))}"
    if kind in ("less_than_equal", "less_than"):
        return f"{path} must have a maximum value of {ctx.get('le', ctx.get('lt'))}"
    if kind in ("literal_error", "enum"):
        expected = re.findall(r"'([^']*)'", str(ctx.get("expected", "")))
        return f"{path} is not one of enum values: {','.join(expected)}"
    if kind == "value_error":
        return f"{path} {str(err['msg']).removeprefix('Value error, ')}"
    return f"{path} {err['msg']}"
