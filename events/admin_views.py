"""The events' pages in the Wagtail admin.

集体报名审核: large groups held as 待审核 (registered by someone who is not the unit's liaison),
confirmed or refused by staff who may change registrations, within their scope. Each decision is
written to the event page's audit log by ``services.review_group``.

报名情况: one event's registrations per status and those made through each media outlet's embed,
for whoever may check people in at it (a liaison: their units' registrations only)."""

import uuid

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core.parsing import parse_id
from organizations.scopes import OUT_OF_SCOPE_MESSAGE, within_scope

from . import selectors, services
from .errors import CheckInNotAllowed, InvalidRegistration, RegistrationError, RegistrationNotFound, ReviewNotAllowed

URL_NAME = "events_pending_groups"
REGISTRATIONS_URL_NAME = "events_registrations"
DECISIONS = ("confirm", "refuse")


def can_review(user):
    return user.is_active and user.has_perm(selectors.CHECK_IN_PERMISSION)


def _public_id(value):
    try:
        return uuid.UUID(value)
    except (TypeError, ValueError):
        raise RegistrationNotFound() from None


def _review(request):
    """Confirm or refuse the posted group; returns the message for the next page."""
    pending = selectors.pending_group(public_id=_public_id(request.POST.get("registration")))
    if pending is None:
        raise RegistrationNotFound()
    if not within_scope(request.user, pending.unit):
        raise ReviewNotAllowed(OUT_OF_SCOPE_MESSAGE)
    decision = request.POST.get("decision")
    if decision not in DECISIONS:
        raise InvalidRegistration(_("请选择“确认”或“拒绝”。"))
    approve = decision == "confirm"
    reviewed = services.review_group(public_id=pending.public_id, approve=approve, user=request.user)
    unit = reviewed.unit.name if reviewed.unit else ""
    if not approve:
        return _("已拒绝%(unit)s的集体报名。") % {"unit": unit}
    return _("已确认%(unit)s的集体报名（%(size)s人），当前状态：%(status)s。") % {
        "unit": unit,
        "size": reviewed.party_size,
        "status": reviewed.get_status_display(),
    }


def _render(request, *, status=200, error=None):
    pending = list(selectors.pending_groups(user=request.user)) if can_review(request.user) else []
    return TemplateResponse(
        request, "events/admin/pending_groups.html", {"pending": pending, "error": error}, status=status
    )


@require_http_methods(["GET", "HEAD", "POST"])
def pending_groups(request):
    if not can_review(request.user):
        error = ReviewNotAllowed()
        return _render(request, status=error.status, error=error.message)
    if request.method == "POST":
        try:
            messages.success(request, _review(request))
        except RegistrationError as error:
            return _render(request, status=error.status, error=error.message)
        return redirect(URL_NAME)
    return _render(request)


def may_see_registrations(user, event):
    return selectors.check_in_access(user=user, event=event)[0]


@require_http_methods(["GET", "HEAD"])
def event_registrations(request, event_id):
    event = selectors.event_for_staff(pk=parse_id(event_id))
    if event is None:
        raise Http404
    allowed, scope = selectors.check_in_access(user=request.user, event=event)
    if not allowed:
        error = CheckInNotAllowed(_("你没有查看本活动报名情况的权限，请联系管理员。"))
        return TemplateResponse(
            request, "events/admin/registrations.html", {"event": event, "error": error.message}, status=error.status
        )
    return TemplateResponse(
        request,
        "events/admin/registrations.html",
        {
            "event": event,
            "scope": scope,
            "summary": selectors.registration_summary(event=event, scope=scope),
            "by_outlet": selectors.registrations_by_outlet(event=event, scope=scope),
        },
    )


def urlpatterns():
    return [
        path("events/pending-groups/", pending_groups, name=URL_NAME),
        # Text, parsed strictly in the view: <int:> passes numbers too large for the database.
        path("events/<str:event_id>/registrations/", event_registrations, name=REGISTRATIONS_URL_NAME),
    ]
