"""Factories for the column's models; the tests and the demo content both build data with these."""

import datetime

import factory
import wagtail_factories
from django.core.files.base import ContentFile
from wagtail.images import get_image_model

from .images import draw_poster
from .models import ArticlePage, Audience, ColumnIndexPage, HomePage, Topic


class TopicFactory(factory.django.DjangoModelFactory):
    name = factory.Sequence(lambda n: f"主题{n}")
    slug = factory.Sequence(lambda n: f"topic-{n}")
    sort_order = factory.Sequence(int)

    class Meta:
        model = Topic
        django_get_or_create = ("slug",)


class AudienceFactory(factory.django.DjangoModelFactory):
    name = factory.Sequence(lambda n: f"读者{n}")
    slug = factory.Sequence(lambda n: f"audience-{n}")
    sort_order = factory.Sequence(int)

    class Meta:
        model = Audience
        django_get_or_create = ("slug",)


class PosterImageFactory(factory.django.DjangoModelFactory):
    """A Wagtail image whose file is a generated poster."""

    title = factory.Sequence(lambda n: f"宣传图片{n}")
    file = factory.LazyAttribute(
        lambda o: ContentFile(draw_poster(seed=o.title), name=f"poster-{abs(hash(o.title))}.png")
    )
    description = factory.LazyAttribute(lambda o: o.title)

    class Meta:
        model = get_image_model()


class HomePageFactory(wagtail_factories.PageFactory):
    title = "莱西市安全生产宣传教育平台"
    slug = factory.Sequence(lambda n: f"home-{n}")
    campaign_year = 2026
    campaign_theme = "人人讲安全、个个会应急"

    class Meta:
        model = HomePage


class ColumnIndexPageFactory(wagtail_factories.PageFactory):
    title = factory.Sequence(lambda n: f"安全生产专栏{n}")
    slug = factory.Sequence(lambda n: f"column-{n}")
    intro = "安全生产月期间的系列报道。"
    campaign_year = 2026

    class Meta:
        model = ColumnIndexPage


def paragraphs_to_body(paragraphs, *, knowledge_card=None, quote=None, table=None):
    """Raw StreamField data for an article body made of paragraphs and optional blocks."""
    body = [{"type": "paragraph", "value": f"<p>{text}</p>"} for text in paragraphs]
    if quote:
        body.insert(min(2, len(body)), {"type": "quote", "value": quote})
    if table:
        body.append(
            {
                "type": "table",
                "value": {
                    "first_row_is_table_header": True,
                    "first_col_is_header": False,
                    "table_caption": table["caption"],
                    "data": [table["header"], *table["rows"]],
                },
            }
        )
    if knowledge_card:
        body.append({"type": "knowledge_card", "value": {"tip": "", **knowledge_card}})
    return body


class ArticlePageFactory(wagtail_factories.PageFactory):
    title = factory.Sequence(lambda n: f"安全生产宣传文章{n}")
    slug = factory.Sequence(lambda n: f"article-{n}")
    summary = "安全生产月期间，各单位广泛开展宣传教育活动。"
    body = factory.LazyFunction(lambda: paragraphs_to_body(["各镇街深入企业、学校、社区开展安全宣传。"]))
    source = "莱西市应急管理局"
    author = "宣传科"
    editor = "王晓丽"
    publish_date = factory.Sequence(lambda n: datetime.date(2026, 6, 1) + datetime.timedelta(days=n % 30))
    # Parental many-to-many values are accepted by the page constructor (modelcluster).
    topics = factory.LazyFunction(list)
    audiences = factory.LazyFunction(list)

    class Meta:
        model = ArticlePage
