"""CORS for the outlets' API: its answers may be read from an active outlet's origin, and only there.

corsheaders (settings: ``CORS_URLS_REGEX``, GET/HEAD/OPTIONS, no credentials, no static origins)
asks ``check_request_enabled`` on every request; the origins are the active outlets'
(``core.embedding.active_origins``, cached until an outlet changes)."""

import re

from corsheaders.conf import conf
from corsheaders.signals import check_request_enabled
from django.dispatch import receiver

from core import embedding


@receiver(check_request_enabled, dispatch_uid="outreach.cors.cors_for_active_outlets")
def cors_for_active_outlets(sender, request, **kwargs):
    # The path is checked too: corsheaders also asks for pages outside CORS_URLS_REGEX, and a
    # True there would open them to the outlet.
    origin = request.headers.get("origin")
    return bool(origin and re.match(conf.CORS_URLS_REGEX, request.path_info) and origin in embedding.active_origins())
