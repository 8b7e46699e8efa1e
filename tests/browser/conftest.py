"""Browser fixtures: Debian's Chromium driven by Playwright against pytest-django's live server.

Database access without ``transactional_db``
--------------------------------------------
pytest-django's autouse ``_live_server_helper`` requests ``transactional_db`` for every test whose
fixture closure contains ``live_server``, and ``_django_db_helper`` makes the test transactional
for the same reason. Its teardown flush would delete the demo site that ``tests/conftest.py``
loads once per test database. So no test here names ``live_server``: the ``server`` fixture below
fetches it with ``request.getfixturevalue`` after the autouse fixtures have run, and lifts
pytest-django's database blocker for the duration of the test so the server thread may query.

No ``db`` fixture either: it would hold a ``BEGIN IMMEDIATE`` transaction (the SQLite write lock)
for the whole test, and the server thread must write image renditions on first view. The browser
tests only read through HTTP; the server commits what it writes, and the SQLite file runs in WAL
mode so its readers never wait on anyone.
"""

import os
import shutil
from urllib.parse import urlsplit

import pytest

CHROMIUM_PATH = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
PHONE = {"width": 390, "height": 844}


def find_chromium():
    if os.path.isfile(CHROMIUM_PATH) and os.access(CHROMIUM_PATH, os.X_OK):
        return CHROMIUM_PATH
    return shutil.which("chromium")


@pytest.fixture(scope="session")
def browser():
    executable = find_chromium()
    if executable is None:
        pytest.skip(
            f"no Chromium binary found (looked for {CHROMIUM_PATH} and `chromium` on PATH); "
            "install it with `apt-get install -y chromium` to run the browser tests"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def server(request, settings, django_db_blocker):
    """pytest-django's live server, serving the committed demo site (see the module docstring)."""
    assert "transactional_db" not in request.fixturenames, "a flush would delete the demo site"
    settings.ROOT_URLCONF = "tests.browser.urls"
    with django_db_blocker.unblock():
        live_server = request.getfixturevalue("live_server")
        host = urlsplit(live_server.url).hostname
        if host not in settings.ALLOWED_HOSTS:
            settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, host]
        yield live_server


@pytest.fixture
def context(browser):
    """A fresh phone-sized browser context (no cookies), so no test sees another's reading mode."""
    ctx = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True, locale="zh-CN")
    yield ctx
    ctx.close()


@pytest.fixture
def page(context):
    pg = context.new_page()
    pg.set_default_timeout(15_000)
    return pg
