"""What every signed route shares: the dependency that checks a device's request signature, and the
answers it may give, declared once for the OpenAPI description."""
from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool

from counterdesk.hub.auth import RequestVerifier, SignedDevice
from counterdesk.hub.schemas import ErrorOut

SIGNED: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorOut, "description": "device_unknown, device_revoked, bad_signature, clock_skew, replayed"},
    422: {"model": ErrorOut, "description": "invalid_request"}}


async def signed(request: Request) -> SignedDevice:
    """Dependency: the device that signed this request (401 otherwise)."""
    body = await request.body()
    path = (request.scope.get("raw_path") or request.scope["path"].encode("utf-8")).decode("latin-1")
    query = request.scope.get("query_string", b"").decode("latin-1")
    verifier: RequestVerifier = request.app.state.verifier
    return await run_in_threadpool(verifier.verify, request.headers, request.method, path, query, body)


SignedBy = Annotated[SignedDevice, Depends(signed)]
