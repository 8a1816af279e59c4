"""The branch's time: every time a person reads (screens, paper, messages) and every calendar day a
rule counts (assessments per day, document numbers) is China Standard Time, UTC+8 without daylight
saving, whatever time zone the workstation's clock is set to. Stored times stay UTC."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

from counterdesk.base.text import Text

BRANCH_TZ = timezone(timedelta(hours=8), "CST")
ZONE = Text("北京时间", "UTC+8")


def to_branch(moment: datetime) -> datetime:
    """``moment`` on the branch's clock; a naive value is taken as UTC (how the store keeps times)."""
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(BRANCH_TZ)


def branch_day(moment: datetime) -> date:
    return to_branch(moment).date()


def parse_moment(value: str | datetime | None) -> datetime | None:
    if isinstance(value, datetime):
        return value
    try:
        return datetime.fromisoformat(value) if isinstance(value, str) and value else None
    except ValueError:
        return None


def format_time(value: str | datetime | None, lang: str, *, seconds: bool = False, zone: bool = True,
                clock_only: bool = False) -> str:
    """"2026-12-03 14:05（北京时间）" / "2026-12-03 14:05 (UTC+8)"; ``zone=False`` where a column
    heading names the zone; unreadable values are shown as given."""
    moment = parse_moment(value)
    if moment is None:
        return value if isinstance(value, str) else ""
    pattern = ("%H:%M" if clock_only else "%Y-%m-%d %H:%M") + (":%S" if seconds else "")
    text = to_branch(moment).strftime(pattern)
    if not zone:
        return text
    return f"{text}（{ZONE.zh}）" if lang.startswith("zh") else f"{text} ({ZONE.en})"


def zone_heading(heading: str, lang: str) -> str:
    """A column heading with the zone its times are in: "时间（北京时间）" / "Time (UTC+8)"."""
    return f"{heading}（{ZONE.zh}）" if lang.startswith("zh") else f"{heading} ({ZONE.en})"
