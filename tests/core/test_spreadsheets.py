"""Tables we write (the unit, headcount and question-bank exports and templates): every cell is
text, so nothing a person typed runs as a formula in Excel or WPS, and a file we wrote imports back
as it was."""

import csv
import io

import pytest
from openpyxl import load_workbook

from core.spreadsheets import read_rows, write_rows

HEADER = ["名称", "说明", "人数"]
TYPED = ['=HYPERLINK("http://example.com","点我")', "+1 报警", "@SUM(A1)", "-2+3", "普通文字"]


def test_xlsx_cells_starting_with_a_formula_sign_are_text():
    data = write_rows(HEADER, [[value, "备注", 7] for value in TYPED], "xlsx")
    sheet = load_workbook(io.BytesIO(data)).active  # not data_only: a formula would show as one
    cells = [row[0] for row in sheet.iter_rows(min_row=2)]
    assert [cell.value for cell in cells] == TYPED
    assert {cell.data_type for cell in cells} == {"s"}
    assert sheet.cell(row=2, column=3).value == 7  # numbers stay numbers


def test_csv_cells_starting_with_a_formula_sign_get_an_apostrophe():
    data = write_rows(HEADER, [[value, "", 7] for value in TYPED], "csv")
    first_cells = [row[0] for row in csv.reader(io.StringIO(data.decode("utf-8-sig")))][1:]
    assert first_cells == ["'" + value for value in TYPED[:4]] + ["普通文字"]


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_what_we_write_reads_back_unchanged(fmt):
    rows = [[value, "说明", "7"] for value in TYPED]
    data = write_rows(HEADER, rows, fmt)
    assert [cells for _line, cells in read_rows(data, fmt)] == [HEADER, *rows]


def test_a_typed_apostrophe_before_ordinary_text_is_kept():
    data = "名称\n'我们的'学校\n".encode("utf-8-sig")
    assert [cells for _line, cells in read_rows(data, "csv")] == [["名称"], ["'我们的'学校"]]
