"""Roles and what each may do. The UI shows only the tasks of the signed-in role; the core checks
the permission again on every operation, so a hidden button is never the only guard."""
from __future__ import annotations

from enum import Enum

from counterdesk.base.text import CounterDeskError, Text


class Role(str, Enum):
    TELLER = "teller"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"
    AUDITOR = "auditor"


ROLE_NAMES = {
    Role.TELLER: Text("柜员", "Teller"),
    Role.SUPERVISOR: Text("主管", "Supervisor"),
    Role.ADMIN: Text("管理员", "Administrator"),
    Role.AUDITOR: Text("审计员（只读）", "Auditor (read-only)"),
}

# Permissions are verbs on objects; roles hold sets of them.
PERMISSIONS: dict[Role, frozenset[str]] = {
    Role.TELLER: frozenset({"session.start", "customer.find", "customer.view", "customer.edit", "screening.run",
                            "customer.reveal", "aml.rate", "assessment.run", "assessment.view", "aftersale.manage",
                            "complaint.record", "complaint.handle", "report.own"}),
    Role.SUPERVISOR: frozenset({"approval.queue", "approval.signoff", "approval.decide", "customer.find",
                                "customer.view", "screening.run", "screening.dispose", "customer.reveal", "aml.rate",
                                "assessment.view", "aftersale.manage",
                                "complaint.record", "complaint.handle", "complaint.queue", "complaint.approve",
                                "aml.referrals", "aml.referral.close", "customer.document_image.view", "report.branch",
                                "privacy.manage"}),
    Role.ADMIN: frozenset({"users.manage", "catalog.manage", "settings.manage", "audit.view", "audit.verify",
                           "sanctions.manage", "sync.manage", "report.branch",
                           "retention.run"}),
    Role.AUDITOR: frozenset({"audit.view", "audit.verify", "complaint.queue", "aml.referrals",
                             "customer.document_image.view"}),
}
# Due diligence (Order 〔2025〕 No. 11): tellers keep the document copy but see only its thumbnail; the
# full copy and the suspicious-transaction referrals are for supervisors (compliance) and the auditor;
# a supervisor closes a referral, the auditor only reads the queue.
# Complaints (counterdesk.services.complaints): any counter employee records one and owns it (首问负责制);
# supervisors see the branch's queue and approve extensions; the auditor reads the queue.
# Dashboard (counterdesk.services.reports): supervisors and administrators see the branch's figures,
# a teller only their own.
# Data rights (PIPL arts 44-47): a supervisor handles a customer's access and deletion requests; the
# administrator runs the retention job.

# The home-screen tasks of each role, in display order.
TASKS: dict[Role, tuple[str, ...]] = {
    Role.TELLER: ("session.start", "customer.find", "aftersale.manage", "followup.list", "complaint.handle",
                  "report.dashboard"),
    Role.SUPERVISOR: ("approval.queue", "approval.signoff", "customer.find", "aftersale.manage", "followup.list",
                      "complaint.handle", "report.dashboard", "aml.referrals"),
    Role.ADMIN: ("users.manage", "catalog.manage", "settings.manage", "audit.view", "sync.manage", "report.dashboard"),
    Role.AUDITOR: ("audit.view", "complaint.queue", "aml.referrals"),
}


class PermissionDenied(CounterDeskError):
    code = "permission_denied"


def can(role: Role | str, permission: str) -> bool:
    return permission in PERMISSIONS.get(Role(role), frozenset())


def require(role: Role | str, permission: str) -> None:
    if not can(role, permission):
        raise PermissionDenied(Text("当前角色无权执行此操作。", "Your role is not allowed to do this."),
                               detail=f"{role}:{permission}")
