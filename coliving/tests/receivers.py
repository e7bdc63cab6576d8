"""A real HTTP receiver on 127.0.0.1 for the outbound tests (tracking events, booking
webhooks): it records every POST and answers the statuses a test queues, then 204."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class RecordingHandler(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.server.received.append({"path": self.path, "headers": dict(self.headers), "body": body})
        status = self.server.statuses.pop(0) if self.server.statuses else 204
        self.send_response(status)
        if 300 <= status < 400 and self.server.redirect_to:
            self.send_header("Location", self.server.redirect_to)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


@contextmanager
def recording_server(path: str, *, redirect_to: str = "") -> Iterator[ThreadingHTTPServer]:
    """``server.url`` ends in ``path``; ``server.statuses`` are answered in turn; a 3xx points
    at ``redirect_to``; ``server.received`` lists each request's path, headers and body."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), RecordingHandler)
    server.received, server.statuses, server.redirect_to = [], [], redirect_to
    server.url = f"http://127.0.0.1:{server.server_address[1]}{path}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
