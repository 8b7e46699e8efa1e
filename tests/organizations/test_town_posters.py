"""All the QR posters of a town on one print page, from the town's row in the units admin."""

import re
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.contrib.staticfiles import finders
from django.urls import reverse

from organizations.factories import UnitFactory
from organizations.models import UnitKind
from organizations.scopes import LIAISON_GROUP, assign_scope

pytestmark = pytest.mark.django_db


@pytest.fixture
def town_units(town, school, other_town):
    community = UnitFactory(kind=UnitKind.COMMUNITY, name="测试社区", parent=town)
    enterprise = UnitFactory(kind=UnitKind.ENTERPRISE, name="测试化工有限公司", parent=town)
    UnitFactory(kind=UnitKind.SCHOOL, name="已停用的小学", parent=town, is_active=False)
    UnitFactory(kind=UnitKind.GOVERNMENT, name="测试街道办事处", parent=town)
    UnitFactory(kind=UnitKind.SCHOOL, name="别的镇的中学", parent=other_town)
    return [community, school, enterprise]


def posters_url(unit):
    return reverse("organizations:town_posters", args=[unit.pk])


def test_one_page_prints_a_poster_per_active_school_community_and_enterprise(admin_client, town, town_units):
    response = admin_client.get(posters_url(town))
    assert response.status_code == 200
    html = response.content.decode()
    names = re.findall(r'<h1 class="poster-unit">([^<]+)</h1>', html)
    assert names == ["测试社区", "测试市实验小学", "测试化工有限公司"]  # by kind, then name
    assert len(re.findall(r'<svg [^>]*class="poster-qr"', html)) == 3
    for unit in town_units:
        assert f"http://testserver{unit.get_join_url()}" in html
    assert "已停用的小学" not in html and "别的镇的中学" not in html and "办事处" not in html
    assert "共 3 张 A4 海报" in html
    assert re.findall(r'(?:src|href)="([^"]+)"', html) == ["/static/organizations/poster.css"]


def test_the_posters_start_a_new_sheet_each():
    text = Path(finders.find("organizations/poster.css")).read_text()
    assert ".poster + .poster { break-before: page;" in text


def test_a_town_without_units_says_so(admin_client, other_town):
    html = admin_client.get(posters_url(other_town)).content.decode()
    assert "没有可打印的海报" in html


def test_only_towns_have_the_page(admin_client, school, city):
    assert admin_client.get(posters_url(school)).status_code == 404
    assert admin_client.get(posters_url(city)).status_code == 404
    assert admin_client.get("/units/999999/town-posters/").status_code == 404


def test_the_towns_row_in_the_units_admin_links_it(admin_client, town, school):
    html = admin_client.get(reverse("wagtailsnippets_organizations_unit:list"), {"q": "测试"}).content.decode()
    assert posters_url(town) in html
    assert posters_url(school) not in html


def test_liaisons_print_their_own_town_only(client, django_user_model, town, other_town, town_units):
    liaisons = Group.objects.get(name=LIAISON_GROUP)
    town_liaison = django_user_model.objects.create_user("town-liaison")
    town_liaison.groups.add(liaisons)
    assign_scope(user=town_liaison, unit=town)
    client.force_login(town_liaison)
    assert client.get(posters_url(town)).status_code == 200
    assert client.get(posters_url(other_town)).status_code == 403

    school_liaison = django_user_model.objects.create_user("school-liaison")
    school_liaison.groups.add(liaisons)
    assign_scope(user=school_liaison, unit=town_units[1])
    client.force_login(school_liaison)
    assert client.get(posters_url(town)).status_code == 403


def test_the_page_needs_a_login(client, town):
    response = client.get(posters_url(town))
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
