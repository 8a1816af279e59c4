"""A lean HTTP/1.1 keep-alive client for the hub benchmark's load generator.

The generator runs on the same two cores as the hub and PostgreSQL, so every millisecond it spends
per request is taken from what it measures: httpx's AsyncClient cost about 1.8 ms of CPU per push
here, this ~0.3 ms (one asyncio stream per workstation, the request written in one piece, the answer
read by Content-Length). It speaks only what the hub answers: no chunked bodies, no redirects, no TLS.
"""
from __future__ import annotations

import asyncio
import json
from typing import Any


class HubConnectionError(Exception):
    """The connection broke or the answer was not HTTP/1.1 as expected; the request may be retried."""


class Response:
    __slots__ = ("content", "status_code")

    def __init__(self, status_code: int, content: bytes):
        self.status_code, self.content = status_code, content

    def json(self) -> Any:
        return json.loads(self.content)


class RawClient:
    """One keep-alive connection to ``host:port``, reopened after an error or ``Connection: close``."""

    def __init__(self, host: str, port: int, timeout: float):
        self.host, self.port, self.timeout = host, port, timeout
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def post(self, path: str, body: bytes, headers: dict[str, str]) -> Response:
        try:
            return await asyncio.wait_for(self._post(path, body, headers), self.timeout)
        except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError) as exc:
            await self.aclose()
            raise HubConnectionError(str(exc) or type(exc).__name__) from exc

    async def _post(self, path: str, body: bytes, headers: dict[str, str]) -> Response:
        if self._writer is None:
            self._reader, self._writer = await asyncio.open_connection(self.host, self.port)
        assert self._reader is not None
        head = [f"POST {path} HTTP/1.1", f"Host: {self.host}:{self.port}", "Content-Type: application/json",
                f"Content-Length: {len(body)}", *(f"{k}: {v}" for k, v in headers.items()), "", ""]
        self._writer.write("\r\n".join(head).encode("latin-1") + body)
        await self._writer.drain()
        status_line = await self._reader.readline()
        parts = status_line.split(b" ", 2)
        if len(parts) < 2 or not parts[0].startswith(b"HTTP/1."):
            raise ValueError(f"not an HTTP answer: {status_line[:60]!r}")
        length, close = 0, False
        while True:
            line = await self._reader.readline()
            if line in (b"\r\n", b"\n", b""):
                break
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                length = int(value)
            elif name == b"connection" and value.strip().lower() == b"close":
                close = True
        content = await self._reader.readexactly(length) if length else b""
        if close:
            await self.aclose()
        return Response(int(parts[1]), content)

    async def aclose(self) -> None:
        writer, self._reader, self._writer = self._writer, None, None
        if writer is not None:
            writer.close()
            try:
                await writer.wait_closed()
            except OSError:
                pass
