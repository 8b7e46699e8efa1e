"""The 电子证书 of a passing sheet as files a child can save: an A5 landscape PDF and a PNG.

Both draw only what ``selectors.certificate`` gives (contest, name as entered, band, date). The
PDF uses reportlab's built-in Chinese font (STSong-Light, nothing to install); the PNG needs a CJK
font file (``CERTIFICATE_FONT_PATH``), and without one there is no PNG (``png_available``).
"""

import io
from functools import cache
from xml.sax.saxutils import escape

from django.utils import dateformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.fonts import cjk_font_path, wrap_cjk

from .errors import SheetNotFound

PDF_FONT = "STSong-Light"
BRAND_RED = (179, 38, 30)
INK = (31, 35, 40)


class NoCertificate(SheetNotFound):
    default_message = gettext_lazy("这份答卷没有达到合格分，没有电子证书。再试一次吧！")


class NoCertificateImage(SheetNotFound):
    default_message = gettext_lazy("证书图片暂时无法生成，请下载 PDF 版。")


def _lines(certificate):
    """(heading, name, body, band, date) as printed."""
    return (
        _("电子证书"),
        certificate["name"],
        _("参加“%(contest)s”，成绩：") % {"contest": certificate["contest_title"]},
        certificate["band"],
        dateformat.format(certificate["date"], _("Y年n月j日")),
    )


@cache
def _pdf_font():
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    pdfmetrics.registerFont(UnicodeCIDFont(PDF_FONT))
    return PDF_FONT


def pdf(certificate) -> bytes:
    from reportlab.lib.colors import Color
    from reportlab.lib.enums import TA_CENTER
    from reportlab.lib.pagesizes import A5, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.pdfgen import canvas
    from reportlab.platypus import Paragraph
    from reportlab.platypus.frames import Frame

    font = _pdf_font()
    heading, name, body, band, date = _lines(certificate)
    width, height = landscape(A5)
    buffer = io.BytesIO()
    pdf_canvas = canvas.Canvas(buffer, pagesize=(width, height), pageCompression=1)
    pdf_canvas.setTitle(heading)
    red = Color(*(c / 255 for c in BRAND_RED))
    pdf_canvas.setStrokeColor(red)
    pdf_canvas.setLineWidth(3)
    pdf_canvas.rect(8 * mm, 8 * mm, width - 16 * mm, height - 16 * mm)
    pdf_canvas.setLineWidth(0.8)
    pdf_canvas.rect(11 * mm, 11 * mm, width - 22 * mm, height - 22 * mm)
    pdf_canvas.setFillColor(red)
    pdf_canvas.setFont(font, 30)
    pdf_canvas.drawCentredString(width / 2, height - 36 * mm, heading)
    pdf_canvas.setFillColor(Color(*(c / 255 for c in INK)))
    pdf_canvas.setFont(font, 24)
    pdf_canvas.drawCentredString(width / 2, height - 58 * mm, name)
    # The contest title may be long: wrapped between the borders, Chinese-style (any character).
    style = ParagraphStyle("body", fontName=font, fontSize=14, leading=20, alignment=TA_CENTER, wordWrap="CJK")
    Frame(24 * mm, height - 92 * mm, width - 48 * mm, 28 * mm, showBoundary=0).addFromList(
        [Paragraph(escape(body), style)], pdf_canvas
    )
    pdf_canvas.setFillColor(red)
    pdf_canvas.setFont(font, 28)
    pdf_canvas.drawCentredString(width / 2, 42 * mm, band)
    pdf_canvas.setFillColor(Color(*(c / 255 for c in INK)))
    pdf_canvas.setFont(font, 12)
    pdf_canvas.drawRightString(width - 24 * mm, 18 * mm, date)
    pdf_canvas.showPage()
    pdf_canvas.save()
    return buffer.getvalue()


def png_available():
    return cjk_font_path() is not None


# An A5 landscape sheet at about 190 dpi: sharp on a phone, small to save.
PNG_SIZE = (1600, 1131)


def png(certificate) -> bytes:
    from PIL import Image, ImageDraw, ImageFont

    path = cjk_font_path()
    if path is None:
        raise NoCertificateImage()
    heading, name, body, band, date = _lines(certificate)
    width, height = PNG_SIZE
    image = Image.new("RGB", PNG_SIZE, "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle((60, 60, width - 60, height - 60), outline=BRAND_RED, width=14)
    draw.rectangle((88, 88, width - 88, height - 88), outline=BRAND_RED, width=4)

    def font(size):
        return ImageFont.truetype(path, size)

    draw.text((width / 2, 250), heading, fill=BRAND_RED, font=font(110), anchor="mm")
    draw.text((width / 2, 430), name, fill=INK, font=font(90), anchor="mm")
    body_font = font(52)
    top = 540
    for line in wrap_cjk(draw, body, body_font, width - 360):
        draw.text((width / 2, top), line, fill=INK, font=body_font, anchor="mt")
        top += 72
    draw.text((width / 2, max(top + 90, 820)), band, fill=BRAND_RED, font=font(110), anchor="mm")
    draw.text((width - 180, height - 150), date, fill=INK, font=font(44), anchor="rm")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()
