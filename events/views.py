"""Views routed under the events index and each event page (see their ``@path`` routes), and
the .ics feeds of ``events/urls.py``.

Refused registrations get ``core.responses.error_response`` (the error's status and Chinese
message, and a link back to the event); nothing is changed when that happens.
"""

import segno
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from core.parsing import parse_id, parse_positive_int
from core.responses import error_response
from core.structured_data import absolute_url
from organizations.scopes import OUT_OF_SCOPE_MESSAGE, scope_unit, within_scope
from organizations.selectors import active_unit

from . import ics, selectors, services
from .errors import CheckInNotAllowed, InvalidRegistration, RegistrationError

CHECK_IN_PERMISSION = "events.change_registration"


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
    event = selectors.visible_event(page_id=parse_id(page_id))
    url = absolute_url(request, event.get_url(request=request))
    return _calendar_response(ics.calendar_for([event], name=event.title, url_for=lambda _event: url), "event.ics")


def _error(request, event, error):
    return error_response(
        request, error, back_url=event.get_url(request=request), back_label=_("返回活动页面"), section="event"
    )


def _party_size(value):
    if not value:
        return 1
    party_size = parse_positive_int(value)
    if party_size is None:
        raise InvalidRegistration(_("人数须为数字。"))
    return party_size


def _unit(value):
    if not value:
        return None
    unit = active_unit(pk=parse_id(value))
    if unit is None:
        raise InvalidRegistration(_("没有找到所选的单位。"))
    return unit


@require_POST
def register(request, event):
    occurrence_date = selectors.occurrence_on(request.POST.get("occurrence"))
    try:
        if occurrence_date is None:
            raise InvalidRegistration(_("请选择要报名的场次。"))
        registration, token = services.register(
            event=event,
            occurrence_date=occurrence_date,
            name=request.POST.get("name", ""),
            phone=request.POST.get("phone", ""),
            unit=_unit(request.POST.get("unit", "")),
            party_size=_party_size(request.POST.get("party_size", "")),
        )
    except RegistrationError as error:
        return _error(request, event, error)
    return redirect(event.url + f"registration/{registration.public_id}/{token}/")


@require_http_methods(["GET", "HEAD", "POST"])
def registration(request, event, public_id, token):
    """The registrant's own page: status, QR code for check-in, and the cancel button."""
    try:
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
            # Inline SVG: no data: URL or script is needed, so the strict CSP holds.
            "qr_svg": segno.make(check_in_url, error="m").svg_inline(scale=4, title=_("签到二维码")),
        },
    )
    # The page's address is the secret: never cache it or let it leak in a Referer.
    add_never_cache_headers(response)
    response["Referrer-Policy"] = "no-referrer"
    return response


def _refuse_non_staff(request, event):
    """A login redirect or a 403 page for anyone who may not check people in, else None."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path(), login_url=reverse("wagtailadmin_login"))
    if not request.user.has_perm(CHECK_IN_PERMISSION):
        return _error(request, event, CheckInNotAllowed())
    return None


@require_safe
def check_in_list(request, event):
    if refused := _refuse_non_staff(request, event):
        return refused
    occurrence_date = selectors.occurrence_on(request.GET.get("date"))
    # A liaison (a scoped account) sees and checks in the registrations of its own units only.
    context = selectors.check_in_list(event=event, occurrence_date=occurrence_date, scope=scope_unit(request.user))
    response = _render(request, event, "events/check_in.html", context)
    add_never_cache_headers(response)
    return response


@require_http_methods(["GET", "HEAD", "POST"])
def check_in(request, event, public_id):
    """What a staff phone opens when scanning a registrant's QR code: confirm, then check in."""
    if refused := _refuse_non_staff(request, event):
        return refused
    try:
        found = selectors.registration_for_staff(event=event, public_id=public_id)
        if not within_scope(request.user, found.unit):
            raise CheckInNotAllowed(OUT_OF_SCOPE_MESSAGE)
        if request.method == "POST":
            services.check_in(event=event, public_id=public_id)
            return redirect(event.url + "check-in/")
    except RegistrationError as error:
        return _error(request, event, error)
    response = _render(request, event, "events/check_in_confirm.html", {"registration": found})
    add_never_cache_headers(response)
    return response
