"""Recurring events: RFC 5545 rules parsed with dateutil and expanded into occurrences.

Times are expanded in Asia/Shanghai, so "every Saturday 09:00" stays at 09:00 local time; an
``UNTIL`` written without ``Z`` is read as local time and stored in UTC, as RFC 5545 requires
when DTSTART carries a time zone.
"""

import datetime
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from dateutil import rrule as dateutil_rrule
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

LOCAL_TIME_ZONE = ZoneInfo("Asia/Shanghai")
# A bound on how many occurrences one event may have, so a rule cannot make every page slow.
MAX_OCCURRENCES = 200


class RecurrenceError(Exception):
    def __init__(self, message):
        self.message = message
        super().__init__(str(message))


@dataclass(frozen=True)
class ParsedRule:
    text: str
    rule: dateutil_rrule.rrule


def _utc_until(value):
    if value.endswith("Z"):
        return value
    try:
        if "T" in value:
            local = datetime.datetime.strptime(value, "%Y%m%dT%H%M%S")
        else:
            local = datetime.datetime.combine(datetime.datetime.strptime(value, "%Y%m%d").date(), datetime.time.max)
    except ValueError:
        raise RecurrenceError(_("重复规则中的 UNTIL 日期格式不正确，应为“20260630”或“20260630T235959”。")) from None
    utc = local.replace(tzinfo=LOCAL_TIME_ZONE, microsecond=0).astimezone(datetime.UTC)
    return utc.strftime("%Y%m%dT%H%M%SZ")


def parse_rule(text, *, starts_at):
    """Validate and normalise ``text`` (with or without ``RRULE:``) for an event starting ``starts_at``."""
    text = text.strip().upper().removeprefix("RRULE:")
    parts = {}
    for part in filter(None, text.split(";")):
        name, sep, value = part.partition("=")
        if not sep or not value:
            raise RecurrenceError(_("重复规则格式不正确，应为“名称=值”并以分号分隔。"))
        parts[name] = value
    if "DTSTART" in parts or "\n" in text:
        raise RecurrenceError(_("重复规则只填写 RRULE 部分，开始时间取活动的开始时间。"))
    if "COUNT" not in parts and "UNTIL" not in parts:
        raise RecurrenceError(_("重复规则须包含 COUNT（次数）或 UNTIL（截止日期）。"))
    if "UNTIL" in parts:
        parts["UNTIL"] = _utc_until(parts["UNTIL"])
    normalised = ";".join(f"{name}={value}" for name, value in parts.items())
    try:
        rule = dateutil_rrule.rrulestr(normalised, dtstart=starts_at.astimezone(LOCAL_TIME_ZONE))
    except (ValueError, TypeError):
        raise RecurrenceError(
            _("无法识别的重复规则，请参照 RFC 5545 填写，例如“FREQ=WEEKLY;BYDAY=SA;COUNT=4”。")
        ) from None
    starts = list(rule.xafter(starts_at - datetime.timedelta(seconds=1), count=MAX_OCCURRENCES + 1, inc=True))
    if not starts:
        raise RecurrenceError(_("按此重复规则，活动一次也不会举行。"))
    if len(starts) > MAX_OCCURRENCES:
        raise RecurrenceError(_("重复次数过多，最多 %(max)s 次。") % {"max": MAX_OCCURRENCES})
    return ParsedRule(text=normalised, rule=rule)


@dataclass(frozen=True)
class Occurrence:
    """One time an event takes place; ``original_date`` (local) identifies it for registration."""

    event: object
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    original_date: datetime.date
    original_starts_at: datetime.datetime
    cancelled: bool = False
    moved: bool = False

    @property
    def local_dates(self):
        """Every local calendar day the occurrence touches; an end exactly at midnight is not a day."""
        first = self.starts_at.astimezone(LOCAL_TIME_ZONE).date()
        last_moment = max(self.ends_at - datetime.timedelta(microseconds=1), self.starts_at)
        last = last_moment.astimezone(LOCAL_TIME_ZONE).date()
        return [first + datetime.timedelta(days=n) for n in range((last - first).days + 1)]

    @property
    def is_cancelled(self):
        return self.cancelled or self.event.status == "cancelled"

    @property
    def is_over(self):
        """Ended already (已结束), at the time of asking."""
        return self.ends_at < timezone.now()

    @property
    def is_multi_day(self):
        return len(self.local_dates) > 1


def local_date(moment):
    return moment.astimezone(LOCAL_TIME_ZONE).date()


def occurrences(event):
    """All occurrences of ``event`` in order, with per-date exceptions applied.

    Reads ``event.exceptions.all()``, so prefetch it when expanding many events.
    """
    duration = event.ends_at - event.starts_at
    if not event.rrule:
        starts = [event.starts_at]
    else:
        try:
            rule = parse_rule(event.rrule, starts_at=event.starts_at).rule
        except RecurrenceError:
            # The admin validates rules on save; a rule stored some other way must not break
            # every listing, so the event is shown once, at its own start.
            starts = [event.starts_at]
        else:
            starts = [start.astimezone(datetime.UTC) for start in rule]
    exceptions = {exception.original_date: exception for exception in event.exceptions.all()}
    result = []
    for start in starts:
        original = local_date(start)
        exception = exceptions.get(original)
        if exception is None:
            result.append(Occurrence(event, start, start + duration, original, start))
        elif exception.action == "cancel":
            result.append(Occurrence(event, start, start + duration, original, start, cancelled=True))
        else:
            result.append(
                Occurrence(event, exception.new_starts_at, exception.new_ends_at, original, start, moved=True)
            )
    return sorted(result, key=lambda o: (o.starts_at, o.original_date))


def find_occurrence(event, original_date):
    return next((o for o in occurrences(event) if o.original_date == original_date), None)
