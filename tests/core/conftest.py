"""Pages of our own for the embedding and oEmbed tests (never the demo's)."""

import pytest

from home.factories import ArticlePageFactory, ColumnIndexPageFactory


@pytest.fixture
def own_column(home_page):
    return ColumnIndexPageFactory(parent=home_page, title="媒体合作专栏")


@pytest.fixture
def own_article(own_column):
    return ArticlePageFactory(parent=own_column, title="夏季防汛安全提示")
