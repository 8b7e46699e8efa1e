"""Views routed under the events index and each event page (see their ``@path`` routes), and
the .ics feeds of ``events/urls.py``.

A refused registration shows the event page again with the error's status and Chinese message
beside the field it is about and the form as it was filled in (JSON when asked for); other
refusals get ``core.responses.error_response`` with a link back to the event. Nothing is changed
either way. Registering, the registrant's own page and the 我的报名 lookup are rate-limited per IP
(and per phone number).
"""

import re

import segno
from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django_ratelimit.core import is_ratelimited

from core.embedding import embed_of, flow_url
from core.parsing import parse_id, parse_positive_int
from core.responses import error_response, wants_json
from core.structured_data import absolute_url
from organizations.scopes import OUT_OF_SCOPE_MESSAGE, within_scope
from organizations.selectors import active_unit

from . import ics, selectors, services
from .errors import CheckInNotAllowed, InvalidRegistration, LookupNotFound, RegistrationError, TooManyRequests
from .lookup import GRANT_MAX_AGE, clean_code, code_for_token, display_code


def _render(request, page, template, context):
    return page.render(request, template=template, context_overrides=context)


@require_safe
def upcoming(request, index):
    context = selectors.listing(root=index, params=request.GET)
    context["feed_links"] = selectors.feed_links(host=request.get_host(), filters=context["filters"])
    return _render(request, index, "events/event_index_page.html", context)


@require_safe
def past(request, index):
    context = selectors.listing(root=index, params=request.GET, past=True)
    return _render(request, index, "events/event_past.html", context)


@require_safe
def calendar(request, index):
    context = selectors.month_calendar(root=index, params=request.GET)
    context["feed_links"] = selectors.feed_links(host=request.get_host(), filters=context["filters"])
    return _render(request, index, "events/event_calendar.html", context)


def _calendar_response(body, filename):
    response = HttpResponse(body, content_type=ics.CONTENT_TYPE)
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@require_safe
def feed(request):
    """The subscribable feed of all visible events, or of one kind or town (``?kind=&town=``)."""
    events, filters = selectors.feed_events(params=request.GET)
    name = _("安全宣教活动")
    if filters["kind"]:
        name = f"{name}·{selectors.kind_label(filters['kind'])}"
    if filters["town"]:
        name = f"{name}·{filters['town'].name}"
    body = ics.calendar_for(
        events, name=name, url_for=lambda event: absolute_url(request, event.get_url(request=request))
    )
    return _calendar_response(body, "events.ics")


@require_safe
def event_ics(request, page_id):
    """The event's calendar; with ``?date=`` (an occurrence's date, as on a registration) that
    occurrence alone."""
    event = selectors.visible_event(page_id=parse_id(page_id))
    url = absolute_url(request, event.get_url(request=request))
    if "date" in request.GET:
        occurrence = selectors.occurrence_of(event=event, value=request.GET["date"])
        return _calendar_response(ics.occurrence_calendar(occurrence, url=url), f"event-{occurrence.original_date}.ics")
    return _calendar_response(ics.calendar_for([event], name=event.title, url_for=lambda _event: url), "event.ics")


def _error(request, event, error):
    return error_response(
        request, error, back_url=flow_url(request, event), back_label=_("返回活动页面"), section="event"
    )


# Per IP generous enough for a school or a carrier's NAT; per phone enough for a family's or a
# liaison's registrations in an hour, not for hoarding one event's places with one number.
DEFAULT_RATE_LIMITS = {
    "register": {"ip": "60/m", "phone": "10/h"},
    "registration": {"ip": "120/m"},
    # 我的报名: an 8-digit code cannot be guessed at ten tries an hour per phone.
    "lookup": {"ip": "30/m", "phone": "10/h"},
}
REGISTRATION_FIELDS = ("occurrence", "name", "phone", "unit", "party_size", "adult_or_guardian_consent")
CONSENT_FIELD = "adult_or_guardian_consent"


def _phone_key(group, request):
    return re.sub(r"[\s-]", "", request.POST.get("phone", ""))[:20]


def _check_rate(request, action):
    """Raise ``TooManyRequests`` when this IP (or the phone number posted) asked too often."""
    limits = getattr(settings, "EVENTS_RATE_LIMITS", {}).get(action) or DEFAULT_RATE_LIMITS[action]
    keys = {"ip": "ip", "phone": _phone_key}
    for name, rate in limits.items():
        if name == "phone" and not _phone_key(None, request):
            continue
        if is_ratelimited(request, group=f"events.{action}.{name}", key=keys[name], rate=rate, increment=True):
            raise TooManyRequests()


def _refused_registration(request, event, error):
    """The event page again, the message above the form (or beside the field it is about) and
    what was typed still in it."""
    if wants_json(request):
        return _error(request, event, error)
    response = _render(
        request,
        event,
        None,
        {
            "registration_error": error.message,
            "registration_error_field": error.field,
            "submitted": {name: request.POST.get(name, "") for name in REGISTRATION_FIELDS},
        },
    )
    response.status_code = error.status
    add_never_cache_headers(response)
    return response


def _party_size(value):
    if not value:
        return 1
    party_size = parse_positive_int(value)
    if party_size is None:
        raise InvalidRegistration(_("人数须为数字。"), field="party_size")
    return party_size


def _unit(value):
    if not value:
        return None
    unit = active_unit(pk=parse_id(value))
    if unit is None:
        raise InvalidRegistration(_("没有找到所选的单位。"), field="unit")
    return unit


@require_POST
def register(request, event):
    try:
        _check_rate(request, "register")
        occurrence_date = selectors.occurrence_on(request.POST.get("occurrence"))
        if occurrence_date is None:
            raise InvalidRegistration(_("请选择要报名的场次。"), field="occurrence")
        unit = _unit(request.POST.get("unit", ""))
        embed = embed_of(request)
        registration, token = services.register(
            event=event,
            occurrence_date=occurrence_date,
            name=request.POST.get("name", ""),
            phone=request.POST.get("phone", ""),
            unit=unit,
            party_size=_party_size(request.POST.get("party_size", "")),
            by_liaison=selectors.is_liaison_of(user=request.user, unit=unit),
            adult_or_guardian_consent=request.POST.get(CONSENT_FIELD) == "on",
            outlet=embed.outlet if embed else None,
        )
    except RegistrationError as error:
        return _refused_registration(request, event, error)
    return redirect(flow_url(request, event, "registration", registration.public_id, token))


def _secret_page(response):
    """The page's address is a secret (a cancel token or a lookup grant): never cache it, and send
    it in a Referer to this site only. ``no-referrer`` would make Chromium post ``Origin: null``
    from it, which Django's CSRF check refuses (the cancel button would fail)."""
    add_never_cache_headers(response)
    response["Referrer-Policy"] = "same-origin"
    return response


@require_http_methods(["GET", "HEAD", "POST"])
def registration(request, event, public_id, token):
    """The registrant's own page: status, time and venue, 加入日历, the 查询码 (when opened by
    the cancel link), QR code for check-in, and the cancel button."""
    try:
        _check_rate(request, "registration")
        if request.method == "POST":
            services.cancel_registration(event=event, public_id=public_id, token=token)
            return HttpResponseRedirect(request.path)
        found = services.registration_for_token(event=event, public_id=public_id, token=token)
    except RegistrationError as error:
        return _error(request, event, error)
    check_in_url = absolute_url(request, event.get_url(request=request) + f"check-in/{found.public_id}/")
    response = _render(
        request,
        event,
        "events/registration.html",
        {
            "registration": found,
            **selectors.registration_detail(event=event, registration=found),
            # A lookup's grant opens the page without the token the code comes from.
            "lookup_code": display_code(code_for_token(token)) if services.holds_token(found, token) else None,
            "max_public_group": services.max_public_group(),
            # Inline SVG: no data: URL or script is needed, so the strict CSP holds.
            "qr_svg": segno.make(check_in_url, error="m").svg_inline(scale=4, title=_("签到二维码")),
        },
    )
    return _secret_page(response)


LOOKUP_FIELDS = ("phone", "code")


def _lookup(request):
    """The registrations found for the posted phone and 查询码, each with the address of its page."""
    _check_rate(request, "lookup")
    phone = services.clean_phone(request.POST.get("phone", ""))
    code = clean_code(request.POST.get("code", ""))
    if code is None:
        raise InvalidRegistration(_("查询码是8位数字，请按报名确认页上显示的填写。"), field="code")
    found = selectors.lookup_registrations(phone=phone, code=code)
    if not found:
        raise LookupNotFound()
    for row in found:
        registration = row["registration"]
        row["url"] = (
            registration.event.get_url(request=request) + f"registration/{registration.public_id}/{row['grant']}/"
        )
    return found


@require_http_methods(["GET", "HEAD", "POST"])
def my_registrations(request, index):
    """我的报名: find one's registrations by phone and the 查询码 of the confirmation page (POST,
    so neither lands in an address or a log). A wrong phone or code gets one message for both."""
    context = {"submitted": {}, "results": None, "grant_minutes": GRANT_MAX_AGE // 60}
    status = 200
    if request.method == "POST":
        context["submitted"] = {name: request.POST.get(name, "") for name in LOOKUP_FIELDS}
        try:
            context["results"] = _lookup(request)
        except RegistrationError as error:
            if wants_json(request):
                return error_response(request, error, back_url=request.path, back_label=_("返回我的报名"))
            context.update(lookup_error=error.message, lookup_error_field=error.field)
            status = error.status
    response = _render(request, index, "events/my_registrations.html", context)
    response.status_code = status
    return _secret_page(response)


def _check_in_access(request, event):
    """``(refusal, scope)``: a login redirect or a 403 page for anyone who may not check people in
    at ``event`` (else None), and the unit whose registrations they may see (None: everyone's)."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path(), login_url=reverse("wagtailadmin_login")), None
    allowed, scope = selectors.check_in_access(user=request.user, event=event)
    if not allowed:
        return _error(request, event, CheckInNotAllowed()), None
    return None, scope


@require_safe
def check_in_list(request, event):
    refused, scope = _check_in_access(request, event)
    if refused:
        return refused
    occurrence_date = selectors.occurrence_on(request.GET.get("date"))
    # A liaison (a scoped account) sees and checks in the registrations of its own units only.
    context = selectors.check_in_list(event=event, occurrence_date=occurrence_date, scope=scope)
    response = _render(request, event, "events/check_in.html", context)
    add_never_cache_headers(response)
    return response


@require_http_methods(["GET", "HEAD", "POST"])
def check_in(request, event, public_id):
    """What a staff or volunteer phone opens when scanning a registrant's QR code: confirm, then
    check in."""
    refused, scope = _check_in_access(request, event)
    if refused:
        return refused
    try:
        found = selectors.registration_for_staff(event=event, public_id=public_id)
        if scope is not None and not within_scope(request.user, found.unit):
            raise CheckInNotAllowed(OUT_OF_SCOPE_MESSAGE)
        if request.method == "POST":
            services.check_in(event=event, public_id=public_id)
            return redirect(event.url + "check-in/")
    except RegistrationError as error:
        return _error(request, event, error)
    response = _render(request, event, "events/check_in_confirm.html", {"registration": found})
    add_never_cache_headers(response)
    return response
