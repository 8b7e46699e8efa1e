"""Local development: DEBUG on, a per-checkout secret generated on first use."""

import os
import secrets

from .base import *
from .base import BASE_DIR, env_bool

DEBUG = env_bool("DEBUG", True)


def _local_secret_key():
    path = BASE_DIR / ".secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
    return path.read_text().strip()


SECRET_KEY = os.environ.get("SECRET_KEY") or _local_secret_key()
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
