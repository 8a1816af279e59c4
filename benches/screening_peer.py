"""The peer matcher for the screening-quality benchmark: nomenklatura logic-v2 (yente's default).

Runs ONLY in the benchmark venv (scripts/bench-venv.sh creates .bench-venv); the product never
imports it. Reads JSON lines on stdin, one per query:
    {"qid", "query": {names, birth_date, nationality, gender}, "candidates": [{ref, names, dob, nationality,
     gender}]}
and writes one JSON line per query: {"qid", "scores": {ref: score}, "seconds": scoring time}.
"""
from __future__ import annotations

import json
import sys
import time

from followthemoney import model
from nomenklatura.matching import LogicV2


def _person(ident: str, names: list[tuple[str, str]], dob: str | None, nationality: str | None, gender: str | None):
    data: dict[str, list[str]] = {"name": [], "alias": [], "weakAlias": []}
    for text, kind in names:
        data[{"primary": "name", "alias": "alias", "weak_alias": "weakAlias"}.get(kind, "alias")].append(text)
    if not data["name"]:
        data["name"] = [data["alias"].pop(0) if data["alias"] else names[0][0]]
    if dob:
        data["birthDate"] = [dob]
    if nationality:
        data["nationality"] = [nationality.lower()]
    if gender:
        data["gender"] = [gender]
    return model.get_proxy({"id": ident, "schema": "Person", "properties": {k: v for k, v in data.items() if v}})


def main() -> None:
    config = LogicV2.default_config()
    for line in sys.stdin:
        job = json.loads(line)
        q = job["query"]
        # Unique ids: logic-v2 caches name analysis by entity id.
        names = [(n, "primary" if i == 0 else "alias") for i, n in enumerate(q["names"])]
        query = _person("query-" + job["qid"], names, q.get("birth_date"), q.get("nationality"), q.get("gender"))
        scores = {}
        t0 = time.perf_counter()
        for c in job["candidates"]:
            entity = _person(c["ref"], [tuple(n) for n in c["names"]], c.get("dob"), c.get("nationality"),
                             c.get("gender"))
            scores[c["ref"]] = LogicV2.compare(query, entity, config).score
        took = time.perf_counter() - t0
        sys.stdout.write(json.dumps({"qid": job["qid"], "scores": scores, "seconds": took}) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
