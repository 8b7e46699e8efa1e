"""Spreadsheet files in and out: .xlsx through openpyxl, .csv through the csv module.

Rows come back as lists of stripped strings, whatever the cell types were, so the importers
parse one kind of value.
"""

import csv
import io
import zipfile
from dataclasses import dataclass, field
from pathlib import PurePath

from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.comments import Comment
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
        return [[_csv_cell(cell) for cell in row] for row in csv.reader(io.StringIO(text, newline=""))]
    except csv.Error:
        raise UnreadableFile(_("CSV 文件格式有误，请用 Excel 重新另存为 CSV。")) from None


def _csv_cell(cell):
    """A CSV cell as typed: the apostrophe ``csv_text`` put before a formula sign is dropped, so a
    file we wrote imports back unchanged."""
    cell = cell.strip()
    if cell.startswith("'") and cell[1:2] and cell[1] in CSV_FORMULA_PREFIXES:
        return cell[1:]
    return cell


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
        writer.writerow([csv_text(value) for value in header])
        writer.writerows([csv_text(value) for value in row] for row in rows)
        # With the byte-order mark Excel opens the file as UTF-8 instead of the system code page.
        return out.getvalue().encode("utf-8-sig")
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value for value in row])
        for cell in sheet[sheet.max_row]:
            if cell.data_type == "f":  # a string starting with "=": text, never run as a formula
                cell.data_type = "s"
    sheet.freeze_panes = "A2"
    for column in sheet.columns:
        width = max(len(str(cell.value or "")) for cell in column)
        # Chinese characters are about two Latin characters wide.
        sheet.column_dimensions[column[0].column_letter].width = min(60, max(10, width * 2 + 2))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


TEMPLATE_ROWS = 500


def blank_template(header, fmt, *, notes=None):
    """An empty import file: the header row (with ``notes``, {column: hint}, as cell comments in
    .xlsx) and, in .xlsx, the rows below formatted as text, so Excel keeps the leading zeros of a
    code and shows a phone number as typed instead of 1.38E+10."""
    if fmt == "csv":
        return write_rows(header, [], fmt)
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(header))
    for index, title in enumerate(header, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.font = Font(bold=True)
        if notes and title in notes:
            cell.comment = Comment(str(notes[title]), "")
        for row in range(2, TEMPLATE_ROWS + 2):
            sheet.cell(row=row, column=index).number_format = "@"
        sheet.column_dimensions[cell.column_letter].width = max(12, len(title) * 2 + 4)
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


# Writing exports cell by cell: every cell is text, so no cell of ours is ever run as a formula.
# A spreadsheet program runs a cell starting with one of these as a formula; CSV has no text type,
# so there such a cell gets a leading apostrophe. Cells are stripped first, so a leading tab or CR
# cannot hide the sign.
CSV_FORMULA_PREFIXES = ("=", "+", "-", "@")


def csv_text(value):
    """``value`` as a CSV cell that Excel and WPS show as text, never run."""
    text = _text(value)
    return "'" + text if text.startswith(CSV_FORMULA_PREFIXES) else text


def xlsx_text(sheet, value):
    """``value`` as a text cell for ``sheet`` (a write-only worksheet). openpyxl makes a string
    starting with "=" a formula, so that one gets a cell whose type is forced to text."""
    text = ILLEGAL_CHARACTERS_RE.sub("", _text(value))
    if not text.startswith("="):
        return text
    cell = WriteOnlyCell(sheet, text)
    cell.data_type = "s"
    return cell


def xlsx_header(sheet, header):
    cells = []
    for title in header:
        cell = WriteOnlyCell(sheet, str(title))
        cell.font = Font(bold=True)
        cells.append(cell)
    return cells


# Importing a table: every bad row is reported with its line, column and reason, and a file with
# any error imports nothing (the importers run in one transaction and roll back).


@dataclass(frozen=True)
class RowError:
    line: int | None  # None: the file as a whole
    column: str  # "" when the reason is not about one column
    message: str


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self):
        return not self.errors


class RejectedFile(Exception):
    def __init__(self, errors):
        super().__init__(errors)
        self.errors = errors


def choice_words(choices):
    """Cell text → choice value: the value, the label, and each part of a label such as
    镇/街道/开发区, so a file may say 街道 or 村."""
    words = {}
    for value, label in choices.choices:
        words[value] = value
        words[str(label)] = value
        for part in str(label).split("/"):
            words[part] = value
    return words


def choice_labels(choices):
    return "、".join(str(label) for label in choices.labels)


def read_table(*, file, filename, columns, optional_columns=()):
    """The data rows as ``(line, {column: text})``; raises RejectedFile for a file that cannot be
    read or whose header is wrong. ``optional_columns`` (some of ``columns``) may be left out of
    the header, as files written before they existed do; their cells then read as empty."""
    try:
        rows = read_rows(file.read(), file_format(filename))
    except UnreadableFile as e:
        raise RejectedFile([RowError(None, "", str(e))]) from None
    expected = "、".join(columns)
    if not rows:
        raise RejectedFile([RowError(None, "", _("文件是空的。第一行应为表头：%(columns)s。") % {"columns": expected})])
    header_line, header = rows[0]
    while header and not header[-1]:
        header.pop()
    missing = [column for column in columns if column not in header and column not in optional_columns]
    unknown = [column or _("（空白）") for column in header if column not in columns]
    repeated = sorted({column for column in header if column and header.count(column) > 1})
    if missing or unknown or repeated:
        problems = []
        if missing:
            problems.append(_("缺少“%(columns)s”") % {"columns": "、".join(missing)})
        if unknown:
            problems.append(_("无法识别“%(columns)s”") % {"columns": "、".join(unknown)})
        if repeated:
            problems.append(_("重复“%(columns)s”") % {"columns": "、".join(repeated)})
        message = _("表头应为：%(columns)s（顺序不限）；现在%(problems)s。") % {
            "columns": expected,
            "problems": "，".join(problems),
        }
        raise RejectedFile([RowError(header_line, "", message)])
    if len(rows) == 1:
        raise RejectedFile([RowError(None, "", _("文件里只有表头，没有数据行。"))])
    table = []
    errors = []
    for line, cells in rows[1:]:
        if any(cells[len(header) :]):
            errors.append(RowError(line, "", _("这一行在表头以外的列里还有内容。")))
        record = dict.fromkeys(optional_columns, "")
        record.update((column, cells[i] if i < len(cells) else "") for i, column in enumerate(header))
        table.append((line, record))
    return table, errors


def validation_errors(error, line, columns):
    return [
        RowError(line, columns.get(name, ""), message)
        for name, messages in error.message_dict.items()
        for message in messages
    ]


def rejected_result(errors, columns):
    """Errors in file order: by line, then by column as laid out in the template."""
    order = {column: i for i, column in enumerate(columns)}
    return ImportResult(errors=sorted(errors, key=lambda e: (e.line or 0, order.get(e.column, -1))))
