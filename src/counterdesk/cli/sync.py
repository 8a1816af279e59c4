"""counterdesk-admin sync: this workstation and the branch's sync hub (registered by cli.build_parser).

    counterdesk-admin --user admin sync enrol --hub URL --code CODE [--ca FILE] [--name NAME] [--branch CODE] [--again]
    counterdesk-admin --user admin sync code [--hours 24]
    counterdesk-admin --user admin sync status
    counterdesk-admin --user admin sync now
    counterdesk-admin --user admin sync quarantine [--requeue ID [ID ...] | --all]
    counterdesk-admin --user admin sync conflicts [--all]
    counterdesk-admin --user admin sync prune [--dry-run]

Same core as the GUI and the background sync (counterdesk.services.sync): enrolment, push, pull, master data,
permission checks and audit entries are identical. ``sync now`` exits 1 when the hub cannot be
reached or refuses: nothing is lost, the records wait in the outbox for the next sync. ``status``
always exits 0 (it reports "offline", or "revoked" when the hub refuses this device, instead). ``prune``
drops what sync no longer needs after ``sync.retention_days`` (counterdesk.services.sync.prune).
Never import PySide6 here.
"""
from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

import httpx
from sqlalchemy import func, select

from counterdesk.base.roles import PermissionDenied, can, require
from counterdesk.base.text import CounterDeskError, Text
from counterdesk.cli import common
from counterdesk.cli.common import EXIT_BROKEN, EXIT_OK, signed_in
from counterdesk.services.anchoring.chains import by_name
from counterdesk.services.anchoring.checkpoints import AnchorResult
from counterdesk.services.auth.vault import Vault
from counterdesk.services.sync import prune, state
from counterdesk.services.sync.admin import check_ca, conflicts_without_content, requeue
from counterdesk.services.sync.client import HubRefused, HubUnreachable, SyncClient, quarantined, status, tls_verify
from counterdesk.services.sync.conflicts import list_conflicts
from counterdesk.services.sync.enrol import ENROL_PERMISSION, checked_hub_url, enrol, make_enrol_code
from counterdesk.store.models.sync import Outbox, SyncConflict

# ---- messages -------------------------------------------------------------------------------------
ENROLLED = Text("本工作站已加入网点 {branch} 的同步。", "This workstation is enrolled for sync in branch {branch}.")
DEVICE = Text("设备编号：{id}", "Device id: {id}")
KEY_CREATED = Text("网点密钥：{key}（本机为该网点第一台工作站，已创建网点密钥）",
                   "Branch key: {key} (the first workstation of the branch: the branch key was created here)")
KEY_RECEIVED = Text("网点密钥：{key}（已用注册码从同网点工作站取得）",
                    "Branch key: {key} (received with the code from a workstation of the branch)")
HO_FP = Text("总行密钥指纹（SHA-256）：{fp}", "Head-office key fingerprint (SHA-256): {fp}")
HO_COMPARE = Text("请与总行提供的指纹逐字核对；如不一致，请勿使用本连接并立即联系总行。",
                  "Compare it character by character with the fingerprint head office gives you; if they differ, "
                  "do not use this connection and call head office.")
HO_NONE = Text("同步服务器尚未登记总行密钥：总行主数据在重新注册前无法验证。",
               "The hub has no head-office key registered yet: master data cannot be verified until this "
               "workstation is enrolled again after head office registers its key.")
TO_SEND = Text("待发送记录：{n} 条（立即同步：counterdesk-admin sync now）",
               "Records waiting to be sent: {n} (sync now: counterdesk-admin sync now)")
PLAIN_HTTP = Text("警告：同步服务器地址不是 https，请求未经 TLS 加密（记录内容仍以网点密钥加密）。仅限测试环境。",
                  "Warning: the hub address is not https; requests travel without TLS (record bodies are still "
                  "encrypted with the branch key). For a test bench only.")
ALREADY = Text("本工作站已加入同步；如需重新注册（例如设备已被吊销），请加 --again。",
               "This workstation is already enrolled; to enrol it again (e.g. after it was revoked) add --again.")
CODE_REFUSED = Text("同步服务器拒绝了该注册码：注册码无效、已使用、已过期或不属于网点 {branch}。本工作站未作任何更改。",
                    "The hub refused the enrolment code: it is unknown, already used, expired or for another "
                    "branch than {branch}. Nothing was changed on this workstation.")
KEY_MISMATCH = Text("该网点已有网点密钥，而此注册码不含密钥：请在本网点已注册的工作站上运行 "
                    "counterdesk-admin sync code 生成注册码。本工作站未作任何更改。",
                    "The branch already has a branch key and this code carries none: make the code on an enrolled "
                    "workstation of the branch (counterdesk-admin sync code). Nothing was changed on this workstation.")
CODE_MADE = Text("网点 {branch} 下一台工作站的一次性注册码：{code}",
                 "One-time enrolment code for the next workstation of branch {branch}: {code}")
CODE_VALID = Text("有效期至 {until}，仅可使用一次。请在新工作站上运行：counterdesk-admin --user admin sync enrol "
                  "--hub {hub} --code {code}{ca}",
                  "Valid until {until}; it works once. On the new workstation run: counterdesk-admin --user admin "
                  "sync enrol --hub {hub} --code {code}{ca}")
BAD_HOURS = Text("--hours 须在 0.02（1 分钟）到 168（7 天）之间。",
                 "--hours must be between 0.02 (one minute) and 168 (7 days).")
NOT_ENROLLED = Text("本工作站尚未加入同步。加入：counterdesk-admin --user admin sync enrol --hub 地址 --code 注册码",
                    "This workstation is not enrolled for sync. To enrol: counterdesk-admin --user admin sync enrol "
                    "--hub URL --code CODE")
S_HUB = Text("同步服务器：{url}", "Hub: {url}")
S_BRANCH = Text("网点：{branch}", "Branch: {branch}")
S_ONLINE = Text("连接：在线（服务器时间 {time}，协议版本 {protocol}）",
                "Connection: online (hub time {time}, protocol {protocol})")
S_OFFLINE = Text("连接：离线（{why}）", "Connection: offline ({why})")
S_REVOKED = Text("连接：本设备已在同步服务器上被吊销（{code}），不再同步。"
                 "请向管理员索取注册码，并用 sync enrol --again 重新注册",
                 "Connection: this device is revoked on the hub ({code}); nothing syncs. Get an enrolment code and "
                 "enrol again with sync enrol --again")
S_REVOKED_LAST = Text("设备：同步服务器上次拒绝了本设备（{code}，{when}）",
                      "Device: the hub refused this device at the last request ({code}, {when})")
S_DB_DOWN = Text("连接：服务器可达，但其数据库暂不可用（503），请稍后再试",
                 "Connection: the hub answers but its database is unavailable (503); try again later")
S_ODD = Text("连接：服务器应答异常（HTTP {status}）", "Connection: unexpected answer from the hub (HTTP {status})")
S_LAST = Text("上次同步：{when}", "Last sync: {when}")
NEVER = Text("从未", "never")
S_PENDING = Text("待发送记录：{n}", "Pending records: {n}")
S_QUARANTINED = Text("隔离记录：{n}{hint}", "Quarantined records: {n}{hint}")
Q_HINT = Text("（查看：counterdesk-admin sync quarantine）", " (see counterdesk-admin sync quarantine)")
S_CONFLICTS = Text("未处理冲突：{n}{hint}", "Open conflicts: {n}{hint}")
C_HINT = Text("（查看：counterdesk-admin sync conflicts）", " (see counterdesk-admin sync conflicts)")
N_PUSH = Text("发送：新增 {sent} 条，服务器已有 {dup} 条，被拒绝并隔离 {rejected} 条；仍待发送 {pending} 条",
              "Sent: {sent} new, {dup} already on the hub, {rejected} refused and quarantined; "
              "still pending: {pending}")
N_PULL = Text("接收：{received} 条（已应用 {applied}，冲突 {conflicts}，暂未应用 {failed}）",
              "Received: {received} records (applied {applied}, conflicts {conflicts}, not applied yet {failed})")
N_MASTER = Text("总行主数据：已应用 {applied}，已保存待用 {stored}，拒收 {refused}",
                "Master data: applied {applied}, kept for later {stored}, refused {refused}")
N_MASTER_REFUSED = Text("  拒收 {kind} 版本 {version}：{why}", "  refused {kind} version {version}: {why}")
N_ANCHORED = Text("中心锚定：{title}已锚定至第 {seq} 条（本次提交 {n} 个检查点，未锚定 {newer} 条）",
                  "Anchored at the hub: {title} up to entry {seq} ({n} checkpoint(s) sent now, {newer} not anchored)")
N_ANCHOR_REFUSED = Text("中心拒绝了{title}的检查点：本机的链与已锚定的历史矛盾（{reason}）。"
                        "请运行 counterdesk-admin verify。",
                        "The hub refused the checkpoint of {title}: the chain here contradicts the anchored history "
                        "({reason}). Run counterdesk-admin verify.")
N_ANCHOR_BEHIND = Text("{title}在中心已锚定至第 {seq} 条，本机却只到第 {have} 条：有记录被删除。"
                       "请运行 counterdesk-admin verify。",
                       "{title} is anchored at the hub up to entry {seq} but ends here at entry {have}: entries were "
                       "removed. Run counterdesk-admin verify.")
N_QUARANTINE_HINT = Text("有记录被同步服务器拒绝，已隔离：counterdesk-admin sync quarantine",
                         "Some records were refused by the hub and quarantined: counterdesk-admin sync quarantine")
UNREACHABLE = Text("无法连接同步服务器 {url}（{why}）。",
                   "The sync hub at {url} cannot be reached ({why}).")
TLS_HINT = Text("服务器证书不受信任：请用 --ca 指定签发该证书的 CA 文件。",
                "The hub's certificate is not trusted: give the CA that signed it with --ca FILE.")
NOTHING_LOST = Text("数据未丢失：{n} 条记录保存在本机，将在下次同步时发送。",
                    "Nothing was lost: {n} record(s) wait on this workstation and are sent at the next sync.")
REFUSED = Text("同步服务器拒绝了请求（{code}）。", "The sync hub refused the request ({code}).")
REVOKED = Text("本工作站的设备已在同步服务器上被吊销或不存在：请向管理员索取新的注册码，"
               "并用 sync enrol --again 重新注册。",
               "This workstation's device is revoked or unknown on the hub: get a new enrolment code and enrol "
               "again with sync enrol --again.")
HEAD_Q = (Text("记录编号", "record id"), Text("类型", "type"), Text("创建时间", "created at"), Text("原因", "error"),
          Text("尝试次数", "attempts"))
NO_QUARANTINE = Text("没有隔离的记录。", "No quarantined records.")
Q_NOT_FOUND = Text("以下编号不是隔离记录，未作任何更改：{ids}",
                   "These ids are not quarantined records; nothing was changed: {ids}")
REQUEUED = Text("已重新排队 {n} 条记录，将在下次同步时发送（counterdesk-admin sync now）。",
                "Requeued {n} records; they are sent at the next sync (counterdesk-admin sync now).")
HEAD_C = (Text("冲突编号", "conflict id"), Text("类型", "kind"), Text("对象", "object"), Text("版本（原/本机/对方）",
          "versions (base/local/remote)"), Text("差异字段", "changed fields"), Text("发现时间", "detected at"),
          Text("处理", "resolution"))
NO_CONFLICTS = Text("没有未处理的冲突。", "No open conflicts.")
C_RESOLVE = Text("冲突由可编辑客户的用户在应用程序中处理（保留本机或对方版本）。",
                 "A user who may edit customers resolves conflicts in the application (keep the local or the "
                 "remote version).")
C_FIELDS_HIDDEN = Text("（差异字段仅向可查看客户的用户显示）",
                       "(changed fields are shown to users who may view customers)")
OPEN = Text("未处理", "open")
P_DONE = Text("已清理：{outbox} 条已发送记录（删除内容，保留编号），{inbox} 条已应用的接收记录；保留期 {days} 天"
              "（设置 sync.retention_days），早于 {cutoff}。",
              "Pruned: {outbox} sent records (content dropped, ids kept) and {inbox} applied received records; "
              "retention {days} days (setting sync.retention_days), before {cutoff}.")
P_DRY = Text("试运行：将清理 {outbox} 条已发送记录和 {inbox} 条已应用的接收记录（保留期 {days} 天，早于 {cutoff}）；"
             "未作任何更改。",
             "Dry run: {outbox} sent records and {inbox} applied received records would be pruned (retention "
             "{days} days, before {cutoff}); nothing was changed.")
P_KEPT = Text("待发送、被隔离、未应用或有冲突的记录从不清理；中心保留全部记录。",
              "Records pending, quarantined, not applied or in a conflict are never pruned; the hub keeps every "
              "record.")

MIN_CODE_S, MAX_CODE_S = 60, 7 * 24 * 3600


# ---- helpers --------------------------------------------------------------------------------------
def _verify(vault: Vault):
    """The trust for the hub: the CA kept at enrolment, else the system's store."""
    return tls_verify(vault)


def _read_state(vault: Vault) -> dict:
    return vault.transact(state.all_state)


def _enrolled(vault: Vault) -> bool:
    return bool(vault.transact(state.enrolled))


def _pending(vault: Vault) -> int:
    return status(vault).pending_count


def _unreachable(url: str, exc, vault: Vault | None = None) -> CounterDeskError:
    """One message: where, why, a hint for TLS, and (when there is a vault) that nothing was lost."""
    why = (getattr(exc, "detail", None) or exc.message("en")).splitlines()[0][:300]
    text = UNREACHABLE.format(url=url, why=why)
    parts = [text]
    if "CERTIFICATE_VERIFY_FAILED" in why or "certificate verify failed" in why.lower():
        parts.append(TLS_HINT)
    if vault is not None:
        parts.append(NOTHING_LOST.format(n=_pending(vault)))
    return CounterDeskError(Text("".join(p.zh for p in parts), " ".join(p.en for p in parts)),
                            code="hub_unreachable", detail=why)


def _refused(exc, vault: Vault | None = None) -> CounterDeskError:
    parts = [REFUSED.format(code=exc.code)]
    if exc.code in ("device_revoked", "device_unknown"):
        parts.append(REVOKED)
    if vault is not None and (exc.code == "unavailable" or getattr(exc, "status", 0) >= 500):
        parts.append(NOTHING_LOST.format(n=_pending(vault)))
    detail = getattr(exc, "detail", None)
    zh, en = "".join(p.zh for p in parts), " ".join(p.en for p in parts)
    if detail:
        zh, en = f"{zh}（服务器说明：{detail}）", f"{en} (hub: {detail})"
    return CounterDeskError(Text(zh, en), code=exc.code, detail=detail)


def _require_any(us, *permissions: str) -> None:
    if not any(can(us.role, p) for p in permissions):
        require(us.role, permissions[0])


# ---- commands -------------------------------------------------------------------------------------
def cmd_enrol(ctx, vault: Vault, us, _pw: str) -> int:
    a = ctx.args
    require(us.role, ENROL_PERMISSION)
    hub = checked_hub_url(a.hub)
    if not a.again and _enrolled(vault):
        raise CounterDeskError(ALREADY, code="already_enrolled")
    verify: str | bool = True
    if a.ca:
        verify = _check_ca(Path(a.ca))
    if hub.lower().startswith("http://"):
        print(ctx.t(PLAIN_HTTP), file=sys.stderr)
    branch = (a.branch or vault.info.branch_code).strip()
    try:
        done = enrol(vault, us, hub, a.code, name=a.name, branch_code=branch, verify=verify, again=a.again)
    except HubUnreachable as exc:
        raise _unreachable(hub, exc) from None
    except HubRefused as exc:
        if exc.code == "enrol_code_invalid":
            raise CounterDeskError(CODE_REFUSED.format(branch=branch), code=exc.code) from None
        if exc.code == "branch_key_mismatch":
            raise CounterDeskError(KEY_MISMATCH, code=exc.code) from None
        raise _refused(exc) from None
    ctx.say(ENROLLED, branch=done.branch_code)
    ctx.say(DEVICE, id=done.device_id)
    ctx.say(KEY_CREATED if done.first_in_branch else KEY_RECEIVED, key=done.branch_key_id)
    if done.head_office_fingerprint:
        ctx.say(HO_FP, fp=done.head_office_fingerprint)
        ctx.say(HO_COMPARE)
    else:
        ctx.say(HO_NONE)
    ctx.say(TO_SEND, n=_pending(vault))
    return 0


def _check_ca(path: Path) -> str:
    return check_ca(path)


def cmd_code(ctx, vault: Vault, us, _pw: str) -> int:
    require(us.role, ENROL_PERMISSION)
    seconds = round(ctx.args.hours * 3600)
    if not MIN_CODE_S <= seconds <= MAX_CODE_S:
        raise CounterDeskError(BAD_HOURS, code="bad_hours")
    values = _read_state(vault)
    if not _enrolled(vault):
        raise CounterDeskError(NOT_ENROLLED, code="not_enrolled")
    hub = values.get("hub_url") or ""
    try:
        made = make_enrol_code(vault, us, expires_in_s=seconds, verify=_verify(vault))
    except HubUnreachable as exc:
        raise _unreachable(hub, exc) from None
    except HubRefused as exc:
        raise _refused(exc) from None
    ctx.say(CODE_MADE, branch=made.branch_code, code=made.code)
    ca = " --ca HUB-CA.pem" if values.get(state.HUB_CA_PEM) else ""
    ctx.say(CODE_VALID, until=_when(ctx, made.expires_at), hub=hub, code=made.code, ca=ca)
    return 0


def cmd_status(ctx, vault: Vault, us, _pw: str) -> int:
    _require_any(us, "settings.manage", "audit.view")
    current = status(vault)
    values = _read_state(vault)
    if not _enrolled(vault):
        ctx.say(NOT_ENROLLED)
        ctx.say(S_PENDING, n=current.pending_count)
        return 0
    hub = values.get("hub_url") or ""
    ctx.say(S_HUB, url=hub)
    ctx.say(S_BRANCH, branch=values.get("branch_code") or "")
    ctx.say(DEVICE, id=values.get("device_id") or "")
    refused: str | None = None
    try:
        resp = httpx.get(f"{hub}/v1/health", verify=_verify(vault), timeout=5.0)
    except httpx.HTTPError as exc:
        why = f"{type(exc).__name__}: {exc}".splitlines()[0][:300]
        ctx.say(S_OFFLINE, why=why)
        if "CERTIFICATE_VERIFY_FAILED" in why:
            ctx.say(TLS_HINT)
    else:
        if resp.status_code == 200:
            body = _json(resp)
            refused = _device_refused(vault, us)
            if refused:
                ctx.say(S_REVOKED, code=refused)
            else:
                ctx.say(S_ONLINE, time=body.get("server_time", "?"), protocol=body.get("protocol", "?"))
        elif resp.status_code == 503:
            ctx.say(S_DB_DOWN)
        else:
            ctx.say(S_ODD, status=resp.status_code)
    after = status(vault)
    if after.revoked and not refused:  # offline now: what the hub said last
        ctx.say(S_REVOKED_LAST, code=after.revoked, when=_when(ctx, after.revoked_at))
    ctx.say(S_LAST, when=_when(ctx, current.last_sync_at))
    ctx.say(S_PENDING, n=current.pending_count)
    ctx.say(S_QUARANTINED, n=current.quarantined_count, hint=ctx.t(Q_HINT) if current.quarantined_count else "")
    n = _open_conflicts(vault)
    ctx.say(S_CONFLICTS, n=n, hint=ctx.t(C_HINT) if n else "")
    return 0


def _device_refused(vault: Vault, us) -> str | None:
    """Whether the hub still accepts this device, asked with a signed request (the health check is
    unsigned, so a revoked device would look online); the last known answer if that request fails."""
    client = SyncClient(vault, us, verify=_verify(vault), anchoring=False, timeout=5.0)
    try:
        return client.check_device()
    except (HubUnreachable, HubRefused):
        return status(vault).revoked
    finally:
        client.close()


def _json(resp: httpx.Response) -> dict:
    try:
        data = resp.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _when(ctx, iso: str | None) -> str:
    return iso[:19].replace("T", " ") + "Z" if iso else ctx.t(NEVER)


def _open_conflicts(vault: Vault) -> int:
    return vault.transact(lambda s: s.execute(select(func.count()).select_from(SyncConflict)
                                              .where(SyncConflict.resolved_at.is_(None))).scalar_one())


def cmd_now(ctx, vault: Vault, us, _pw: str) -> int:
    require(us.role, "settings.manage")
    if not _enrolled(vault):
        raise CounterDeskError(NOT_ENROLLED, code="not_enrolled")
    client = SyncClient(vault, us, verify=_verify(vault), anchoring=False)  # anchored once, at the end
    try:
        pushed = client.push_all()
        ctx.say(N_PUSH, sent=pushed.sent, dup=pushed.duplicate, rejected=pushed.rejected, pending=pushed.pending)
        pulled = client.pull_all()
        ctx.say(N_PULL, received=pulled.received, applied=pulled.applied, conflicts=pulled.conflicts,
                failed=pulled.failed)
        master = client.pull_master()
        ctx.say(N_MASTER, applied=len(master.applied), stored=len(master.stored), refused=len(master.refused))
        for kind, version, why in master.refused:
            ctx.say(N_MASTER_REFUSED, kind=kind, version=version, why=why)
        if pushed.rejected:
            print(ctx.t(N_QUARANTINE_HINT), file=sys.stderr)
        anchored = client.anchor()
        _say_anchored(ctx, anchored)
    except HubUnreachable as exc:
        raise _unreachable(client.hub_url, exc, vault) from None
    except HubRefused as exc:
        raise _refused(exc, vault) from None
    finally:
        client.close()
    # Master data that failed its signature or content checks is a finding, as in verify: exit 2.
    # A checkpoint the hub refused means the chains here contradict what was anchored: also exit 2.
    return EXIT_BROKEN if master.refused or anchored.refused else EXIT_OK


def _say_anchored(ctx, anchored: AnchorResult) -> None:
    for item in anchored.chains:
        chain = by_name(item.chain)
        title = chain.title.get(ctx.lang) if chain else item.chain
        newer = max(item.local_to - item.anchored_to, 0)
        ctx.say(N_ANCHORED, title=title, seq=item.anchored_to, n=item.sent, newer=newer)
        if item.refused:
            print(ctx.t(N_ANCHOR_REFUSED, title=title, reason=item.refused), file=sys.stderr)
        elif item.behind:
            print(ctx.t(N_ANCHOR_BEHIND, title=title, seq=item.anchored_to, have=item.local_to), file=sys.stderr)


def cmd_quarantine(ctx, vault: Vault, us, _pw: str) -> int:
    a = ctx.args
    requeueing = a.all or bool(a.requeue)
    if requeueing:
        require(us.role, "settings.manage")
    else:
        _require_any(us, "settings.manage", "audit.view")
    rows = quarantined(vault)
    if not requeueing:
        if not rows:
            ctx.say(NO_QUARANTINE)
            return 0
        attempts = _attempts(vault, [r["id"] for r in rows])
        common.table(ctx, HEAD_Q, [[r["id"], r["type"], _when(ctx, r["created_at"]), r["error"] or "",
                                  str(attempts.get(r["id"], 0))] for r in rows])
        return 0
    known = {r["id"] for r in rows}
    ids = None if a.all else list(dict.fromkeys(a.requeue))
    if ids is not None:
        missing = [i for i in ids if i not in known]
        if missing:
            raise CounterDeskError(Q_NOT_FOUND.format(ids=", ".join(missing)), code="not_quarantined")
    if not known:
        ctx.say(NO_QUARANTINE)
        return 0
    n = requeue(vault, us, ids, {r["id"]: r["error"] for r in rows})
    ctx.say(REQUEUED, n=n)
    return 0


def _attempts(vault: Vault, ids: list[str]) -> dict[str, int]:
    return vault.transact(lambda s: dict(s.execute(select(Outbox.id, Outbox.attempts).where(Outbox.id.in_(ids))).all()))


def cmd_prune(ctx, vault: Vault, us, _pw: str) -> int:
    """Sent outbox rows lose their content and applied inbox rows go, after the retention window."""
    require(us.role, "settings.manage")
    done = prune.run(vault, us, dry_run=ctx.args.dry_run)
    ctx.say(P_DRY if done.dry_run else P_DONE, outbox=done.outbox, inbox=done.inbox, days=done.days,
            cutoff=_when(ctx, done.cutoff))
    ctx.say(P_KEPT)
    return 0


def cmd_conflicts(ctx, vault: Vault, us, _pw: str) -> int:
    """Users who may view customers see the changed fields (conflicts.list_conflicts); an administrator
    or auditor sees which objects are in conflict, nothing of their content."""
    include = ctx.args.all
    if can(us.role, "customer.view"):
        rows = [[c.id, c.kind, c.object_id, _versions(c.base_version, c.local_version, c.remote_version),
                 ", ".join(c.changed_fields) or "-", _when(ctx, c.detected_at), c.resolution or ctx.t(OPEN)]
                for c in list_conflicts(vault, us, include_resolved=include)]
        hidden = False
    elif can(us.role, "settings.manage") or can(us.role, "audit.view"):
        rows, hidden = _conflicts_without_content(ctx, vault, include), True
    else:
        raise PermissionDenied(Text("当前角色无权执行此操作。", "Your role is not allowed to do this."),
                               detail=f"{us.role}:sync.conflicts")
    if not rows:
        ctx.say(NO_CONFLICTS)
        return 0
    common.table(ctx, HEAD_C, rows)
    if hidden:
        ctx.say(C_FIELDS_HIDDEN)
    ctx.say(C_RESOLVE)
    return 0


def _versions(base, local, remote) -> str:
    return "/".join("-" if v is None else str(v) for v in (base, local, remote))


def _conflicts_without_content(ctx, vault: Vault, include_resolved: bool) -> list[list[str]]:
    return [[c.id, c.kind, c.object_id, _versions(c.base_version, c.local_version, None), "…",
             _when(ctx, c.detected_at), c.resolution or ctx.t(OPEN)]
            for c in conflicts_without_content(vault, include_resolved)]


# ---- registration ---------------------------------------------------------------------------------
def _hours(raw: str) -> float:
    try:
        return float(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {raw}") from None


def add_commands(sub, leaf: Callable) -> None:
    """Add the `sync` group to the top-level subparsers (``leaf`` is cli.build_parser's helper)."""
    group = sub.add_parser("sync", help="与同步服务器同步 / sync with the hub").add_subparsers(
        dest="sync_command", required=True, metavar="ACTION")
    p = leaf(group, "enrol", "将本工作站注册到同步服务器 / enrol this workstation with the hub", signed_in(cmd_enrol))
    p.add_argument("--hub", required=True, metavar="URL", help="the hub's address, e.g. https://hub.example:8443")
    p.add_argument("--code", required=True, metavar="CODE", help="the one-time enrolment code (32 hex characters)")
    p.add_argument("--ca", metavar="FILE", default=None,
                   help="PEM certificate of the CA that signed the hub's certificate (kept for later syncs)")
    p.add_argument("--name", metavar="NAME", default=None, help="this workstation's name on the hub")
    p.add_argument("--branch", metavar="CODE", default=None,
                   help="the branch code on the hub (default: this installation's)")
    p.add_argument("--again", action="store_true", help="enrol an enrolled workstation again (new device key)")
    p = leaf(group, "code", "为本网点下一台工作站生成一次性注册码 / a one-time code for the next workstation",
             signed_in(cmd_code))
    p.add_argument("--hours", type=_hours, default=24.0, help="how long the code is valid (default 24, at most 168)")
    leaf(group, "status", "同步状态 / sync status", signed_in(cmd_status))
    leaf(group, "now", "立即同步：发送、接收、总行主数据 / sync now: push, pull, master data", signed_in(cmd_now))
    p = leaf(group, "quarantine", "列出或重新发送隔离的记录 / list or requeue quarantined records",
             signed_in(cmd_quarantine))
    which = p.add_mutually_exclusive_group()
    which.add_argument("--requeue", nargs="+", metavar="ID", default=None, help="send these records again")
    which.add_argument("--all", action="store_true", help="send every quarantined record again")
    p = leaf(group, "conflicts", "列出同步冲突 / list sync conflicts", signed_in(cmd_conflicts))
    p.add_argument("--all", action="store_true", help="resolved ones too")
    p = leaf(group, "prune", "清理保留期已过的已发送与已应用记录 / prune sent and applied records past retention",
             signed_in(cmd_prune))
    p.add_argument("--dry-run", action="store_true", help="count what would be pruned; change nothing")
