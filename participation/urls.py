from django.urls import path

from . import views

app_name = "participation"

urlpatterns = [
    path("", views.public_index, name="public_index"),
    # Any text reaches the view, so a bad id ("²", "abc") gets the Chinese 404 from parse_id.
    path("<str:campaign_id>/", views.public_report, name="public_report"),
]
