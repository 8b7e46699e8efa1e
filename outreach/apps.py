from django.apps import AppConfig


class OutreachConfig(AppConfig):
    name = "outreach"

    def ready(self):
        # The outlets' CORS receiver, connected before the first request: a preflight may come
        # before anything has imported the API's URLs.
        from . import cors  # noqa: F401
