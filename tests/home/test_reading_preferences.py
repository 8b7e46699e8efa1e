"""适老化: large text and high contrast, remembered in a cookie, without JavaScript."""

import pytest

pytestmark = pytest.mark.django_db


def test_large_text_link_sets_cookie_and_returns_to_the_page(client, article):
    response = client.get("/reading-mode/", {"text": "large", "next": article.url})
    assert response.status_code == 302
    assert response["Location"] == article.url
    assert response.cookies["reading"].value == "large-normal"
    page = client.get(article.url).content.decode()
    assert 'class="text-large contrast-normal"' in page
    assert "标准字号" in page  # the toggle now offers the way back


def test_high_contrast_keeps_the_text_size(client, home_page):
    client.get("/reading-mode/", {"text": "large"})
    response = client.get("/reading-mode/", {"contrast": "high"})
    assert response.cookies["reading"].value == "large-high"


@pytest.mark.parametrize("next_url", ["https://evil.example.com/", "//evil.example.com/x", "javascript:alert(1)"])
def test_never_redirects_to_another_site(client, home_page, next_url):
    response = client.get("/reading-mode/", {"contrast": "high", "next": next_url})
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_tampered_cookie_falls_back_to_normal(client, home_page):
    client.cookies["reading"] = "huge-<script>"
    html = client.get("/").content.decode()
    assert 'class="text-normal contrast-normal"' in html
    assert '<script>"' not in html


def test_unknown_values_are_ignored(client, home_page):
    response = client.get("/reading-mode/", {"text": "gigantic", "contrast": "neon"})
    assert response.cookies["reading"].value == "normal-normal"
