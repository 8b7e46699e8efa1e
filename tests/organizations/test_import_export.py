"""Units and headcounts from .xlsx and .csv: all or nothing, every bad row reported by line."""

import io

import pytest
from django.contrib.auth import get_user_model
from openpyxl import load_workbook

from core.spreadsheets import RowError
from organizations import import_export
from organizations.factories import CampaignFactory, HeadcountFactory, UnitFactory
from organizations.models import AudienceGroup, Campaign, Headcount, StaffScope, Unit, UnitKind
from organizations.scopes import LIAISON_GROUP, assign_scope, scope_unit

from .spreadsheets import csv_file, xlsx_file

pytestmark = pytest.mark.django_db

UNIT_HEADER = ["名称", "类型", "上级单位", "代码", "别名", "启用", "联系人", "联系电话", "联络员账号"]
HEADCOUNT_HEADER = ["单位", "活动", "对象", "应参与人数"]
DEMO_CAMPAIGN = "2026年安全生产月"

GOOD_ROWS = [
    ["导入街道", "街道", "测试市", "", "", "是"],
    ["导入街道中心小学", "学校", "导入街道", "", "中心小学；导入小学|导入一小", ""],
    ["导入示范化工有限公司", "企业", "导入街道", "91370285DEMO99999X", "", "是"],
    ["导入社区", "社区/村", "导入街道", "", "", "否"],
    ["测试市安全生产委员会办公室", "机关单位", "TEST-CITY", "", "安委办", "是"],
]


def import_units(rows, filename="units.xlsx", **kwargs):
    """Rows of the first six or eight columns get empty contact and liaison account cells."""
    make = xlsx_file if filename.lower().endswith(".xlsx") else csv_file
    rows = [[*row, *[""] * (len(UNIT_HEADER) - len(row))] for row in rows]
    return import_export.import_units(file=make([UNIT_HEADER, *rows]), filename=filename, **kwargs)


def import_headcounts(rows, filename="headcounts.xlsx", **kwargs):
    make = xlsx_file if filename.endswith(".xlsx") else csv_file
    return import_export.import_headcounts(file=make([HEADCOUNT_HEADER, *rows]), filename=filename, **kwargs)


@pytest.mark.parametrize("filename", ["units.xlsx", "units.csv", "UNITS.XLSX"])
def test_import_creates_the_units(city, filename):
    result = import_units(GOOD_ROWS, filename)
    assert result.ok, result.errors
    assert (result.created, result.updated, result.unchanged) == (5, 0, 0)

    town = Unit.objects.get(name="导入街道")
    assert (town.kind, town.parent, town.town) == (UnitKind.TOWN, city, town)
    school = Unit.objects.get(name="导入街道中心小学")
    assert (school.kind, school.parent, school.town, school.is_active) == (UnitKind.SCHOOL, town, town, True)
    assert school.alias_list == ["中心小学", "导入小学", "导入一小"]
    assert Unit.objects.get(code="91370285DEMO99999X").name == "导入示范化工有限公司"
    assert Unit.objects.get(name="导入社区").is_active is False
    assert Unit.objects.get(name="测试市安全生产委员会办公室").parent == city  # parent given by code


def test_parents_may_come_after_their_children(city):
    result = import_units(list(reversed(GOOD_ROWS)))
    assert result.ok, result.errors
    assert Unit.objects.get(name="导入街道中心小学").parent.name == "导入街道"


def test_reimport_is_idempotent_and_updates_what_changed(city):
    import_units(GOOD_ROWS)
    count = Unit.objects.count()

    again = import_units(GOOD_ROWS, "units.csv")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 5)
    assert Unit.objects.count() == count

    changed = [row[:] for row in GOOD_ROWS]
    changed[3][5] = "是"  # reopen the community
    changed[2][0] = "导入示范化工股份有限公司"  # renamed, found by its code
    result = import_units(changed)
    assert (result.created, result.updated, result.unchanged) == (0, 2, 3)
    assert Unit.objects.count() == count
    assert Unit.objects.get(code="91370285DEMO99999X").name == "导入示范化工股份有限公司"
    assert Unit.objects.get(name="导入社区").is_active


def test_a_blank_code_keeps_the_existing_code(city):
    import_units(GOOD_ROWS)
    rows = [row[:] for row in GOOD_ROWS]
    rows[2][3] = ""
    result = import_units(rows)
    assert result.unchanged == 5
    assert Unit.objects.filter(code="91370285DEMO99999X").exists()


def test_three_bad_rows_are_all_reported_and_nothing_is_imported(city):
    before = Unit.objects.count()
    rows = [
        *GOOD_ROWS[:2],
        ["坏类型单位", "工厂", "导入街道", "", "", "是"],  # line 4
        ["直属学校", "学校", "测试市", "", "", "是"],  # line 5
        *GOOD_ROWS[2:],
        ["无上级社区", "社区", "不存在的街道", "", "", "也许"],  # line 9, two columns wrong
    ]
    result = import_units(rows)
    assert not result.ok
    assert result.errors == [
        RowError(4, "类型", "无法识别类型“工厂”，应为：市、镇/街道/开发区、社区/村、学校、企业、机关单位、其他。"),
        RowError(5, "上级单位", "“学校”的上级单位必须是“镇/街道/开发区”，“测试市”是“市”。"),
        RowError(9, "上级单位", "找不到上级单位“不存在的街道”：请填写已有单位或本文件中单位的名称或代码。"),
        RowError(9, "启用", "启用应填写“是”或“否”，现在是“也许”。"),
    ]
    assert (result.created, result.updated, result.unchanged) == (0, 0, 0)
    assert Unit.objects.count() == before


def test_a_child_of_a_bad_row_says_so(city):
    rows = [["坏街道", "街道", "测试市", "", "", "不"], ["坏街道小学", "学校", "坏街道", "", "", "是"]]
    result = import_units(rows)
    assert [(e.line, e.column) for e in result.errors] == [(2, "启用"), (3, "上级单位")]
    assert result.errors[1].message == "上级单位“坏街道”所在的第 2 行有错误，本行无法导入。"


def test_model_validation_errors_carry_line_and_column(town, school):
    rows = [
        [school.name, "学校", "测试街道", "", "", "是"],
        [school.name, "学校", "测试街道", "", "", "是"],  # the same unit again
        ["", "学校", "测试街道", "", "", "是"],
        ["=1+1", "学校", "测试街道", "", "", "是"],
    ]
    result = import_units(rows, "units.csv")
    assert result.errors == [
        RowError(3, "", "与第 2 行是同一个单位。"),
        RowError(4, "名称", "此字段不能为空。"),
        RowError(5, "名称", "不能以 = + - @ 开头（电子表格会把它当作公式）。"),
    ]


def test_duplicate_codes_in_one_file(city):
    rows = [
        ["甲街道", "街道", "测试市", "DUP-1", "", ""],
        ["乙街道", "街道", "测试市", "DUP-1", "", ""],
    ]
    result = import_units(rows)
    assert result.errors == [RowError(3, "代码", "代码与第 2 行重复。")]


def test_ambiguous_parent_name_asks_for_a_code(city, town):
    other_city = UnitFactory(kind=UnitKind.CITY, name="另一个测试市", parent=None)
    other = UnitFactory(kind=UnitKind.TOWN, name="测试街道", parent=other_city)
    result = import_units([["新学校", "学校", "测试街道", "", "", ""]])
    assert result.errors == [RowError(2, "上级单位", "有不止一个单位叫“测试街道”，请改填上级单位的代码。")]
    other.code = "OTHER-TOWN"
    other.save()
    assert import_units([["新学校", "学校", "OTHER-TOWN", "", "", ""]]).ok


def test_a_cycle_of_parents_in_the_file(city):
    rows = [["甲街道", "街道", "乙街道", "", "", ""], ["乙街道", "街道", "甲街道", "", "", ""]]
    result = import_units(rows)
    assert result.errors == [
        RowError(2, "上级单位", "上级单位之间形成了循环。"),
        RowError(3, "上级单位", "上级单位之间形成了循环。"),
    ]


@pytest.mark.parametrize("filename", ["units.xlsx", "units.csv"])
def test_wrong_header(city, filename):
    make = xlsx_file if filename.endswith(".xlsx") else csv_file
    upload = make([["单位名称", "类型", "上级单位", "代码", "别名"], *[row[:5] for row in GOOD_ROWS]])
    result = import_export.import_units(file=upload, filename=filename)
    assert result.errors == [
        RowError(
            1,
            "",
            "表头应为：名称、类型、上级单位、代码、别名、启用、联系人、联系电话、联络员账号（顺序不限）；"
            "现在缺少“名称、启用”，无法识别“单位名称”。",
        )
    ]


def test_repeated_and_blank_header_cells(city):
    upload = csv_file(
        [[*UNIT_HEADER[:3], "", "名称", *UNIT_HEADER[3:]], ["甲街道", "街道", "测试市", "", "", "", "", "", "", ""]]
    )
    (error,) = import_export.import_units(file=upload, filename="units.csv").errors
    assert error.message.endswith("现在无法识别“（空白）”，重复“名称”。")


def test_cells_beyond_the_header_are_reported(city):
    result = import_units([["甲街道", "街道", "测试市", "", "", "是", "", "", "", "多余的内容"]], "units.csv")
    assert result.errors == [RowError(2, "", "这一行在表头以外的列里还有内容。")]
    assert not Unit.objects.filter(name="甲街道").exists()


def test_columns_may_come_in_any_order(city):
    upload = csv_file(
        [
            ["联系电话", "启用", "名称", "上级单位", "类型", "别名", "联系人", "代码"],
            ["", "是", "乱序街道", "测试市", "街道", "", "", ""],
        ]
    )
    assert import_export.import_units(file=upload, filename="units.csv").ok
    assert Unit.objects.get(name="乱序街道").kind == UnitKind.TOWN


@pytest.mark.parametrize(
    ("upload", "filename", "message"),
    [
        (io.BytesIO(b""), "units.csv", f"文件是空的。第一行应为表头：{'、'.join(UNIT_HEADER)}。"),
        (xlsx_file([]), "units.xlsx", f"文件是空的。第一行应为表头：{'、'.join(UNIT_HEADER)}。"),
        (csv_file([UNIT_HEADER]), "units.csv", "文件里只有表头，没有数据行。"),
        (
            io.BytesIO(b"this is not a workbook"),
            "units.xlsx",
            "无法读取这个 Excel 文件。请确认它是 .xlsx 格式（旧的 .xls 格式请在 Excel 中另存为 .xlsx）。",
        ),
        (io.BytesIO(b"\xd0\xcf\x11\xe0"), "units.xls", "只能导入 .xlsx 或 .csv 文件。"),
        (io.BytesIO(b"\xff\xfe\x00\x00\x81\x30"), "units.csv", "无法识别 CSV 文件的编码，请另存为“CSV UTF-8”格式。"),
    ],
)
def test_unreadable_files_get_a_clear_error(upload, filename, message):
    result = import_export.import_units(file=upload, filename=filename)
    assert result.errors == [RowError(None, "", message)]


def test_gb18030_csv_from_chinese_excel(city):
    rows = [[*row, "", ""] for row in GOOD_ROWS]
    rows[1][6:] = ["陈老师", "13800000099"]
    result = import_export.import_units(file=csv_file([UNIT_HEADER, *rows], encoding="gb18030"), filename="单位.csv")
    assert result.ok, result.errors
    school = Unit.objects.get(name="导入街道中心小学")
    assert school.alias_list == ["中心小学", "导入小学", "导入一小"]
    assert (school.liaison_name, school.liaison_phone) == ("陈老师", "13800000099")


def test_blank_rows_are_skipped_but_counted_in_line_numbers(city):
    result = import_units([GOOD_ROWS[0], ["", "", "", "", "", ""], ["坏", "工厂", "测试市", "", "", ""]])
    assert [e.line for e in result.errors] == [4]


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_export_reimports_unchanged(fmt):
    """The demo tree, exported and imported again, is matched row for row."""
    exported = import_export.export_units(format=fmt)
    result = import_export.import_units(file=io.BytesIO(exported), filename=f"units.{fmt}")
    assert result.ok, result.errors
    assert (result.created, result.updated, result.unchanged) == (0, 0, Unit.objects.count())


def test_export_writes_the_import_columns_parents_first():
    sheet = load_workbook(io.BytesIO(import_export.export_units(format="xlsx"))).active
    rows = [[cell or "" for cell in row] for row in sheet.iter_rows(values_only=True)]
    assert rows[0] == UNIT_HEADER
    assert rows[1] == ["莱西市", "市", "", "370285", "莱西", "是", "", "", ""]
    seen = set()
    for name, _kind, parent, *_rest in rows[1:]:
        assert not parent or parent in seen, name
        seen.add(name)
    assert [
        "莱西市实验小学",
        "学校",
        "水集街道",
        "",
        "实验小学；莱西实小",
        "是",
        "王老师",
        "13800000001",
        "xuexiao",
    ] in rows
    assert [
        "莱西示范化工有限公司",
        "企业",
        "莱西经济开发区",
        "91370285DEMO00011X",
        "示范化工",
        "是",
        "赵经理",
        "0532-80000005-801",
        "",
    ] in rows


def test_export_names_a_parent_by_code_when_its_name_is_not_unique(city):
    twin = UnitFactory(kind=UnitKind.TOWN, name="水集街道", parent=city, code="TEST-SHUIJI")
    UnitFactory(kind=UnitKind.SCHOOL, name="测试水集小学", parent=twin)
    text = import_export.export_units(format="csv").decode("utf-8-sig")
    assert "测试水集小学,学校,TEST-SHUIJI,,,是,,," in text
    # The demo's 水集街道 has no code, so its children can only be named by the ambiguous name.
    assert "水集中心小学,学校,水集街道,,水集小学,是,,," in text


# Liaison contacts ---------------------------------------------------------------------------


def test_liaison_contacts_are_imported_and_exported(city):
    rows = [
        ["联络街道", "街道", "测试市", "", "", "是", "刘干事", "0532-12345678"],
        ["联络小学", "学校", "联络街道", "", "", "是", "王老师", "１３８ ００００ ０００１"],  # as typed on a phone
        ["联络社区", "社区", "联络街道", "", "", "是", "张主任", ""],
    ]
    result = import_units(rows, "units.csv")
    assert result.ok, result.errors
    contacts = dict(Unit.objects.filter(name__startswith="联络").values_list("name", "liaison_phone"))
    assert contacts == {"联络街道": "0532-12345678", "联络小学": "13800000001", "联络社区": ""}
    text = import_export.export_units(format="csv").decode("utf-8-sig")
    assert "联络小学,学校,联络街道,,,是,王老师,13800000001" in text


def test_blank_contact_cells_keep_the_contact_and_a_new_contact_replaces_both(town):
    UnitFactory(kind=UnitKind.SCHOOL, name="联络小学", parent=town, liaison_name="王老师", liaison_phone="13800000001")
    assert import_units([["联络小学", "学校", "测试街道", "", "", "是"]]).unchanged == 1
    school = Unit.objects.get(name="联络小学")
    assert (school.liaison_name, school.liaison_phone) == ("王老师", "13800000001")

    # The next liaison has no phone yet: the old number must not stay with the new name.
    assert import_units([["联络小学", "学校", "测试街道", "", "", "是", "李老师", ""]]).updated == 1
    school.refresh_from_db()
    assert (school.liaison_name, school.liaison_phone) == ("李老师", "")


def test_bad_liaison_contacts_are_reported_and_nothing_is_imported(town):
    phone_message = "联系电话应为11位手机号，或带区号的固定电话，例如 0532-12345678。"
    rows = [
        ["甲小学", "学校", "测试街道", "", "", "是", '=HYPERLINK("http://example.com")', "13800000001"],
        ["乙小学", "学校", "测试街道", "", "", "是", "王老师", "+8613800000001"],
        ["丙小学", "学校", "测试街道", "", "", "是", "李老师", "1380000000"],
        ["丁小学", "学校", "测试街道", "", "", "是", "", "13800000001"],
        ["戊小学", "学校", "测试街道", "", "", "是", "赵老师", "0532－1234"],
        ["己小学", "学校", "测试街道", "", "", "是", "@SUM(A1)", ""],
    ]
    result = import_units(rows, "units.csv")  # an .xlsx cell with a formula would hold its result instead
    assert result.errors == [
        RowError(2, "联系人", "不能以 = + - @ 开头（电子表格会把它当作公式）。"),
        RowError(3, "联系电话", phone_message),
        RowError(4, "联系电话", phone_message),
        RowError(5, "联系人", "填写联系电话时请同时填写联系人。"),
        RowError(6, "联系电话", phone_message),
        RowError(7, "联系人", "不能以 = + - @ 开头（电子表格会把它当作公式）。"),
    ]
    assert not Unit.objects.filter(name__in=[row[0] for row in rows]).exists()


# Liaison accounts ---------------------------------------------------------------------------


def test_a_liaison_account_is_created_in_the_group_and_limited_to_its_unit(town):
    result = import_units(
        [["联络小学", "学校", "测试街道", "", "", "是", "王老师", "", "wanglaoshi"]], may_assign_liaisons=True
    )
    assert result.ok, result.errors
    school = Unit.objects.get(name="联络小学")
    liaison = get_user_model().objects.get(username="wanglaoshi")
    assert scope_unit(liaison) == school
    assert list(liaison.groups.values_list("name", flat=True)) == [LIAISON_GROUP]
    assert not liaison.has_usable_password()  # 管理员 sets one in 用户
    assert liaison.has_perm("participation.view_report")

    again = import_units(
        [["联络小学", "学校", "测试街道", "", "", "是", "", "", "wanglaoshi"]], may_assign_liaisons=True
    )
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)
    text = import_export.export_units(format="csv").decode("utf-8-sig")
    assert "联络小学,学校,测试街道,,,是,王老师,,wanglaoshi" in text


def test_existing_accounts_become_liaisons_and_a_unit_may_have_several(town, school, django_user_model):
    existing = django_user_model.objects.create_user("zhangganshi", password="x")
    rows = [["测试市实验小学", "学校", "测试街道", "", "测试实小", "是", "", "", "zhangganshi；lilaoshi"]]
    result = import_units(rows, "units.csv", may_assign_liaisons=True)
    assert (result.created, result.updated, result.unchanged) == (0, 1, 0)  # only the liaisons changed
    assert scope_unit(existing) == school
    assert existing.check_password("x")  # an existing account keeps its password
    assert set(StaffScope.objects.filter(unit=school).values_list("user__username", flat=True)) == {
        "zhangganshi",
        "lilaoshi",
    }


def test_bad_liaison_accounts_are_reported_by_line_and_nothing_is_imported(town, school, django_user_model):
    elsewhere = django_user_model.objects.create_user("laoliaison")
    assign_scope(user=elsewhere, unit=town)
    rows = [
        ["甲小学", "学校", "测试街道", "", "", "是", "", "", "laoliaison"],
        ["乙小学", "学校", "测试街道", "", "", "是", "", "", "admin"],
        ["丙小学", "学校", "测试街道", "", "", "是", "", "", "xinliaison"],
        ["丁小学", "学校", "测试街道", "", "", "是", "", "", "xinliaison"],
        ["戊小学", "学校", "测试街道", "", "", "是", "", "", "王 老师"],
    ]
    result = import_units(rows, may_assign_liaisons=True)
    column = "联络员账号"
    assert result.errors[:3] == [
        RowError(
            2,
            column,
            "账号“laoliaison”已是“测试街道”的联络员账号；如要改为负责本单位，请先在“单位 → 联络员账号”中修改。",
        ),
        RowError(3, column, "“admin”是超级管理员账号，不能作为联络员账号。"),
        RowError(5, column, "账号“xinliaison”在第 4 行已经出现，一个账号只能负责一个单位。"),
    ]
    assert [(error.line, error.column) for error in result.errors[3:]] == [(6, column)]
    assert "用户名" in result.errors[3].message
    assert scope_unit(elsewhere) == town  # never moved silently
    assert not get_user_model().objects.filter(username__in=["xinliaison", "王 老师"]).exists()
    assert not Unit.objects.filter(name__in=[row[0] for row in rows]).exists()


def test_without_the_right_to_manage_liaisons_a_file_may_only_repeat_them(school, django_user_model):
    assign_scope(user=django_user_model.objects.create_user("shixiao"), unit=school)
    row = ["测试市实验小学", "学校", "测试街道", "", "测试实小", "是", "", "", "shixiao"]
    assert import_units([row]).unchanged == 1
    result = import_units([[*row[:-1], "shixiao；xinliaison"]])
    assert result.errors == [
        RowError(2, "联络员账号", "您没有管理联络员账号的权限，这一列只能填写本单位现有的联络员账号。")
    ]
    assert not get_user_model().objects.filter(username="xinliaison").exists()


# Headcounts ---------------------------------------------------------------------------------


@pytest.fixture
def campaign(db):
    return CampaignFactory(name="2027年安全生产月", year=2027)


def test_import_headcounts_by_name_or_code(school, town, campaign):
    enterprise = UnitFactory(kind=UnitKind.ENTERPRISE, name="测试示范厂", parent=town, code="TEST-FACTORY")
    office = UnitFactory(kind=UnitKind.GOVERNMENT, name="测试安监办", parent=town)
    rows = [
        [school.name, campaign.name, "学生", 1200],
        ["TEST-FACTORY", campaign.name, "职工", "1,350"],
        [town.name, campaign.name, "居民", 0],
        [office.name, campaign.name, "机关干部", 30],
    ]
    result = import_headcounts(rows)
    assert result.ok, result.errors
    assert result.created == 4
    assert Headcount.objects.get(unit=school, campaign=campaign, audience=AudienceGroup.STUDENTS).expected == 1200
    assert Headcount.objects.get(unit=enterprise).expected == 1350
    assert Headcount.objects.get(unit=office).audience == AudienceGroup.OFFICIALS

    again = import_headcounts(rows, "headcounts.csv")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 4)
    rows[0][3] = 1250
    assert import_headcounts(rows).updated == 1


def test_the_chosen_campaign_fills_blank_cells_and_refuses_others(school, campaign):
    rows = [[school.name, "", "学生", 800], [school.name, DEMO_CAMPAIGN, "职工", 80]]
    result = import_headcounts(rows, campaign=campaign)
    assert result.errors == [RowError(3, "活动", "本次导入的是“2027年安全生产月”的数据，这一行是“2026年安全生产月”。")]
    assert not Headcount.objects.filter(unit=school).exists()
    assert import_headcounts([[school.name, "", "学生", 800]], campaign=campaign).ok
    assert Headcount.objects.get(unit=school).campaign == campaign


def test_one_unit_may_have_headcounts_in_several_campaigns(school, campaign):
    rows = [[school.name, campaign.name, "学生", 800], [school.name, DEMO_CAMPAIGN, "学生", 700]]
    assert import_headcounts(rows).created == 2
    assert dict(school.headcounts.values_list("campaign__name", "expected")) == {campaign.name: 800, DEMO_CAMPAIGN: 700}


def test_bad_headcount_rows_are_all_reported_and_nothing_is_imported(school, town, other_town, campaign):
    UnitFactory(kind=UnitKind.COMMUNITY, name="同名社区", parent=town)
    UnitFactory(kind=UnitKind.COMMUNITY, name="同名社区", parent=other_town)
    rows = [
        [school.name, campaign.name, "学生", 900],
        ["没有这个单位", campaign.name, "学生", 10],
        ["同名社区", campaign.name, "居民", 10],
        [school.name, "2026", "老师", -5],
        [school.name, "", "职工", 5],
        [school.name, '=HYPERLINK("http://example.com")', "职工", 5],
        [school.name, campaign.name, "学生", 901],
    ]
    result = import_headcounts(rows, "headcounts.csv")
    assert result.errors == [
        RowError(3, "单位", "找不到单位“没有这个单位”。"),
        RowError(4, "单位", "有 2 个单位叫“同名社区”，请改填单位代码。"),
        RowError(5, "活动", "找不到宣传活动“2026”，请先在“单位 → 宣传活动”中添加。"),
        RowError(5, "对象", "对象应为：学生、职工、居民、机关干部。"),
        RowError(5, "应参与人数", "应参与人数应为不小于 0 的整数。"),
        RowError(6, "活动", "请填写宣传活动的名称，例如“2026年安全生产月”。"),
        RowError(7, "活动", '找不到宣传活动“=HYPERLINK("http://example.com")”，请先在“单位 → 宣传活动”中添加。'),
        RowError(8, "", "与第 2 行重复。"),
    ]
    assert not Headcount.objects.filter(unit=school).exists()
    assert Campaign.objects.filter(name__in=["2026", ""]).count() == 0


def test_a_gb18030_headcount_file(school, campaign):
    upload = csv_file([HEADCOUNT_HEADER, [school.name, campaign.name, "学生", "640"]], encoding="gb18030")
    assert import_export.import_headcounts(file=upload, filename="应参与人数.csv").ok
    assert Headcount.objects.get(unit=school, campaign=campaign).expected == 640


def test_headcounts_export_reimports_unchanged():
    demo = Campaign.objects.get(name=DEMO_CAMPAIGN)
    exported = import_export.export_headcounts(campaign=demo, format="csv")
    lines = exported.decode("utf-8-sig").splitlines()
    assert lines[0] == ",".join(HEADCOUNT_HEADER)
    assert "莱西市实验小学,2026年安全生产月,学生," in exported.decode("utf-8-sig")
    assert "莱西市应急管理局,2026年安全生产月,机关干部," in exported.decode("utf-8-sig")
    result = import_export.import_headcounts(file=io.BytesIO(exported), filename="h.csv", campaign=demo)
    assert (result.created, result.updated, result.unchanged) == (0, 0, len(lines) - 1)
    assert result.unchanged == demo.headcounts.count()


def test_headcount_export_is_per_campaign(school, campaign):
    HeadcountFactory(unit=school, campaign=campaign, expected=77)
    # Another campaign of the same year stays out of this file.
    HeadcountFactory(unit=school, campaign=CampaignFactory(name="2027年消防宣传月", year=2027), expected=5)
    sheet = load_workbook(io.BytesIO(import_export.export_headcounts(campaign=campaign, format="xlsx"))).active
    assert list(sheet.iter_rows(values_only=True)) == [
        tuple(HEADCOUNT_HEADER),
        ("测试市实验小学", "2027年安全生产月", "学生", 77),
    ]


def test_unknown_export_format():
    with pytest.raises(ValueError):
        import_export.export_units(format="pdf")


def test_a_unit_file_written_before_liaisons_still_imports(city):
    rows = [["名称", "类型", "上级单位", "代码", "别名", "启用"], ["旧表街道", "街道", city.name, "", "", "是"]]
    result = import_export.import_units(file=csv_file(rows), filename="旧单位.csv")
    assert result.ok, result.errors
    town = Unit.objects.get(name="旧表街道")
    assert (town.liaison_name, town.liaison_phone) == ("", "")
