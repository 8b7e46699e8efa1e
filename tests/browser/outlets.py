"""A media outlet's page for the embed walks: a tiny http.server on another loopback address, so
another site than the live server's localhost, serving one page that pastes our snippet.

(Playwright's route fulfilment would not do: Chromium treats a fulfilled page as public and
refuses its requests to the loopback live server, Local Network Access.)
"""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PAGE_PATH = "/outlet.html"


class OutletSite:
    """``http://<host>:<port>/outlet.html``: an outlet's page with ``heading`` and ``snippet``."""

    def __init__(self, host):
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                if self.path != PAGE_PATH:
                    self.send_error(404)
                    return
                body = site.html.encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.html = ""
        self.httpd = ThreadingHTTPServer((host, 0), Handler)
        self.origin = f"http://{host}:{self.httpd.server_address[1]}"
        self.page_url = self.origin + PAGE_PATH
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def show(self, snippet, heading="合作媒体的网页"):
        self.html = (
            "<!DOCTYPE html><html lang='zh-CN'><head><meta charset='utf-8'>"
            "<meta name='viewport' content='width=device-width'><title>合作媒体</title>"
            f"<link rel='icon' href='data:,'></head><body><h1>{heading}</h1>{snippet}</body></html>"
        )

    def is_own_request(self, problem):
        """Whether a walk's problem is only the request for this page (not our host, as expected)."""
        return problem == f"request to another host: {self.page_url}"

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def wait_until_frame_settles(page, selector="iframe[data-embed-frame]", target=None):
    """Wait until the outlet's page has fitted the frame to the page now shown in it and stopped
    moving it (js/embed-resize.js resizes and scrolls on each new page, and again when the frame's
    page finishes loading its styles and fonts): a tap is aimed at the page's coordinates, and one
    made while the frame still moves lands beside its target. ``target``, a locator in the frame,
    is brought into view first, as a reader scrolls to what they will tap."""
    frame = page.locator(selector)
    if target is not None:
        target.scroll_into_view_if_needed()
    last, steady = None, 0
    for _attempt in range(80):
        inner = frame.element_handle().content_frame()
        state = (
            frame.bounding_box(),
            page.evaluate("window.scrollY"),
            inner.evaluate(
                "[document.readyState, document.fonts.status,"
                " Math.ceil(document.documentElement.getBoundingClientRect().height)]"
            ),
            target.bounding_box() if target is not None else None,
        )
        steady = steady + 1 if state == last and state[2][:2] == ["complete", "loaded"] else 0
        if steady == 2:
            return
        last = state
        page.wait_for_timeout(100)
    raise AssertionError(f"the frame kept moving: {last}")
