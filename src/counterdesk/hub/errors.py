"""Expected failures of the hub: a status, a stable code and a short detail (never a traceback)."""
from __future__ import annotations


class HubError(Exception):
    def __init__(self, status: int, code: str, detail: str = ""):
        super().__init__(f"{code}: {detail}" if detail else code)
        self.status = status
        self.code = code
        self.detail = detail


def unauthorised(code: str, detail: str) -> HubError:
    return HubError(401, code, detail)


ENROL_CODE_INVALID = "the enrolment code is unknown, used or expired, or belongs to another branch"
