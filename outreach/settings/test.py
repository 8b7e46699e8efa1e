"""Test settings: the dev settings with fast hashing and no page cache surprises between tests."""

from .dev import *

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MEDIA_ROOT = BASE_DIR / "media" / "test"
WAGTAILADMIN_BASE_URL = "http://testserver"

# Exports and background tasks always on the database backend, also when REDIS_URL is set for the
# Redis cache: the tests enqueue for real and run the queued tasks with `db_worker --batch`.
TASKS = {
    **TASKS,
    "exports": EXPORTS_DATABASE_BACKEND,
    "background": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": BACKGROUND_QUEUES},
}

# Two-factor sign-in is off so that tests can sign staff in with a password; the two-factor tests
# (tests/security/test_two_factor.py) turn it on themselves.
STAFF_2FA_REQUIRED = False

# One person key secret for every test run, so keys do not depend on the checkout's .secret_key.
PERSON_KEY_SECRET = "tests-person-key-secret"
