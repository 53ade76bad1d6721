"""Stripe misbehaving, for resilience tests: a server that accepts and never answers, one that answers 500.

Each listens on a free 127.0.0.1 port in a thread of the test process and is stopped by the test that
started it (closing its own sockets only).
"""

from __future__ import annotations

import selectors
import socket
import threading


class _LoopbackServer:
    """Accepts connections on a free loopback port and hands what each sends to `received`."""

    def __init__(self) -> None:
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(64)
        self.port = self._listener.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.accepted = 0
        self._connections: list[socket.socket] = []
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._serve, name=type(self).__name__, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()

    def _serve(self) -> None:
        selector = selectors.DefaultSelector()
        selector.register(self._listener, selectors.EVENT_READ)
        while not self._stopping.is_set():
            for key, _events in selector.select(timeout=0.1):
                if key.fileobj is self._listener:
                    connection, _address = self._listener.accept()
                    self.accepted += 1
                    self._connections.append(connection)
                    selector.register(connection, selectors.EVENT_READ)
                    continue
                connection = key.fileobj  # type: ignore[assignment]
                try:
                    data = connection.recv(65536)
                except OSError:
                    data = b""
                if not data:
                    selector.unregister(connection)
                    connection.close()
                    continue
                self.received(connection, data)
        selector.close()

    def received(self, connection: socket.socket, data: bytes) -> None:
        """What to do with bytes a client sent (subclasses answer, or not)."""

    def stop(self) -> None:
        self._stopping.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)
        for connection in self._connections:
            connection.close()
        self._listener.close()


class SilentStripe(_LoopbackServer):
    """Stripe hung: connections are accepted and the request is read, but no answer ever comes."""


class FailingStripe(_LoopbackServer):
    """Stripe failing: every request is answered 500 with Stripe's error body (api_error)."""

    BODY = b'{"error": {"type": "api_error", "message": "An unknown error occurred"}}'

    def received(self, connection: socket.socket, data: bytes) -> None:
        if b"\r\n\r\n" not in data:
            return  # a request's head arrives in one piece from requests; the body is ignored
        head = (
            b"HTTP/1.1 500 Internal Server Error\r\nContent-Type: application/json\r\n"
            b"Content-Length: %d\r\nConnection: close\r\n\r\n" % len(self.BODY)
        )
        connection.sendall(head + self.BODY)
