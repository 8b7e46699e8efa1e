"""The public participation page: only for campaigns that opt in, aggregates only, cacheable."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from organizations.factories import UnitFactory
from organizations.models import UnitKind
from participation.factories import CampaignFactory, EntryFactory
from quizzes.factories import ParticipantFactory

from .conftest import build_tree, headcount
from .test_receivers import contest, finish_sheet  # noqa: F401 (the contest fixture)


def url(campaign):
    return reverse("participation:public_report", args=[campaign.pk])


@pytest.fixture
def public(campaign):
    campaign.public_report = True
    campaign.save()
    return campaign


def test_a_campaign_is_private_by_default_and_missing_ids_are_404(client, campaign):
    for path in (
        url(campaign),
        "/participation/999999/",
        "/participation/²/",
        "/participation/abc/",
        "/participation/0/",
    ):
        response = client.get(path)
        assert response.status_code == 404, path
        assert "没有找到这项活动的公开参与情况" in response.content.decode(), path
    assert campaign.name not in client.get("/participation/").content.decode()


def test_rates_by_town_and_kind_with_flags_in_words(client, public, tree):
    school_a, school_b, community = tree.units[:3]
    for _ in range(4):
        EntryFactory(campaign=public, unit=school_a)
    for _ in range(12):  # 12 of 10 expected: shown as 120.0 %, never capped
        EntryFactory(campaign=public, unit=school_b)
    EntryFactory(campaign=public, unit=community)

    response = client.get(url(public))
    assert response.status_code == 200
    html = response.content.decode()
    assert public.name in html and public.theme in html and "2026年6月1日" in html
    assert "<svg" in html and "<table" in html and "<script" not in html
    assert tree.towns[0].name in html and tree.towns[1].name in html
    assert "85.0%" in html  # town 0: 17 people of 20 expected (its community has no headcount)
    assert "1 个单位未填应参与人数" in html
    assert "未填应参与人数，无法计算参与率" in html  # the communities have no headcount at all
    assert "学校" in html and "社区/村" in html
    assert "40.0%" in html  # the schools: 16 of 40
    # No unit below town level is named.
    assert school_a.name not in html and community.name not in html

    # Over 100 %: one town with more people than expected.
    for _ in range(25):
        EntryFactory(campaign=public, unit=tree.units[3])
    cache.clear()  # the page cache kept the first copy
    html = client.get(url(public)).content.decode()
    assert "125.0%" in html and "超过100%，请核对应参与人数" in html


def test_the_listing_shows_only_public_campaigns(client, public):
    private = CampaignFactory(name="不公开的活动")
    html = client.get("/participation/").content.decode()
    assert public.name in html and url(public) in html
    assert private.name not in html


def test_no_personal_data(client, public, contest, django_capture_on_commit_callbacks):  # noqa: F811
    town = UnitFactory(kind=UnitKind.TOWN, name="公开测试镇")
    school = UnitFactory(
        kind=UnitKind.SCHOOL, name="公开测试小学", parent=town, liaison_name="联络员王芳", liaison_phone="13912345678"
    )
    headcount(school, public, 30)
    participant = ParticipantFactory(unit=school, name="张小明", class_name="三年级七班")
    with django_capture_on_commit_callbacks(execute=True):
        finish_sheet(contest, participant, correct=True)

    response = client.get(url(public))
    html = response.content.decode()
    assert town.name in html and "3.3%" in html  # 1 of 30
    for private in ("张小明", "三年级七班", "联络员王芳", "13912345678", "139****5678", school.name):
        assert private not in html


def test_cacheable_sets_no_cookie(client, public, settings):
    settings.PAGE_CACHE_SECONDS = 600
    first = client.get(url(public))
    assert first.status_code == 200 and not first.cookies
    assert first["X-Page-Cache"] == "miss"
    assert client.get(url(public))["X-Page-Cache"] == "hit"


def test_query_count_does_not_grow_with_units(client, public, settings):
    settings.PAGE_CACHE_SECONDS = 0
    build_tree(public, towns=2, per_town=1, name="小城")
    client.get(url(public))  # warm the site and settings caches
    with CaptureQueriesContext(connection) as small:
        assert client.get(url(public)).status_code == 200
    big = build_tree(public, towns=5, per_town=8, name="大城")
    for unit in big.units:
        EntryFactory(campaign=public, unit=unit)
    client.get(url(public))  # the first read after the writes brings the rollups up to date
    with CaptureQueriesContext(connection) as large:
        assert client.get(url(public)).status_code == 200
    assert len(large) == len(small)
