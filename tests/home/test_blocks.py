"""Every article block renders with its own template, has an icon and an admin preview, and
content images cannot be saved without alt text."""

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from wagtail.blocks import StructBlockValidationError

from home.blocks import ArticleBodyBlock, ImageWithCaptionBlock
from home.factories import PosterImageFactory

CHILD_BLOCKS = list(ArticleBodyBlock().child_blocks.items())


@pytest.mark.parametrize(("name", "block"), CHILD_BLOCKS, ids=[name for name, _ in CHILD_BLOCKS])
def test_block_has_template_icon_and_preview(name, block):
    assert block.meta.template and block.meta.template.startswith("home/blocks/")
    assert block.meta.icon and block.meta.icon != "placeholder"
    assert block.get_description()
    preview = block.get_preview_value()
    html = block.render(preview)
    assert html.strip(), f"{name} renders nothing for its preview value"


def test_knowledge_card_renders_its_points_as_a_list():
    block = ArticleBodyBlock().child_blocks["knowledge_card"]
    html = block.render(block.get_preview_value())
    assert "知识卡片" in html
    assert html.count("<li>") == 3


@pytest.mark.django_db
def test_image_block_requires_alt_text():
    block = ImageWithCaptionBlock()
    image = PosterImageFactory(title="测试图片")
    with pytest.raises(StructBlockValidationError) as raised:
        block.clean(block.to_python({"image": image.pk, "alt_text": "", "caption": ""}))
    assert "alt_text" in raised.value.block_errors


@pytest.mark.django_db
def test_image_block_renders_alt_and_caption():
    block = ImageWithCaptionBlock()
    image = PosterImageFactory(title="测试图片")
    html = block.render(block.to_python({"image": image.pk, "alt_text": "消防演练现场", "caption": "学生有序疏散"}))
    assert 'alt="消防演练现场"' in html
    assert "<figcaption>学生有序疏散</figcaption>" in html


@pytest.mark.django_db
def test_cover_image_needs_alt_text(article):
    article.cover_alt_text = ""
    assert article.cover_image_id
    with pytest.raises(ValidationError) as raised:
        article.full_clean()
    assert "cover_alt_text" in raised.value.message_dict


@pytest.mark.django_db
def test_admin_speaks_simplified_chinese(client):
    html = client.get("/admin/login/").content.decode()
    assert 'lang="zh-hans"' in html
    assert "登录" in html


@pytest.mark.django_db
def test_admin_can_open_the_article_editor(client, article):
    client.force_login(get_user_model().objects.get(username="admin"))
    response = client.get(f"/admin/pages/{article.pk}/edit/")
    assert response.status_code == 200
    html = response.content.decode()
    for label in ("责任编辑", "来源与分类", "封面替代文字"):
        assert label in html
