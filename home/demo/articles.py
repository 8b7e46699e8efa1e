"""2026 安全生产月专栏的演示文章（自写文本，事实取自 shared/DOMAIN.md）。

The text itself is in ``articles.json`` next to this module; this reads it and gives back the Python
shapes ``home.demo.loader`` expects: topics and audiences as ``(slug, name)`` tuples, each article's
``date`` as a ``datetime.date``."""

import json
from datetime import date
from pathlib import Path

_DATA = json.loads(Path(__file__).with_name("articles.json").read_text(encoding="utf-8"))

TOPICS = [(slug, name) for slug, name in _DATA["topics"]]
AUDIENCES = [(slug, name) for slug, name in _DATA["audiences"]]
ARTICLES = [{**article, "date": date.fromisoformat(article["date"])} for article in _DATA["articles"]]
