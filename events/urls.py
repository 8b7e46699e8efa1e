"""The calendar feeds. Everything else is routed under the events pages themselves."""

from django.urls import path

from . import views

app_name = "events"

urlpatterns = [
    path("feed.ics", views.feed, name="feed"),
    # Text, parsed strictly in the view: <int:> passes numbers too large for the database.
    path("<str:page_id>/event.ics", views.event_ics, name="event_ics"),
]
