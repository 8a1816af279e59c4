"""ASGI middleware of the hub: the server-time header on every response, errors included, and the
request size limit (answered as the protocol's JSON error, unlike Starlette's own limiter)."""
from __future__ import annotations

import json

from starlette.exceptions import HTTPException

from counterdesk.hub.clock import iso_utc, utcnow
from counterdesk.protocol.signing import H_SERVER_TIME

MAX_BODY_BYTES = 16 * 1024 * 1024
_HEADER = H_SERVER_TIME.lower().encode("latin-1")


class ServerTimeHeader:
    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def send_with_time(message):
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != _HEADER]
                headers.append((_HEADER, iso_utc(utcnow()).encode("latin-1")))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_time)


class BodyTooLarge(HTTPException):
    """Raised from ``receive``: FastAPI passes an HTTPException through its body parsing untouched."""

    def __init__(self, limit: int):
        super().__init__(413, f"the request body is larger than {limit} bytes")


class BodyLimit:
    """413 ``too_large`` for a request body over ``limit`` bytes, declared or streamed, as JSON."""

    def __init__(self, app, limit: int = MAX_BODY_BYTES):
        self.app = app
        self.limit = limit

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        for key, value in scope.get("headers", []):
            if key == b"content-length" and value.isdigit() and int(value) > self.limit:
                return await self._refuse(send)
        received = 0
        started = False

        async def counting_receive():
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    raise BodyTooLarge(self.limit)
            return message

        async def tracking_send(message):
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except BodyTooLarge:
            if started:
                raise
            await self._refuse(send)

    async def _refuse(self, send):
        body = json.dumps({"error": "too_large", "detail": f"the request body is larger than {self.limit} bytes"})
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", b"application/json"),
                                (b"content-length", str(len(body)).encode("ascii"))]})
        await send({"type": "http.response.body", "body": body.encode("ascii")})
