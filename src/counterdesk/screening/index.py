"""In-memory candidate index over the loaded lists: blocking keys so a screening scores a few dozen
names instead of every name on every list.

Keys per name: each distinctive token, the character trigrams of each token (typos and different
word splits still share most trigrams), each Han character (so 王晓明 finds 王小明 by two shared
characters, and by pinyin tokens as well), the family and given names of every romanisation of a
Chinese name (Wade-Giles, Hong Kong, Macau), and the consonant skeletons of the words (Arabic
script). Generic tokens are not keys. An exact key (all words, in any order) is looked up apart
from the budgeted keys, so an exact name is always scored however common it is ("BIN ZHANG" among
many "Zhang Bin"). Document numbers have an exact index of their own, so a document match is
always scored whatever the name.
"""
from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from counterdesk.screening.normalise import NameForm, name_form

# How many postings one query may walk, rarest keys first: bounds the work for very common names
# ("Wang Wei") where further keys add little but cost much.
POSTINGS_BUDGET = 12_000
CANDIDATE_NAMES = 64          # at least this many best-overlapping names are scored ...
CLOSE_SHARE = 0.75            # ... and all whose overlap is within this share of the best ...
MAX_CANDIDATE_NAMES = 240     # ... up to this many


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
    gender: str = ""            # "male" | "female" | "" when the list does not say


def _add_token(keys: set[str], tok: str) -> None:
    keys.add("t" + tok)
    if len(tok) >= 3:
        padded = f"^{tok}$"
        keys.update("g" + padded[i:i + 3] for i in range(len(padded) - 2))


def keys_of(form: NameForm) -> set[str]:
    keys: set[str] = set()
    for tok in set(form.tokens) | set(form.grouped):
        _add_token(keys, tok)
    for _system, family, given in form.romanised:
        _add_token(keys, family)
        if given:
            _add_token(keys, given)
    if len(form.words) >= 3:  # a given name written in syllables: "CHAN Tai Man" / "taiman"
        _add_token(keys, "".join(form.words[1:]))
        _add_token(keys, "".join(form.words[:-1]))
    keys.update("s" + sk for sk in form.skeleton if len(sk) >= 2)
    keys.update("h" + ch for ch in form.han)
    return keys


def exact_keys(form: NameForm) -> set[str]:
    """Keys that only an identical name shares (word order aside), whatever the script."""
    out = {"x" + " ".join(sorted(form.tokens + form.generic))} if form.tokens else set()
    if form.han:
        out.add("xh" + form.han)
    # The same name in another romanisation or script: family + given spelt out (Chinese), and
    # the consonant skeletons (Arabic script against its Latin spellings).
    out.update(f"r{family}{given}" for _system, family, given in form.romanised)
    if form.words and len(form.words) <= 4:
        fam = [w for w in form.words if w in form.family]
        rest = [w for w in form.words if w not in form.family]
        if fam:
            out.add("r" + "".join(fam + rest))
        else:
            out.add("r" + "".join(form.words))
            out.add("r" + form.words[-1] + "".join(form.words[:-1]))
    if form.skeleton:
        out.add("k" + " ".join(sorted(form.skeleton)))
    return out


@dataclass
class MatchIndex:
    entries: list[IndexedEntry] = field(default_factory=list)
    forms: list[NameForm] = field(default_factory=list)       # one per name
    name_entry: list[int] = field(default_factory=list)       # name id -> entry index
    name_pos: list[int] = field(default_factory=list)         # name id -> position in entry.names
    entry_names: list[list[int]] = field(default_factory=list)  # entry index -> its name ids
    postings: dict[str, list[int]] = field(default_factory=dict)
    exact: dict[str, list[int]] = field(default_factory=dict)
    documents: dict[str, list[int]] = field(default_factory=dict)
    list_hashes: frozenset[str] = frozenset()
    build_seconds: float = 0.0

    @classmethod
    def build(cls, entries: list[IndexedEntry], list_hashes: frozenset[str] = frozenset()) -> MatchIndex:
        t0 = time.perf_counter()
        idx = cls(entries=list(entries), list_hashes=list_hashes)
        postings: dict[str, list[int]] = {}
        for e_i, entry in enumerate(idx.entries):
            idx.entry_names.append([])
            for pos, (text, _type, _script) in enumerate(entry.names):
                form = name_form(text, entry.kind)
                if form.empty:
                    continue
                n_id = len(idx.forms)
                idx.forms.append(form)
                idx.name_entry.append(e_i)
                idx.name_pos.append(pos)
                idx.entry_names[e_i].append(n_id)
                for key in keys_of(form):
                    postings.setdefault(key, []).append(n_id)
                for key in exact_keys(form):
                    idx.exact.setdefault(key, []).append(n_id)
            for number in entry.documents:
                idx.documents.setdefault(number, []).append(e_i)
        idx.postings = postings
        idx.build_seconds = time.perf_counter() - t0
        return idx

    def candidates(self, forms: list[NameForm], limit: int = CANDIDATE_NAMES) -> list[int]:
        """Name ids sharing the most keys with any of the query forms, best first."""
        keys: set[str] = set()
        exact: set[int] = set()
        for form in forms:
            keys |= keys_of(form)
            for key in exact_keys(form):
                exact.update(self.exact.get(key, ()))
        lists = sorted((self.postings[k] for k in keys if k in self.postings), key=len)
        keyed = {id(self.postings[k]): k[0] != "g" for k in keys if k in self.postings}
        counts: Counter[int] = Counter()
        walked = 0
        for i, plist in enumerate(lists):
            if walked + len(plist) > POSTINGS_BUDGET and i >= 3:
                break
            counts.update(plist)  # counted in C: this loop is the hot path
            if keyed[id(plist)]:
                counts.update(plist)  # a whole word shared counts twice a trigram
            walked += len(plist)
        if not counts:
            return list(exact)
        # Everything close to the best overlap is scored, not just the first ``limit``: identical
        # common names ("Wang Wei") on many entries must all be scored, or the one whose date of
        # birth or document matches could be cut off by an arbitrary tie-break.
        # One partial sort: the close names, when more than MAX_CANDIDATE_NAMES, are its best.
        top = counts.most_common(max(limit, MAX_CANDIDATE_NAMES))
        cutoff = max(1, int(top[0][1] * CLOSE_SHARE))
        close = [n for n, c in top if c >= cutoff]
        if len(close) < limit:
            close = [n for n, _ in top[:limit]]
        # Identical names first and always, however many share the other keys.
        return list(exact) + [n for n in close if n not in exact]

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
