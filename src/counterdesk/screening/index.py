"""In-memory candidate index over the loaded lists: blocking keys so a screening scores a few dozen
names instead of every name on every list.

Keys per name: each distinctive token, the character trigrams of each token (typos and different
word splits still share most trigrams) and each Han character (so 王晓明 finds 王小明 by two shared
characters, and by pinyin tokens as well). Generic tokens are not keys. Document numbers have an
exact index of their own, so a document match is always scored whatever the name.
"""
from __future__ import annotations

import heapq
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from counterdesk.screening.normalise import NameForm, name_form

# How many postings one query may walk, rarest keys first: bounds the work for very common names
# ("Wang Wei") where further keys add little but cost much.
POSTINGS_BUDGET = 12_000
CANDIDATE_NAMES = 48          # at least this many best-overlapping names are scored ...
CLOSE_SHARE = 0.75            # ... and all whose overlap is within this share of the best ...
MAX_CANDIDATE_NAMES = 400     # ... up to this many


@dataclass(frozen=True)
class IndexedEntry:
    list_id: str
    list_source: str
    list_sha256: str
    ref: str
    kind: str
    names: tuple[tuple[str, str, str], ...]  # (text, type, script)
    birth_dates: tuple[str, ...]
    nationalities: tuple[str, ...]
    documents: tuple[str, ...]  # normalised numbers
    programs: str


def keys_of(form: NameForm) -> set[str]:
    keys: set[str] = set()
    for tok in set(form.tokens) | set(form.grouped):
        keys.add("t" + tok)
        if len(tok) >= 3:
            padded = f"^{tok}$"
            keys.update("g" + padded[i:i + 3] for i in range(len(padded) - 2))
    keys.update("h" + ch for ch in form.han)
    return keys


@dataclass
class MatchIndex:
    entries: list[IndexedEntry] = field(default_factory=list)
    forms: list[NameForm] = field(default_factory=list)       # one per name
    name_entry: list[int] = field(default_factory=list)       # name id -> entry index
    name_pos: list[int] = field(default_factory=list)         # name id -> position in entry.names
    postings: dict[str, list[int]] = field(default_factory=dict)
    documents: dict[str, list[int]] = field(default_factory=dict)
    list_hashes: frozenset[str] = frozenset()
    build_seconds: float = 0.0

    @classmethod
    def build(cls, entries: list[IndexedEntry], list_hashes: frozenset[str] = frozenset()) -> MatchIndex:
        t0 = time.perf_counter()
        idx = cls(entries=list(entries), list_hashes=list_hashes)
        postings: dict[str, list[int]] = {}
        for e_i, entry in enumerate(idx.entries):
            for pos, (text, _type, _script) in enumerate(entry.names):
                form = name_form(text, entry.kind)
                if form.empty:
                    continue
                n_id = len(idx.forms)
                idx.forms.append(form)
                idx.name_entry.append(e_i)
                idx.name_pos.append(pos)
                for key in keys_of(form):
                    postings.setdefault(key, []).append(n_id)
            for number in entry.documents:
                idx.documents.setdefault(number, []).append(e_i)
        idx.postings = postings
        idx.build_seconds = time.perf_counter() - t0
        return idx

    def candidates(self, forms: list[NameForm], limit: int = CANDIDATE_NAMES) -> list[int]:
        """Name ids sharing the most keys with any of the query forms, best first."""
        keys: set[str] = set()
        for form in forms:
            keys |= keys_of(form)
        lists = sorted((self.postings[k] for k in keys if k in self.postings), key=len)
        counts: Counter[int] = Counter()
        walked = 0
        for i, plist in enumerate(lists):
            if walked + len(plist) > POSTINGS_BUDGET and i >= 3:
                break
            counts.update(plist)  # counted in C: this loop is the hot path
            walked += len(plist)
        if not counts:
            return []
        # Everything close to the best overlap is scored, not just the first ``limit``: identical
        # common names ("Wang Wei") on many entries must all be scored, or the one whose date of
        # birth or document matches could be cut off by an arbitrary tie-break.
        cutoff = max(1, int(max(counts.values()) * CLOSE_SHARE))
        close = [n for n, c in counts.items() if c >= cutoff]
        if len(close) < limit:
            return [n for n, _ in counts.most_common(limit)]
        if len(close) > MAX_CANDIDATE_NAMES:
            close = heapq.nlargest(MAX_CANDIDATE_NAMES, close, key=counts.__getitem__)
        return close

    def by_document(self, numbers: list[str]) -> set[int]:
        found: set[int] = set()
        for n in numbers:
            found.update(self.documents.get(n, ()))
        return found


class IndexCache:
    """The last built index, keyed by (installation, set of list hashes): rebuilt only when the
    loaded lists change. Building takes seconds for large lists, so concurrent callers wait for
    one build instead of each starting their own."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._key: tuple[object, ...] | None = None
        self._index: MatchIndex | None = None

    def get(self, key: tuple[object, ...], load: Callable[[], tuple[list[IndexedEntry], Iterable[str]]]) -> MatchIndex:
        with self._lock:
            if self._key != key or self._index is None:
                entries, hashes = load()
                self._index = MatchIndex.build(entries, frozenset(hashes))
                self._key = key
            return self._index

    def clear(self) -> None:
        with self._lock:
            self._key, self._index = None, None


CACHE = IndexCache()
