import io
from functools import wraps
from urllib.parse import urlencode

import segno
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import resolve_url
from django.template.response import TemplateResponse
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from core.permissions import can_see

from . import selectors
from .join_links import remember_joined_unit
from .models import UnitKind
from .permissions import unit_policy
from .scopes import OUT_OF_SCOPE_MESSAGE, within_scope


def _safe_next(request, next_url):
    """``next_url`` if it stays on this site, else None."""
    if next_url and url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return next_url
    return None


@require_safe
def join(request, token):
    """The address in a unit's QR code: remember the unit for this browser, then go on (to the
    open contest for the unit, ``UNIT_JOIN_LANDING``, unless a local ``?next`` is given).

    The response sets a cookie, so the anonymous page cache never stores it.
    """
    unit = selectors.unit_for_join_token(token=token)
    response = HttpResponseRedirect(
        _safe_next(request, request.GET.get("next")) or resolve_url(settings.UNIT_JOIN_LANDING)
    )
    remember_joined_unit(response, unit=unit, secure=request.is_secure())
    return response


def staff_with_unit_access(view):
    """Logged in (else to the admin login) and allowed to see units in the admin (else 403)."""

    @login_required(login_url=reverse_lazy("wagtailadmin_login"))
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not can_see(unit_policy, request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def _join_qr(request, unit):
    """The absolute join address (going on to a local ``?next`` if given) and its QR code."""
    url = request.build_absolute_uri(unit.get_join_url())
    next_url = _safe_next(request, request.GET.get("next"))
    if next_url:
        url = f"{url}?{urlencode({'next': next_url})}"
    return url, segno.make(url, error="m")


def _poster(request, unit):
    """What one poster shows (templates/organizations/includes/poster_sheet.html)."""
    url, qr = _join_qr(request, unit)
    title = _("扫码参加安全知识答卷：%(unit)s") % {"unit": unit.name}
    return {
        "unit": unit,
        "join_url": url,
        "qr_svg": qr.svg_inline(omitsize=True, border=2, title=title, svgclass="poster-qr", lineclass=None),
    }


@require_safe
@staff_with_unit_access
def poster(request, pk):
    """A printable A4 poster: unit name, QR code, address and how to take part."""
    unit = selectors.get_unit(pk=pk)
    if not within_scope(request.user, unit):
        raise PermissionDenied(OUT_OF_SCOPE_MESSAGE)
    return TemplateResponse(request, "organizations/poster.html", _poster(request, unit))


@require_safe
@staff_with_unit_access
def poster_svg(request, pk):
    """The bare QR code, to place in other printed material."""
    unit = selectors.get_unit(pk=pk)
    if not within_scope(request.user, unit):
        raise PermissionDenied(OUT_OF_SCOPE_MESSAGE)
    url, qr = _join_qr(request, unit)
    svg = io.BytesIO()
    qr.save(svg, kind="svg", scale=10, border=4, title=url, lineclass=None)
    response = HttpResponse(svg.getvalue(), content_type="image/svg+xml")
    response["Content-Disposition"] = f'inline; filename="unit-{unit.pk}-qr.svg"'
    return response


@require_safe
@staff_with_unit_access
def town_posters(request, pk):
    """Every active school, community and enterprise of a town on one print page, a poster a sheet."""
    town = selectors.get_unit(pk=pk)
    if town.kind != UnitKind.TOWN:
        raise Http404
    if not within_scope(request.user, town):
        raise PermissionDenied(OUT_OF_SCOPE_MESSAGE)
    posters = [_poster(request, unit) for unit in selectors.poster_units_of_town(town=town)]
    return TemplateResponse(request, "organizations/town_posters.html", {"town": town, "posters": posters})
