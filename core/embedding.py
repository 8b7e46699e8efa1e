"""Letting active media outlets frame our embed routes, and nobody else.

Every page sends ``X-Frame-Options: DENY`` and ``frame-ancestors 'self'`` (settings); a view
wrapped in ``embed_view`` instead sends no X-Frame-Options and ``frame-ancestors 'self'`` plus the
active outlets' origins. An embed route for another kind of page (a contest, an event) needs only
that decorator, the ``embed_base.html`` template and, for oEmbed, its model label in
``settings.EMBEDDABLE_PAGE_TYPES``.

A page with an embedded flow (``embed_routes = True`` on a RoutablePageMixin page: a contest's
whole participant flow, an event's registration) is embedded route by route: ``/embed/page/<id>/<route>`` serves the same view
as ``<page url><route>``, with ``request.embed`` set. Its templates extend ``base_template`` (the
embed chrome then), its links and redirects go through ``flow_url`` so they stay inside the frame,
and the cookies it sets are ``SameSite=None; Secure`` (core.middleware.SecureCookiesMiddleware), the
only kind a browser sends from a third-party frame. An outlet's own snippet adds
``/embed/outlet/<outlet id>`` in front, which ``request.embed.outlet`` then names for attribution.
"""

import logging
from dataclasses import dataclass
from functools import wraps

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError
from django.http import Http404, HttpResponseNotAllowed
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.html import format_html
from wagtail.models import Page

from . import attribution
from .models import MediaOutlet
from .parsing import parse_id
from .structured_data import absolute_url

logger = logging.getLogger(__name__)

ORIGINS_CACHE_KEY = "embedding:frame-ancestors"
DEFAULT_WIDTH = 640
DEFAULT_HEIGHT = 480
# The script an outlet includes: its unhashed name, so a snippet pasted once keeps working
# after the file changes.
RESIZE_SCRIPT = "js/embed-resize.js"


# outreach/urls.py mounts the embed routes here.
EMBED_URL_PREFIX = "/embed/"
EMBED_BASE_TEMPLATE = "core/embed_base.html"
SITE_BASE_TEMPLATE = "base.html"


@dataclass(frozen=True)
class Embed:
    """What ``request.embed`` holds on an embed route: the framed page, the outlet whose snippet
    framed it (None for the generic snippet) and the path every in-frame link starts with."""

    page: Page
    outlet: MediaOutlet | None
    prefix: str

    @property
    def has_routes(self):
        return has_embed_routes(self.page)


def has_embed_routes(page):
    """Whether ``page`` is embedded with its routes, its flow kept in the frame: a page type says
    so with ``embed_routes = True`` (a RoutablePageMixin page). Others (an article, whose print
    and feed routes are not for frames) have one embed view, their ``_embed.html`` template."""
    return getattr(page, "embed_routes", False)


def embed_of(request):
    return getattr(request, "embed", None)


def is_embed_path(path):
    """Whether ``path`` is an embed route's (a CSRF refusal there is shown inside the frame)."""
    return path.startswith(EMBED_URL_PREFIX)


def layout_context(request):
    """Context processor: the template every page extends (``base_template``), and on an embed
    route the embed and the page's address on the site, for the embed chrome's footer."""
    embed = embed_of(request)
    if embed is None:
        return {"base_template": SITE_BASE_TEMPLATE}
    return {
        "base_template": EMBED_BASE_TEMPLATE,
        "embed": embed,
        "full_page_url": absolute_url(request, embed.page.get_url(request)),
        # For a notice embed-frame.js shows when the frame keeps no cookie (data-needs-cookie).
        "csrf_cookie_name": settings.CSRF_COOKIE_NAME,
    }


def active_outlets():
    return MediaOutlet.objects.filter(is_active=True)


def active_origins():
    """The origins of every active outlet, sorted; cached until an outlet is saved or deleted."""
    origins = cache.get(ORIGINS_CACHE_KEY)
    if origins is None:
        origins = sorted({origin for outlet in active_outlets() for origin in outlet.origins})
        # An hour at most: a bulk queryset update() sends no signal.
        cache.set(ORIGINS_CACHE_KEY, origins, 3600)
    return origins


def forget_active_origins(**kwargs):
    """Signal receiver (core.apps): an outlet changed, so the next embed response reads them anew."""
    cache.delete(ORIGINS_CACHE_KEY)


def embed_view(view):
    """Make ``view`` frameable by the active outlets (and this site), and by no one else.

    The response is marked ``no-cache`` so that neither the anonymous page cache (home.cache, which
    stores headers) nor a proxy serves it with the frame-ancestors of before an outlet changed."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        return make_frameable(view(request, *args, **kwargs))

    return wrapped


def make_frameable(response):
    """``response`` with the embed routes' framing headers (see ``embed_view``)."""
    response.xframe_options_exempt = True
    response._csp_replace = {"frame-ancestors": ["'self'", *active_origins()]}
    patch_cache_control(response, no_cache=True)
    return response


def is_embeddable(page):
    """Whether ``page`` is of a type that has an embed view (live or not)."""
    return page.specific_class is not None and page.specific_class._meta.label in settings.EMBEDDABLE_PAGE_TYPES


def embeddable_pages():
    """Live, public pages of the embeddable types (``settings.EMBEDDABLE_PAGE_TYPES``)."""
    return Page.objects.live().public().exact_type(*map(apps.get_model, settings.EMBEDDABLE_PAGE_TYPES))


def embed_path(page, outlet=None):
    if outlet is None:
        return reverse("page_embed", args=[page.pk])
    return reverse("outlet_page_embed", args=[outlet.pk, page.pk])


def flow_url(request, page, route=None, *args):
    """The URL of ``page`` (or its ``route``, a RoutablePageMixin route name) for this request: in
    the frame when the request is an embed of that page, else on the site."""
    subpath = page.reverse_subpage(route, args=args) if route else ""
    embed = embed_of(request)
    if embed is not None and embed.page.pk == page.pk:
        return embed.prefix + subpath
    return page.get_url(request) + subpath


def embed_template(page, request):
    """``home/article_page.html`` → ``home/article_page_embed.html``: each type's embed template
    sits beside its own."""
    return page.get_template(request).removesuffix(".html") + "_embed.html"


def embed_snippet(page, *, base_url, outlet=None, width=DEFAULT_WIDTH, height=DEFAULT_HEIGHT):
    """The HTML an outlet pastes: the frame (which keeps its height without JavaScript) and the
    script that fits it to its content. ``base_url`` is this site's ``scheme://host``; with
    ``outlet`` the frame's address names it, so what comes through it is counted for it."""
    return format_html(
        '<iframe src="{}{}" width="{}" height="{}" title="{}" loading="lazy" data-embed-frame '
        'style="border:0;max-width:100%"></iframe>\n<script src="{}{}{}" async></script>',
        base_url,
        embed_path(page, outlet),
        width,
        height,
        page.title,
        base_url,
        settings.STATIC_URL,
        RESIZE_SCRIPT,
    )


def _embedded_page(page_id):
    page_pk = parse_id(page_id)
    page = embeddable_pages().filter(pk=page_pk).first() if page_pk else None
    if page is None:
        raise Http404
    return page.specific


def _active_outlet(outlet_id):
    outlet_pk = parse_id(outlet_id)
    outlet = active_outlets().filter(pk=outlet_pk).first() if outlet_pk else None
    if outlet is None:
        raise Http404
    return outlet


def _serve(request, page, outlet, subpath):
    request.embed = Embed(page=page, outlet=outlet, prefix=embed_path(page, outlet))
    response = _embed_response(request, page, subpath)
    if outlet is not None and request.method == "GET" and response.status_code == 200:
        try:
            attribution.count_embed_view(outlet=outlet, page=page)
        except DatabaseError:
            # The reader already has the page: one view missing from a statistic is better than
            # a broken frame on the outlet's site. The count ran in a savepoint of its own.
            logger.exception("Could not count an embed view of page %s through outlet %s", page.pk, outlet.pk)
    return response


def _embed_response(request, page, subpath):
    if has_embed_routes(page):
        # The route's own view, as Wagtail's routing would call it; it checks its methods itself.
        view, args, kwargs = page.resolve_subpage("/" + subpath)
        return view(request, *args, **kwargs)
    if subpath:
        raise Http404
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    # With the context its own view would give it (so a column's ?topic=/&page= still work).
    return TemplateResponse(request, embed_template(page, request), page.get_context(request))


@embed_view
def page_embed(request, page_id, subpath=""):
    """``/embed/page/<id>/[<route>]``: a live, public page of an embeddable type, framed."""
    return _serve(request, _embedded_page(page_id), None, subpath)


@embed_view
def outlet_page_embed(request, outlet_id, page_id, subpath=""):
    """``/embed/outlet/<outlet id>/page/<id>/[<route>]``: the same, through an active outlet's snippet."""
    return _serve(request, _embedded_page(page_id), _active_outlet(outlet_id), subpath)
