"""The error contract: every error is JSON `{"statusCode", "message", "messageCode"?}`."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any


class ApiError(Exception):
    """An error the client caused (or a known conflict), answered with its status and messageCode."""

    def __init__(
        self,
        status: int,
        message: str | None = None,
        message_code: str | None = None,
        **extra: Any,
    ) -> None:
        self.status = status
        self.message = message if message is not None else HTTPStatus(status).phrase
        self.message_code = message_code
        self.extra = extra
        super().__init__(self.message)

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"message": self.message, "statusCode": self.status}
        if self.message_code:
            body["messageCode"] = self.message_code
        body.update(self.extra)
        return body


def bad_request(message: str | None = None, code: str | None = None) -> ApiError:
    return ApiError(400, message, code)


def unauthorized() -> ApiError:
    return ApiError(401)


def forbidden(message: str | None = None, code: str | None = None) -> ApiError:
    return ApiError(403, message, code)


def not_found(message: str | None = None, code: str | None = None) -> ApiError:
    return ApiError(404, message, code)


def conflict(message: str | None = None, code: str | None = None) -> ApiError:
    return ApiError(409, message, code)


def unprocessable(message: str | None = None, code: str | None = None, **extra: Any) -> ApiError:
    return ApiError(422, message, code, **extra)


NO_MATCHING_PATH = "Resource not found.  There are no matching paths.  Check the API documentation."
