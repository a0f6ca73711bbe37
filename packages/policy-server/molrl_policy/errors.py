"""Coded API errors: HTTP status + stable code + message + path of the offending request field (+ details)."""
from __future__ import annotations

from typing import Any


class ApiError(Exception):
    """Turned into `{ "error": { code, message, path, details? } }` with `status` by the server."""

    def __init__(self, status: int, code: str, message: str, path: str = "",
                 details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.path, self.details = status, code, message, path, details

    def body(self) -> dict:
        err: dict[str, Any] = {"code": self.code, "message": self.message, "path": self.path}
        if self.details:
            err["details"] = self.details
        return {"error": err}


def bad_request(message: str, path: str = "") -> ApiError:
    return ApiError(400, "BAD_REQUEST", message, path)
