"""Reader preferences for 适老化: larger text and high contrast, remembered in a cookie.

Kept to a handful of fixed values because the page cache keys on the cookie.
"""

READING_COOKIE = "reading"
TEXT_SIZES = ("normal", "large")
CONTRASTS = ("normal", "high")


def parse_reading_cookie(value):
    text, _, contrast = (value or "").partition("-")
    return (
        text if text in TEXT_SIZES else "normal",
        contrast if contrast in CONTRASTS else "normal",
    )


def format_reading_cookie(text, contrast):
    return f"{text}-{contrast}"
