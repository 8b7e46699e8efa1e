from home.models import ArticlePage


def test_two_character_chinese_word_finds_articles(db):
    titles = [page.title for page in ArticlePage.objects.live().search("燃气")]
    assert titles, "燃气 should match the gas-safety articles"
    assert all(isinstance(t, str) for t in titles)
