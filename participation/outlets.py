"""The dashboard's 合作媒体 figures: per media outlet, what came through its embed snippet in the
dashboard's dates. Not ledger figures (the ledger knows no outlets): the embed page views
(core.attribution), the contest participants and handed-in sheets (quizzes) and the event
registrations (events), each read from its own app, four queries whatever the number of outlets.

City-wide by nature: a page view belongs to no unit, so these are for unscoped staff only."""

from dataclasses import dataclass

from django.db.models import Q

from core import attribution
from core.models import MediaOutlet
from events import selectors as event_selectors
from quizzes import selectors as contest_selectors


@dataclass(frozen=True)
class OutletFigures:
    outlet: MediaOutlet
    views: int = 0
    participants: int = 0
    sheets_submitted: int = 0
    registrations: int = 0
    registered_people: int = 0


def outlet_figures(*, since, until, page=None):
    """One row per active outlet (zeros included: an outlet that brought nobody is news too) and
    per inactive one that brought something in the dates, most participants first. ``page`` (a
    contest's or an event's Page) narrows every figure to that page."""
    dates = {"since": since, "until": until}
    views = {row["outlet_id"]: row for row in attribution.views_by_outlet(page=page, **dates)}
    sheets = {row["outlet_id"]: row for row in contest_selectors.participants_by_outlet(contest=page, **dates)}
    registrations = {row["outlet_id"]: row for row in event_selectors.registrations_by_outlet(event=page, **dates)}
    counted = views.keys() | sheets.keys() | registrations.keys()
    rows = [
        OutletFigures(
            outlet=outlet,
            views=views.get(outlet.pk, {}).get("views", 0),
            participants=sheets.get(outlet.pk, {}).get("participants", 0),
            sheets_submitted=sheets.get(outlet.pk, {}).get("sheets_submitted", 0),
            registrations=registrations.get(outlet.pk, {}).get("registrations", 0),
            registered_people=registrations.get(outlet.pk, {}).get("people") or 0,
        )
        for outlet in MediaOutlet.objects.filter(Q(is_active=True) | Q(pk__in=counted))
    ]
    return sorted(rows, key=lambda row: (-row.participants, -row.registrations, -row.views, row.outlet.name))
