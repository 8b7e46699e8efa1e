"""Spreadsheet files in and out: .xlsx through openpyxl, .csv through the csv module.

Rows come back as lists of stripped strings, whatever the cell types were, so the importers
parse one kind of value.
"""

import csv
import io
import zipfile
from pathlib import PurePath

from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.utils.exceptions import InvalidFileException

FORMATS = ("xlsx", "csv")
# Yes / no cells, part of the file format (not translated).
YES, NO = "是", "否"


class UnreadableFile(Exception):
    """The file as a whole cannot be read; the message is for the person who uploaded it."""


def file_format(filename):
    suffix = PurePath(filename or "").suffix.lower().lstrip(".")
    if suffix not in FORMATS:
        raise UnreadableFile(_("只能导入 .xlsx 或 .csv 文件。"))
    return suffix


def _text(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return YES if value else NO
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _xlsx_rows(data):
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError):
        # openpyxl reports a damaged or foreign file through any of these.
        raise UnreadableFile(
            _("无法读取这个 Excel 文件。请确认它是 .xlsx 格式（旧的 .xls 格式请在 Excel 中另存为 .xlsx）。")
        ) from None
    try:
        return [[_text(value) for value in row] for row in workbook.worksheets[0].iter_rows(values_only=True)]
    finally:
        workbook.close()


def _csv_rows(data):
    # Excel saves "CSV UTF-8" with a byte-order mark and plain "CSV" in the system code page,
    # which on Chinese Windows is GBK (a subset of GB18030).
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise UnreadableFile(_("无法识别 CSV 文件的编码，请另存为“CSV UTF-8”格式。"))
    try:
        return [[cell.strip() for cell in row] for row in csv.reader(io.StringIO(text, newline=""))]
    except csv.Error:
        raise UnreadableFile(_("CSV 文件格式有误，请用 Excel 重新另存为 CSV。")) from None


def read_rows(data, fmt):
    """Non-blank rows as ``(line number, cells)``; line numbers count blank rows too, so they
    match the row numbers shown in Excel."""
    rows = _xlsx_rows(data) if fmt == "xlsx" else _csv_rows(data)
    return [(line, cells) for line, cells in enumerate(rows, start=1) if any(cells)]


def write_rows(header, rows, fmt):
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format: {fmt!r}")
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(header)
        writer.writerows(rows)
        # With the byte-order mark Excel opens the file as UTF-8 instead of the system code page.
        return out.getvalue().encode("utf-8-sig")
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(row)
    sheet.freeze_panes = "A2"
    for column in sheet.columns:
        width = max(len(str(cell.value or "")) for cell in column)
        # Chinese characters are about two Latin characters wide.
        sheet.column_dimensions[column[0].column_letter].width = min(60, max(10, width * 2 + 2))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
