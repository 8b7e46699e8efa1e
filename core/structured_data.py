"""schema.org JSON-LD and absolute URLs for what pages put in their <head>."""

import json

from django.utils.html import _json_script_escapes
from django.utils.safestring import mark_safe


def absolute_url(request, url):
    """``url`` made absolute for this request's host; already absolute URLs (and no request) pass."""
    if request is None or not url or not url.startswith("/"):
        return url
    return request.build_absolute_uri(url)


def json_ld(data):
    """JSON for a ``<script type="application/ld+json">``: <, > and & are escaped so the JSON
    cannot close the script element early."""
    return mark_safe(json.dumps(data, ensure_ascii=False).translate(_json_script_escapes))
