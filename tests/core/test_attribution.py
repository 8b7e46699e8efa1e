"""Page views through an outlet's embed: one per successful GET through its snippet, counted per
local day, never for the generic snippet, a HEAD, a POST or a refusal, and never at the cost of
the embed itself."""

import datetime

import pytest
from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone

from core import attribution, embedding
from core.models import MediaOutlet, OutletPageView
from home.factories import ArticlePageFactory
from quizzes.factories import ContestIndexPageFactory, ContestPageFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("only_own_outlets")]

SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))


@pytest.fixture
def outlet(db):
    return MediaOutlet.objects.create(name="莱西新闻网", allowed_origins="https://news.example.cn")


@pytest.fixture
def other_outlet(db):
    return MediaOutlet.objects.create(name="青岛晚报", allowed_origins="https://wb.example.cn")


def _pin_clock(monkeypatch, moment):
    monkeypatch.setattr(timezone, "now", lambda: moment)


def _views(outlet, page):
    return {row.day: row.views for row in OutletPageView.objects.filter(outlet=outlet, page=page)}


def test_each_view_adds_one_to_todays_row(outlet, other_outlet, own_article, own_column):
    for _n in range(3):
        attribution.count_embed_view(outlet=outlet, page=own_article)
    attribution.count_embed_view(outlet=other_outlet, page=own_article)
    attribution.count_embed_view(outlet=outlet, page=own_column)
    today = attribution.today()
    assert _views(outlet, own_article) == {today: 3}
    assert _views(other_outlet, own_article) == {today: 1}
    assert _views(outlet, own_column) == {today: 1}


def test_the_day_turns_at_local_midnight_not_utc(monkeypatch, outlet, own_article):
    _pin_clock(monkeypatch, datetime.datetime(2026, 6, 1, 23, 59, tzinfo=SHANGHAI))
    # A request may activate another time zone; the counter keeps the site's day.
    with timezone.override(datetime.UTC):
        attribution.count_embed_view(outlet=outlet, page=own_article)
        _pin_clock(monkeypatch, datetime.datetime(2026, 6, 2, 0, 1, tzinfo=SHANGHAI))
        attribution.count_embed_view(outlet=outlet, page=own_article)
        attribution.count_embed_view(outlet=outlet, page=own_article)
    assert _views(outlet, own_article) == {datetime.date(2026, 6, 1): 1, datetime.date(2026, 6, 2): 2}


def test_the_database_keeps_one_row_a_day_and_no_negative_count(outlet, own_article):
    attribution.count_embed_view(outlet=outlet, page=own_article)
    with pytest.raises(IntegrityError), transaction.atomic():
        OutletPageView.objects.create(outlet=outlet, page=own_article, day=attribution.today(), views=5)
    with pytest.raises(IntegrityError), transaction.atomic():
        OutletPageView.objects.filter(outlet=outlet).update(views=-1)


def test_views_by_outlet_sums_the_days_asked_for(outlet, other_outlet, own_article, own_column):
    def row(who, page, day, views):
        OutletPageView.objects.create(outlet=who, page=page, day=datetime.date(2026, 6, day), views=views)

    row(outlet, own_article, 1, 4)
    row(outlet, own_column, 2, 3)
    row(outlet, own_article, 9, 100)
    row(other_outlet, own_article, 2, 10)
    june = {"since": datetime.date(2026, 6, 1), "until": datetime.date(2026, 6, 2)}
    assert attribution.views_by_outlet(**june) == [
        {"outlet_id": other_outlet.pk, "outlet_name": "青岛晚报", "views": 10},
        {"outlet_id": outlet.pk, "outlet_name": "莱西新闻网", "views": 7},
    ]
    assert attribution.views_by_outlet(page=own_column) == [
        {"outlet_id": outlet.pk, "outlet_name": "莱西新闻网", "views": 3}
    ]
    assert attribution.views_by_outlet()[0] == {"outlet_id": outlet.pk, "outlet_name": "莱西新闻网", "views": 107}
    assert attribution.views_by_outlet(since=datetime.date(2026, 7, 1)) == []


# --- Which requests count ----------------------------------------------------------------------


def test_a_reader_through_the_outlets_snippet_is_counted(client, outlet, own_article):
    path = embedding.embed_path(own_article, outlet)
    assert client.get(path).status_code == 200
    assert client.get(path).status_code == 200
    assert _views(outlet, own_article) == {attribution.today(): 2}


def test_only_a_successful_get_through_an_outlet_counts(client, outlet, own_article, own_column):
    outlet_path = embedding.embed_path(own_article, outlet)
    assert client.head(outlet_path).status_code == 200
    assert client.post(outlet_path).status_code == 405
    assert client.get(embedding.embed_path(own_article)).status_code == 200  # the generic snippet
    assert client.get(outlet_path + "print/").status_code == 404
    draft = ArticlePageFactory(parent=own_column, live=False)
    assert client.get(embedding.embed_path(draft, outlet)).status_code == 404
    outlet.is_active = False
    outlet.save()
    assert client.get(outlet_path).status_code == 404
    assert not OutletPageView.objects.exists()


def test_a_contest_flow_counts_its_pages_not_its_redirects(client, outlet, home_page):
    contest = ContestPageFactory(parent=ContestIndexPageFactory(parent=home_page))
    prefix = embedding.embed_path(contest, outlet)
    assert client.get(prefix).status_code == 200
    assert client.get(prefix + "rankings/").status_code == 200
    assert client.get(prefix + "start/").status_code in (302, 405)  # starting needs a sign-in or a POST
    assert client.get(prefix + "no-such-route/").status_code == 404
    assert _views(outlet, contest) == {attribution.today(): 2}


def test_a_failed_count_still_shows_the_embed(client, monkeypatch, outlet, own_article):
    def broken(**kwargs):
        raise DatabaseError("disk full")

    monkeypatch.setattr(attribution, "count_embed_view", broken)
    response = client.get(embedding.embed_path(own_article, outlet))
    assert response.status_code == 200 and own_article.title in response.content.decode()
