"""Staff export of a contest's results."""

import io

from django.utils import timezone
from openpyxl import Workbook

from core.spreadsheets import xlsx_text

EXPORT_HEADER = [
    "姓名",
    "单位",
    "单位类型",
    "班级",
    "年龄段",
    "手机号",
    "第几次",
    "开始时间",
    "交卷时间",
    "得分",
    "满分",
    "用时（秒）",
    "状态",
]


def export_results_xlsx(*, sheets):
    """Results as an Excel workbook (bytes); names and phone numbers are masked (张*明, 138****1234)
    and what people typed is written as text, never as a formula."""
    workbook = Workbook(write_only=True)
    worksheet = workbook.create_sheet("答卷成绩")
    worksheet.append(EXPORT_HEADER)
    for sheet in sheets.iterator(chunk_size=1000):
        participant = sheet.participant
        worksheet.append(
            [
                xlsx_text(worksheet, participant.masked_name),
                xlsx_text(worksheet, sheet.unit.name),
                sheet.unit.get_kind_display(),
                xlsx_text(worksheet, participant.class_name),
                participant.get_age_band_display(),
                participant.phone_masked,
                sheet.attempt_number,
                timezone.localtime(sheet.started_at).strftime("%Y-%m-%d %H:%M:%S"),
                timezone.localtime(sheet.finished_at).strftime("%Y-%m-%d %H:%M:%S") if sheet.finished_at else "",
                sheet.score,
                sheet.max_score,
                sheet.duration_seconds,
                sheet.get_status_display(),
            ]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
