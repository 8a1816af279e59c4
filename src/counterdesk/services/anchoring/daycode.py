"""The short code printed on the end-of-day journal: each chain's closing head in a form a person can
type back, and the longer form in its QR code.

Typed form: per chain a mark and the sequence number (``A812`` the audit log, ``R340`` the records
ledger), then the first 80 bits of the head in four groups of Crockford base32 (no I, L, O, U), then
two check characters over the whole (a weighted sum, see ``_check``):
``A812-K7Q2-M9XD-4FPA-ZT3H-R340-ABCD-EFGH-JKMN-PQRS-7X``. Finding
another history with the same 80 bits is beyond reach; the check characters tell a mistyped code
(any one wrong or swapped character) from a history that differs. The QR holds the full heads:
``CDJ1|2026-12-03|audit:812:<sha256>|records:340:<sha256>``.

Pure: no database.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from counterdesk.base.text import CounterDeskError, Text

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"   # Crockford base32
HEAD_BITS = 80
GROUPS, GROUP = 4, 4
MARKS = {"audit": "A", "records": "R"}
QR_PREFIX = "CDJ1"
CHECK_MODULUS = 1021
_TYPOS = str.maketrans({"O": "0", "I": "1", "L": "1"})
_MARK = re.compile(r"^([AR])(\d{1,12})$")
_HEX64 = re.compile(r"^[0-9a-f]{64}$")

MISTYPED = Text("日终流水代码有误：校验字符不符，可能有字符输错或顺序颠倒。"
                "请对照打印件逐组重新输入（这不表示数据被篡改）。",
                "The journal code does not check: a character is mistyped or two are swapped. Type it again group "
                "by group from the printed page (this does not mean the data was changed).")
MALFORMED = Text("日终流水代码格式不对：应如 A812-K7Q2-M9XD-4FPA-ZT3H-R340-ABCD-EFGH-JKMN-PQRS-7X"
                 "（各组之间用连字符或空格分隔）。",
                 "The journal code is not in the printed form: like A812-K7Q2-M9XD-4FPA-ZT3H-R340-ABCD-EFGH-JKMN-"
                 "PQRS-7X, the groups separated by hyphens or spaces.")


class CodeError(CounterDeskError):
    code = "journal_code"


@dataclass(frozen=True)
class ChainHead:
    chain: str        # "audit", "records"
    seq: int
    head: str         # the full SHA-256 hex (QR form) or its first 80 bits as 20 hex (typed form)

    def matches(self, full_hash: str) -> bool:
        return full_hash.startswith(self.head)


def _b32(data: bytes) -> str:
    value, bits = int.from_bytes(data, "big"), len(data) * 8
    return "".join(ALPHABET[(value >> shift) & 31] for shift in range(bits - 5, -1, -5))


def _unb32(text: str) -> bytes:
    value = 0
    for ch in text:
        value = value * 32 + ALPHABET.index(ch)
    return value.to_bytes(len(text) * 5 // 8, "big")


def _tokens(heads: list[ChainHead]) -> list[str]:
    out: list[str] = []
    for h in heads:
        letters = _b32(bytes.fromhex(h.head[:HEAD_BITS // 4]))
        out += [f"{MARKS[h.chain]}{h.seq}", *(letters[i:i + GROUP] for i in range(0, GROUPS * GROUP, GROUP))]
    return out


def _check(heads: list[ChainHead]) -> str:
    """Two characters of a position-weighted sum modulo the prime 1021: any one wrong character and any
    two neighbours swapped change it (weights and differences are non-zero and below the modulus)."""
    text = "-".join(_tokens(heads))
    total = sum((i + 1) * (32 if ch == "-" else ALPHABET.index(ch)) for i, ch in enumerate(text)) % CHECK_MODULUS
    return ALPHABET[total >> 5] + ALPHABET[total & 31]


def encode(heads: list[ChainHead]) -> str:
    """The typed form of ``heads`` (full hashes)."""
    return "-".join([*_tokens(heads), _check(heads)])


def qr_payload(day: str, heads: list[ChainHead]) -> str:
    return "|".join([QR_PREFIX, day, *(f"{h.chain}:{h.seq}:{h.head}" for h in heads)])


def parse(code: str) -> list[ChainHead]:
    """The chain heads of a typed code or of a QR payload; ``CodeError`` (mistyped / malformed) otherwise."""
    text = code.strip()
    if text.startswith(QR_PREFIX + "|"):
        return _parse_qr(text)
    tokens = [t for t in re.split(r"[\s\-–—_.]+", text.upper().translate(_TYPOS)) if t]
    heads: list[ChainHead] = []
    i = 0
    while i < len(tokens) - 1:
        mark = _MARK.match(tokens[i])
        groups = tokens[i + 1:i + 1 + GROUPS]
        if mark is None or len(groups) != GROUPS or any(len(g) != GROUP or set(g) - set(ALPHABET) for g in groups):
            raise CodeError(MALFORMED, code="journal_code_malformed")
        chain = next(name for name, m in MARKS.items() if m == mark.group(1))
        heads.append(ChainHead(chain, int(mark.group(2)), _unb32("".join(groups)).hex()))
        i += 1 + GROUPS
    if not heads or i != len(tokens) - 1 or len(tokens[-1]) != 2 or set(tokens[-1]) - set(ALPHABET) \
            or len({h.chain for h in heads}) != len(heads):
        raise CodeError(MALFORMED, code="journal_code_malformed")
    if tokens[-1] != _check(heads):
        raise CodeError(MISTYPED, code="journal_code_mistyped")
    return heads


def _parse_qr(text: str) -> list[ChainHead]:
    heads: list[ChainHead] = []
    for part in text.split("|")[2:]:
        chain, _, rest = part.partition(":")
        seq, _, digest = rest.partition(":")
        if chain not in MARKS or not seq.isdigit() or not _HEX64.match(digest):
            raise CodeError(MALFORMED, code="journal_code_malformed")
        heads.append(ChainHead(chain, int(seq), digest))
    if not heads:
        raise CodeError(MALFORMED, code="journal_code_malformed")
    return heads
