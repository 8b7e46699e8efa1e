import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from wagtail.models import Page

from home.models import ArticlePage, Topic
from organizations.models import UnitKind
from participation.choices import Channel
from participation.factories import ActivityReportFactory, EntryFactory

from .conftest import build_tree, staff_user

URL = reverse("participation_dashboard")


@pytest.fixture
def filled(campaign, tree):
    topic = Topic.objects.filter(articles__live=True).first()
    for index, unit in enumerate(tree.units[:4]):
        EntryFactory(
            campaign=campaign,
            unit=unit,
            class_name="一班" if index % 2 else "二班",
            topic_results={str(topic.pk): [1, 4]},
        )
    ActivityReportFactory(campaign=campaign, unit=tree.units[1], people=25)
    return topic


def test_dashboard_for_the_city_town_unit_and_class(reporter, campaign, tree, filled):
    response = reporter.get(URL, {"campaign": campaign.pk})
    assert response.status_code == 200
    html = response.content.decode()
    assert "参与情况" in html and "<svg" in html and tree.towns[0].name in html
    assert "未填应参与人数" in html  # the communities have no headcount
    assert "推荐阅读" in html and filled.name in html
    articles = ArticlePage.objects.live().filter(topics=filled)
    assert any(f">{article.title}</a>" in html for article in articles)
    assert tree.units[2].name in html  # a community with no entry is in the coverage list

    town = reporter.get(URL, {"campaign": campaign.pk, "unit": tree.towns[0].pk})
    assert town.status_code == 200 and tree.units[0].name in town.content.decode()

    school = reporter.get(URL, {"campaign": campaign.pk, "unit": tree.units[0].pk})
    assert school.status_code == 200
    assert "按班级" in school.content.decode() and "二班" in school.content.decode()


def test_filters(reporter, campaign, tree, filled):
    for params in (
        {"kind": UnitKind.SCHOOL},
        {"audience": "students"},
        {"from": "2026-06-01", "to": "2026-06-30"},
        {"kind": UnitKind.COMMUNITY, "unit": tree.towns[1].pk},
    ):
        assert reporter.get(URL, {"campaign": campaign.pk, **params}).status_code == 200


def test_default_campaign(reporter):
    assert reporter.get(URL).status_code == 200


def test_over_full_is_shown_not_capped(reporter, campaign, tree):
    school = tree.units[0]
    for _n in range(13):
        EntryFactory(campaign=campaign, unit=school)
    html = reporter.get(URL, {"campaign": campaign.pk, "unit": school.parent_id}).content.decode()
    assert "130.0%" in html and "超过100%" in html


@pytest.mark.parametrize(
    ("params", "status", "message"),
    [
        ({"unit": "²"}, 404, "没有找到这个单位"),
        ({"unit": "999999999"}, 404, "没有找到这个单位"),
        ({"unit": "-1"}, 404, "没有找到这个单位"),
        ({"campaign": "abc"}, 404, "没有找到这个宣传活动"),
        ({"from": "2026-13-45"}, 400, "不是有效的日期"),
        ({"to": "２０２６-06-01"}, 400, "2026-06-01"),
        ({"from": "2026-06-20", "to": "2026-06-01"}, 400, "开始日期不能晚于结束日期"),
        ({"kind": "city"}, 400, "单位类型无效"),
        ({"audience": "aliens"}, 400, "参与对象无效"),
    ],
)
def test_bad_parameters_are_refused_in_chinese(reporter, campaign, params, status, message):
    response = reporter.get(URL, {"campaign": campaign.pk, **params})
    assert response.status_code == status
    assert message in response.content.decode()


def test_permission(client, django_user_model, campaign):
    assert client.get(URL).status_code == 302  # to the admin login
    client.force_login(staff_user(django_user_model, username="editor"))
    refused = client.get(URL)
    assert refused.status_code == 403 and "没有查看参与情况的权限" in refused.content.decode()
    client.force_login(staff_user(django_user_model, "view_participationentry", username="viewer"))
    assert client.get(URL).status_code == 200


def test_menu_item_only_with_permission(client, django_user_model):
    client.force_login(staff_user(django_user_model, username="editor"))
    assert URL not in client.get(reverse("wagtailadmin_home")).content.decode()
    client.force_login(staff_user(django_user_model, "view_report", username="reporter"))
    assert URL in client.get(reverse("wagtailadmin_home")).content.decode()


def test_dashboard_query_count_does_not_grow_with_units(reporter, campaign):
    def count(name, towns, per_town):
        tree = build_tree(campaign, towns=towns, per_town=per_town, name=name)
        for unit in tree.units:
            EntryFactory(campaign=campaign, unit=unit)
            EntryFactory(campaign=campaign, unit=unit, channel=Channel.EVENT_ATTENDANCE, person_key="", people=3)
        with CaptureQueriesContext(connection) as queries:
            for unit in (None, tree.towns[0], tree.units[0]):
                params = {"campaign": campaign.pk} | ({"unit": unit.pk} if unit else {})
                assert reporter.get(URL, params).status_code == 200
        return len(queries)

    assert count("小测试市", 1, 1) == count("大测试市", 5, 6)


def test_activity_report_admin_saves_through_the_service(admin_client, campaign, tree):
    from participation.models import ActivityReport, ParticipationEntry

    school = tree.units[0]
    response = admin_client.post(
        reverse("wagtailsnippets_participation_activityreport:add"),
        {
            "campaign": campaign.pk,
            "held_on": "2026-06-12",
            "title": "安全进校园",
            "unit": school.pk,
            "audience": "students",
            "people": "1200",
            "note": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    report = ActivityReport.objects.get(title="安全进校园", unit=school)
    assert ParticipationEntry.objects.get(source=report.source).people == 1200

    response = admin_client.post(
        reverse("wagtailsnippets_participation_activityreport:edit", args=[report.pk]),
        {
            "campaign": campaign.pk,
            "held_on": "2026-06-12",
            "title": "安全进校园",
            "unit": school.pk,
            "audience": "students",
            "people": "1300",
            "note": "",
        },
    )
    assert response.status_code == 302
    assert ParticipationEntry.objects.get(source=report.source).people == 1300

    source = report.source
    response = admin_client.post(reverse("wagtailsnippets_participation_activityreport:delete", args=[report.pk]))
    assert response.status_code == 302
    assert not ParticipationEntry.objects.filter(source=source).exists()


def _reporting_page(title):
    return Page.get_first_root_node().add_child(instance=Page(title=title, slug=f"p-{Page.objects.count()}"))


def test_one_contest_or_event_at_a_time(reporter, campaign, tree):
    fire, traffic = _reporting_page("消防知识答题"), _reporting_page("交通安全咨询日")
    school = tree.units[0]
    EntryFactory(campaign=campaign, unit=school, page_id=fire.pk, class_name="一班")
    EntryFactory(campaign=campaign, unit=school, page_id=fire.pk, class_name="一班")
    EntryFactory(campaign=campaign, unit=school, page_id=traffic.pk, class_name="二班")

    everything = reporter.get(URL, {"campaign": campaign.pk, "unit": school.pk}).content.decode()
    assert "消防知识答题" in everything and "交通安全咨询日" in everything  # the filter's choices
    assert "二班" in everything

    only_fire = reporter.get(URL, {"campaign": campaign.pk, "unit": school.pk, "page": fire.pk})
    html = only_fire.content.decode()
    assert only_fire.status_code == 200
    assert f'<option value="{fire.pk}" selected>' in html
    assert "一班" in html and "二班" not in html  # the class table counts that contest's sheets only
    figures = only_fire.context["figures"]
    assert (figures.participants, figures.sheets) == (2, 2)

    unrelated = _reporting_page("别的活动")
    for page in (unrelated.pk, "²", "99999999999"):
        refused = reporter.get(URL, {"campaign": campaign.pk, "page": page})
        assert refused.status_code == 404 and "没有找到这项答题或活动" in refused.content.decode()
