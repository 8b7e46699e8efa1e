"""Units and headcounts in the Wagtail admin: snippets, filters, search, upload and download."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from organizations.models import Headcount, Unit

from .spreadsheets import csv_file, xlsx_file

pytestmark = pytest.mark.django_db

UNITS_URL = "/admin/snippets/organizations/unit/"


def upload(name, data):
    return SimpleUploadedFile(name, data.getvalue())


def test_unit_listing_filters_by_kind_town_and_active(admin_client, town, school):
    html = admin_client.get(UNITS_URL, {"kind": "school", "town": town.pk, "is_active": "true"}).content.decode()
    assert "测试市实验小学" in html
    assert "莱西市实验小学" not in html
    assert f"/units/{school.pk}/poster/" in html  # 打印二维码海报 in the row's menu


@pytest.mark.parametrize("query", ["实验小学", "实小"])
def test_unit_listing_searches_names_and_aliases_in_chinese(admin_client, query):
    response = admin_client.get(UNITS_URL, {"q": query})
    assert response.status_code == 200
    html = response.content.decode()
    assert "莱西市实验小学" in html
    assert "姜山镇中心小学" not in html


def test_search_combines_with_filters(admin_client):
    response = admin_client.get(UNITS_URL, {"q": "示范", "kind": "enterprise", "is_active": "true"})
    assert response.status_code == 200
    assert "莱西示范化工有限公司" in response.content.decode()


def test_unit_form_offers_only_the_city_and_towns_as_parents(admin_client, town, school):
    assert admin_client.get(f"{UNITS_URL}edit/{school.pk}/").status_code == 200
    html = admin_client.get(f"{UNITS_URL}add/").content.decode()
    assert f'<option value="{town.pk}">测试街道</option>' in html
    assert "莱西市实验小学</option>" not in html
    response = admin_client.post(
        f"{UNITS_URL}add/", {"name": "表单小学", "kind": "school", "parent": town.pk, "code": "", "aliases": ""}
    )
    assert response.status_code == 302
    assert Unit.objects.get(name="表单小学").town == town


def test_unit_form_explains_a_wrong_parent(admin_client, city):
    response = admin_client.post(
        f"{UNITS_URL}add/", {"name": "直属小学", "kind": "school", "parent": city.pk, "code": "", "aliases": ""}
    )
    assert response.status_code == 200
    assert "“学校”的上级单位必须是“镇/街道/开发区”，“测试市”是“市”。" in response.content.decode()


def test_headcount_snippet_lists_and_filters(admin_client):
    response = admin_client.get(
        "/admin/snippets/organizations/headcount/", {"campaign_year": 2026, "audience": "staff"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "莱西示范化工有限公司" in html
    assert "莱西市实验小学" not in html
    assert admin_client.get("/admin/snippets/organizations/headcount/add/").status_code == 200


ADMIN_PAGES = ["/admin/units/import/", "/admin/units/import-headcounts/", "/admin/units/export/"]


def test_menu_has_import_and_export(admin_client):
    html = admin_client.get("/admin/").content.decode()
    for url in ADMIN_PAGES:
        assert url in html
        assert admin_client.get(url).status_code == 200


def test_upload_with_errors_shows_them_and_imports_nothing(admin_client, city):
    before = Unit.objects.count()
    data = csv_file(
        [
            ["名称", "类型", "上级单位", "代码", "别名", "启用"],
            ["上传街道", "街道", "测试市", "", "", "是"],
            ["上传小学", "学堂", "上传街道", "", "", "是"],
        ]
    )
    response = admin_client.post("/admin/units/import/", {"file": upload("units.csv", data)})
    assert response.status_code == 200
    html = response.content.decode()
    assert "文件中有 1 处错误，整个文件都没有导入。" in html
    assert "第 3 行" in html and "无法识别类型“学堂”" in html
    assert Unit.objects.count() == before


def test_upload_imports_and_reports_counts(admin_client, city):
    data = xlsx_file(
        [["名称", "类型", "上级单位", "代码", "别名", "启用"], ["上传街道", "街道", "测试市", "", "", "是"]]
    )
    response = admin_client.post("/admin/units/import/", {"file": upload("units.xlsx", data)}, follow=True)
    assert response.redirect_chain[-1][0] == UNITS_URL
    assert "“units.xlsx”导入完成：新增 1 条，更新 0 条，0 条没有变化。" in response.content.decode()
    assert Unit.objects.filter(name="上传街道").exists()


def test_upload_refuses_other_file_types(admin_client):
    response = admin_client.post("/admin/units/import/", {"file": SimpleUploadedFile("units.xls", b"\xd0\xcf")})
    assert response.status_code == 200
    assert "只能导入 .xlsx 或 .csv 文件。" in response.content.decode()


def test_headcount_upload_with_a_year(admin_client, school):
    data = csv_file([["单位", "年份", "对象", "应参与人数"], [school.name, "", "学生", "640"]])
    response = admin_client.post(
        "/admin/units/import-headcounts/", {"file": upload("h.csv", data), "campaign_year": "2026"}
    )
    assert response.status_code == 302
    assert Headcount.objects.get(unit=school, campaign_year=2026).expected == 640


def test_export_downloads(admin_client):
    response = admin_client.get("/admin/units/export/", {"content": "units", "format": "csv"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="units-')
    assert response.content.decode("utf-8-sig").startswith("名称,类型,上级单位,代码,别名,启用\r\n莱西市,市,")

    response = admin_client.get(
        "/admin/units/export/", {"content": "headcounts", "format": "xlsx", "campaign_year": 2026}
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [cell.value for cell in sheet[1]] == ["单位", "年份", "对象", "应参与人数"]
    assert sheet.max_row == Headcount.objects.filter(campaign_year=2026).count() + 1


def test_export_form_needs_a_year_for_headcounts(admin_client):
    assert admin_client.get("/admin/units/export/").status_code == 200
    response = admin_client.get("/admin/units/export/", {"content": "headcounts", "format": "csv"})
    assert response.status_code == 200
    assert "请填写要导出的年份。" in response.content.decode()


def test_import_and_export_need_permissions(client):
    user = get_user_model().objects.create_user("viewer", password="x" * 12)
    user.user_permissions.add(*Permission.objects.filter(codename__in=["access_admin", "view_unit"]))
    client.force_login(user)
    # The admin answers a refusal with a redirect to its dashboard and a message.
    assert client.get("/admin/units/import/")["Location"] == "/admin/"
    assert client.get("/admin/units/import-headcounts/")["Location"] == "/admin/"
    assert client.get("/admin/units/export/", {"content": "units", "format": "csv"}).status_code == 200
    response = client.get("/admin/units/export/", {"content": "headcounts", "format": "csv", "campaign_year": 2026})
    assert response["Location"] == "/admin/"
    html = client.get("/admin/").content.decode()
    assert "/admin/units/import/" not in html
    assert "/admin/units/export/" in html
