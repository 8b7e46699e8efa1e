"""Test settings: the dev settings with fast hashing and no page cache surprises between tests."""

from .dev import *

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MEDIA_ROOT = BASE_DIR / "media" / "test"
WAGTAILADMIN_BASE_URL = "http://testserver"

# Exports always on the database backend, also when REDIS_URL is set for the Redis cache: the tests
# enqueue for real and run the queued tasks with `db_worker --batch`.
TASKS = {**TASKS, "exports": EXPORTS_DATABASE_BACKEND}
