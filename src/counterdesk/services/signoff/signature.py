"""A handwritten signature as data: strokes of timed, pressure-tagged points. Qt-free.

The signature pad (counterdesk.ui.widgets.signature_pad) records points in its own logical pixels; this
module keeps them, measures them and refuses signatures that are obviously not one (an empty pad, a
tap, a short dash). It does not verify who signed: that is the recording's and the teller's job.

Thresholds (logical pixels of a pad of about 600 × 200; all documented as constants below):
- MIN_POINTS = 10: fewer recorded points is a tap or a click, not writing.
- MIN_EXTENT = 40: if the bounding box is smaller than this both in width and in height, the marks
  fit under a fingertip.
- A single stroke must be at least SINGLE_STROKE_MIN_LENGTH = 150 long: one short dash is not a
  signature, while one long cursive stroke (common for Latin-script signatures) is accepted. With two
  or more strokes the path must still be at least MIN_TOTAL_LENGTH = 60 (scattered dots are refused).

Serialised form (``to_json``), version 1:
    {"format": "counterdesk.signature", "version": 1, "width": w, "height": h,
     "strokes": [[[x, y, pressure, t_ms], ...], ...]}
t_ms is milliseconds since the first point of the signature; pressure is 0..1 (mouse: 0.5).
"""
from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple, TypeGuard

from counterdesk.base.text import CounterDeskError, Result, Text

MIN_POINTS = 10
MIN_EXTENT = 40.0
SINGLE_STROKE_MIN_LENGTH = 150.0
MIN_TOTAL_LENGTH = 60.0
FORMAT = "counterdesk.signature"
FORMAT_VERSION = 1
MOUSE_PRESSURE = 0.5  # a mouse reports no pressure; draw it like a medium pen


class Point(NamedTuple):
    x: float
    y: float
    pressure: float
    t_ms: int


@dataclass(frozen=True)
class Stroke:
    """One pen-down … pen-up movement."""

    points: tuple[Point, ...]

    @classmethod
    def of(cls, points: Iterable[Sequence[float]]) -> Stroke:
        return cls(tuple(Point(float(p[0]), float(p[1]), float(p[2]), int(p[3])) for p in points))

    def length(self) -> float:
        return sum(math.hypot(b.x - a.x, b.y - a.y) for a, b in zip(self.points, self.points[1:]))

    def __len__(self) -> int:
        return len(self.points)


@dataclass(frozen=True)
class Bounds:
    left: float
    top: float
    right: float
    bottom: float

    @property
    def width(self) -> float:
        return self.right - self.left

    @property
    def height(self) -> float:
        return self.bottom - self.top


class SignatureFormatError(CounterDeskError):
    code = "signature_format"


@dataclass(frozen=True)
class Signature:
    strokes: tuple[Stroke, ...] = ()
    width: float = 0.0  # size of the pad it was written on, for rendering at the same proportions
    height: float = 0.0

    @property
    def is_empty(self) -> bool:
        return not any(s.points for s in self.strokes)

    def point_count(self) -> int:
        return sum(len(s) for s in self.strokes)

    def bounds(self) -> Bounds | None:
        pts = [p for s in self.strokes for p in s.points]
        if not pts:
            return None
        xs = [p.x for p in pts]
        ys = [p.y for p in pts]
        return Bounds(min(xs), min(ys), max(xs), max(ys))

    def path_length(self) -> float:
        """Total ink length: the sum of the stroke lengths (pen-up jumps do not count)."""
        return sum(s.length() for s in self.strokes)

    def duration_ms(self) -> int:
        """From the first point to the last, pen-up pauses included."""
        times = [p.t_ms for s in self.strokes for p in s.points]
        return max(times) - min(times) if times else 0

    # ---- serialisation ----------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        return {"format": FORMAT, "version": FORMAT_VERSION, "width": self.width, "height": self.height,
                "strokes": [[list(p) for p in s.points] for s in self.strokes]}

    def to_json(self) -> str:
        # allow_nan=False: a stored signature must be valid JSON for any other reader.
        return json.dumps(self.to_dict(), separators=(",", ":"), allow_nan=False)

    @classmethod
    def from_json(cls, text: str) -> Signature:
        try:
            data = json.loads(text)
        except (TypeError, ValueError) as exc:
            raise _format_error(f"not JSON: {exc}") from exc
        return cls.from_dict(data)

    @classmethod
    def from_dict(cls, data: Any) -> Signature:
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise _format_error("not a signature object")
        if data.get("version") != FORMAT_VERSION:
            raise _format_error(f"unsupported version {data.get('version')!r}")
        width, height = data.get("width"), data.get("height")
        if not (_finite(width) and _finite(height)) or width < 0 or height < 0:
            raise _format_error("bad pad size")
        raw_strokes = data.get("strokes")
        if not isinstance(raw_strokes, list):
            raise _format_error("strokes must be a list")
        strokes = []
        for si, raw in enumerate(raw_strokes):
            if not isinstance(raw, list):
                raise _format_error(f"stroke {si} must be a list")
            pts = []
            for pi, p in enumerate(raw):
                if (not isinstance(p, list) or len(p) != 4 or not all(_finite(v) for v in p[:3])
                        or not isinstance(p[3], int) or isinstance(p[3], bool)):
                    raise _format_error(f"stroke {si} point {pi} must be [x, y, pressure, t_ms]")
                pts.append(Point(float(p[0]), float(p[1]), float(p[2]), p[3]))
            strokes.append(Stroke(tuple(pts)))
        return cls(tuple(strokes), float(width), float(height))


def _finite(v: Any) -> TypeGuard[float]:  # an int or a float
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def _format_error(detail: str) -> SignatureFormatError:
    return SignatureFormatError(Text("签名数据格式无效。", "The signature data is not valid."), detail=detail)


def check_signature(sig: Signature) -> Result:
    """Refuse an empty or trivially short signature; never raises, whatever the points hold."""
    res = Result()
    field_ = "signature"
    pts = [p for s in sig.strokes for p in s.points]
    if not pts:
        res.add(field_, "signature_empty", Text("请在签名框内签名。", "Please sign in the box."))
        return res
    if not all(math.isfinite(v) for p in pts for v in (p.x, p.y, p.pressure)):
        res.add(field_, "signature_invalid", Text("签名数据无效，请清除后重新签名。",
                                                 "The signature data is invalid; clear it and sign again."))
        return res
    bounds = sig.bounds()
    length = sig.path_length()
    inked = [s for s in sig.strokes if s.points]
    too_small = bounds is not None and bounds.width < MIN_EXTENT and bounds.height < MIN_EXTENT
    too_short = ((len(inked) < 2 and length < SINGLE_STROKE_MIN_LENGTH) or length < MIN_TOTAL_LENGTH)
    if len(pts) < MIN_POINTS or too_small or too_short:
        res.add(field_, "signature_too_short", Text("签名过短或过小，请用正楷签署全名。",
                                                   "The signature is too short or too small; "
                                                   "please sign your full name."))
    return res
