"""The readiness export POSTed to flight operations or crew management, page by page, through the
HTTP provider's hook (page protocol: `aerosync.crew.readiness.export`).

As for the marketplace: no call is retried (a page that fails stops the post, and the task has no
retries), and every call is recorded before it goes out, so a worker killed mid-call leaves a
record that says the page's outcome is unknown rather than that nothing was sent. Any 2xx answer
accepts a page; anything else, or no answer, fails the post naming the page, with the answer's
start redacted against the connection's secrets (a server may echo the request's
`Authorization` header).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from aerosync.config.readiness import ReadinessPost
from aerosync.redaction import error_excerpt, redact

JSON_HEADERS = {"Content-Type": "application/json", "Accept": "application/json"}


class PostFailed(RuntimeError):
    """A page was refused or not answered; the message names it and is safe to show."""

    def __init__(self, message: str, accepted_rows: int) -> None:
        super().__init__(message)
        self.accepted_rows = accepted_rows


# Called before each page goes out: (page, pages, rows accepted so far).
BeforeCall = Callable[[int, int, int], None]


def post_pages(
    target: ReadinessPost,
    bodies: Sequence[str],
    rows_per_page: Sequence[int],
    before_call: BeforeCall,
) -> int:
    """POST each body in order, once; returns the rows of the accepted pages."""
    import requests
    from airflow.providers.http.hooks.http import HttpHook

    from aerosync.airflow.masking import mask_connection

    secrets = mask_connection(target.conn_id)
    hook = HttpHook(method="POST", http_conn_id=target.conn_id)
    options: dict[str, Any] = {"timeout": target.timeout_seconds, "check_response": False}
    accepted = 0
    for index, body in enumerate(bodies):
        page = index + 1
        what = f"POST {target.endpoint} page {page} of {len(bodies)}"
        before_call(page, len(bodies), accepted)
        try:
            response = hook.run(
                endpoint=target.endpoint, data=body, headers=JSON_HEADERS, extra_options=options
            )
        except requests.RequestException as exc:  # no answer (timeout, refused): never a body
            raise PostFailed(
                f"{what}: {type(exc).__name__} (no answer; the endpoint may hold the page)",
                accepted,
            ) from None
        status = int(response.status_code)
        if not 200 <= status < 300:
            reason = redact(str(response.reason or ""), secrets)
            excerpt = error_excerpt(response.text, secrets)
            raise PostFailed(
                f"{what}: HTTP {status} {reason}".rstrip() + (f": {excerpt}" if excerpt else ""),
                accepted,
            )
        accepted += rows_per_page[index]
    return accepted
