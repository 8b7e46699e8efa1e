"""``manage.py outlet_demo_page``: the stand-in outlet page of ``make outlet-demo``."""

import pytest
from django.core.management import CommandError, call_command

from core import embedding
from core.models import MediaOutlet
from home.factories import ArticlePageFactory

pytestmark = pytest.mark.django_db


def test_the_page_frames_the_newest_pages_through_the_outlet(tmp_path, column):
    outlet = MediaOutlet.objects.create(name="测试媒体", allowed_origins="http://localhost:8081")
    article = ArticlePageFactory(parent=column, title="演示嵌入的文章")
    call_command("outlet_demo_page", str(tmp_path), "--outlet", outlet.name, "--base-url", "http://127.0.0.1:9000/")
    html = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert f'<iframe src="http://127.0.0.1:9000{embedding.embed_path(article, outlet)}"' in html
    assert "演示嵌入的文章" in html and "测试媒体" in html


def test_an_inactive_outlet_is_refused(tmp_path):
    MediaOutlet.objects.create(name="停用媒体", allowed_origins="http://localhost:8081", is_active=False)
    with pytest.raises(CommandError, match="停用媒体"):
        call_command("outlet_demo_page", str(tmp_path), "--outlet", "停用媒体")
    assert not (tmp_path / "index.html").exists()
