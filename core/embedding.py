"""Letting active media outlets frame our embed routes, and nobody else.

Every page sends ``X-Frame-Options: DENY`` and ``frame-ancestors 'self'`` (settings); a view
wrapped in ``embed_view`` instead sends no X-Frame-Options and ``frame-ancestors 'self'`` plus the
active outlets' origins. An embed route for another kind of page (a contest, an event) needs only
that decorator, the ``embed_base.html`` template and, for oEmbed, its model label in
``settings.EMBEDDABLE_PAGE_TYPES``.
"""

from functools import wraps

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.html import format_html
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_safe
from wagtail.models import Page

from .models import MediaOutlet
from .parsing import parse_id
from .structured_data import absolute_url

ORIGINS_CACHE_KEY = "embedding:frame-ancestors"
DEFAULT_WIDTH = 640
DEFAULT_HEIGHT = 480
# The script an outlet includes: its unhashed name, so a snippet pasted once keeps working
# after the file changes.
RESIZE_SCRIPT = "js/embed-resize.js"


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
        response = view(request, *args, **kwargs)
        response._csp_replace = {"frame-ancestors": ["'self'", *active_origins()]}
        patch_cache_control(response, no_cache=True)
        return response

    return xframe_options_exempt(wrapped)


def is_embeddable(page):
    """Whether ``page`` is of a type that has an embed view (live or not)."""
    return page.specific_class is not None and page.specific_class._meta.label in settings.EMBEDDABLE_PAGE_TYPES


def embeddable_pages():
    """Live, public pages of the embeddable types (``settings.EMBEDDABLE_PAGE_TYPES``)."""
    return Page.objects.live().public().exact_type(*map(apps.get_model, settings.EMBEDDABLE_PAGE_TYPES))


def embed_path(page):
    return reverse("page_embed", args=[page.pk])


def embed_template(page, request):
    """``home/article_page.html`` → ``home/article_page_embed.html``: each type's embed template
    sits beside its own."""
    return page.get_template(request).removesuffix(".html") + "_embed.html"


def embed_snippet(page, *, base_url, width=DEFAULT_WIDTH, height=DEFAULT_HEIGHT):
    """The HTML an outlet pastes: the frame (which keeps its height without JavaScript) and the
    script that fits it to its content. ``base_url`` is this site's ``scheme://host``."""
    return format_html(
        '<iframe src="{}{}" width="{}" height="{}" title="{}" loading="lazy" data-embed-frame '
        'style="border:0;max-width:100%"></iframe>\n<script src="{}{}{}" async></script>',
        base_url,
        embed_path(page),
        width,
        height,
        page.title,
        base_url,
        settings.STATIC_URL,
        RESIZE_SCRIPT,
    )


@require_safe
@embed_view
def page_embed(request, page_id):
    """``/embed/page/<id>/``: a live, public page of an embeddable type in its embed template,
    with the context its own view would give it (so a column's ?topic=/&page= still work)."""
    page_pk = parse_id(page_id)
    page = embeddable_pages().filter(pk=page_pk).first() if page_pk else None
    if page is None:
        raise Http404
    page = page.specific
    context = page.get_context(request)
    context["full_page_url"] = absolute_url(request, page.get_url(request))
    return TemplateResponse(request, embed_template(page, request), context)
