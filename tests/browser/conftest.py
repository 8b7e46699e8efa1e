"""Browser fixtures: Debian's Chromium driven by Playwright against pytest-django's live server.

How the live server gets the demo site, without ``transactional_db``
--------------------------------------------------------------------
The demo site is loaded and committed once per test database (``tests/conftest.py``). The live
server answers from its own threads, with their own database connections, so it sees exactly
what is committed. Three pytest-django details matter:

1. The test database is only set up if some collected test *needs* the database: a
   ``django_db`` mark, or ``db`` / ``transactional_db`` / ``live_server`` among its fixtures.
   Otherwise the connections keep pointing at the development ``db.sqlite3``, and the session
   ``django_db_setup`` would even load the demo content into it.
2. ``live_server`` among a test's fixtures makes the autouse ``_live_server_helper`` request
   ``transactional_db``, whose teardown flush deletes the demo site for every later test.
3. pytest-django's ``db`` wraps the test in ``BEGIN IMMEDIATE`` (the settings' SQLite
   transaction mode), i.e. it holds the write lock for the whole test, and the server thread
   has to write image renditions the first time a page is viewed: it would wait 20 s and fail
   with "database is locked".

So in this directory ``db`` is ``tests.committed_db.db``: it sets up the test database (1) and lifts
pytest-django's database blocker, but opens no transaction (3). The browser tests only read,
through HTTP; anything the server writes (renditions) is committed like on a real site. And no
test names ``live_server``: the ``server`` fixture fetches it with ``request.getfixturevalue``,
after the autouse fixtures have run (2).
"""

import os
import shutil
from urllib.parse import urlsplit

import pytest

from tests import committed_db

db = committed_db.db  # the committed-data ``db`` for the live server

CHROMIUM_PATH = "/usr/bin/chromium"
# A cross-site frame (an outlet's page framing us) shares its page's renderer, as on the phones our
# readers use (Chrome and WebView on Android isolate only some sites). Desktop Chromium's full site
# isolation puts it in a process of its own and routes each tap by a hit-test map that, on a busy
# machine, can lag behind a scroll: the tap was lost (no pointer event reached the frame).
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-site-isolation-trials",
    "--disable-features=IsolateOrigins,site-per-process",
]
PHONE = {"width": 390, "height": 844}


def find_chromium():
    if os.path.isfile(CHROMIUM_PATH) and os.access(CHROMIUM_PATH, os.X_OK):
        return CHROMIUM_PATH
    return shutil.which("chromium")


@pytest.fixture(scope="package")
def browser(django_db_setup):
    """Chromium for the tests in this package only.

    Playwright's sync API keeps an asyncio loop running on the main thread while it is open, and
    Django refuses ORM calls from a thread with a running loop (SynchronousOnlyOperation). So the
    test database is set up first (``django_db_setup``), no browser test queries the ORM on the
    main thread, and the browser is closed when this package is done, before tests/home runs.
    """
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
def server(request, db, settings):
    """pytest-django's live server, serving the committed demo site, plus uploaded media."""
    assert "transactional_db" not in request.fixturenames, "its flush would delete the demo site"
    settings.ROOT_URLCONF = "tests.browser.urls"
    live_server = request.getfixturevalue("live_server")
    host = urlsplit(live_server.url).hostname
    if host not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, host]
    return live_server


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


@pytest.fixture
def walk(browser, server, request):
    """A phone (375×740, WeChat) walking a journey; fails the test on any console error, 4xx/5xx
    response or request to another host it saw (see walk.py)."""
    from .walk import Walk

    journey = Walk(browser, server, request.node.name)
    yield journey
    journey.close()
    assert not journey.problems, "while walking:\n" + "\n".join(journey.problems)


@pytest.fixture
def outlet_site():
    """A media outlet's page on 127.0.0.2 (outlets.OutletSite); ``outlet_site.show(snippet)``."""
    from .outlets import OutletSite

    site = OutletSite("127.0.0.2")
    yield site
    site.close()


@pytest.fixture
def unlisted_site():
    """The same kind of page on 127.0.0.3, which the tests' outlets never list."""
    from .outlets import OutletSite

    site = OutletSite("127.0.0.3")
    yield site
    site.close()
