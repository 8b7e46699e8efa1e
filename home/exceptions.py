from django.http import Http404


class ReaderFacingNotFound(Http404):
    """A 404 whose message is written for readers and is safe to show on the error page."""
