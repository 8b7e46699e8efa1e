"""The calendar feeds. Everything else is routed under the events pages themselves."""

from django.urls import path

from . import views

app_name = "events"

urlpatterns = [
    path("feed.ics", views.feed, name="feed"),
    path("<int:page_id>/event.ics", views.event_ics, name="event_ics"),
]
