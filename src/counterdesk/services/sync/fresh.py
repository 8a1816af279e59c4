"""Before a workstation serves a customer again: ask the hub for the customer's flags recorded
elsewhere in the branch (a restriction, a withdrawn consent, a confirmed sanctions match) and apply
them, so that the core's refusals act on fresh data; say so when the hub could not be asked.

The question names the customer only by their tag (counterdesk.services.sync.tags), never their id
or name. It is bounded by ``timeout`` seconds in all (the HTTP exchange runs on a helper thread, so a
slow or half-open hub cannot hold the session longer); the caller is already off the UI thread (the
counter session's steps run in a background task). A stand-alone workstation has nothing to ask.
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx

from counterdesk.base.text import CounterDeskError, Text
from counterdesk.services.auth.vault import Vault
from counterdesk.services.sync import state, tags
from counterdesk.services.sync.client import SyncClient, tls_verify

log = logging.getLogger(__name__)

TIMEOUT_S = 2.0
CHECKED, UNCHECKED, STANDALONE = "checked", "unchecked", "standalone"


@dataclass(frozen=True)
class Freshness:
    status: str                 # CHECKED, UNCHECKED (the hub did not answer in time) or STANDALONE
    received: int = 0           # records of the customer new here
    applied: int = 0
    last_sync_at: str | None = None
    message: Text | None = None  # what the teller is told when the flags could not be checked

    @property
    def checked(self) -> bool:
        return self.status == CHECKED


def _when(iso: str | None) -> Text:
    if not iso:
        return Text("从未同步", "never")
    try:
        local = datetime.fromisoformat(iso).astimezone().strftime("%Y-%m-%d %H:%M")
    except ValueError:
        local = iso[:16]
    return Text(local, local)


def unchecked_text(last_sync_at: str | None) -> Text:
    when = _when(last_sync_at)
    return Text(f"未能向同步服务器核对该客户的最新标记（限制处理、撤回同意、制裁名单确认），以下按本机数据办理。"
                f"上次成功同步：{when.zh}。",
                "The customer's latest flags (restriction, withdrawn consent, confirmed sanctions match) could not "
                f"be checked with the sync hub; this workstation's data is used. Last successful sync: {when.en}.")


def _default_client(vault: Vault, timeout: float) -> Any:
    return SyncClient(vault, None, verify=tls_verify(vault), timeout=timeout, anchoring=False)


class CustomerCheck:
    """``check(customer_id) -> Freshness``. ``client_factory(vault, timeout)`` makes the sync client
    (tests hand one that talks to an in-process hub); a new client per check, closed afterwards."""

    def __init__(self, vault: Vault, timeout: float = TIMEOUT_S,
                 client_factory: Callable[[Vault, float], Any] | None = None):
        self.vault = vault
        self.timeout = timeout
        self.client_factory = client_factory or _default_client

    def __call__(self, customer_id: str) -> Freshness:
        return self.check(customer_id)

    def check(self, customer_id: str) -> Freshness:
        if not self.vault.transact(state.enrolled):
            return Freshness(STANDALONE)
        try:
            client = self.client_factory(self.vault, self.timeout)
            tag = tags.customer_tag(client.credentials().branch_key, customer_id)
        except CounterDeskError as exc:
            log.warning("sync: customer check not possible (%s)", exc.code)
            return self._unchecked()
        fetched: dict[str, Any] = {}

        def fetch() -> None:
            try:
                fetched["records"] = client.customer_records(tag, timeout=self.timeout)
            except (CounterDeskError, httpx.HTTPError) as exc:
                fetched["error"] = exc
            except Exception as exc:  # never let a bug here stop the counter
                log.exception("sync: customer check failed")
                fetched["error"] = exc
            finally:
                client.close()

        worker = threading.Thread(target=fetch, name="counterdesk-customer-check", daemon=True)
        worker.start()
        worker.join(self.timeout)
        if worker.is_alive() or "records" not in fetched:
            if worker.is_alive():
                log.warning("sync: the hub did not answer the customer check within %.1f s", self.timeout)
            return self._unchecked()
        done = client.store_records(fetched["records"])
        return Freshness(CHECKED, done.received, done.applied, self._last_sync())

    def _last_sync(self) -> str | None:
        return self.vault.transact(lambda db: state.get(db, state.LAST_SYNC_AT))

    def _unchecked(self) -> Freshness:
        last = self._last_sync()
        return Freshness(UNCHECKED, last_sync_at=last, message=unchecked_text(last))


def check_customer(vault: Vault, customer_id: str, timeout: float = TIMEOUT_S) -> Freshness:
    """The check with the workstation's own hub connection (what the find page and sessions use)."""
    return CustomerCheck(vault, timeout).check(customer_id)
