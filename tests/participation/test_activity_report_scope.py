"""活动上报 and the unit chooser for a scoped account: only its own units are listed, chosen, opened
or accepted; city staff still see every unit."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from organizations.scopes import assign_scope
from participation.factories import ActivityReportFactory
from participation.models import ActivityReport

from .conftest import staff_user

pytestmark = pytest.mark.django_db

ADD_URL = reverse("wagtailsnippets_participation_activityreport:add")
LIST_URL = reverse("wagtailsnippets_participation_activityreport:list")
CHOOSE_URL = reverse("wagtailsnippetchoosers_organizations_unit:choose")
OUT_OF_SCOPE = "这个单位不在您负责的范围内，您只能查看本单位及下级单位的情况。"


@pytest.fixture
def town_liaison(client, django_user_model, tree):
    """A town official (the first town) who may report activities."""
    user = staff_user(
        django_user_model, "add_activityreport", "change_activityreport", "delete_activityreport", "view_activityreport"
    )
    user.user_permissions.add(Permission.objects.get(content_type__app_label="organizations", codename="view_unit"))
    assign_scope(user=user, unit=tree.towns[0])
    client.force_login(user)
    return client


def report_data(campaign, unit, title="安全进校园"):
    return {
        "campaign": campaign.pk,
        "held_on": "2026-06-12",
        "title": title,
        "unit": unit.pk,
        "audience": "students",
        "people": "120",
        "note": "",
    }


def test_the_unit_chooser_lists_and_returns_only_units_in_scope(town_liaison, admin_client, tree):
    own, other = tree.units[0], tree.units[3]  # a school of the first town, one of the second
    for params in ({}, {"q": "测试市"}):
        html = town_liaison.get(CHOOSE_URL, params).json()["html"]
        assert own.name in html and tree.towns[0].name in html
        assert other.name not in html and tree.towns[1].name not in html
    results = town_liaison.get(reverse("wagtailsnippetchoosers_organizations_unit:choose_results"), {"p": 1})
    assert other.name not in results.content.decode()
    chosen = "wagtailsnippetchoosers_organizations_unit:chosen"
    assert town_liaison.get(reverse(chosen, args=[own.pk])).status_code == 200
    assert town_liaison.get(reverse(chosen, args=[other.pk])).status_code == 404

    assert other.name in admin_client.get(CHOOSE_URL, {"q": "测试市"}).json()["html"]


def test_activity_reports_are_listed_and_opened_only_in_scope(town_liaison, campaign, tree):
    own = ActivityReportFactory(campaign=campaign, unit=tree.units[0], title="本镇安全进校园")
    other = ActivityReportFactory(campaign=campaign, unit=tree.units[3], title="外镇安全进校园")
    html = town_liaison.get(LIST_URL).content.decode()
    assert own.title in html and other.title not in html

    assert (
        town_liaison.get(reverse("wagtailsnippets_participation_activityreport:edit", args=[own.pk])).status_code == 200
    )
    for name in ("edit", "delete"):
        url = reverse(f"wagtailsnippets_participation_activityreport:{name}", args=[other.pk])
        assert town_liaison.get(url).status_code == 404
    response = town_liaison.post(reverse("wagtailsnippets_participation_activityreport:delete", args=[other.pk]))
    assert response.status_code == 404
    assert ActivityReport.objects.filter(pk=other.pk).exists()


def test_a_report_for_a_unit_outside_the_scope_is_a_form_error(town_liaison, campaign, tree):
    response = town_liaison.post(ADD_URL, report_data(campaign, tree.units[3], title="越界上报"))
    assert response.status_code == 200
    assert OUT_OF_SCOPE in response.content.decode()
    assert not ActivityReport.objects.filter(title="越界上报").exists()

    own = ActivityReportFactory(campaign=campaign, unit=tree.units[0])
    edit_url = reverse("wagtailsnippets_participation_activityreport:edit", args=[own.pk])
    response = town_liaison.post(edit_url, report_data(campaign, tree.units[3]))
    assert OUT_OF_SCOPE in response.content.decode()
    own.refresh_from_db()
    assert own.unit == tree.units[0]

    assert town_liaison.post(ADD_URL, report_data(campaign, tree.units[1], title="本镇上报")).status_code == 302
    assert ActivityReport.objects.get(title="本镇上报").unit == tree.units[1]


def test_city_staff_report_for_any_unit(admin_client, campaign, tree):
    assert admin_client.post(ADD_URL, report_data(campaign, tree.units[3], title="市里上报")).status_code == 302
    assert ActivityReport.objects.get(title="市里上报").unit == tree.units[3]
