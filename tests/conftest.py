"""Shared fixtures. The Chinese demo site is loaded once per test database (the same loader
`make run` uses), so every test can read it; each test still runs in a rolled-back transaction."""

import time
import types

import pytest
from django.core.cache import caches
from wagtail.models import Site

from home.demo.loader import ARCHIVED_COLUMN_SLUG, COLUMN_SLUG
from home.models import ArticlePage, ColumnIndexPage, HomePage
from outreach.demo import load_demo_content

DEMO_PASSWORD = "anquan-2026-test"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        # No simulated answer sheets: contest tests build exactly the sheets they need.
        load_demo_content(admin_password=DEMO_PASSWORD, contest_sheets=0)


@pytest.fixture(autouse=True)
def _clear_cache():
    # Every alias: the rate-limit counters have a cache of their own.
    for cache in caches.all():
        cache.clear()
    yield
    for cache in caches.all():
        cache.clear()


@pytest.fixture(autouse=True)
def _rate_limit_clock(monkeypatch):
    # django-ratelimit counts in fixed windows that end at a moment hashed from the key; a test
    # sending 30 requests can straddle one and see its counter reset. One instant per test.
    now = time.time()
    monkeypatch.setattr("django_ratelimit.core.time", types.SimpleNamespace(time=lambda: now))


@pytest.fixture
def only_own_outlets(db):
    """No media outlet but those the test creates: the demo's would widen every frame-ancestors."""
    from core.models import MediaOutlet

    MediaOutlet.objects.all().delete()


@pytest.fixture
def site(db):
    return Site.objects.get(is_default_site=True)


@pytest.fixture
def home_page(db):
    return HomePage.objects.get()


@pytest.fixture
def column(db):
    return ColumnIndexPage.objects.get(slug=COLUMN_SLUG)


@pytest.fixture
def archived_column(db):
    return ColumnIndexPage.objects.get(slug=ARCHIVED_COLUMN_SLUG)


@pytest.fixture
def article(column):
    return ArticlePage.objects.child_of(column).live().get(slug="2026-safety-month-launch")
