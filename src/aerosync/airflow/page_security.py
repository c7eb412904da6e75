"""What every answer of AeroSync's pages carries, and the check that a form post came from them.

The pages are framed by the Airflow UI (a plugin's external view is an iframe on the same
origin), so framing is allowed from Airflow's own origin only; they run no script, so none may
run, whatever a status record holds. Nothing is cached: the pages show one user's companies.

A form post authenticates with the UI's `_token` cookie, which the browser adds by itself. The
cookie is `SameSite=Lax`, which keeps other *sites* out, but not another application on the same
host (another port is the same site): the post must name this page's origin in `Origin` (or, when
a browser sends none, `Referer`). A request carrying a bearer token instead is no forgery risk.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        "frame-ancestors 'self'"
    ),
    "X-Frame-Options": "SAMEORIGIN",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


# The GX Data Docs the plugin serves (`aerosync.quality.data_docs`) are GX's own pages: GX's
# templates run inline scripts and load Bootstrap, jQuery and bootstrap-table from public CDNs.
# Their content is what AeroSync wrote: GX's templates (Jinja autoescape on), the suites, counts
# (values are redacted) and run labels of `[A-Za-z0-9_.-]`. They may script, but not post forms,
# connect anywhere, nor be framed by another origin.
_GX_CDNS = (
    "https://cdn.jsdelivr.net https://cdnjs.cloudflare.com https://code.jquery.com "
    "https://stackpath.bootstrapcdn.com https://maxcdn.bootstrapcdn.com https://unpkg.com"
)
DATA_DOCS_CSP = (
    f"default-src 'self'; script-src 'self' 'unsafe-inline' {_GX_CDNS}; "
    f"style-src 'self' 'unsafe-inline' {_GX_CDNS}; font-src 'self' data: {_GX_CDNS}; "
    "img-src 'self' data: https://great-expectations-web-assets.s3.us-east-2.amazonaws.com; "
    "connect-src 'none'; form-action 'none'; frame-ancestors 'self'"
)
_CSP = "Content-Security-Policy"


class SecurityHeaders:
    """ASGI middleware adding `SECURITY_HEADERS` to every answer, errors and 401s included; an
    answer that set its own policy (the Data Docs route: `DATA_DOCS_CSP`) keeps it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    if name == _CSP and headers.get(_CSP) == DATA_DOCS_CSP:
                        continue
                    headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _origin_of(url: str) -> tuple[str, str] | None:
    parts = urlsplit(url)
    if not parts.scheme or not parts.netloc:
        return None
    return parts.scheme.lower(), parts.netloc.lower()


def posted_from_our_page(request: Request, *, also: str | None = None) -> bool:
    """Whether a cookie-authenticated post comes from this server's own pages: its `Origin`
    (else `Referer`) is the host the request was sent to, or the origin of `also` (Airflow's
    `[api] base_url`, for a proxy that rewrites `Host`). No header at all is refused."""
    claimed = request.headers.get("origin") or request.headers.get("referer")
    if not claimed or claimed == "null":
        return False
    origin = _origin_of(claimed)
    if origin is None:
        return False
    host = (request.headers.get("host") or "").lower()
    allowed = {(request.url.scheme.lower(), host)} if host else set()
    if also and (configured := _origin_of(also)) is not None:
        allowed.add(configured)
    return origin in allowed
