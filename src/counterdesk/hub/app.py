"""The hub's HTTP API (docs/sync-protocol.md): ``create_app(database_url)`` returns the ASGI app."""
from __future__ import annotations

import base64
import time
from collections.abc import Callable
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import FastAPI, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from counterdesk.hub import enrolment, master, records, tsa
from counterdesk.hub.auth import RequestVerifier
from counterdesk.hub.checkpoints import router as checkpoints_router
from counterdesk.hub.clock import iso_utc, now_text
from counterdesk.hub.db import make_engine, session_factory
from counterdesk.hub.dependencies import SIGNED, SignedBy
from counterdesk.hub.errors import HubError
from counterdesk.hub.middleware import BodyLimit, ServerTimeHeader
from counterdesk.hub.schemas import (
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
MAX_SEQ = 2 ** 63 - 1
HTTP_CODES = {400: "bad_request", 404: "not_found", 405: "method_not_allowed", 413: "too_large",
              415: "unsupported_media_type"}


def create_app(database_url: str, *, engine: Engine | None = None, clock: Callable[[], float] = time.time,
               wait_recheck_s: float = 1.0) -> FastAPI:
    """The hub on ``database_url`` (already upgraded with ``counterdesk-hub upgrade``).

    ``engine`` replaces the one made from the URL (it is then not disposed at shutdown); ``clock``
    (unix seconds) is the clock signed requests are checked against; ``wait_recheck_s`` is how often
    a long poll re-reads the database for pushes handled by other hub processes.
    """
    own_engine = engine is None
    engine = engine if engine is not None else make_engine(database_url)
    sessions = session_factory(engine)
    verifier = RequestVerifier(sessions, clock)
    notifier = BranchNotifier()

    @asynccontextmanager
    async def lifespan(_app: FastAPI):
        yield
        if own_engine:
            engine.dispose()

    app = FastAPI(title="CounterDesk sync hub", version=str(PROTOCOL_VERSION), lifespan=lifespan,
                  description="Relays the branches' encrypted records between their workstations. "
                              "See docs/sync-protocol.md.")
    app.state.engine = engine
    app.state.sessions = sessions
    app.state.verifier = verifier
    app.add_middleware(BodyLimit)
    app.add_middleware(ServerTimeHeader)
    _install_error_handlers(app)
    tsa.register(app)  # RFC 3161 time-stamping for the branches (hub/tsa.py)

    @app.post("/v1/enrol", status_code=201, response_model=EnrolOut,
              responses={403: {"model": ErrorOut, "description": "enrol_code_invalid"},
                         409: {"model": ErrorOut, "description": "branch_key_mismatch"}})
    async def enrol(body: EnrolIn) -> dict:
        def work():
            with sessions.begin() as session:
                return enrolment.enrol(session, body)
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

    @app.post("/v1/push", response_model=PushOut, responses=SIGNED)
    async def push(body: PushIn, device: SignedBy) -> dict:
        receipts = await run_in_threadpool(records.store_batch, sessions, device, body.records)
        if any(r["status"] == records.ACCEPTED for r in receipts):
            await notifier.notify(device.branch)
        return {"receipts": receipts, "server_time": now_text()}

    @app.get("/v1/pull", response_model=PullOut, responses=SIGNED)
    async def pull(device: SignedBy, cursor: Annotated[int, Query(ge=0, le=MAX_SEQ)] = 0,
                   limit: Annotated[int, Query(ge=1, le=MAX_PULL)] = MAX_PULL) -> dict:
        return await run_in_threadpool(records.pull, sessions, device.branch, cursor, limit)

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


def _b64(data: bytes | None) -> str | None:
    return None if data is None else base64.b64encode(data).decode("ascii")


def _error(status: int, code: str, detail: str) -> JSONResponse:
    return JSONResponse({"error": code, "detail": detail}, status_code=status)


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(HubError)
    async def hub_error(_request: Request, exc: HubError) -> JSONResponse:
        return _error(exc.status, exc.code, exc.detail)

    @app.exception_handler(RequestValidationError)
    async def invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = []
        for err in exc.errors()[:5]:
            where = ".".join(str(part) for part in err.get("loc", ()))
            problems.append(f"{where}: {err.get('msg', 'invalid')}")
        return _error(422, "invalid_request", "; ".join(problems) or "invalid request")

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        status = exc.status_code if 400 <= exc.status_code < 500 else 400
        response = _error(status, HTTP_CODES.get(status, "bad_request"), str(exc.detail))
        if exc.headers:
            response.headers.update(exc.headers)
        return response

    @app.exception_handler(Exception)
    async def bug(_request: Request, _exc: Exception) -> JSONResponse:
        return _error(500, "internal", "unexpected error in the hub (a bug); see the hub's log")

    @app.exception_handler(OperationalError)
    async def database_down(_request: Request, _exc: OperationalError) -> JSONResponse:
        return _error(503, "unavailable", "the hub's database is not reachable; try again later")
