"""The media outlets' read-only JSON API (/api/v1/): placeholder, filled in by issue 11."""

from ninja import NinjaAPI

api = NinjaAPI(urls_namespace="outlet_api", docs_url=None)
