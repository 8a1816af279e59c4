"""Comparing the local chains with the hub's checkpoints: the part of ``verify`` an insider holding the
database key cannot satisfy by re-hashing, because the hub's copy is out of reach.

Each chain's checkpoint heads are compared with the local entries at the same positions; in the
first checkpoint that no longer fits, the hub's entry hashes name the first entry that differs or
is missing. Every anchored evidence head is compared with the sale's chain here. Checkpoints the hub
refused (an attempt to anchor a contradicting history) are reported too. Not enrolled, the hub out of
reach or nothing anchored are warnings: verify says the history is not anchored, it does not fail.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from counterdesk.base.branchtime import format_time
from counterdesk.base.checks import CheckResult
from counterdesk.base.text import CounterDeskError, Result, Text
from counterdesk.services.anchoring.chains import AUDIT, CHAINS, Chain
from counterdesk.services.anchoring.link import HubLink, get_json
from counterdesk.services.auth.vault import Vault
from counterdesk.services.signoff import evidence
from counterdesk.store.models.signoff import Signoff

TITLE = Text("中心锚定", "Anchors at the hub")
NOT_ENROLLED = Text("本工作站未加入同步：历史记录没有锚定在本机之外。请每日打印日终流水（counterdesk-admin journal），"
                    "并用 counterdesk-admin verify --checkpoint 代码 与其核对。",
                    "This workstation is not enrolled with a hub: its history is not anchored outside it. Print the "
                    "end-of-day journal every day (counterdesk-admin journal) and check against it with "
                    "counterdesk-admin verify --checkpoint CODE.")
UNREACHABLE = Text("无法连接同步服务器，未能与中心的锚定记录核对（{why}）。",
                   "The hub cannot be reached: the history was not compared with its checkpoints ({why}).")
UNREADABLE = Text("中心的应答无法解读，未能与其锚定记录核对。",
                  "The hub's answer could not be read: the history was not compared with its checkpoints.")
NOTHING = Text("{title}尚无任何条目锚定在中心（下次同步时锚定）。",
               "Nothing of {title} is anchored at the hub yet (it is anchored at the next sync).")
DIFFERS = Text("{entry} {seq} 与中心 {when} 的锚定记录不符（本机的链被改写）。",
               "{entry} {seq} differs from the hub's checkpoint of {when} (the chain here was rewritten).")
MISSING = Text("{entries} {first}-{last} 已锚定在中心（{when}），但本机已不存在。",
               "{entries} {first}-{last} were anchored at the hub ({when}) but are missing here.")
MISSING_ONE = Text("{entry} {first} 已锚定在中心（{when}），但本机已不存在。",
                   "{entry} {first} was anchored at the hub ({when}) but is missing here.")
UP_TO = Text("{title}已锚定至第 {seq} 条（{when}）；另有 {n} 条较新的记录尚未锚定。",
             "Anchored up to {entry} {seq} at {when}; {n} newer entries not yet anchored.")
ALL = Text("{title}已锚定至第 {seq} 条（{when}），全部记录均已锚定。",
           "Anchored up to {entry} {seq} at {when}; every entry is anchored.")
EV_DIFFERS = Text("销售 {ref} 的证据记录与中心 {when} 的锚定记录不符。",
                  "The evidence record of sale {ref} differs from the hub's checkpoint of {when}.")
EV_MISSING = Text("销售 {ref} 的证据记录已锚定在中心（{when}），但本机已不存在。",
                  "The evidence record of sale {ref} was anchored at the hub ({when}) but is missing here.")
EV_NOTE = Text("已完成销售的证据记录：{n} 笔已锚定在中心。",
               "Evidence records of completed sales anchored at the hub: {n}.")
REFUSED = Text("中心曾于 {when} 拒绝本工作站的{title}锚定请求：它与已锚定的历史矛盾（{reason}）。"
               "有人试图锚定被改写的历史。",
               "On {when} the hub refused a checkpoint of {title} from this workstation: it contradicted the "
               "anchored history ({reason}). Someone tried to anchor a rewritten history.")
MAX_REFUSED_SHOWN = 3


def say(template: Text, **values: Any) -> Text:
    """``template`` filled per language (a Text value gives its own zh / en); the English capitalised."""
    zh = template.zh.format(**{k: v.zh if isinstance(v, Text) else v for k, v in values.items()})
    en = template.en.format(**{k: v.en if isinstance(v, Text) else v for k, v in values.items()})
    return Text(zh, en[:1].upper() + en[1:])


def when(iso: str) -> Text:
    return Text(format_time(iso, "zh"), format_time(iso, "en"))


def check_anchors(vault: Vault, link: HubLink | None) -> CheckResult:
    """The local chains against the hub's checkpoints of this installation (``link`` None: not enrolled)."""
    result, notes = Result(), list[Text]()
    if link is None:
        result.add("anchors", "not_enrolled", NOT_ENROLLED, "warning")
        return CheckResult("anchors", TITLE, result)
    try:
        link.credentials()
        checkpoints = _checkpoints(link, vault.info.installation_id)
        for chain in CHAINS:
            _check_chain(vault, link, chain, [c for c in checkpoints if c["chain"] == chain.name
                                              and c["status"] == "accepted"], result, notes)
    except CounterDeskError as exc:
        if exc.code == "not_enrolled":
            result.add("anchors", "not_enrolled", NOT_ENROLLED, "warning")
        else:
            why = (exc.detail or exc.code).splitlines()[0][:200] if exc.detail or exc.code else ""
            result.add("anchors", "hub_unreachable", say(UNREACHABLE, why=why), "warning")
        return CheckResult("anchors", TITLE, result, tuple(notes))
    except (KeyError, TypeError, ValueError):
        result.add("anchors", "hub_malformed", UNREADABLE, "warning")
        return CheckResult("anchors", TITLE, result, tuple(notes))
    _check_evidence(vault, [c for c in checkpoints if c["status"] == "accepted"], result, notes)
    refused = [c for c in checkpoints if c["status"] == "refused"]
    for c in refused[-MAX_REFUSED_SHOWN:]:
        chain = next((ch for ch in CHAINS if ch.name == c["chain"]), AUDIT)
        result.add(c["chain"], "checkpoint_refused", say(REFUSED, when=when(c["received_at"]), title=chain.title,
                                                          reason=c.get("reason") or ""), "warning")
    return CheckResult("anchors", TITLE, result, tuple(notes))


def _checkpoints(link: HubLink, installation: str) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    after = 0
    while True:
        data = get_json(link, "/v1/checkpoints", f"installation_id={installation}&after={after}&limit=500")
        page = [c for c in data.get("checkpoints", []) if isinstance(c, dict)]
        out += page
        if not page or not data.get("more"):
            return out
        after = int(page[-1]["id"])


def _anchored_entries(link: HubLink, installation: str, chain: str, after: int, to: int) -> list[tuple[int, str]]:
    out: list[tuple[int, str]] = []
    while True:
        data = get_json(link, "/v1/checkpoints/entries",
                        f"installation_id={installation}&chain={chain}&after_seq={after}&to_seq={to}&limit=5000")
        page = [(int(s), str(h)) for s, h in data.get("entries", [])]
        out += page
        if not page or not data.get("more"):
            return out
        after = page[-1][0]


def _check_chain(vault: Vault, link: HubLink, chain: Chain, checkpoints: list[dict[str, Any]], result: Result,
                 notes: list[Text]) -> None:
    local = dict(vault.transact(lambda db: chain.hashes(db, 0)))
    local_to = max(local, default=0)
    ranges = sorted((c for c in checkpoints if c["seq"] > c["from_seq"]), key=lambda c: c["seq"])
    if not ranges:
        result.add(chain.name, "nothing_anchored", say(NOTHING, title=chain.title), "warning")
        return
    last = ranges[-1]
    # The first checkpoint whose head no longer matches here (or reaches past the end here).
    bad = next((c for c in ranges if c["seq"] > local_to or local.get(c["seq"]) != c["head"]), None)
    if bad is not None:
        anchored = _anchored_entries(link, vault.info.installation_id, chain.name, bad["from_seq"], bad["seq"])
        differs = next((s for s, h in anchored if s <= local_to and local.get(s) != h), None)
        if differs is not None:
            at = next(c for c in ranges if c["from_seq"] < differs <= c["seq"])
            result.add(chain.name, "anchor_differs", say(DIFFERS, entry=chain.entry, seq=differs,
                                                         when=when(at["received_at"])))
        elif last["seq"] > local_to:
            first = local_to + 1
            template = MISSING_ONE if first == last["seq"] else MISSING
            result.add(chain.name, "anchor_missing", say(template, entry=chain.entry, entries=chain.entries,
                                                         first=first, last=last["seq"],
                                                         when=when(last["received_at"])))
    newer = max(local_to - last["seq"], 0)
    template = UP_TO if newer else ALL
    notes.append(say(template, title=chain.title, entry=chain.entry, seq=last["seq"], when=when(last["received_at"]),
                     n=newer))


def _check_evidence(vault: Vault, checkpoints: list[dict[str, Any]], result: Result, notes: list[Text]) -> None:
    anchored = [(item, c["received_at"]) for c in checkpoints for item in c.get("evidence") or []]
    if not anchored:
        return

    def read(db: Session) -> list[tuple[str, tuple[int, str], tuple[int, str], str]]:
        out = []
        for (signoff_id, seq, digest), at in anchored:
            row = db.get(Signoff, signoff_id)
            ref = (row.document_number if row is not None else None) or signoff_id
            out.append((ref, (int(seq), str(digest)), evidence.head(db, signoff_id), at))
        return out
    for ref, held, here, at in vault.transact(read):
        if here == held:
            continue
        template = EV_MISSING if here[0] == 0 else EV_DIFFERS
        result.add("evidence", "evidence_" + ("missing" if here[0] == 0 else "differs"),
                   say(template, ref=ref, when=when(at)))
    notes.append(say(EV_NOTE, n=len(anchored)))
