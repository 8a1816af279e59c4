"""The log's second line of defence: ID, phone, card and e-mail shapes are masked before writing."""
from __future__ import annotations

import logging
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from counterdesk.base import logs

ID_NUMBER, PHONE, CARD = "11010519491231002X", "13812345678", "6222021234567890123"


@pytest.mark.parametrize("raw,masked", [
    (ID_NUMBER, "110***002X"),
    (ID_NUMBER.lower(), "110***002x"),
    ("110105194912310", "110***2310"),  # old 15-digit ID
    ("110105 19491231 002X", "110***002X"),  # written in groups
    (PHONE, "138****5678"),
    ("+8613812345678", "138****5678"),
    ("+86 138 1234 5678", "138****5678"),
    ("138-1234-5678", "138****5678"),
    ("138 1234 5678", "138****5678"),
    (CARD, "622***0123"),
    ("6222021234567890", "622***7890"),
    ("6222 0212 3456 7890", "622***7890"),
    ("6222 0212 3456 7890 123", "622***0123"),
    ("6222-0212-3456-7890", "622***7890"),
    ("zhang.san+bank@example.com.cn", "***@***"),
])
def test_scrub_masks_personal_shapes(raw, masked):
    for template in ("{}", "customer {} done", "身份证号：{}。", "（{}）", "id={};", "\n{}\n"):
        out = logs.scrub(template.format(raw))
        assert out == template.format(masked), (raw, out)
        digits = re.sub(r"\D", "", raw)
        assert digits not in re.sub(r"\D", "", out) or len(digits) < 8


@pytest.mark.parametrize("text", [
    "signed in after 3 attempts", "revision 0002", "seq 12345 verified", "2026-11-25T15:10:21+00:00",
    "took 0.153 s", "user 3f2a9c1e-0d1b-4c3a-9e2f-1a2b3c4d5e6f", "port 8080", "sha256 " + "ab" * 32,
])
def test_scrub_leaves_ordinary_text_alone(text):
    assert logs.scrub(text) == text


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_scrub_never_raises(text):
    out = logs.scrub(text)
    assert isinstance(out, str)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=200).map(lambda b: b.decode("utf-8", errors="replace")))
def test_scrub_never_raises_on_decoded_bytes(text):
    assert isinstance(logs.scrub(text), str)


_digit = st.sampled_from("0123456789")
_ids = st.builds(lambda body, check: body + check, st.text(_digit, min_size=17, max_size=17),
                 st.sampled_from("0123456789Xx"))
_phones = st.builds(lambda second, rest: "1" + second + rest, st.sampled_from("3456789"),
                    st.text(_digit, min_size=9, max_size=9))
_cards = st.builds(lambda head, rest: head + rest, st.sampled_from(["62", "4", "5"]),
                   st.text(_digit, min_size=14, max_size=17))
_separator = st.sampled_from([*list(" ,;:=()[]，。：；（）、\n\t"), "号码", "电话", "卡号"])
_filler = st.text(st.characters(blacklist_categories=("Cs",)), max_size=20)


@settings(max_examples=300, deadline=None)
@given(st.one_of(_ids, _phones, _cards), _filler, _separator, _separator, _filler)
def test_embedded_numbers_never_survive(number, before, sep1, sep2, after):
    text = before + sep1 + number + sep2 + after
    out = logs.scrub(text)
    assert number not in out
    assert number.upper() not in out.upper()


# ---- the filter and handler ------------------------------------------------------------------------

@pytest.fixture
def file_logger(tmp_path):
    logs.setup(tmp_path / "logs")
    logger = logging.getLogger("counterdesk.test_logs")
    yield logger, tmp_path / "logs" / "counterdesk.log"
    root = logging.getLogger("counterdesk")
    for handler in list(root.handlers):
        root.removeHandler(handler)
        handler.close()


def _read(path) -> str:
    for handler in logging.getLogger("counterdesk").handlers:
        handler.flush()
    return path.read_text(encoding="utf-8")


def test_log_file_masks_messages_arguments_and_exceptions(file_logger):
    logger, path = file_logger
    logger.info("lookup %s / %s", ID_NUMBER, PHONE)
    logger.warning(f"card {CARD} mail a.b@example.com")
    try:
        raise RuntimeError(f"INSERT failed for {ID_NUMBER}")
    except RuntimeError:
        logger.exception("store error")
    text = _read(path)
    for raw in (ID_NUMBER, PHONE, CARD, "a.b@example.com"):
        assert raw not in text
    assert "lookup 110***002X / 138****5678" in text
    assert "RuntimeError: INSERT failed for 110***002X" in text
    assert "Traceback" not in text  # no frames with local values, only the scrubbed exception line
    assert (path.stat().st_mode & 0o777) == 0o600
    assert (path.parent.stat().st_mode & 0o777) == 0o700


def test_only_allow_listed_extras_survive(file_logger):
    logger, path = file_logger
    seen = []

    class Capture(logging.Handler):
        def emit(self, record):
            seen.append(dict(vars(record)))
    capture = Capture()
    root = logging.getLogger("counterdesk")
    capture.addFilter(logs.RedactingFilter())
    root.addHandler(capture)
    logger.info("event", extra={"event": "user.created", "count": 3, "id_number": ID_NUMBER,
                                "customer_name": "张三丰"})
    record = seen[-1]
    assert record["event"] == "user.created" and record["count"] == 3
    assert "id_number" not in record and "customer_name" not in record
    assert ID_NUMBER not in _read(path)


def test_setup_replaces_handlers_instead_of_stacking(tmp_path):
    root = logging.getLogger("counterdesk")
    try:
        logs.setup(tmp_path / "a")
        logs.setup(tmp_path / "b")
        assert len(root.handlers) == 1
        logging.getLogger("counterdesk.x").warning("once")
        for handler in root.handlers:
            handler.flush()
        assert (tmp_path / "b" / "counterdesk.log").read_text(encoding="utf-8").count("once") == 1
        assert "once" not in (tmp_path / "a" / "counterdesk.log").read_text(encoding="utf-8")
    finally:
        for handler in list(root.handlers):
            root.removeHandler(handler)
            handler.close()
