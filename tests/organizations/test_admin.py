"""Units and headcounts in the Wagtail admin: snippets, filters, search, upload and download."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from organizations.factories import CampaignFactory, HeadcountFactory, UnitFactory
from organizations.models import Campaign, Headcount, Unit, UnitKind

from .spreadsheets import csv_file, xlsx_file

pytestmark = pytest.mark.django_db

UNITS_URL = "/admin/snippets/organizations/unit/"
CAMPAIGNS_URL = "/admin/snippets/organizations/campaign/"
UNIT_HEADER = ["名称", "类型", "上级单位", "代码", "别名", "启用", "联系人", "联系电话", "联络员账号"]


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


def test_unit_listing_shows_the_liaison(admin_client, town):
    UnitFactory(
        kind=UnitKind.SCHOOL, name="联络小学", parent=town, liaison_name="王老师", liaison_phone="0532-12345678"
    )
    html = admin_client.get(UNITS_URL, {"town": town.pk}).content.decode()
    assert "联系人" in html and "王老师" in html and "0532-12345678" in html


def test_unit_form_checks_the_liaison_phone(admin_client, town):
    data = {"name": "表单小学", "kind": "school", "parent": town.pk, "code": "", "aliases": ""}
    response = admin_client.post(f"{UNITS_URL}add/", {**data, "liaison_name": "王老师", "liaison_phone": "12345"})
    assert response.status_code == 200
    assert "联系电话应为11位手机号，或带区号的固定电话，例如 0532-12345678。" in response.content.decode()
    response = admin_client.post(f"{UNITS_URL}add/", {**data, "liaison_name": "王老师", "liaison_phone": "13800000001"})
    assert response.status_code == 302
    assert Unit.objects.get(name="表单小学").liaison_phone == "13800000001"


def test_campaigns_are_listed_added_and_checked(admin_client):
    html = admin_client.get("/admin/").content.decode()
    assert CAMPAIGNS_URL in html  # 单位 → 宣传活动
    assert "2026年安全生产月" in admin_client.get(CAMPAIGNS_URL).content.decode()
    data = {
        "name": "2027年安全生产月",
        "year": 2027,
        "theme": "",
        "starts_on": "2027-06-30",
        "ends_on": "2027-06-01",
        "retention_days": 90,
    }
    response = admin_client.post(f"{CAMPAIGNS_URL}add/", data)
    assert response.status_code == 200
    assert "结束日期不能早于开始日期。" in response.content.decode()
    response = admin_client.post(f"{CAMPAIGNS_URL}add/", {**data, "ends_on": "2027-07-15", "retention_days": 3651})
    assert response.status_code == 200
    assert not Campaign.objects.filter(name="2027年安全生产月").exists()
    response = admin_client.post(f"{CAMPAIGNS_URL}add/", {**data, "ends_on": "2027-07-15"})
    assert response.status_code == 302
    campaign = Campaign.objects.get(name="2027年安全生产月")
    assert campaign.ends_on.isoformat() == "2027-07-15"
    # Personal data is kept 90 days after the end, and anonymised the day after.
    assert campaign.personal_data_kept_until.isoformat() == "2027-10-13"


def test_a_campaign_with_headcounts_cannot_be_deleted(admin_client, school):
    campaign = CampaignFactory(name="删除测试活动")
    HeadcountFactory(unit=school, campaign=campaign)
    admin_client.post(f"{CAMPAIGNS_URL}delete/{campaign.pk}/")
    assert Campaign.objects.filter(pk=campaign.pk).exists()
    empty = CampaignFactory(name="没有人数的活动")
    assert admin_client.post(f"{CAMPAIGNS_URL}delete/{empty.pk}/").status_code == 302
    assert not Campaign.objects.filter(pk=empty.pk).exists()


def test_headcount_snippet_lists_and_filters(admin_client):
    demo = Campaign.objects.get(name="2026年安全生产月")
    response = admin_client.get("/admin/snippets/organizations/headcount/", {"campaign": demo.pk, "audience": "staff"})
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
            UNIT_HEADER,
            ["上传街道", "街道", "测试市", "", "", "是", "", "", ""],
            ["上传小学", "学堂", "上传街道", "", "", "是", "", "", ""],
        ]
    )
    response = admin_client.post("/admin/units/import/", {"file": upload("units.csv", data)})
    assert response.status_code == 200
    html = response.content.decode()
    assert "文件中有 1 处错误，整个文件都没有导入。" in html
    assert "第 3 行" in html and "无法识别类型“学堂”" in html
    assert Unit.objects.count() == before


def test_upload_imports_and_reports_counts(admin_client, city):
    data = xlsx_file([UNIT_HEADER, ["上传街道", "街道", "测试市", "", "", "是", "刘干事", "0532-12345678", ""]])
    response = admin_client.post("/admin/units/import/", {"file": upload("units.xlsx", data)}, follow=True)
    assert response.redirect_chain[-1][0] == UNITS_URL
    assert "“units.xlsx”导入完成：新增 1 条，更新 0 条，0 条没有变化。" in response.content.decode()
    assert Unit.objects.filter(name="上传街道").exists()


def test_the_import_page_explains_liaison_accounts_and_an_upload_creates_one(admin_client, city):
    html = admin_client.get("/admin/units/import/").content.decode()
    assert "联络员账号" in html and "须由管理员在“设置 → 用户”中为它设置密码" in html
    data = xlsx_file(
        [UNIT_HEADER, ["上传街道", "街道", "测试市", "", "", "是", "刘干事", "0532-12345678", "shangchuan"]]
    )
    admin_client.post("/admin/units/import/", {"file": upload("units.xlsx", data)})
    liaison = get_user_model().objects.get(username="shangchuan")
    assert liaison.staff_scope.unit.name == "上传街道"
    assert not liaison.has_usable_password()


def test_only_staff_who_manage_liaison_accounts_may_add_them_by_import(client, city):
    importer = get_user_model().objects.create_user("unit-importer", password="x")
    importer.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label__in=["wagtailadmin", "organizations"],
            codename__in=["access_admin", "add_unit", "change_unit", "view_unit"],
        )
    )
    client.force_login(importer)
    data = xlsx_file([UNIT_HEADER, ["上传街道", "街道", "测试市", "", "", "是", "", "", "shangchuan"]])
    html = client.post("/admin/units/import/", {"file": upload("units.xlsx", data)}).content.decode()
    assert "您没有管理联络员账号的权限" in html
    assert not get_user_model().objects.filter(username="shangchuan").exists()
    assert not Unit.objects.filter(name="上传街道").exists()


def test_upload_refuses_other_file_types(admin_client):
    response = admin_client.post("/admin/units/import/", {"file": SimpleUploadedFile("units.xls", b"\xd0\xcf")})
    assert response.status_code == 200
    assert "只能导入 .xlsx 或 .csv 文件。" in response.content.decode()


def test_headcount_upload_with_a_campaign(admin_client, school):
    campaign = CampaignFactory(name="2027年安全生产月", year=2027)
    html = admin_client.get("/admin/units/import-headcounts/").content.decode()
    assert f'<option value="{campaign.pk}">2027年安全生产月</option>' in html
    data = csv_file([["单位", "活动", "对象", "应参与人数"], [school.name, "", "学生", "640"]])
    response = admin_client.post(
        "/admin/units/import-headcounts/", {"file": upload("h.csv", data), "campaign": str(campaign.pk)}
    )
    assert response.status_code == 302
    assert Headcount.objects.get(unit=school, campaign=campaign).expected == 640


def test_export_downloads(admin_client):
    response = admin_client.get("/admin/units/export/", {"content": "units", "format": "csv"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="units-')
    assert response.content.decode("utf-8-sig").startswith(",".join(UNIT_HEADER) + "\r\n莱西市,市,")

    demo = Campaign.objects.get(name="2026年安全生产月")
    response = admin_client.get(
        "/admin/units/export/", {"content": "headcounts", "format": "xlsx", "campaign": demo.pk}
    )
    assert response["Content-Disposition"].startswith(f'attachment; filename="headcounts-2026-{demo.pk}-')
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [cell.value for cell in sheet[1]] == ["单位", "活动", "对象", "应参与人数"]
    assert sheet.max_row == Headcount.objects.filter(campaign=demo).count() + 1


def test_export_form_needs_a_campaign_for_headcounts(admin_client):
    html = admin_client.get("/admin/units/export/").content.decode()
    demo = Campaign.objects.get(name="2026年安全生产月")
    assert f'<option value="{demo.pk}" selected>2026年安全生产月</option>' in html  # the latest campaign
    response = admin_client.get("/admin/units/export/", {"content": "headcounts", "format": "csv"})
    assert response.status_code == 200
    assert "请选择要导出的宣传活动。" in response.content.decode()


def test_import_and_export_need_permissions(client):
    user = get_user_model().objects.create_user("viewer", password="x" * 12)
    user.user_permissions.add(*Permission.objects.filter(codename__in=["access_admin", "view_unit"]))
    client.force_login(user)
    # The admin answers a refusal with a redirect to its dashboard and a message.
    assert client.get("/admin/units/import/")["Location"] == "/admin/"
    assert client.get("/admin/units/import-headcounts/")["Location"] == "/admin/"
    assert client.get("/admin/units/export/", {"content": "units", "format": "csv"}).status_code == 200
    demo = Campaign.objects.get(name="2026年安全生产月")
    response = client.get("/admin/units/export/", {"content": "headcounts", "format": "csv", "campaign": demo.pk})
    assert response["Location"] == "/admin/"
    html = client.get("/admin/").content.decode()
    assert "/admin/units/import/" not in html
    assert "/admin/units/export/" in html
