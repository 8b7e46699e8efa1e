"""Every import screen links a blank template to fill in: an .xlsx with the import's header and
text-formatted cells, which imports (once filled in) without any column being renamed."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from organizations import import_export
from quizzes import bank, rosters

pytestmark = pytest.mark.django_db

IMPORTS = [
    ("organizations_import_units", "organizations_units_template", import_export.UNIT_COLUMNS),
    ("organizations_import_headcounts", "organizations_headcounts_template", import_export.HEADCOUNT_COLUMNS),
    ("quizzes_import_questions", "quizzes_questions_template", bank.COLUMNS),
    ("quizzes_import_roster", "quizzes_roster_template", rosters.COLUMNS),
]


@pytest.mark.parametrize(("import_name", "template_name", "columns"), IMPORTS)
def test_the_import_page_links_a_blank_xlsx_template(admin_client, import_name, template_name, columns):
    page = admin_client.get(reverse(import_name)).content.decode()
    assert f'href="{reverse(template_name)}"' in page and "下载空白模板" in page

    response = admin_client.get(reverse(template_name))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert ".xlsx" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [cell.value for cell in sheet[1]] == list(columns)
    assert all(cell.value is None for row in sheet.iter_rows(min_row=2) for cell in row)  # no data to delete
    assert sheet["A2"].number_format == "@"  # text: codes keep their leading zeros


def test_a_filled_in_unit_template_imports(admin_client):
    sheet_file = load_workbook(io.BytesIO(admin_client.get(reverse("organizations_units_template")).content))
    sheet = sheet_file.active
    for index, value in enumerate(["模板测试市", "市", "", "0532000", "", "是"], start=1):
        sheet.cell(row=2, column=index, value=value)
    out = io.BytesIO()
    sheet_file.save(out)
    result = import_export.import_units(file=io.BytesIO(out.getvalue()), filename="units.xlsx")
    assert result.ok, result.errors
    assert result.created == 1


def test_an_untouched_template_is_refused_with_a_clear_message(admin_client):
    data = admin_client.get(reverse("quizzes_questions_template")).content
    response = admin_client.post(
        reverse("quizzes_import_questions"), {"file": SimpleUploadedFile("questions-template.xlsx", data)}
    )
    assert "文件里只有表头，没有数据行。" in response.content.decode()


@pytest.mark.parametrize("template_name", [name for _import, name, _columns in IMPORTS])
def test_the_template_needs_the_import_permission(client, template_name):
    editor = get_user_model().objects.get(username="bianji")
    client.force_login(editor)
    assert client.get(reverse(template_name)).status_code in (302, 403)
