"""Schemathesis hooks for scripts/schemathesis.sh (loaded through SCHEMATHESIS_HOOKS).

One custom check, `json_error_body`: the hardening issue asks that every request the fuzzer can make be answered
with "a 4xx with a JSON error - never a 5xx, never a hang". `not_a_server_error` covers the 5xx and
`--request-timeout` the hang; this covers the "JSON error": every 4xx must be `application/json` whose body is an
object with a non-empty `message` (a string, or a list of strings as Nest's validation pipe makes), which is what
the service's exception filter answers (`{"message", "error", "statusCode"}`).

The document declares every operation's error answers with the one error schema (`ApiError`), so
`response_schema_conformance` checks those too; this check still covers what no operation declares - an unknown
route's or an undeclared method's 404 - and states the rule in one line.
"""

from __future__ import annotations

import json

import schemathesis


def _media_type(response: schemathesis.Response) -> str:
    values = response.headers.get("content-type") or [""]
    return values[0].split(";", 1)[0].strip().lower()


@schemathesis.check
def json_error_body(ctx: schemathesis.CheckContext, response: schemathesis.Response, case: schemathesis.Case) -> None:
    """A 4xx answer is a JSON object with a non-empty `message`."""
    if not 400 <= response.status_code < 500:
        return None
    media_type = _media_type(response)
    if media_type != "application/json" and not media_type.endswith("+json"):
        raise AssertionError(
            f"{response.status_code} answered with Content-Type {media_type or '(none)'!r}, expected application/json"
        )
    try:
        body = json.loads(response.content or b"")
    except ValueError as exc:
        raise AssertionError(f"{response.status_code} answered with a body that is not JSON: {exc}") from None
    if not isinstance(body, dict):
        raise AssertionError(f"{response.status_code} answered with JSON that is not an object: {type(body).__name__}")
    message = body.get("message")
    ok = (isinstance(message, str) and message.strip() != "") or (
        isinstance(message, list) and message and all(isinstance(m, str) and m.strip() for m in message)
    )
    if not ok:
        raise AssertionError(f"{response.status_code} answered without a non-empty `message`: {body!r}"[:500])
    return None
