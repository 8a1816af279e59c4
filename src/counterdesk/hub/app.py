"""The hub's HTTP API (docs/sync-protocol.md): ``create_app(database_url)`` returns the ASGI app."""
from __future__ import annotations

import base64
import email.message
import json
import logging
import math
import time
from collections.abc import Callable
from contextlib import asynccontextmanager
from typing import Annotated, Any

from fastapi import FastAPI, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from counterdesk.hub import enrolment, limits, master, records, tsa
from counterdesk.hub.auth import RequestVerifier, SignedDevice
from counterdesk.hub.checkpoints import router as checkpoints_router
from counterdesk.hub.clock import iso_utc, now_text, utcnow
from counterdesk.hub.db import DEFAULT_POOL_SIZE, listen_conninfo, make_engine, session_factory
from counterdesk.hub.dependencies import SIGNED, SignedBy
from counterdesk.hub.errors import HubError
from counterdesk.hub.middleware import BodyLimit, BodyTooLarge, ServerTimeHeader
from counterdesk.hub.schemas import (
    CUSTOMER_TAG,
    MAX_PULL,
    MAX_WAIT_S,
    EnrolCodeIn,
    EnrolCodeOut,
    EnrolIn,
    EnrolOut,
    ErrorOut,
    HealthOut,
    MasterOut,
    PullOut,
    PushIn,
    PushOut,
    WaitOut,
)
from counterdesk.hub.wait import BranchNotifier

PROTOCOL_VERSION = 1
log = logging.getLogger(__name__)
ENROL_FAILURES = limits.Limit(count=20, window_s=15 * 60)
MAX_SEQ = 2 ** 63 - 1
HTTP_CODES = {400: "bad_request", 404: "not_found", 405: "method_not_allowed", 413: "too_large",
              415: "unsupported_media_type"}


def create_app(database_url: str, *, engine: Engine | None = None, clock: Callable[[], float] = time.time,
               wait_recheck_s: float = 1.0, enrol_limit: limits.Limit = ENROL_FAILURES,
               pool_size: int = DEFAULT_POOL_SIZE) -> FastAPI:
    """The hub on ``database_url`` (already upgraded with ``counterdesk-hub upgrade``).

    ``engine`` replaces the one made from the URL (it is then not disposed at shutdown); ``clock``
    (unix seconds) is the clock signed requests are checked against; ``wait_recheck_s`` is how often
    a long poll re-reads the database when it cannot LISTEN (SQLite, or the listener is down);
    ``enrol_limit``: failed enrolments allowed per client address and window, across all workers;
    ``pool_size``: database connections of this process for requests.
    """
    own_engine = engine is None
    engine = engine if engine is not None else make_engine(database_url, pool_size)
    sessions = session_factory(engine)
    verifier = RequestVerifier(sessions, clock)
    notifier = BranchNotifier(listen_conninfo(engine))

    @asynccontextmanager
    async def lifespan(_app: FastAPI):
        yield
        await notifier.close()
        if own_engine:
            engine.dispose()

    app = FastAPI(title="CounterDesk sync hub", version=str(PROTOCOL_VERSION), lifespan=lifespan,
                  description="Relays the branches' encrypted records between their workstations. "
                              "See docs/sync-protocol.md.")
    app.state.engine = engine
    app.state.sessions = sessions
    app.state.verifier = verifier
    app.state.notifier = notifier
    app.add_middleware(PushFastPath, handler=lambda request: push(request))
    app.add_middleware(BodyLimit)
    app.add_middleware(ServerTimeHeader)
    _install_error_handlers(app)
    tsa.register(app)  # RFC 3161 time-stamping for the branches (hub/tsa.py)

    # `serve` runs only on the head schema; an app made directly on a database from before hub
    # migration 0004 (as the upgrade tests run "the old hub") enrols without the limit.
    limit_state: dict[str, bool] = {}

    def _with_floor() -> bool:
        # Likewise, before hub migration 0006 there is no key floor (branch rekey) to keep pulls above.
        if "floor" not in limit_state:
            limit_state["floor"] = records.floor_available(engine)
        return limit_state["floor"]

    @app.post("/v1/enrol", status_code=201, response_model=EnrolOut,
              responses={403: {"model": ErrorOut, "description": "enrol_code_invalid"},
                         409: {"model": ErrorOut, "description": "branch_key_mismatch"},
                         429: {"model": ErrorOut, "description": "too_many_attempts"}})
    async def enrol(body: EnrolIn, request: Request) -> dict:
        # Failed attempts are counted per client address in the database, so the limit holds across
        # workers and hosts (behind a proxy, run uvicorn with --proxy-headers for the real address).
        bucket = f"enrol:{request.client.host if request.client else '-'}"[:100]

        def work():
            now = utcnow()
            if "limited" not in limit_state:  # once per process: see below
                limit_state["limited"] = limits.available(engine)
            limited = limit_state["limited"]
            try:
                with sessions.begin() as session:
                    failures, wait_s = (limits.used(session.connection(), bucket, enrol_limit, now) if limited
                                        else (0, 0.0))
                    if failures >= enrol_limit.count:
                        raise HubError(429, "too_many_attempts",
                                       f"too many failed enrolments from this address; try again in "
                                       f"{max(1, math.ceil(wait_s))} s")
                    return enrolment.enrol(session, body)
            except HubError as exc:
                if exc.code == "enrol_code_invalid" and limited:
                    with engine.begin() as conn:
                        limits.count(conn, bucket, enrol_limit, now)
                raise
        done = await run_in_threadpool(work)
        return {"device_id": str(done.device_id), "branch_code": done.branch_code,
                "wrapped_branch_key": _b64(done.wrapped_branch_key),
                "head_office_public_key": _b64(done.head_office_public_key), "server_time": now_text()}

    @app.post("/v1/enrol-codes", status_code=201, response_model=EnrolCodeOut,
              responses={**SIGNED, 409: {"model": ErrorOut, "description": "conflict"}})
    async def enrol_codes(body: EnrolCodeIn, device: SignedBy) -> dict:
        def work():
            with sessions.begin() as session:
                return enrolment.register_code(session, device, body)
        expires_at = await run_in_threadpool(work)
        return {"branch_code": device.branch, "expires_at": iso_utc(expires_at), "server_time": now_text()}

    @app.post("/v1/push", response_model=PushOut, responses=SIGNED, openapi_extra=PUSH_BODY)
    async def push(request: Request) -> Response:
        # Verified and stored in one transaction on one connection (one thread-pool hop), and the
        # body parsed here, not by FastAPI: the same checks in the same order (JSON, then signature,
        # then the body's shape), at a third of the round trips of a dependency plus a store.
        body = await request.body()
        parsed = _parse_json_body(request, body)
        path = (request.scope.get("raw_path") or request.scope["path"].encode("utf-8")).decode("latin-1")
        query = request.scope.get("query_string", b"").decode("latin-1")

        def work() -> tuple[SignedDevice, list[dict]]:
            with engine.begin() as conn:
                device = verifier.verify_on(conn, request.headers, "POST", path, query, body)
                receipts = records.store_on(conn, device, _push_records(parsed))
            verifier.maybe_prune()
            return device, receipts
        device, receipts = await run_in_threadpool(work)
        if any(r["status"] == records.ACCEPTED for r in receipts):
            await notifier.notify(device.branch)  # this process's waiters; others hear the NOTIFY
        # JSONResponse, not the response model: the receipts are built to the model already.
        return JSONResponse({"receipts": receipts, "server_time": now_text()})

    @app.get("/v1/pull", response_model=PullOut, responses=SIGNED)
    async def pull(device: SignedBy, cursor: Annotated[int, Query(ge=0, le=MAX_SEQ)] = 0,
                   limit: Annotated[int, Query(ge=1, le=MAX_PULL)] = MAX_PULL) -> Response:
        return JSONResponse(await run_in_threadpool(records.pull, sessions, device.branch, cursor, limit,
                                                    _with_floor()))

    @app.get("/v1/customer-records", response_model=PullOut, responses=SIGNED)
    async def customer_records(device: SignedBy, tag: Annotated[str, Query(pattern=CUSTOMER_TAG)],
                               cursor: Annotated[int, Query(ge=0, le=MAX_SEQ)] = 0,
                               limit: Annotated[int, Query(ge=1, le=MAX_PULL)] = MAX_PULL) -> Response:
        # One customer's flags before a workstation serves them (docs/sync-protocol.md, "Customer records").
        return JSONResponse(await run_in_threadpool(records.customer_records, sessions, device.branch, tag, cursor,
                                                    limit, _with_floor()))

    @app.get("/v1/wait", response_model=WaitOut,
             responses={**SIGNED, 204: {"description": "nothing new before the timeout"}})
    async def wait(device: SignedBy, cursor: Annotated[int, Query(ge=0, le=MAX_SEQ)] = 0,
                   timeout: Annotated[int, Query(ge=0, le=MAX_WAIT_S)] = 25):
        async def newest() -> int:
            return await run_in_threadpool(records.newest_seq, sessions, device.branch)
        latest = await notifier.wait_for_news(device.branch, newest, cursor, timeout, wait_recheck_s)
        if latest is None:
            return Response(status_code=204)
        return {"cursor": latest}

    @app.get("/v1/master", response_model=MasterOut, responses=SIGNED)
    async def master_items(device: SignedBy, since: Annotated[int, Query(ge=0, le=MAX_SEQ)] = 0) -> dict:
        def work():
            with sessions() as session:
                return master.items_since(session, since)
        return await run_in_threadpool(work)

    @app.get("/v1/health", response_model=HealthOut,
             responses={503: {"model": ErrorOut, "description": "unavailable"}})
    async def health() -> dict:
        def ping():
            with engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        await run_in_threadpool(ping)
        return {"status": "ok", "protocol": PROTOCOL_VERSION, "server_time": now_text()}

    app.include_router(checkpoints_router)  # chain checkpoints (hub/checkpoints.py)
    return app


PUSH_BODY: dict[str, Any] = {"requestBody": {"required": True, "content": {
    "application/json": {"schema": PushIn.model_json_schema()}}}}


def _parse_json_body(request: Request, body: bytes) -> Any:
    """The body as FastAPI reads one: JSON when the content type is absent or JSON (invalid JSON is a
    422 before anything else), else the raw bytes (which then fail validation)."""
    if not body:
        return None
    content_type = request.headers.get("content-type")
    if content_type:
        message = email.message.Message()
        message["content-type"] = content_type
        subtype = message.get_content_subtype()
        if message.get_content_maintype() != "application" or not (subtype == "json" or subtype.endswith("+json")):
            return body
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise RequestValidationError([{"type": "json_invalid", "loc": ("body", getattr(exc, "pos", 0)),
                                       "msg": "JSON decode error", "input": {}}]) from None


def _push_records(parsed: Any) -> list[Any]:
    """The ``records`` list of a push body, or 422 as for any other body that fails its schema."""
    try:
        return PushIn.model_validate(parsed).records
    except ValidationError as exc:
        raise RequestValidationError([{**e, "loc": ("body", *e["loc"])} for e in exc.errors()]) from None


def _b64(data: bytes | None) -> str | None:
    return None if data is None else base64.b64encode(data).decode("ascii")


def _error(status: int, code: str, detail: str) -> JSONResponse:
    return JSONResponse({"error": code, "detail": detail}, status_code=status)


def error_response(exc: Exception) -> JSONResponse:
    """The protocol's JSON error for an exception (the app's handlers and the push fast path share it)."""
    if isinstance(exc, HubError):
        return _error(exc.status, exc.code, exc.detail)
    if isinstance(exc, RequestValidationError):
        problems = []
        for err in exc.errors()[:5]:
            where = ".".join(str(part) for part in err.get("loc", ()))
            problems.append(f"{where}: {err.get('msg', 'invalid')}")
        return _error(422, "invalid_request", "; ".join(problems) or "invalid request")
    if isinstance(exc, StarletteHTTPException):
        status = exc.status_code if 400 <= exc.status_code < 500 else 400
        response = _error(status, HTTP_CODES.get(status, "bad_request"), str(exc.detail))
        if exc.headers:
            response.headers.update(exc.headers)
        return response
    if isinstance(exc, OperationalError):
        return _error(503, "unavailable", "the hub's database is not reachable; try again later")
    if isinstance(exc, PoolTimeout):
        return _error(503, "unavailable", "the hub is overloaded (no database connection free); try again later")
    return _error(500, "internal", "unexpected error in the hub (a bug); see the hub's log")


def _install_error_handlers(app: FastAPI) -> None:
    async def handle(_request: Request, exc: Exception) -> JSONResponse:
        return error_response(exc)

    for kind in (HubError, RequestValidationError, StarletteHTTPException, Exception, OperationalError,
                 PoolTimeout):
        app.add_exception_handler(kind, handle)


_EXPECTED = (HubError, RequestValidationError, StarletteHTTPException, OperationalError, PoolTimeout)


class PushFastPath:
    """``POST /v1/push`` straight to its handler, past FastAPI's routing, dependency and exception
    layers (about a quarter of a small push's CPU in the hub). Inside the server-time and body-limit
    middleware, so those still apply; every other request, and the OpenAPI description of this one,
    stay with FastAPI."""

    def __init__(self, app, handler):
        self.app, self.handler = app, handler

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] != "POST" or scope["path"] != "/v1/push":
            return await self.app(scope, receive, send)
        try:
            response = await self.handler(Request(scope, receive))
        except BodyTooLarge:
            raise  # BodyLimit (outside) answers 413
        except Exception as exc:  # the same answers as the app's exception handlers
            if not isinstance(exc, _EXPECTED):
                log.exception("hub: unexpected error in POST /v1/push")
            response = error_response(exc)
        await response(scope, receive, send)
