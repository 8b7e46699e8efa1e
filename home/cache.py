"""Full-page cache for anonymous readers.

wagtail-cache would be the library for this, but it does not support Wagtail 8 yet
(it pins ``wagtail<8``), so this is the small part of it we need.

A response is cached only when the request carries no session or CSRF cookie (so it cannot be
a logged-in editor, a preview, or a page that rendered a form for this reader) and the response
is a plain 200 that sets no cookie and is not marked private. Publishing, unpublishing, moving or
deleting any page, or editing site settings and topics, bumps a generation number that is part
of every key, which invalidates the whole cache at once (home.signals).

The key holds only the query parameters public pages read (``QUERY_PARAMS``), so links carrying
``?utm_source=…`` or ``?from=timeline`` share one copy instead of adding one per visit. Should a
page read any other parameter, its response is not stored (the view's reads are recorded).
"""

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import DisallowedHost
from django.http import HttpResponse, QueryDict
from django.utils.cache import cc_delim_re
from django.utils.http import urlencode

from .reading import READING_COOKIE, format_reading_cookie, parse_reading_cookie

GENERATION_KEY = "pagecache:generation"
# The outlets' API reads parameters of its own (outreach/api.py) and sets its own Cache-Control.
EXCLUDED_PREFIXES = (
    "/admin/",
    "/django-admin/",
    "/documents/",
    "/search/",
    "/reading-mode/",
    "/static/",
    "/media/",
    "/api/",
)
HIT_HEADER = "X-Page-Cache"
# What the public pages read from the query string: listings (topic, audience, page), the event
# listing, calendar and feed (kind, town, audience, month, page) and an event's occurrence (date).
QUERY_PARAMS = frozenset({"topic", "audience", "page", "kind", "town", "month", "date"})


class _ReadRecordingQueryDict(QueryDict):
    """``request.GET`` that remembers which parameters the view looked up by name."""

    def __init__(self, *args, **kwargs):
        self.names_read = set()
        super().__init__(*args, **kwargs)

    def __getitem__(self, key):
        self.names_read.add(key)
        return super().__getitem__(key)

    def __contains__(self, key):
        self.names_read.add(key)
        return super().__contains__(key)

    def _getlist(self, key, *args, **kwargs):
        self.names_read.add(key)
        return super()._getlist(key, *args, **kwargs)


def invalidate_page_cache():
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        cache.set(GENERATION_KEY, 2, None)


def page_generation():
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        cache.add(GENERATION_KEY, 1, None)
        generation = cache.get(GENERATION_KEY, 1)
    return generation


def cached_until_pages_change(name, compute, *, timeout=3600):
    """``compute()``, cached under ``name`` until a page is published, moved or deleted (the
    page cache's generation), for what every page shows, such as the site navigation."""
    key = f"pagedata:{page_generation()}:{name}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, timeout)
    return value


def _cacheable_request(request):
    personal = {settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME, *settings.PAGE_CACHE_BYPASS_COOKIES}
    return (
        settings.PAGE_CACHE_SECONDS > 0
        and request.method == "GET"
        and not personal & request.COOKIES.keys()
        and not request.path.startswith(EXCLUDED_PREFIXES)
    )


def _cacheable_response(response):
    if response.status_code != 200 or response.cookies or response.streaming:
        return False
    cache_control = {d.strip().lower() for d in cc_delim_re.split(response.get("Cache-Control", ""))}
    return not cache_control & {"private", "no-cache", "no-store"}


class AnonymousPageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not _cacheable_request(request):
            return self.get_response(request)
        try:
            host = request.get_host()
        except DisallowedHost:
            return self.get_response(request)

        # The reading cookie is normalised so a forged value cannot multiply the cached copies.
        reading = format_reading_cookie(*parse_reading_cookie(request.COOKIES.get(READING_COOKIE)))
        query = _ReadRecordingQueryDict(request.META.get("QUERY_STRING", ""), encoding=request.encoding)
        request.GET = query
        kept = urlencode(sorted((name, query.getlist(name)) for name in QUERY_PARAMS & query.keys()), doseq=True)
        query.names_read.clear()
        variant = "\n".join([host, request.path, kept, reading])
        key = f"pagecache:{page_generation()}:{hashlib.sha256(variant.encode()).hexdigest()}"
        cached = cache.get(key)
        if cached is not None:
            content, headers = cached
            response = HttpResponse(content)
            for name, value in headers:
                response[name] = value
            response[HIT_HEADER] = "hit"
            return response

        response = self.get_response(request)
        # A page that read a parameter the key leaves out may differ by it: not shared.
        if _cacheable_response(response) and query.names_read <= QUERY_PARAMS:
            cache.set(key, (response.content, list(response.items())), settings.PAGE_CACHE_SECONDS)
            response[HIT_HEADER] = "miss"
        return response
