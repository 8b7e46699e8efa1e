"""iCalendar (RFC 5545) for one event and for the subscribable feeds, built with ``icalendar``.

UIDs come from the page's translation key, which survives moves and renames, so a subscribed
calendar updates an event instead of duplicating it; SEQUENCE is the page's counter, bumped when
a published change touches the schedule.
"""

from django.utils import timezone
from icalendar import Calendar, Event, vRecur

from .choices import EventStatus
from .recurrence import LOCAL_TIME_ZONE, occurrences

ICAL_STATUS = {
    EventStatus.SCHEDULED: "CONFIRMED",
    EventStatus.CANCELLED: "CANCELLED",
    EventStatus.POSTPONED: "TENTATIVE",
    EventStatus.MOVED_ONLINE: "CONFIRMED",
}
CONTENT_TYPE = "text/calendar; charset=utf-8"


def event_uid(event):
    return f"event-{event.translation_key}@outreach"


def _local(moment):
    return moment.astimezone(LOCAL_TIME_ZONE)


def _base_vevent(event, *, url, stamp, uid=None):
    vevent = Event()
    vevent.add("uid", uid or event_uid(event))
    vevent.add("dtstamp", stamp)
    vevent.add("sequence", event.sequence)
    vevent.add("summary", event.title)
    description = event.summary
    if event.status_note:
        description = f"{event.status_note}\n{description}"
    vevent.add("description", f"{description}\n{url}")
    location = "、".join(filter(None, [event.venue_name, event.venue_address]))
    if event.status == EventStatus.MOVED_ONLINE:
        location = f"线上（原定：{location}）"
    vevent.add("location", location)
    if event.latitude is not None and event.longitude is not None:
        vevent.add("geo", (float(event.latitude), float(event.longitude)))
    vevent.add("url", url)
    vevent.add("status", ICAL_STATUS[event.status])
    vevent.add("categories", [event.get_kind_display()])
    vevent.add("organizer", f"urn:outreach:unit:{event.organiser_id}", parameters={"CN": event.organiser.name})
    return vevent


def _stamp(event):
    return event.last_published_at or event.latest_revision_created_at or timezone.now()


def event_components(event, *, url):
    """The VEVENTs of one event: the master (with RRULE and EXDATE when recurring) and one
    RECURRENCE-ID override per moved occurrence."""
    stamp = _stamp(event)
    master = _base_vevent(event, url=url, stamp=stamp)
    master.add("dtstart", _local(event.starts_at))
    master.add("dtend", _local(event.ends_at))
    components = [master]
    if not event.rrule:
        return components
    master.add("rrule", vRecur.from_ical(event.rrule))
    all_occurrences = occurrences(event)
    cancelled = [_local(o.original_starts_at) for o in all_occurrences if o.cancelled]
    if cancelled:
        master.add("exdate", cancelled)
    for occurrence in all_occurrences:
        if occurrence.moved:
            override = _base_vevent(event, url=url, stamp=stamp)
            override.add("recurrence-id", _local(occurrence.original_starts_at))
            override.add("dtstart", _local(occurrence.starts_at))
            override.add("dtend", _local(occurrence.ends_at))
            components.append(override)
    return components


def occurrence_component(occurrence, *, url):
    """One occurrence alone (what 加入日历 on a registration adds): no RRULE; an occurrence of a
    recurring event gets a UID of its own, so it does not replace the whole series in a calendar
    that subscribed to the feed."""
    event = occurrence.event
    uid = f"event-{event.translation_key}-{occurrence.original_date:%Y%m%d}@outreach" if event.rrule else None
    vevent = _base_vevent(event, url=url, stamp=_stamp(event), uid=uid)
    vevent.add("dtstart", _local(occurrence.starts_at))
    vevent.add("dtend", _local(occurrence.ends_at))
    if occurrence.cancelled:
        vevent.pop("STATUS")
        vevent.add("status", "CANCELLED")
    return vevent


def _calendar(name, components):
    calendar = Calendar()
    calendar.add("prodid", "-//outreach//events//ZH")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", "Asia/Shanghai")
    for component in components:
        calendar.add_component(component)
    calendar.add_missing_timezones()
    return calendar.to_ical()


def calendar_for(events, *, name, url_for):
    return _calendar(name, [c for event in events for c in event_components(event, url=url_for(event))])


def occurrence_calendar(occurrence, *, url):
    return _calendar(occurrence.event.title, [occurrence_component(occurrence, url=url)])
