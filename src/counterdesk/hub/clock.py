"""Hub time: aware UTC datetimes, written as ``YYYY-MM-DDTHH:MM:SS.ffffffZ`` on the wire."""
from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    return datetime.now(UTC)


def from_unix(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


def iso_utc(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def now_text() -> str:
    return iso_utc(utcnow())


def parse_iso(text: str) -> datetime:
    """An ISO 8601 time with an offset (``Z`` allowed), as aware UTC; ValueError otherwise."""
    try:
        moment = datetime.fromisoformat(text)
        if moment.tzinfo is None:
            raise ValueError("a time needs its UTC offset")
        return moment.astimezone(UTC)
    except (OverflowError, TypeError) as exc:  # e.g. year 1 at +14:00
        raise ValueError("time out of range") from exc
