"""Staff search in the Wagtail admin uses the same Chinese-aware backend."""

import pytest
from django.contrib.auth import get_user_model

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(get_user_model().objects.get(username="admin"))
    return client


def test_admin_page_search_finds_two_character_words(admin_client):
    response = admin_client.get("/admin/pages/search/", {"q": "燃气"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "闻到燃气味怎么办" in html


def test_admin_page_search_finds_nothing_for_an_absent_word(admin_client):
    response = admin_client.get("/admin/pages/search/", {"q": "地震"})
    assert response.status_code == 200
    assert "闻到燃气味怎么办" not in response.content.decode()


def test_admin_topic_snippet_search_works_in_chinese(admin_client):
    response = admin_client.get("/admin/snippets/home/topic/", {"q": "燃气"})
    assert response.status_code == 200
    assert "燃气" in response.content.decode()
