"""QR codes from reportlab's encoder: the modules as rows of booleans (for screens) and a flowable that
draws them on a PDF page module by module (a reportlab Drawing would work too, but its renderer selects
Helvetica, which then sits in the PDF as a non-embedded font)."""
from __future__ import annotations

from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Flowable


def qr_modules(payload: str) -> list[list[bool]]:
    """The QR code of ``payload`` (error correction M) as rows of dark (True) and light modules."""
    qr = QrCodeWidget(payload, barLevel="M").qr
    # Any of the 8 mask patterns gives a valid, readable code; scoring all 8 to pick the "best" costs
    # about a third of a confirmation's render, so use pattern 0.
    if qr.version is None:
        qr.version = qr.calculate_version()
    qr.makeImpl(False, 0)
    return [[bool(cell) for cell in row] for row in qr.modules]


class QrFlowable(Flowable):  # type: ignore[misc]  # reportlab ships no type information
    def __init__(self, payload: str, size: float = 30 * mm, border: int = 2, align: str | None = None):
        super().__init__()
        self.modules = qr_modules(payload)
        self.width = self.height = size
        self.border = border
        if align:
            self.hAlign = align

    def draw(self) -> None:
        c, n = self.canv, len(self.modules)
        box = self.width / (n + 2 * self.border)
        c.setFillColor(colors.black)
        for r, row in enumerate(self.modules):
            y = self.height - (r + self.border + 1) * box
            for col, dark in enumerate(row):
                if dark:
                    c.rect((col + self.border) * box, y, box, box, stroke=0, fill=1)
