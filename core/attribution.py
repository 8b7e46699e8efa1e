"""Page views through a media outlet's embed, counted per outlet, page and local day.

A view is one row's ``views = views + 1`` in the database (never a read-modify-write in Python),
so concurrent readers of the same embed each count once, on PostgreSQL and on SQLite.
"""

from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils import timezone

from .models import OutletPageView


def today():
    """The site's local day (settings.TIME_ZONE), whatever time zone a request activated."""
    return timezone.localdate(timezone=timezone.get_default_timezone())


def count_embed_view(*, outlet, page):
    """One more view of ``page`` through ``outlet`` today.

    The first view of the day inserts the row; two first views at once both miss the UPDATE, one
    INSERT wins and the other, refused by the unique constraint, increments the winner's row."""
    day = today()
    rows = OutletPageView.objects.filter(outlet=outlet, page=page, day=day)
    with transaction.atomic():
        if rows.update(views=F("views") + 1):
            return
        try:
            with transaction.atomic():
                OutletPageView.objects.create(outlet=outlet, page=page, day=day, views=1)
        except IntegrityError:
            rows.update(views=F("views") + 1)


def totals_by_outlet(rows, *, day_field, since=None, until=None, **totals):
    """``rows`` (a queryset of a model with an ``outlet``) of the inclusive days ``since``..``until``
    of ``day_field``, summed up per outlet by the ``totals`` aggregates, the largest first total
    first: ``[{"outlet_id", "outlet_name", <each total>}]``. Rows without an outlet are left out,
    and so are outlets without rows."""
    rows = rows.filter(outlet__isnull=False)
    if since is not None:
        rows = rows.filter(**{f"{day_field}__gte": since})
    if until is not None:
        rows = rows.filter(**{f"{day_field}__lte": until})
    grouped = (
        rows.values("outlet_id", "outlet__name")
        .annotate(**totals)
        .order_by(f"-{next(iter(totals))}", "outlet__name", "outlet_id")
    )
    return [
        {"outlet_id": row["outlet_id"], "outlet_name": row["outlet__name"], **{name: row[name] for name in totals}}
        for row in grouped
    ]


def views_by_outlet(*, page=None, since=None, until=None):
    """Embed page views per outlet, most first: ``[{"outlet_id", "outlet_name", "views"}]``.
    ``since``/``until`` are inclusive local days; outlets without a view are left out."""
    rows = OutletPageView.objects.all() if page is None else OutletPageView.objects.filter(page=page)
    return totals_by_outlet(rows, day_field="day", since=since, until=until, views=Sum("views"))
