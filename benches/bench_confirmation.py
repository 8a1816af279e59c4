"""Confirmation PDF: render a 3-page confirmation (zh, signature image, QR), sign it (PAdES-B,
SHA-256, EC P-256 DEMO certificate) and verify it. Targets (median of 10): render <= 50 ms,
sign <= 100 ms, verify <= 50 ms — what the teller waits for at the end of a sale.
"""
from __future__ import annotations

import gc
import sys
import time

from _common import ROOT, Row, median, progress

sys.path.insert(0, str(ROOT / "tests"))


def _time(fn, n: int) -> list[float]:
    out = []
    for _ in range(n):
        gc.collect()
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return out


def run(quick: bool = False) -> list[Row]:
    from counterdesk.services.confirmation import render_confirmation
    from counterdesk.services.confirmation.signing import create_demo_certificate, load_signer, sign_pdf, verify_pdf
    from test_confirmation_pdf import page_count, sample  # the test's 3-page sample document

    n = 10
    data = sample()
    signer = load_signer(*create_demo_certificate("Bench DEMO", "CounterDesk DEMO"))
    pdf = render_confirmation(data, "zh")  # warm-up: imports, font parsing
    signed = sign_pdf(pdf, signer)
    assert verify_pdf(signed).intact
    pages = page_count(pdf)
    progress(f"confirmation: {pages} pages, {len(pdf) // 1024} KiB, signed {len(signed) // 1024} KiB")
    r = _time(lambda: render_confirmation(data, "zh"), n)
    s = _time(lambda: sign_pdf(pdf, signer), n)
    v = _time(lambda: verify_pdf(signed), n)
    return [
        Row("confirmation.render", median(r), "s", 0.050, note=f"{pages}-page zh confirmation, median of {n}",
            samples=r),
        Row("confirmation.sign", median(s), "s", 0.100, note=f"PAdES-B SHA-256, EC P-256, median of {n}", samples=s),
        Row("confirmation.verify", median(v), "s", 0.050, note=f"integrity + coverage, no trust anchors, median of {n}",
            samples=v),
    ]


if __name__ == "__main__":
    from _common import fmt
    for row in run("--quick" in sys.argv):
        print(f"{row.name:24} {fmt(row.figure, row.unit):>10}  {row.status:5} {row.note}")
