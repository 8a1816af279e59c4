"""The Qt-free signature model: trivial marks refused, real signatures accepted, JSON round trip."""
from __future__ import annotations

import json
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from counterdesk.services.signoff.signature import (
    MIN_EXTENT,
    MIN_POINTS,
    Point,
    Signature,
    SignatureFormatError,
    Stroke,
    check_signature,
)


def line(x0, y0, x1, y1, n=20, t0=0, pressure=0.5):
    return Stroke(tuple(Point(x0 + (x1 - x0) * i / (n - 1), y0 + (y1 - y0) * i / (n - 1), pressure, t0 + 10 * i)
                        for i in range(n)))


def wave(x0, y0, width, n=60, t0=0):
    return Stroke(tuple(Point(x0 + width * i / n, y0 + 30 * math.sin(i / 4), 0.3 + 0.4 * (i % 5) / 5, t0 + 8 * i)
                        for i in range(n)))


def real_signature():
    # Three strokes, as a two-character Chinese name plus a flourish would give.
    return Signature((wave(40, 100, 160), line(220, 60, 250, 150, t0=700), wave(280, 110, 200, t0=1200)), 600, 200)


def codes(sig):
    return {p.code for p in check_signature(sig).problems}


def test_empty_is_refused():
    assert codes(Signature()) == {"signature_empty"}
    assert codes(Signature((Stroke(()),))) == {"signature_empty"}


def test_a_dot_and_a_tap_are_refused():
    assert codes(Signature((Stroke((Point(10, 10, 0.5, 0),)),))) == {"signature_too_short"}
    jitter = Stroke(tuple(Point(100 + i % 2, 100, 0.5, i) for i in range(30)))
    assert codes(Signature((jitter,))) == {"signature_too_short"}


def test_a_short_dash_is_refused_but_a_long_cursive_stroke_is_accepted():
    assert codes(Signature((line(10, 50, 90, 60),))) == {"signature_too_short"}
    assert check_signature(Signature((wave(20, 100, 400),))).ok


def test_small_scribble_within_the_minimum_box_is_refused():
    tiny = tuple(line(10 + i * 3, 10, 10 + i * 3, 10 + MIN_EXTENT - 5) for i in range(8))
    assert codes(Signature(tiny)) == {"signature_too_short"}


def test_too_few_points_is_refused():
    few = Signature((line(0, 0, 300, 100, n=MIN_POINTS // 2 - 1), line(0, 100, 300, 0, n=MIN_POINTS // 2 - 1)))
    assert codes(few) == {"signature_too_short"}


def test_a_real_multi_stroke_signature_is_accepted_and_measured():
    sig = real_signature()
    assert check_signature(sig).ok
    b = sig.bounds()
    assert b.width > 400 and b.height > 80
    assert sig.path_length() > 400
    assert sig.duration_ms() == 1200 + 8 * 59
    assert sig.point_count() == 140


def test_problems_are_bilingual():
    problem = check_signature(Signature()).problems[0]
    assert problem.field == "signature" and problem.text.zh and problem.text.en


def test_json_round_trip():
    sig = real_signature()
    again = Signature.from_json(sig.to_json())
    assert again == sig
    assert Signature.from_json(Signature().to_json()) == Signature()


@pytest.mark.parametrize("text", [
    "", "[]", '{"format": "other"}', '{"format": "counterdesk.signature", "version": 2, "width": 1, "height": 1, "strokes": []}',
    '{"format": "counterdesk.signature", "version": 1, "width": 1, "height": 1, "strokes": [[[1, 2, 3]]]}',
    '{"format": "counterdesk.signature", "version": 1, "width": 1, "height": 1, "strokes": [[[1, 2, NaN, 0]]]}',
    '{"format": "counterdesk.signature", "version": 1, "width": 1, "height": 1, "strokes": [[[1, 2, 0.5, 1.5]]]}',
    '{"format": "counterdesk.signature", "version": 1, "width": -1, "height": 1, "strokes": []}',
])
def test_bad_json_is_refused_with_a_typed_error(text):
    with pytest.raises(SignatureFormatError):
        Signature.from_json(text)


coords = st.floats(allow_nan=True, allow_infinity=True)
points = st.builds(Point, coords, coords, st.floats(allow_nan=True), st.integers(-10**12, 10**12))
strokes = st.lists(points, max_size=30).map(lambda ps: Stroke(tuple(ps)))


@settings(max_examples=300, deadline=None)
@given(st.lists(strokes, max_size=6), st.floats(0, 4000), st.floats(0, 4000))
def test_check_signature_never_raises(strokes_, w, h):
    sig = Signature(tuple(strokes_), w, h)
    result = check_signature(sig)
    assert result.ok in (True, False)
    if result.ok and all(math.isfinite(v) for s in strokes_ for p in s.points for v in (p.x, p.y, p.pressure)):
        assert Signature.from_json(sig.to_json()) == sig


def test_the_stored_format_name_never_changes():
    """Signatures are stored and carried in evidence with this name: renaming modules must not touch it."""
    sig = Signature(strokes=(Stroke.of([(1, 1, 0.5, 0), (50, 40, 0.5, 200)]),), width=400, height=160)
    assert json.loads(sig.to_json())["format"] == "counterdesk.signature"
