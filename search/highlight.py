"""A short excerpt of a result's text around the first query word, with matches marked."""

import re

from django.utils.html import escape
from django.utils.safestring import mark_safe

from .chinese import split_words


def query_words(query_string):
    """The words a reader typed, longest first so 燃气安全 is marked before 燃气."""
    return sorted(set(split_words(query_string)), key=len, reverse=True)


def highlight(text, query_string, *, width=110):
    words = query_words(query_string)
    text = " ".join(text.split())
    if not words:
        return text[:width]
    pattern = re.compile("|".join(re.escape(word) for word in words), re.IGNORECASE)
    first = pattern.search(text)
    start = max(0, first.start() - width // 3) if first else 0
    excerpt = text[start : start + width]
    marked = pattern.sub(lambda m: f"\x00{m.group()}\x01", excerpt)
    html = escape(marked).replace("\x00", "<mark>").replace("\x01", "</mark>")
    prefix = "…" if start > 0 else ""
    suffix = "…" if start + width < len(text) else ""
    return mark_safe(prefix + html + suffix)
