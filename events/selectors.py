"""Reads for events: listings, the month calendar, an event's page and the check-in list.

Pages and views call these; a listing loads its events in a fixed number of queries and expands
recurring events into occurrences in Python.
"""

import calendar
import datetime
import re
from urllib.parse import urlencode

from django.apps import apps
from django.core.paginator import Paginator
from django.db.models import Count, Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.attribution import totals_by_outlet
from core.errors import ReaderFacingNotFound
from core.parsing import parse_id, parse_positive_int
from core.structured_data import json_ld
from organizations.models import Unit, UnitKind
from organizations.scopes import is_scoped, restrict_rows, scope_unit, subtree_q, within_scope

from .choices import EventKind, EventStatus, RegistrationStatus
from .errors import RegistrationNotFound
from .lookup import code_digest, grant_for
from .recurrence import LOCAL_TIME_ZONE, find_occurrence, occurrences
from .services import (
    ADULT_OR_GUARDIAN_CONSENT_TEXT,
    ADULT_OR_GUARDIAN_CONSENT_VERSION,
    MAX_PARTY_SIZE,
    max_public_group,
    registration_state,
)

# Also what the liaisons of organizations.scopes.LIAISON_PERMISSIONS hold for their own units.
CHECK_IN_PERMISSION = "events.change_registration"
EVENTS_PER_PAGE = 20
MONTH_PATTERN = re.compile(r"(\d{4})-(\d{2})", re.ASCII)
# What an audience's slug (a SlugField) can be; anything else cannot name one.
SLUG_PATTERN = re.compile(r"[-a-zA-Z0-9_]{1,50}")
SCHEMA_STATUS = {
    EventStatus.SCHEDULED: "https://schema.org/EventScheduled",
    EventStatus.CANCELLED: "https://schema.org/EventCancelled",
    EventStatus.POSTPONED: "https://schema.org/EventPostponed",
    EventStatus.MOVED_ONLINE: "https://schema.org/EventMovedOnline",
}


def _models():
    # Resolved when called: models.py imports this module.
    return apps.get_model("events", "EventPage"), apps.get_model("home", "Audience")


def _visible_events(*, root):
    EventPage = _models()[0]
    return EventPage.objects.descendant_of(root).for_listing()


def parse_filters(params):
    """The kind, town and audience filters of a listing or feed; unknown values are a 404."""
    Audience = _models()[1]
    kind = params.get("kind", "")
    if kind and kind not in EventKind.values:
        raise ReaderFacingNotFound(_("没有这种活动类型：“%(kind)s”。") % {"kind": kind[:40]})
    town = None
    town_param = params.get("town", "")
    if town_param:
        town_id = parse_id(town_param)
        town = Unit.objects.filter(kind=UnitKind.TOWN, pk=town_id).first() if town_id else None
        if town is None:
            raise ReaderFacingNotFound(_("没有找到这个镇（街道）。"))
    audience = None
    audience_slug = params.get("audience", "")
    if audience_slug:
        audience = (
            Audience.objects.filter(slug=audience_slug).first() if SLUG_PATTERN.fullmatch(audience_slug) else None
        )
        if audience is None:
            raise ReaderFacingNotFound(_("没有找到面向对象“%(slug)s”。") % {"slug": audience_slug[:40]})
    return {"kind": kind, "town": town, "audience": audience}


def _filtered(events, filters):
    return events.of_kind(filters["kind"]).in_town(filters["town"]).for_audience(filters["audience"])


def filter_choices():
    Audience = _models()[1]
    return {
        "kinds": EventKind.choices,
        "towns": list(Unit.objects.filter(kind=UnitKind.TOWN).order_by("name")),
        "audiences": list(Audience.objects.all()),
    }


def _query_string(filters, **extra):
    params = {
        "kind": filters["kind"],
        "town": filters["town"].pk if filters["town"] else "",
        "audience": filters["audience"].slug if filters["audience"] else "",
        **extra,
    }
    return urlencode({key: value for key, value in params.items() if value})


def _listing_context(filters):
    return {
        **filter_choices(),
        "filters": filters,
        "filter_query": _query_string(filters),
    }


def upcoming_occurrences(*, root, filters=None, now=None, limit=None):
    now = now or timezone.now()
    events = _visible_events(root=root).may_occur_after(now)
    if filters:
        events = _filtered(events, filters)
    found = [o for event in events for o in occurrences(event) if o.ends_at >= now]
    found.sort(key=lambda o: (o.starts_at, o.event.pk))
    return found[:limit] if limit else found


def past_occurrences(*, root, filters, now=None):
    now = now or timezone.now()
    events = _filtered(_visible_events(root=root).may_occur_before(now), filters)
    found = [o for event in events for o in occurrences(event) if o.ends_at < now]
    found.sort(key=lambda o: (o.starts_at, o.event.pk), reverse=True)
    return found


def listing(*, root, params, past=False, now=None):
    filters = parse_filters(params)
    if past:
        found = past_occurrences(root=root, filters=filters, now=now)
    else:
        found = upcoming_occurrences(root=root, filters=filters, now=now)
    # A page number that is not one gets the first page, one past the end the last.
    page_obj = Paginator(found, EVENTS_PER_PAGE).get_page(parse_positive_int(params.get("page", "")) or 1)
    return {**_listing_context(filters), "page_obj": page_obj, "occurrences": page_obj.object_list}


def parse_month(value, *, today=None):
    """``2026-06`` → (2026, 6); empty → this month; anything else is a 404 with a message."""
    if not value:
        today = today or timezone.localdate()
        return today.year, today.month
    match = MONTH_PATTERN.fullmatch(value)
    if not match or not (2000 <= int(match[1]) <= 2100 and 1 <= int(match[2]) <= 12):
        raise ReaderFacingNotFound(_("月份格式不正确，请使用“2026-06”这样的格式。"))
    return int(match[1]), int(match[2])


def _month_start(year, month):
    return datetime.datetime(year, month, 1, tzinfo=LOCAL_TIME_ZONE)


def month_calendar(*, root, params, today=None):
    """A month grid (Monday first) with each day's occurrences, including days an event spans."""
    filters = parse_filters(params)
    year, month = parse_month(params.get("month", ""), today=today)
    weeks = calendar.Calendar(firstweekday=0).monthdatescalendar(year, month)
    grid_start, grid_end = weeks[0][0], weeks[-1][-1]
    window_start = datetime.datetime.combine(grid_start, datetime.time.min, LOCAL_TIME_ZONE)
    window_end = datetime.datetime.combine(grid_end + datetime.timedelta(days=1), datetime.time.min, LOCAL_TIME_ZONE)
    events = _filtered(_visible_events(root=root).may_occur_after(window_start).may_occur_before(window_end), filters)
    by_day = {}
    for event in events:
        for occurrence in occurrences(event):
            for day in occurrence.local_dates:
                if grid_start <= day <= grid_end:
                    by_day.setdefault(day, []).append(occurrence)
    previous_month = (_month_start(year, month) - datetime.timedelta(days=1)).strftime("%Y-%m")
    next_month = (_month_start(year, month) + datetime.timedelta(days=32)).strftime("%Y-%m")
    grid = [
        [
            {
                "date": day,
                "in_month": day.month == month,
                "occurrences": sorted(by_day.get(day, []), key=lambda o: o.starts_at),
            }
            for day in week
        ]
        for week in weeks
    ]
    this_month = (timezone.localdate() if today is None else today).strftime("%Y-%m")
    agenda = [day for week in grid for day in week if day["in_month"] and day["occurrences"]]
    return {
        **_listing_context(filters),
        "year": year,
        "month": month,
        "month_param": f"{year:04d}-{month:02d}",
        "weeks": grid,
        # What a phone shows instead of the grid: the month's days that have events, in order.
        "agenda": agenda,
        # An empty month points to the next one with events, so a phone is not left at "nothing".
        "next_event_month": _next_event_month(root=root, filters=filters, after=window_end) if not agenda else None,
        "this_month_query": _query_string(filters) if this_month != f"{year:04d}-{month:02d}" else None,
        "previous_query": _query_string(filters, month=previous_month),
        "next_query": _query_string(filters, month=next_month),
        "weekdays": [_("一"), _("二"), _("三"), _("四"), _("五"), _("六"), _("日")],
    }


def _next_event_month(*, root, filters, after):
    """``{"year", "month", "query"}`` of the first occurrence from ``after`` on, or None."""
    following = upcoming_occurrences(root=root, filters=filters, now=max(after, timezone.now()), limit=1)
    if not following:
        return None
    start = following[0].starts_at.astimezone(LOCAL_TIME_ZONE)
    return {"year": start.year, "month": start.month, "query": _query_string(filters, month=f"{start:%Y-%m}")}


def feed_events(*, params):
    filters = parse_filters(params)
    EventPage = _models()[0]
    return _filtered(EventPage.objects.for_listing(), {**filters, "audience": None}), filters


def visible_event(*, page_id):
    """The event for its own .ics; unpublished and private events (and ``page_id=None``) are not found."""
    EventPage = _models()[0]
    event = EventPage.objects.for_listing().filter(pk=page_id).first() if page_id else None
    if event is None:
        raise ReaderFacingNotFound(_("没有找到这个活动。"))
    return event


def home_upcoming(*, root, limit=3):
    return upcoming_occurrences(root=root, limit=limit)


def map_links(*, event):
    """AMap and Baidu links for the venue. The coordinates are GCJ-02 (what AMap shows); Baidu's
    own BD-09 differs by a few hundred metres, so its link says coord_type=gcj02 and Baidu converts."""
    lat, lon, name = event.latitude, event.longitude, event.venue_name
    amap = "https://uri.amap.com/marker?" + urlencode({"position": f"{lon},{lat}", "name": name, "coordinate": "gaode"})
    baidu = "https://api.map.baidu.com/marker?" + urlencode(
        {
            "location": f"{lat},{lon}",
            "title": name,
            "content": event.venue_address or name,
            "coord_type": "gcj02",
            "output": "html",
            "src": "outreach",
        }
    )
    return [{"label": _("在高德地图中打开"), "url": amap}, {"label": _("在百度地图中打开"), "url": baidu}]


def structured_data(*, event, url, next_occurrence=None):
    """schema.org Event, with eventStatus and location (a Place, or a VirtualLocation when moved
    online); ``url`` is the event page's absolute URL."""
    starts_at = next_occurrence.starts_at if next_occurrence else event.starts_at
    ends_at = next_occurrence.ends_at if next_occurrence else event.ends_at
    place = {
        "@type": "Place",
        "name": event.venue_name,
        "address": {
            "@type": "PostalAddress",
            "streetAddress": event.venue_address or event.venue_name,
            "addressLocality": event.organiser.town.name if event.organiser.town_id else "",
            "addressCountry": "CN",
        },
    }
    if event.latitude is not None and event.longitude is not None:
        place["geo"] = {
            "@type": "GeoCoordinates",
            "latitude": float(event.latitude),
            "longitude": float(event.longitude),
        }
    online = event.status == EventStatus.MOVED_ONLINE
    data = {
        "@context": "https://schema.org",
        "@type": "Event",
        "name": event.title,
        "description": event.summary,
        "startDate": starts_at.astimezone(LOCAL_TIME_ZONE).isoformat(),
        "endDate": ends_at.astimezone(LOCAL_TIME_ZONE).isoformat(),
        "eventStatus": SCHEMA_STATUS[event.status],
        "eventAttendanceMode": "https://schema.org/OnlineEventAttendanceMode"
        if online
        else "https://schema.org/OfflineEventAttendanceMode",
        "location": {"@type": "VirtualLocation", "url": url} if online else place,
        "organizer": {"@type": "Organization", "name": event.organiser.name},
        "url": url,
        "inLanguage": "zh-CN",
    }
    if event.audiences.exists():
        data["audience"] = [{"@type": "Audience", "audienceType": a.name} for a in event.audiences.all()]
    return data


def feed_links(*, host, event=None, filters=None):
    """The https and webcal:// addresses of the feeds a page advertises; ``host`` is the one the
    reader reached the site by."""
    links = []
    if event is not None:
        links.append({"title": _("本活动日历（.ics）"), "url": reverse("events:event_ics", args=[event.pk])})
    index_url = reverse("events:feed")
    links.append({"title": _("全部活动日历订阅"), "url": index_url})
    if filters and (filters["kind"] or filters["town"]):
        links.append(
            {"title": _("当前筛选的活动日历订阅"), "url": f"{index_url}?{_query_string({**filters, 'audience': None})}"}
        )
    for link in links:
        link["webcal"] = f"webcal://{host}{link['url']}"
    return links


def places_left(*, event, occurrences):
    """``[{"occurrence", "places_left", "full"}]`` for ``occurrences`` of ``event``: the places
    still free (None when the event has no limit), in one query."""
    Registration = apps.get_model("events", "Registration")
    confirmed = {}
    if event.capacity is not None:
        confirmed = dict(
            Registration.objects.filter(event=event, occurrence_date__in=[o.original_date for o in occurrences])
            .confirmed()
            .values("occurrence_date")
            .annotate(places=Sum("party_size"))
            .values_list("occurrence_date", "places")
        )
    rows = []
    for occurrence in occurrences:
        left = None if event.capacity is None else max(event.capacity - confirmed.get(occurrence.original_date, 0), 0)
        rows.append({"occurrence": occurrence, "places_left": left, "full": left == 0})
    return rows


def unit_groups():
    """The units one may register for, grouped by town (``[(town name, [units])]``): each town
    first in its own group, units without a town (the city's bodies) last."""
    units = Unit.objects.active().exclude(kind=UnitKind.CITY).select_related("town")
    groups = {}
    for unit in units:
        groups.setdefault(unit.town.name if unit.town_id else None, []).append(unit)
    ordered = sorted(name for name in groups if name is not None)
    result = [(name, sorted(groups[name], key=lambda u: (u.kind != UnitKind.TOWN, u.kind, u.name))) for name in ordered]
    if None in groups:
        result.append((_("市直单位"), sorted(groups[None], key=lambda u: (u.kind, u.name))))
    return result


def _registration_message(event, open_occurrences, next_occurrence, now):
    if open_occurrences:
        return None
    if next_occurrence is None:
        return _("活动已结束，报名已关闭。")
    return registration_state(event=event, occurrence=next_occurrence, now=now)


def event_detail(*, event, url, host, now=None):
    """The page of one event; ``url`` is its absolute URL and ``host`` the site's, as the reader reached them."""
    now = now or timezone.now()
    ArticlePage = apps.get_model("home", "ArticlePage")
    all_occurrences = occurrences(event)
    upcoming = [o for o in all_occurrences if o.ends_at >= now]
    next_occurrence = next((o for o in upcoming if not o.is_cancelled), None)
    open_occurrences = [o for o in upcoming if registration_state(event=event, occurrence=o, now=now) is None]
    contest = event.related_contest if event.related_contest_id and event.related_contest.live else None
    return {
        "occurrences": all_occurrences,
        "next_occurrence": next_occurrence,
        "open_occurrences": open_occurrences,
        "registration_message": _registration_message(event, open_occurrences, next_occurrence, now),
        "related_articles": list(ArticlePage.objects.for_listing().filter(pk__in=event.related_articles.values("pk"))),
        "related_contest": contest,
        "event_json_ld": json_ld(structured_data(event=event, url=url, next_occurrence=next_occurrence)),
        "feed_links": feed_links(host=host, event=event),
        "attendance": list(event.attendance.select_related("unit")),
        "attendance_total": event.attendance.aggregate(total=Sum("count"))["total"] or 0,
        "is_past": bool(all_occurrences) and all_occurrences[-1].ends_at < now,
        "availability": places_left(event=event, occurrences=open_occurrences) if event.registration_enabled else [],
        "max_public_group": max_public_group(),
        "max_party_size": MAX_PARTY_SIZE,
        "consent_text": ADULT_OR_GUARDIAN_CONSENT_TEXT,
        "consent_version": ADULT_OR_GUARDIAN_CONSENT_VERSION,
        "unit_groups": unit_groups() if event.allow_groups else [],
        "lookup_url": lookup_url(event=event) if event.registration_enabled else None,
    }


def lookup_url(*, event):
    """The address of 我的报名 in the events section ``event`` belongs to."""
    index = event.get_parent().specific
    return index.url + index.reverse_subpage("my_registrations")


def registration_detail(*, event, registration):
    """What the registrant's own page shows beside the registration: its occurrence (None when
    the schedule no longer has that date), the .ics of that occurrence and where 我的报名 is."""
    return {
        "lookup_url": lookup_url(event=event),
        "occurrence": find_occurrence(event, registration.occurrence_date),
        "occurrence_ics_url": reverse("events:event_ics", args=[event.pk])
        + "?"
        + urlencode({"date": registration.occurrence_date.isoformat()}),
    }


def lookup_registrations(*, phone, code):
    """我的报名: the registrations of published events made with ``phone`` whose 查询码 is
    ``code`` (both already cleaned), newest occurrence first, each with a grant to open its page."""
    EventPage = _models()[0]
    Registration = apps.get_model("events", "Registration")
    found = (
        Registration.objects.filter(
            phone=phone,
            lookup_code_hash=code_digest(phone=phone, code=code),
            event_id__in=EventPage.objects.visible().values("pk"),
        )
        .select_related("event", "unit")
        .prefetch_related("event__exceptions")
        .order_by("-occurrence_date", "-created_at", "-pk")
    )
    return [
        {
            "registration": registration,
            "occurrence": find_occurrence(registration.event, registration.occurrence_date),
            "grant": grant_for(registration),
        }
        for registration in found
    ]


def check_in_list(*, event, occurrence_date=None, scope=None):
    """The check-in page: registrations (of units in ``scope``'s subtree only, when given: people
    who registered on their own belong to no unit and are left out), attendance per unit, total."""
    registrations = event.registrations.exclude(status=RegistrationStatus.CANCELLED).select_related("unit")
    if scope is not None:
        registrations = registrations.filter(subtree_q(scope, "unit__"))
    if occurrence_date:
        registrations = registrations.filter(occurrence_date=occurrence_date)
    confirmed = registrations.filter(status=RegistrationStatus.CONFIRMED)
    by_unit = (
        confirmed.values("unit__name")
        .annotate(
            registered=Sum("party_size"),
            arrived=Sum("party_size", filter=Q(checked_in_at__isnull=False)),
            registrations=Count("pk"),
        )
        .order_by("unit__name")
    )
    return {
        "registrations": list(registrations.order_by("occurrence_date", "status", "created_at", "pk")),
        "attendance_by_unit": list(by_unit),
        "checked_in_total": confirmed.filter(checked_in_at__isnull=False).aggregate(total=Sum("party_size"))["total"]
        or 0,
    }


def _registrations(*, event=None, scope=None):
    registrations = apps.get_model("events", "Registration").objects.all()
    if event is not None:
        registrations = registrations.filter(event=event)
    if scope is not None:
        registrations = registrations.filter(subtree_q(scope, "unit__"))
    return registrations


def registration_summary(*, event, scope=None):
    """The event's registrations per status (cancelled ones too), each with the people they stand
    for (``party_size``: what places are counted in); ``scope`` (a Unit) keeps its subtree's only."""
    counted = {
        row["status"]: row
        for row in _registrations(event=event, scope=scope)
        .values("status")
        .annotate(registrations=Count("pk"), people=Sum("party_size"))
    }
    return [
        {
            "status": status,
            "label": label,
            "registrations": counted.get(status, {}).get("registrations", 0),
            "people": counted.get(status, {}).get("people") or 0,
        }
        for status, label in RegistrationStatus.choices
    ]


def registrations_by_outlet(*, event=None, since=None, until=None, scope=None):
    """Registrations made inside each media outlet's embed (not cancelled ones), of ``event`` or
    of all events, most first: ``[{"outlet_id", "outlet_name", "registrations", "people"}]``,
    ``people`` counting a group's ``party_size``. ``since``/``until`` bound the local day of
    registering (inclusive dates); ``scope`` (a Unit) keeps its subtree's registrations only.
    Outlets without a registration are left out."""
    return totals_by_outlet(
        _registrations(event=event, scope=scope).active(),
        day_field="created_at__date",
        since=since,
        until=until,
        registrations=Count("pk"),
        people=Sum("party_size"),
    )


def event_for_staff(*, pk):
    """Any event, live or not, for the staff report; None when ``pk`` names none."""
    return _models()[0].objects.filter(pk=pk).first() if pk else None


def attendance_by_unit(*, units=None):
    """People who attended events, per unit: staff-recorded counts, for participation tracking."""
    AttendanceRecord = apps.get_model("events", "AttendanceRecord")
    records = AttendanceRecord.objects.filter(page__live=True)
    if units is not None:
        records = records.filter(unit__in=units)
    return list(records.values("unit__pk", "unit__name").annotate(people=Sum("count")).order_by("-people"))


def occurrence_of(*, event, value):
    """The occurrence of ``event`` on the local date ``value`` (2026-06-16), else a 404."""
    occurrence = find_occurrence(event, occurrence_on(value))
    if occurrence is None:
        raise ReaderFacingNotFound(_("这个活动在所选日期没有场次。"))
    return occurrence


def occurrence_on(value):
    """The local date named by a form's ``occurrence`` field, or None when malformed."""
    try:
        return datetime.date.fromisoformat(value)
    except (TypeError, ValueError):
        return None


def check_in_access(*, user, event):
    """May ``user`` check people in at ``event``, and whose registrations may they see?
    ``(False, None)``: no. ``(True, None)``: everyone's; for those who may publish the event and
    for its 签到志愿者. ``(True, unit)``: a liaison's, those of ``unit``'s subtree only."""
    if not user.is_authenticated or not user.is_active:
        return False, None
    CheckInVolunteer = apps.get_model("events", "CheckInVolunteer")
    if (
        event.permissions_for_user(user).can_publish()
        or CheckInVolunteer.objects.filter(event=event, user=user).exists()
    ):
        return True, None
    if user.has_perm(CHECK_IN_PERMISSION):
        return True, scope_unit(user)
    return False, None


def is_liaison_of(*, user, unit):
    """Is ``user`` a signed-in liaison account (limited to a unit) of ``unit`` or a unit above it?"""
    return unit is not None and user.is_authenticated and is_scoped(user) and within_scope(user, unit)


def pending_groups(*, user):
    """Large groups held for confirmation (待审核), oldest first, of the units ``user`` may see."""
    Registration = apps.get_model("events", "Registration")
    rows = (
        Registration.objects.filter(status=RegistrationStatus.PENDING)
        .select_related("event", "unit")
        .order_by("created_at", "pk")
    )
    return restrict_rows(rows, user)


def pending_group(*, public_id):
    Registration = apps.get_model("events", "Registration")
    return (
        Registration.objects.filter(status=RegistrationStatus.PENDING, public_id=public_id)
        .select_related("event", "unit")
        .first()
    )


def registration_for_staff(*, event, public_id):
    registration = event.registrations.select_related("unit").filter(public_id=public_id).first()
    if registration is None:
        raise RegistrationNotFound()
    return registration


def kind_label(kind):
    return dict(EventKind.choices)[kind]


def registration_outcome(*, registration):
    """A registration as plain values, for ``participation``'s ledger
    (``signals.registration_changed``): read again from the database, so a receiver sees the
    committed state even when one transaction changed the registration twice. ``status`` is a
    ``RegistrationStatus`` value; ``unit_id`` is None for a person registering on their own."""
    Registration = apps.get_model("events", "Registration")
    stored = Registration.objects.select_related("event").filter(pk=registration.pk).first() or registration
    return {
        "registration_id": stored.pk,
        "event_page_id": stored.event_id,
        "campaign_id": stored.event.campaign_id,
        "unit_id": stored.unit_id,
        "name": stored.name,
        "phone": stored.phone,
        "party_size": stored.party_size,
        "status": stored.status,
        "checked_in_at": stored.checked_in_at,
        "occurrence_date": stored.occurrence_date,
        "created_at": stored.created_at,
    }


def attendance_outcomes(*, event):
    """The event's whole recorded attendance (``signals.attendance_changed``), one dict per
    参加人数 row: ``source_id`` (the row's id, stable while the row is kept), ``unit_id``,
    ``people``, ``date`` (the event's local start date) and ``campaign_id``. Empty unless the event
    is live (published), like ``attendance_by_unit``. One query."""
    AttendanceRecord = apps.get_model("events", "AttendanceRecord")
    rows = (
        AttendanceRecord.objects.filter(page_id=event.pk, page__live=True)
        .values_list("pk", "unit_id", "count", "page__starts_at", "page__campaign_id")
        .order_by("sort_order", "pk")
    )
    return [
        {
            "source_id": pk,
            "event_page_id": event.pk,
            "unit_id": unit_id,
            "people": count,
            "date": starts_at.astimezone(LOCAL_TIME_ZONE).date(),
            "campaign_id": campaign_id,
        }
        for pk, unit_id, count, starts_at, campaign_id in rows
    ]
