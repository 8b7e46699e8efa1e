"""Production settings served over plain HTTP on 127.0.0.1, plus the bare ceiling view."""

from outreach.settings.production import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0

# bench/contest_load.py posts forms over plain HTTP: a browser (and httpx) never sends a cookie
# marked Secure over http://, so the CSRF token cookie would be lost and every POST refused.
CSRF_COOKIE_SECURE = False
SESSION_COOKIE_SECURE = False
# Nor any cookie that SecureCookiesMiddleware would mark Secure (the participant's, the session).
SECURE_ALL_COOKIES = False
