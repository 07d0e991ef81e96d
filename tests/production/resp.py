"""A minimal Redis client (RESP over a socket) for the tests' checks and clean-up: no redis package in .venv."""

from __future__ import annotations

import socket


class Redis:
    def __init__(self, host: str, port: int, db: int = 0, timeout: float = 5) -> None:
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.file = self.sock.makefile("rb")
        if db:
            self.call("SELECT", str(db))

    def call(self, *args: str) -> object:
        """Send one command, return its decoded reply (bytes, int, list, None); an error reply raises."""
        parts = [f"*{len(args)}\r\n".encode()]
        for a in args:
            raw = a.encode()
            parts.append(b"$%d\r\n%s\r\n" % (len(raw), raw))
        self.sock.sendall(b"".join(parts))
        return self._reply()

    def _reply(self) -> object:
        line = self.file.readline().rstrip(b"\r\n")
        kind, rest = line[:1], line[1:]
        if kind == b"+":
            return rest
        if kind == b"-":
            raise RuntimeError(rest.decode())
        if kind == b":":
            return int(rest)
        if kind == b"$":
            n = int(rest)
            return None if n < 0 else self.file.read(n + 2)[:-2]
        if kind == b"*":
            n = int(rest)
            return None if n < 0 else [self._reply() for _ in range(n)]
        raise RuntimeError(f"unexpected Redis reply {line[:40]!r}")

    def close(self) -> None:
        self.file.close()
        self.sock.close()

    def __enter__(self) -> Redis:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()
