"""Suitability: one customer against a generated 5,000-product catalog.

Times ``evaluate_many`` (every product, every rule, all findings) followed by ``recommend`` (ranked
fit, reusing those decisions) as one figure: what the counter does when the teller opens the product
list for a customer. Target: median <= 50 ms. Also, for information, recommend() on its own (it then
evaluates the products within the grade itself), the CPU time of the combined call, and evaluate()
one product at a time (the per-product API, no shared customer facts).
"""
from __future__ import annotations

import gc
import random
import time
from datetime import date, timedelta
from decimal import Decimal

from _common import Row, median, progress
from counterdesk.suitability import (
    LIQUIDITY_LEVELS,
    PRIVATE_CLASSES,
    PRODUCT_TYPES,
    AssessmentFacts,
    CustomerFacts,
    ProductFacts,
    SaleContext,
    evaluate,
    evaluate_many,
    recommend,
)

N_PRODUCTS = 5_000
LIMIT_S = 0.050
TODAY = date(2026, 6, 15)
LICENCES = {"public_fund": "fund", "private_fund": "fund", "insurance_guaranteed": "insurance",
            "insurance_non_guaranteed": "insurance", "public_wm": "wm", "private_wm": "wm", "precious_metal": None}


def make_catalog(n: int = N_PRODUCTS, seed: int = 20260615) -> list[ProductFacts]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        kind = rng.choice(PRODUCT_TYPES)
        private = kind in ("private_wm", "private_fund")
        insurance = kind.startswith("insurance")
        risk = 1 if kind == "deposit" else rng.randint(1, 5)
        start = TODAY - timedelta(days=rng.randint(-10, 200))
        out.append(ProductFacts(
            code=f"P{i:05d}", type=kind, risk_level=risk, public=not private,
            private_class=rng.choice(PRIVATE_CLASSES) if private else None,
            min_amount=Decimal(rng.choice([0, 1, 1_000, 10_000, 50_000, 300_000, 1_000_000])),
            term_days=rng.choice([None, 7, 30, 90, 180, 365, 730, 1825]),
            liquidity=rng.choice(LIQUIDITY_LEVELS), sale_start=start,
            sale_end=rng.choice([None, start + timedelta(days=rng.randint(5, 400))]),
            status=rng.choices(["on_sale", "closed", "suspended"], [90, 7, 3])[0],
            cooling_off_hours=24 if private else rng.choice([0, 0, 0, 12]),
            recording_required=rng.random() < 0.4, licence_required=LICENCES.get(kind),
            periodic_premium=insurance and rng.random() < 0.5,
            premium_payment_years=rng.choice([None, 5, 10, 20]) if insurance else None,
            name_zh=f"产品{i}", name_en=f"Product {i}"))
    return out


CUSTOMER = CustomerFacts(age=58, investable_assets=Decimal(2_500_000),
                         household_net_financial_assets=Decimal(3_200_000),
                         household_annual_income=Decimal(420_000), avg_income_3y=Decimal(300_000),
                         investment_experience_years=6, aml_level="low")
ASSESSMENT = AssessmentFacts(grade=4, completed_at=date(2026, 2, 1))
CONTEXT = SaleContext(amount=Decimal(400_000), today=TODAY,
                      teller_licences={"fund": date(2027, 1, 1), "wm": date(2026, 12, 31),
                                       "insurance": date(2026, 6, 1)})


def _time(fn, n: int) -> tuple[list[float], list[float]]:
    walls, cpus = [], []
    for _ in range(n):
        gc.collect()
        c0, t0 = time.process_time(), time.perf_counter()
        fn()
        walls.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
    return walls, cpus


def run(quick: bool = False) -> list[Row]:
    n = 7 if quick else 21
    catalog = make_catalog()
    state: dict = {}

    def combined():
        decisions = evaluate_many(CUSTOMER, ASSESSMENT, catalog, CONTEXT)
        state["ranked"] = recommend(CUSTOMER, ASSESSMENT, catalog, CONTEXT, horizon_days=365, liquidity_need="monthly",
                                    decisions=decisions)
        state["decisions"] = decisions

    combined()  # warm-up (imports, caches)
    walls, cpus = _time(combined, n)
    outcomes: dict[str, int] = {}
    for d in state["decisions"]:
        outcomes[d.outcome] = outcomes.get(d.outcome, 0) + 1
    progress(f"suitability: {N_PRODUCTS} products, outcomes {outcomes}, {len(state['ranked'])} ranked")
    rec_walls, _ = _time(lambda: recommend(CUSTOMER, ASSESSMENT, catalog, CONTEXT, horizon_days=365,
                                           liquidity_need="monthly"), n)
    one_walls, _ = _time(lambda: [evaluate(CUSTOMER, ASSESSMENT, p, CONTEXT) for p in catalog], max(3, n // 4))
    spread = f"p10-p90 {sorted(walls)[n // 10] * 1000:.0f}-{sorted(walls)[n * 9 // 10] * 1000:.0f} ms"
    return [
        Row("suitability.catalog", median(walls), "s", LIMIT_S,
            note=f"evaluate_many + recommend, 1 customer x {N_PRODUCTS} products, median of {n}; {spread}; "
                 f"{len(state['ranked'])} ranked", samples=walls),
        Row("suitability.catalog.cpu", median(cpus), "s", note="same, process CPU time (less sensitive to other load)",
            samples=cpus),
        Row("suitability.recommend", median(rec_walls), "s", note="recommend() alone (evaluates within-grade products)",
            samples=rec_walls),
        Row("suitability.evaluate_each", median(one_walls), "s",
            note=f"evaluate() called {N_PRODUCTS} times (per-product API)", samples=one_walls),
    ]


if __name__ == "__main__":
    import sys

    from _common import fmt
    for row in run("--quick" in sys.argv):
        print(f"{row.name:28} {fmt(row.figure, row.unit):>10}  {row.status:5} {row.note}")
