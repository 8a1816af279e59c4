"""What anchoring needs of the connection to the hub: the device's identity and signed requests.

The sync client (``counterdesk.services.sync.client.SyncClient``) is the implementation; anchoring
sits below sync and never imports it, so sync can anchor after each push.
"""
from __future__ import annotations

from typing import Any, Protocol

import httpx

from counterdesk.base.text import CounterDeskError, Text


class DeviceIdentity(Protocol):
    @property
    def device_id(self) -> str: ...

    @property
    def branch_code(self) -> str: ...

    @property
    def signing_key(self) -> Any: ...  # Ed25519PrivateKey


class HubLink(Protocol):
    def credentials(self) -> DeviceIdentity:
        """The enrolled device (raises a CounterDeskError with code ``not_enrolled`` otherwise)."""
        ...

    def signed(self, method: str, path: str, query: str = "", payload: Any = None,
               timeout: float | None = None) -> httpx.Response:
        """A request signed by the device; raises a CounterDeskError when the hub cannot be reached."""
        ...


def error_of(resp: httpx.Response) -> tuple[str, str]:
    """(the hub's error code, its detail) of a refused request."""
    try:
        data = resp.json()
    except ValueError:
        return f"http_{resp.status_code}", resp.text[:200]
    if not isinstance(data, dict):
        return f"http_{resp.status_code}", ""
    return str(data.get("error") or f"http_{resp.status_code}"), str(data.get("detail") or "")


def get_json(link: HubLink, path: str, query: str) -> dict[str, Any]:
    """A signed GET answered with 200 and a JSON object; ``AnchorError`` otherwise."""
    resp = link.signed("GET", path, query)
    if resp.status_code != 200:
        code, detail = error_of(resp)
        raise AnchorError(code, detail, resp.status_code)
    try:
        data = resp.json()
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise AnchorError("malformed", "the hub's answer is not a JSON object", resp.status_code)
    return data


class AnchorError(CounterDeskError):
    """The hub answered a checkpoint request with an error (``code`` is the hub's error code)."""

    def __init__(self, code: str, detail: str = "", status: int = 0):
        super().__init__(Text(f"同步服务器拒绝了锚定请求（{code}）。",
                              f"The hub refused the anchoring request ({code})."), code=code, detail=detail)
        self.status = status
