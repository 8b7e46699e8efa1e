"""Refusals written for the person who asked, in Chinese, with the HTTP status they deserve.

Services raise a ``ReaderFacingError`` subclass when they change nothing; views turn it into a
page or JSON (``core.responses.error_response``) with its ``status`` and message.
"""

from django.http import Http404
from django.utils.translation import gettext_lazy as _


class ReaderFacingError(Exception):
    status = 400
    default_message = _("请求无效。")

    def __init__(self, message=None):
        self.message = message or self.default_message
        super().__init__(str(self.message))


class ReaderFacingNotFound(Http404):
    """A 404 whose message is written for readers and is safe to show on the error page."""
