"""The local marketplace sandbox: a real HTTP server behaving like Avinode's `PUT /schedules`.

`aerosync sandbox --port N` runs it in the foreground; tests and the demo start it in a thread.
Read-back and fault switches live under `/_sandbox/` (no authentication: it is a local tool).
"""

from __future__ import annotations

import json
import signal
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

from aerosync.sandbox import echo as sandbox_echo
from aerosync.sandbox import lms as sandbox_lms
from aerosync.sandbox import lrs as sandbox_lrs
from aerosync.sandbox.marketplace import Answer, SandboxState

__all__ = ["SandboxServer", "SandboxState", "serve"]


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes; with Nagle's algorithm the body waits for the
    # client's delayed ACK, about 40 ms an answer on keep-alive connections.
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:
        # The default access log goes to stderr; the request log below is redacted instead.
        return

    def _body(self) -> Any:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            return json.loads(raw) if raw else None
        except ValueError:
            return raw.decode("utf-8", errors="replace")

    def _send(self, status: int, payload: Any) -> None:
        data = json.dumps(payload).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            # The client gave up first (the "slow" fault outlasting its timeout): nothing to say.
            self.close_connection = True

    def _send_text(self, status: int, text: str) -> None:
        data = text.encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_PUT(self) -> None:
        if sandbox_lrs.handle(self, "PUT"):
            return
        state = self.server.state
        path = urlparse(self.path).path
        body = self._body()
        if path != f"{self.server.base_path}/schedules":
            self._send(
                404, Answer(404, [{"title": "Not found", "code": "ERR_NOT_FOUND"}]).envelope()
            )
            return
        tail = body.get("lift", {}).get("aircraftTail") if isinstance(body, dict) else None
        fault = state.fault(tail)
        entry = {"method": "PUT", "path": path, "headers": dict(self.headers.items()),
                 "body": body, "tail": tail, "at": time.time()}  # fmt: skip
        if fault == "refuse":
            state.remember({**entry, "status": None, "fault": fault})
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        if fault and fault.partition(":")[0] == "hold":
            # Received and logged now, answered only once released: a call in flight.
            logged = state.remember({**entry, "status": None, "fault": fault})
            released = state.hold(tail or "", fault)
            answer = (
                state.put_schedules(dict(self.headers.items()), body)
                if released
                else Answer(503, [{"title": "Held by the sandbox too long", "code": "ERR_HOLD"}])
            )
            state.answered(logged, answer.status)
            self._send(answer.status, answer.envelope())
            return
        if fault and fault.startswith("slow:"):
            time.sleep(float(fault.split(":", 1)[1]))
        echo = sandbox_echo.echo_fault(fault)
        if echo is not None:  # a proxy or firewall answering, the request's headers echoed
            state.remember({**entry, "status": echo.status, "fault": fault})
            if echo.plain_text:
                self._send_text(echo.status, sandbox_echo.echo_text(echo.status, self.headers))
            else:
                self._send(echo.status, sandbox_echo.echo_envelope(echo.status, self.headers))
            return
        if fault in ("500", "401"):
            status = int(fault)
            answer = Answer(status, [{"title": f"Injected fault {fault}", "code": f"ERR_{fault}"}])
        else:
            answer = state.put_schedules(dict(self.headers.items()), body)
        state.remember({**entry, "status": answer.status, "fault": fault})
        self._send(answer.status, answer.envelope())

    def do_GET(self) -> None:
        if sandbox_lrs.handle(self, "GET"):
            return
        state = self.server.state
        url = urlparse(self.path)
        query = parse_qs(url.query)
        if sandbox_lms.handles(url.path):
            self._send(*self.server.lms.get(url, self.headers.get("Host", ""), self.headers))
        elif url.path == "/_sandbox/health":
            self._send(200, {"status": "ok"})
        elif url.path == "/_sandbox/schedules":
            self._send(200, state.held())
        elif url.path.startswith("/_sandbox/schedules/"):
            tail = url.path.rsplit("/", 1)[1]
            held = state.held().get(tail)
            self._send(200 if held else 404, held or {"error": f"no schedule for {tail}"})
        elif url.path == "/_sandbox/requests":
            self._send(200, state.requests(query.get("tail", [None])[0]))
        else:
            self._send(404, {"error": "not found"})

    def do_POST(self) -> None:
        if sandbox_lrs.handle(self, "POST"):
            return
        state = self.server.state
        path = urlparse(self.path).path
        body = self._body() or {}
        if sandbox_lms.handles(path):
            self._send(*self.server.lms.post(path, body))
            return
        if path == "/_sandbox/faults":
            state.set_fault(body["tail"], body.get("fault"))
        elif path == "/_sandbox/homebases":
            state.set_homebase(body["tail"], body["icao"])
        elif path == "/_sandbox/reset":
            state.reset()
        elif path == "/_sandbox/release":
            state.release()
        else:
            self._send(404, {"error": "not found"})
            return
        self._send(200, {"ok": True})


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], state: SandboxState, base_path: str) -> None:
        super().__init__(address, _Handler)
        self.state = state
        self.base_path = base_path.rstrip("/")
        self.lms = sandbox_lms.LmsStub()


class SandboxServer:
    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        state: SandboxState | None = None,
        base_path: str = "/api",
    ) -> None:
        self.state = state or SandboxState()
        self._server = _Server((host, port), self.state, base_path)
        self._thread: threading.Thread | None = None
        self.lms = self._server.lms

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        host = str(self._server.server_address[0])
        return f"http://{host}:{self.port}{self._server.base_path}"

    def start(self) -> SandboxServer:
        # A short poll interval: stopping a sandbox (every test does) waits for one poll.
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def serve(host: str, port: int, accounts: list[tuple[str, str, str]] | None = None) -> None:
    """Run in the foreground until SIGINT or SIGTERM."""
    server = SandboxServer(host, port, SandboxState(accounts))
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    server.start()
    print(f"Avinode marketplace sandbox on {server.url} (PUT {server.url}/schedules)", flush=True)
    try:
        stop.wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
