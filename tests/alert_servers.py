"""Real servers for the alerts' channels: an SMTP server that requires a login (aiosmtpd) and a
Slack-style webhook (an HTTP server in a thread, on a secret path) that keep what they receive."""

from __future__ import annotations

import json
import threading
from email import message_from_bytes
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from aerosync.dev.environment import free_port


class SmtpInbox:
    """A real SMTP server on 127.0.0.1 that accepts mail only after AUTH with `login` and
    `password` (over plain SMTP: a test server)."""

    def __init__(self, login: str, password: str) -> None:
        self.login, self.password = login, password
        self.messages: list[Message] = []
        self.logins: list[str] = []
        self.port = free_port()
        self.controller = Controller(
            self,
            hostname="127.0.0.1",
            port=self.port,
            authenticator=self._authenticate,
            auth_require_tls=False,
            auth_required=True,
        )

    def _authenticate(
        self, server: Any, session: Any, envelope: Any, mechanism: str, data: Any
    ) -> AuthResult:
        ok = isinstance(data, LoginPassword) and (
            data.login.decode(),
            data.password.decode(),
        ) == (self.login, self.password)
        if ok:
            self.logins.append(data.login.decode())
        return AuthResult(success=ok)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"

    def start(self) -> SmtpInbox:
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()

    def connection(self) -> dict[str, Any]:
        """An Airflow `smtp` connection to this server."""
        return {
            "conn_type": "smtp",
            "host": "127.0.0.1",
            "port": self.port,
            "login": self.login,
            "password": self.password,
            "extra": {"disable_ssl": True, "disable_tls": True, "retry_limit": 0, "timeout": 10},
        }

    def subjects(self, containing: str = "") -> list[str]:
        return sorted(str(m["Subject"]) for m in self.messages if containing in str(m["Subject"]))

    def bodies(self, containing: str = "") -> list[str]:
        return [
            str(m.get_payload(decode=True) or b"", "utf-8")
            if not m.is_multipart()
            else "".join(
                str(part.get_payload(decode=True) or b"", "utf-8")
                for part in m.walk()
                if not part.is_multipart()
            )
            for m in self.messages
            if containing in str(m["Subject"])
        ]


class WebhookServer:
    """A Slack-style incoming webhook: POSTs to `/services/<token>` are kept (path and JSON
    body) and answered `200 ok`; any other path gets 404, as Slack answers a wrong token."""

    def __init__(self, token: str, status: int = 200) -> None:
        self.token = token
        self.status = status
        self.posts: list[dict[str, Any]] = []
        self.refused: list[str] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if self.path != server.path:
                    server.refused.append(self.path)
                    self._answer(404, b"no_service")
                    return
                server.posts.append({"path": self.path, "json": json.loads(body or b"null")})
                self._answer(server.status, b"ok" if server.status == 200 else b"error")

            def _answer(self, status: int, body: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass  # the path is a secret: no access log

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def path(self) -> str:
        return f"/services/{self.token}"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}{self.path}"

    def start(self) -> WebhookServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def connection(self) -> dict[str, Any]:
        """An Airflow `http` connection whose host is the webhook's URL."""
        return {"conn_type": "http", "host": self.url}

    def texts(self, containing: str = "") -> list[str]:
        return [str(p["json"]["text"]) for p in self.posts if containing in str(p["json"]["text"])]
