"""HTTP client of `molrl serve`'s native route POST /v1/score, with retries of overload and infrastructure answers."""
from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

# Answers worth retrying: overload (429), infrastructure fault or shutdown (503), timeout (504).
RETRY_STATUSES = frozenset({429, 502, 503, 504})


class MolrlClientError(Exception):
    """The server refused the request (4xx) or kept failing; `code` is the server's error code when it sent one."""

    def __init__(self, message: str, status: int | None = None, code: str | None = None):
        super().__init__(message)
        self.status = status
        self.code = code


class MolrlInfraError(MolrlClientError):
    """Samples stayed `infra_error` (the sandbox infrastructure failed) after every retry: never a score of 0."""


@dataclass
class MolrlClient:
    """Client of one server. `url` is the server's base URL, e.g. http://127.0.0.1:8080."""

    url: str
    token: str | None = None
    timeout: float = 300.0
    retries: int = 5
    backoff: float = 1.0

    def score(self, samples: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """POST /v1/score; returns one result per sample, in input order (`molrl score --json` objects)."""
        body = json.dumps({"samples": samples}).encode()
        headers = {"content-type": "application/json", "accept": "application/json"}
        if self.token:
            headers["authorization"] = f"Bearer {self.token}"
        last: Exception | None = None
        for attempt in range(self.retries + 1):
            request = urllib.request.Request(self.url.rstrip("/") + "/v1/score", data=body, headers=headers, method="POST")
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as answer:
                    return json.loads(answer.read())["results"]
            except urllib.error.HTTPError as e:
                detail = _error_of(e)
                if e.code not in RETRY_STATUSES:
                    raise MolrlClientError(f"molrl serve answered {e.code}: {detail.get('message', e.reason)}", e.code, detail.get("code")) from e
                last = MolrlClientError(f"molrl serve answered {e.code}: {detail.get('message', e.reason)}", e.code, detail.get("code"))
                wait = _retry_after(e) or self.backoff * (attempt + 1)
            except (urllib.error.URLError, ConnectionError, TimeoutError) as e:
                last = e
                wait = self.backoff * (attempt + 1)
            if attempt < self.retries:
                time.sleep(wait)
        raise MolrlClientError(f"molrl serve at {self.url} failed {self.retries + 1} times; last error: {last}") from last


def _error_of(e: urllib.error.HTTPError) -> dict[str, Any]:
    try:
        return json.loads(e.read()).get("error") or {}
    except Exception:
        return {}


def _retry_after(e: urllib.error.HTTPError) -> float | None:
    try:
        return float(e.headers.get("retry-after"))
    except (TypeError, ValueError):
        return None


def json_safe(value: Any) -> Any:
    """`value` as plain JSON data: numpy scalars and arrays, tuples and sets become numbers and lists; the rest is dropped (None)."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            safe = json_safe(v)
            if safe is not None or v is None:
                out[str(k)] = safe
        return out
    if isinstance(value, (list, tuple, set)):
        return [json_safe(v) for v in value]
    if hasattr(value, "tolist"):  # numpy arrays and scalars, torch tensors
        return json_safe(value.tolist())
    return None
