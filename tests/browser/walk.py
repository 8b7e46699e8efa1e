"""Walking a journey in Chromium as a person on a phone does, with a watch on what goes wrong.

``walk`` (the fixture in conftest.py) opens a fresh 375×740 context with WeChat's user agent and
records, for the whole walk, every console error, uncaught page error, 4xx/5xx response and
request to another host; the test fails at the end if any were seen. A step that is meant to get
a 4xx (a form re-shown with its error, 422) says so with ``walk.allow(422, "/identify/")``.
``walk.shot("name")`` saves a screenshot to tests/browser/screens/<test>/ (git-ignored; CI keeps
the folder as an artefact).

Data a walk needs beyond the demo is made and deleted with ``in_worker_thread``: Playwright keeps
an asyncio loop on the main thread, where Django refuses ORM calls.
"""

import re
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

from django.db import connections

PHONE_375 = {"width": 375, "height": 740}
# WeChat's in-app browser on Android (Chrome-based XWeb), as people open links sent in a group chat.
WECHAT_UA = (
    "Mozilla/5.0 (Linux; Android 13; V2219A Build/TP1A.220624.014; wv) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Version/4.0 Chrome/116.0.0.0 Mobile Safari/537.36 XWEB/1160065 MMWEBSDK/20231202 "
    "MMWEBID/2247 MicroMessenger/8.0.47.2560(0x28002F30) WeChat/arm64 Weixin NetType/WIFI Language/zh_CN ABI/arm64"
)
SCREENS = Path(__file__).parent / "screens"


def in_worker_thread(function):
    """Run ORM work off the main thread (Playwright's loop is there) and close its connections."""

    def run():
        try:
            return function()
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=1) as executor:
        return executor.submit(run).result()


class Walk:
    def __init__(self, browser, server, name, **context_options):
        self.server = server
        self.host = urlsplit(server.url).netloc
        self.problems = []
        self._allowed = []
        self._shots = 0
        self._folder = SCREENS / re.sub(r"[^\w.-]+", "_", name)
        options = {
            "viewport": PHONE_375,
            "user_agent": WECHAT_UA,
            "device_scale_factor": 2,
            "is_mobile": True,
            "has_touch": True,
            "locale": "zh-CN",
            "accept_downloads": True,
            **context_options,
        }
        self.context = browser.new_context(**options)
        self.context.on("request", self._on_request)
        self.context.on("response", self._on_response)
        self.page = self.new_page()

    def new_page(self):
        page = self.context.new_page()
        page.set_default_timeout(15_000)
        page.on("console", lambda message: self._on_console(page, message))
        page.on("pageerror", lambda error: self.problems.append(f"page error on {page.url}: {error}"))
        return page

    def url(self, path):
        return self.server.url + path

    @contextmanager
    def allow(self, status, path_part):
        """Within this block, a response with ``status`` whose URL contains ``path_part`` is expected."""
        rule = (status, path_part)
        self._allowed.append(rule)
        try:
            yield
        finally:
            self._allowed.remove(rule)

    def shot(self, name, page=None):
        self._shots += 1
        self._folder.mkdir(parents=True, exist_ok=True)
        (page or self.page).screenshot(path=str(self._folder / f"{self._shots:02d}-{name}.png"), full_page=True)

    def close(self):
        self.context.close()

    def _on_request(self, request):
        parts = urlsplit(request.url)
        if parts.scheme in ("http", "https", "ws", "wss") and parts.netloc != self.host:
            self.problems.append(f"request to another host: {request.url}")

    def _on_response(self, response):
        if response.status < 400:
            return
        if any(response.status == status and part in response.url for status, part in self._allowed):
            return
        self.problems.append(f"{response.status} for {response.request.method} {response.url}")

    def _on_console(self, page, message):
        if message.type == "error":
            # A refused response is reported above with its status; the console echoes it.
            if "Failed to load resource" in message.text and self._allowed:
                return
            self.problems.append(f"console error on {page.url}: {message.text}")
