"""The CJK font the images we draw use (the certificate PNG, the share cards): where it is, and
how Chinese text is broken into lines to fit a width."""

import os

from django.conf import settings

# Debian's fonts-wqy-microhei (README); ``CERTIFICATE_FONT_PATH`` names another.
DEFAULT_FONT_PATH = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"


def cjk_font_path():
    """The CJK font file to draw text with, or None when there is none."""
    path = getattr(settings, "CERTIFICATE_FONT_PATH", DEFAULT_FONT_PATH)
    return path if path and os.path.isfile(path) else None


def wrap_cjk(draw, text, font, max_width):
    """``text`` broken into lines no wider than ``max_width`` (Chinese breaks between any characters)."""
    lines, line = [], ""
    for char in text:
        if line and draw.textlength(line + char, font=font) > max_width:
            lines.append(line)
            line = char
        else:
            line += char
    return [*lines, line] if line else lines
