"""A small JSON-over-HTTP client for the deployed API (standard library only)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

from churnops.errors import ChurnopsError


def request_json(
    method: str, url: str, payload: Any = None, api_key: str | None = None, timeout: float = 30.0
) -> tuple[int, Any]:
    """Send a request and return (status, parsed JSON body); 4xx/5xx are returned, not raised."""
    data = None if payload is None else json.dumps(payload).encode("utf-8")
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if api_key:
        headers["x-api-key"] = api_key
    try:
        request = urllib.request.Request(url, data=data, headers=headers, method=method)
    except ValueError as error:
        raise ChurnopsError(f"invalid URL {url!r}: {error}; expected http://HOST[:PORT]/PATH") from error
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, _parse(response.read(), url)
    except urllib.error.HTTPError as error:
        return error.code, _parse(error.read(), url)
    except (urllib.error.URLError, TimeoutError, ConnectionError) as error:
        reason = getattr(error, "reason", error)
        raise ChurnopsError(f"cannot reach {url}: {reason}") from error


def post_json(url: str, payload: Any, api_key: str | None = None, timeout: float = 30.0) -> tuple[int, Any]:
    return request_json("POST", url, payload, api_key, timeout)


def _parse(raw: bytes, url: str) -> Any:
    try:
        return json.loads(raw) if raw else None
    except json.JSONDecodeError:
        return {"message": raw.decode("utf-8", "replace")[:500], "url": url}
