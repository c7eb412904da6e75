"""Where a marketplace connection sends its tokens: https, or plain http only to this machine.

The tokens travel in the headers of every call, so a connection must never send them in clear
over a network. A host without a scheme means https (the HTTP provider would otherwise assume
http); `http://` is accepted only for a loopback host (127.0.0.0/8, ::1, localhost), which is
where the local sandbox runs.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit


class InsecureMarketplace(ValueError):
    """A marketplace URL that would send the tokens in clear; the message names the connection."""


def is_loopback(hostname: str | None) -> bool:
    if not hostname:
        return False
    name = hostname.strip("[]").lower()
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def marketplace_base_url(
    conn_id: str, host: str | None, schema: str | None = None, port: int | None = None
) -> str:
    """The base URL of a marketplace connection (host, optional scheme and port), or
    `InsecureMarketplace` when it would send the tokens over plain http to another machine."""
    host = (host or "").strip()
    if not host:
        raise InsecureMarketplace(
            f"marketplace connection {conn_id!r} has no host; set it to the marketplace's "
            "base URL, e.g. https://sandbox.avinode.com/api"
        )
    if "://" in host:
        url = host
    else:
        scheme = (schema or "").strip().lower()
        url = f"{scheme if scheme in ('http', 'https') else 'https'}://{host}"
    if port:
        url = f"{url}:{port}"
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "https":
        return url
    if scheme == "http" and is_loopback(parts.hostname):
        return url
    if scheme == "http":
        raise InsecureMarketplace(
            f"marketplace connection {conn_id!r} points to http://{parts.hostname}: plain http "
            "would send the API tokens in clear; use https:// (plain http is allowed only for "
            "a sandbox on this machine, e.g. http://127.0.0.1)"
        )
    raise InsecureMarketplace(
        f"marketplace connection {conn_id!r}: scheme {parts.scheme!r} is not https; use "
        "https://<host>"
    )
