"""Staff search in the Wagtail admin uses the same Chinese-aware backend.

The admin searches every page and snippet, demo content included, so these tests look for words
that only the corpus page and topic made here contain (鹭栖, from a made-up 鹭栖湾)."""

import pytest
from django.contrib.auth import get_user_model
from wagtail.search import index

from home.factories import ArticlePageFactory, TopicFactory

pytestmark = pytest.mark.django_db

TITLE = "鹭栖湾小区燃气管道改造完成"
TOPIC_NAME = "鹭栖湾专项（语料）"


@pytest.fixture
def admin_client(client):
    client.force_login(get_user_model().objects.get(username="admin"))
    return client


@pytest.fixture
def heron_bay_article(corpus):
    article = ArticlePageFactory(parent=corpus.column, title=TITLE)
    index.insert_or_update_object(article)
    return article


def test_admin_page_search_finds_two_character_words(admin_client, heron_bay_article):
    # 鹭栖 is only the start of the run 鹭栖湾小区燃气管道改造完成.
    response = admin_client.get("/admin/pages/search/", {"q": "鹭栖"})
    assert response.status_code == 200
    assert TITLE in response.content.decode()


def test_admin_page_search_finds_nothing_for_an_absent_word(admin_client, heron_bay_article):
    response = admin_client.get("/admin/pages/search/", {"q": "地震"})
    assert response.status_code == 200
    assert TITLE not in response.content.decode()


def test_admin_topic_snippet_search_works_in_chinese(admin_client, corpus):
    TopicFactory(slug="corpus-heron-bay", name=TOPIC_NAME)
    other_topic = corpus.topics["corpus-gas"]
    response = admin_client.get("/admin/snippets/home/topic/", {"q": "鹭栖"})
    html = response.content.decode()
    assert response.status_code == 200
    assert TOPIC_NAME in html
    assert other_topic.name not in html
