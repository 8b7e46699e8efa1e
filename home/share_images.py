"""The generated share image of a page without a cover: 1200×630 PNG, the site's name and the
page's title on the site's red, for Open Graph, Twitter and WeChat cards (home.seo).

An image is drawn once per (page, title, site name) and kept in the default storage under that
hash; the hash is in the image's URL (``/share/<id>.png?v=<hash>``), so a new title gives a new
URL that share caches fetch again. Without a CJK font (``CERTIFICATE_FONT_PATH``) the image is
the same card without text, under a hash of its own.
"""

import hashlib
import io

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_safe
from wagtail.models import Page, Site

from core.fonts import cjk_font_path, wrap_cjk
from core.parsing import parse_id

from .models import SiteIdentity

SIZE = (1200, 630)
CACHE_SECONDS = 86400
STORAGE_DIR = "share-images"
# Part of the hash: raise it when the drawing changes, so that cards already shared renew.
DESIGN = "1"
TITLE_LINES = 3
ELLIPSIS = "…"

BRAND = (179, 38, 30)
BRAND_DARK = (140, 29, 24)
SAFETY_YELLOW = (250, 204, 21)
WHITE = (255, 255, 255)
PALE = (255, 226, 222)


def _clip(draw, lines, font, max_width, max_lines):
    """At most ``max_lines`` lines, the last one ending in an ellipsis when text was cut."""
    if len(lines) <= max_lines:
        return lines
    last = lines[max_lines - 1]
    while last and draw.textlength(last + ELLIPSIS, font=font) > max_width:
        last = last[:-1]
    return [*lines[: max_lines - 1], last + ELLIPSIS]


def _lines(draw, text, font, max_width, max_lines):
    # One line of text: a line break or tab in a title would not be measured.
    text = " ".join(text.split())
    return _clip(draw, wrap_cjk(draw, text, font, max_width), font, max_width, max_lines)


def share_image_version(*, page, site_name):
    key = "\0".join([DESIGN, str(page.pk), page.title, site_name, "text" if cjk_font_path() else "plain"])
    return hashlib.sha256(key.encode()).hexdigest()[:16]


def share_image_url(*, page, site_name):
    return f"{reverse('share_image', args=[page.pk])}?v={share_image_version(page=page, site_name=site_name)}"


def _fonts(image_font):
    """The title's and the site name's fonts, or None: no CJK font, or an unreadable file."""
    path = cjk_font_path()
    if path is None:
        return None
    try:
        return image_font.truetype(path, 68), image_font.truetype(path, 40)
    except OSError:
        return None


def draw(*, title, site_name):
    """PNG bytes: the card, with its text when a CJK font is there."""
    from PIL import Image, ImageDraw, ImageFont

    width, height = SIZE
    image = Image.new("RGB", SIZE, BRAND)
    canvas = ImageDraw.Draw(image)
    band = 120
    canvas.rectangle((0, height - band, width, height), fill=BRAND_DARK)
    stripe = 24
    for x in range(-stripe, width, stripe * 2):
        canvas.polygon(
            [
                (x, height - band),
                (x + stripe, height - band),
                (x + stripe + 12, height - band + 12),
                (x + 12, height - band + 12),
            ],
            fill=SAFETY_YELLOW,
        )
    fonts = _fonts(ImageFont)
    if fonts is not None:
        title_font, name_font = fonts
        margin = 90
        lines = _lines(canvas, title, title_font, width - 2 * margin, TITLE_LINES)
        line_height = 96
        top = (height - band - line_height * len(lines)) / 2
        for number, line in enumerate(lines):
            canvas.text((margin, top + number * line_height), line, fill=WHITE, font=title_font)
        for name in _lines(canvas, site_name, name_font, width - 2 * margin, 1):
            canvas.text((margin, height - band / 2 + 6), name, fill=PALE, font=name_font, anchor="lm")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def _stored_image(*, page, site_name):
    """The PNG for this version of the page's card, drawn and kept the first time it is asked for."""
    folder = f"{STORAGE_DIR}/{page.pk}"
    name = f"{folder}/{share_image_version(page=page, site_name=site_name)}.png"
    if default_storage.exists(name):
        with default_storage.open(name, "rb") as stored:
            return stored.read()
    content = draw(title=page.title, site_name=site_name)
    default_storage.save(name, ContentFile(content))
    # Earlier versions (an old title), and a twin a concurrent request saved under another name.
    for other in default_storage.listdir(folder)[1]:
        if f"{folder}/{other}" != name:
            default_storage.delete(f"{folder}/{other}")
    return content


@require_safe
def share_image(request, page_id):
    number = parse_id(page_id)
    site = Site.find_for_request(request)
    if number is None or site is None:
        raise Http404
    # Only what anyone may read: a private or draft page's title must not show through its card.
    page = Page.objects.live().public().descendant_of(site.root_page, inclusive=True).filter(pk=number).first()
    if page is None:
        raise Http404
    site_name = SiteIdentity.for_site(site).site_name
    response = HttpResponse(_stored_image(page=page, site_name=site_name), content_type="image/png")
    patch_cache_control(response, public=True, max_age=CACHE_SECONDS)
    return response
