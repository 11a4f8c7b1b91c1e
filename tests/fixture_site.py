"""A loopback HTTP server that serves the fixture cases' saved pages at their URL paths."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from crawler.fixtures import FixtureCase


def _path_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


@contextmanager
def serve_cases(cases: list[FixtureCase]) -> Iterator[str]:
    """Serve every part of every case (``/amp/...`` and ``?page=N`` as saved); yields the base URL."""
    pages = {_path_of(url): page for case in cases for url, page in zip(case.parts, case.page_files, strict=True)}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            page = pages.get(self.path)
            body = page.read_bytes() if page else b"<html><body><h1>Halaman tidak ditemukan</h1></body></html>"
            self.send_response(200 if page else 404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:  # quiet test output
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
