"""Coded API errors: HTTP status + stable code + message + path of the offending request field."""
from __future__ import annotations


class ApiError(Exception):
    """Turned into `{ "error": { code, message, path } }` with `status` by the server."""

    def __init__(self, status: int, code: str, message: str, path: str = "") -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.path = status, code, message, path

    def body(self) -> dict:
        return {"error": {"code": self.code, "message": self.message, "path": self.path}}


def bad_request(message: str, path: str = "") -> ApiError:
    return ApiError(400, "BAD_REQUEST", message, path)
