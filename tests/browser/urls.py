"""The site's URLs plus uploaded media, for the browser tests only.

Tests run with DEBUG off, so ``outreach.urls`` does not serve ``MEDIA_URL`` (nginx does that in
production). Without this the live server would answer 404 for every cover image and the browser
tests could not tell a broken image from a working one.
"""

from django.conf import settings
from django.urls import re_path
from django.views.static import serve

from outreach import urls as site_urls

urlpatterns = [
    re_path(
        r"^{}(?P<path>.*)$".format(settings.MEDIA_URL.lstrip("/")),
        serve,
        {"document_root": settings.MEDIA_ROOT},
    ),
    *site_urls.urlpatterns,
]
handler404 = site_urls.handler404
