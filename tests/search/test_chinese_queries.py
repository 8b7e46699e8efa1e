"""Chinese queries over the search corpus (tests/search/corpus.py), each with the exact set of
corpus articles a reader should get.

An article matches a Chinese word when the word occurs, unbroken by punctuation, in its title,
summary, paragraphs, knowledge card, quote, table, ``source`` or one of its topic names. Words
separated by spaces or Chinese punctuation must all match (AND). Searches are restricted to the
corpus, so demo content never changes what they find.
"""

import pytest
from wagtail.models import Page

from .corpus import GAS, PUNCTUATION_ONLY_QUERIES

FIRE = {"launch", "contest", "campus-drill", "crowded-places", "ebike"}
FIRE_119 = {"gas-leak", "campus-drill", "crowded-places", "ebike", "chemicals"}
GAS_LEAK = {"gas-leak", "lpg-restaurant"}
GAS_AND_LEAK = GAS_LEAK | {"gas-check"}  # 燃气 and 泄漏 anywhere, not necessarily together
SAFETY_AND_EMERGENCY = {"launch", "consult-day", "chemicals", "speech-final"}  # hazmat has 应急 only
CHECKS = {"expert-checks", "review-2025"}

ARTICLE_QUERIES = [
    # Two-character words.
    pytest.param("燃气", GAS, id="gas"),
    pytest.param("消防", FIRE, id="fire-protection"),
    pytest.param("雷管", {"explosives-storage", "explosives-report"}, id="detonator"),
    pytest.param("矿山", {"launch", "mine-roof", "quarry", "licence"}, id="mine"),
    pytest.param("头盔", {"helmet"}, id="helmet"),
    pytest.param("钢瓶", {"lpg-restaurant"}, id="cylinder"),
    pytest.param("疏散", {"campus-drill", "crowded-places", "ebike"}, id="evacuate"),
    # A bigram from the middle of a longer word: 燃气安全, 用气安全.
    pytest.param("气安", {"gas-check", "lpg-restaurant"}, id="inner-bigram"),
    # Longer words.
    pytest.param("燃气安全", {"gas-check"}, id="gas-safety"),
    pytest.param("燃气泄漏", GAS_LEAK, id="gas-leak"),
    pytest.param("安全生产许可证", {"licence"}, id="licence"),
    pytest.param("电动自行车", {"ebike", "helmet"}, id="e-bike"),
    pytest.param("敲帮问顶", {"mine-roof"}, id="roof-check"),
    pytest.param("心肺复苏", {"consult-day"}, id="cpr"),
    pytest.param("液化石油气", {"gas-leak", "lpg-restaurant"}, id="lpg"),
    pytest.param("人员密集场所", {"launch", "campus-drill", "crowded-places"}, id="crowded-places"),
    pytest.param("一抓到底", CHECKS, id="archived-too"),
    # Only in a topic name (民爆器材), only in ``source`` (莱西融媒), only in one kind of block.
    pytest.param("民爆器材", {"explosives-storage", "explosives-report"}, id="topic-name"),
    pytest.param("莱西融媒", {"consult-day", "quarry"}, id="source"),
    pytest.param("积聚", {"gas-leak"}, id="knowledge-card-only"),
    pytest.param("泰山", {"launch"}, id="quote-only"),
    pytest.param("角阀", {"lpg-restaurant"}, id="table-cell-only"),
    # Words with punctuation around or between them: punctuation splits the query into AND-ed words.
    pytest.param("人人讲安全、个个会应急", {"launch"}, id="theme-with-dunhao"),
    pytest.param("个个会应急", {"launch", "speech-final"}, id="theme-second-half"),
    pytest.param("安全、应急", SAFETY_AND_EMERGENCY, id="two-words-dunhao"),
    pytest.param("安全 应急", SAFETY_AND_EMERGENCY, id="two-words-space"),
    pytest.param("谁检查、谁督促", CHECKS, id="clauses"),
    pytest.param("《安全生产法》", {"law-rights", "expert-checks"}, id="book-title-marks"),
    pytest.param("“一盔一带”", {"helmet", "consult-day"}, id="quotes"),
    # Mixed Chinese and Latin, full-width forms.
    pytest.param("PM2.5", {"dust"}, id="pm25"),
    pytest.param("pm2.5", {"dust"}, id="pm25-lowercase"),
    pytest.param("ＰＭ２.５", {"dust"}, id="pm25-full-width"),
    pytest.param("MSDS", {"chemicals"}, id="latin-word"),
    pytest.param("119", FIRE_119 | {"hazmat"}, id="119"),
    pytest.param("１１９", FIRE_119 | {"hazmat"}, id="119-full-width"),
    # 拨打110、119报警: the hazmat article never has 拨打 right before 119.
    pytest.param("拨打119", FIRE_119, id="dial-119"),
    pytest.param("拨打110", {"hazmat", "explosives-report", "fireworks-zones"}, id="dial-110"),
    pytest.param("12350", {"launch", "consult-day", "law-rights"}, id="hotline"),
    pytest.param("12350举报", {"launch", "law-rights"}, id="hotline-then-chinese"),
    pytest.param("2026年", {"launch", "contest"}, id="year"),
    pytest.param("1.2万", {"consult-day"}, id="decimal-then-chinese"),
    # Several words: all must match.
    pytest.param("安全帽", {"construction-fall", "mine-roof"}, id="hard-hat"),
    pytest.param("安全帽 施工", {"construction-fall"}, id="hard-hat-and-construction"),
    pytest.param("安全帽\u3000施工", {"construction-fall"}, id="ideographic-space"),
    pytest.param("燃气 报警器", {"gas-check", "gas-leak", "lpg-restaurant", "consult-day"}, id="gas-and-alarm"),
    pytest.param("消防 学生", {"contest", "campus-drill"}, id="fire-and-students"),
    pytest.param("PM2.5、扬尘", {"dust"}, id="latin-and-chinese-words"),
    # Single characters match wherever the character occurs: 雷管, 避雷设施, 防雷.
    pytest.param(
        "雷", {"explosives-storage", "explosives-report", "fireworks-zones", "chemicals"}, id="single-char-lei"
    ),
    pytest.param("坠", {"construction-fall"}, id="single-char-zhui"),
    # Nothing to find.
    pytest.param("地震", set(), id="earthquake"),
    pytest.param("台风", set(), id="typhoon"),
    pytest.param("溺水", set(), id="drowning"),
    # 安全、个个 and 《安全生产法》中: these characters are only adjacent once the punctuation is removed.
    pytest.param("全个", set(), id="bigram-across-dunhao"),
    pytest.param("法中", set(), id="bigram-across-book-title-mark"),
    pytest.param("燃气 地震", set(), id="one-word-missing"),
    # Full-width punctuation splits words; trailing punctuation is dropped; 6月1日 is not 6月10日.
    pytest.param("燃气，泄漏", GAS_AND_LEAK, id="full-width-comma"),
    pytest.param("燃气泄漏？", GAS_LEAK, id="trailing-question-mark"),
    pytest.param("6月1日", {"launch", "contest"}, id="date"),
]


def slugs(results):
    return {page.slug for page in results}


@pytest.mark.parametrize(("query", "expected"), ARTICLE_QUERIES)
def test_article_search_finds_exactly_the_matching_articles(corpus, db, query, expected):
    assert slugs(corpus.articles().search(query)) == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        pytest.param("燃气", GAS, id="only-articles-have-it"),
        pytest.param("专栏", {"corpus-2026", "corpus-2025", "launch"}, id="column-titles"),
        pytest.param("个个会应急", {"launch", "speech-final", "corpus-2026"}, id="column-intro-with-punctuation"),
        pytest.param("历史专题", {"corpus-2025"}, id="archived-column-intro"),
        pytest.param("平台", {"corpus-home"}, id="home-title"),
        pytest.param("地震", set(), id="nothing"),
    ],
)
def test_page_search_covers_every_page_type(corpus, db, query, expected):
    assert slugs(corpus.pages().search(query)) == expected


def test_words_are_and_ed_not_or_ed(corpus, db):
    hard_hat = slugs(corpus.articles().search("安全帽"))
    construction = slugs(corpus.articles().search("施工"))
    both = slugs(corpus.articles().search("安全帽 施工"))
    assert both == hard_hat & construction
    assert both < hard_hat < hard_hat | construction
    assert both < construction < hard_hat | construction


@pytest.mark.parametrize(
    ("prefix", "expected"),
    [
        # 燃放 starts with 燃 too; lpg-restaurant has 燃气 only outside its title.
        pytest.param("燃", {"fireworks-zones", "gas-check", "gas-leak"}, id="one-char"),
        pytest.param("燃气", {"gas-check", "gas-leak"}, id="two-chars"),
        # helmet has 电动自行车 only outside its title.
        pytest.param("电动", {"ebike"}, id="start-of-title-word"),
        pytest.param(
            "安全生",
            {
                "corpus-home",
                "corpus-2026",
                "corpus-2025",
                "launch",
                "licence",
                "law-rights",
                "speech-final",
                "review-2025",
            },
            id="three-chars",
        ),
    ],
)
def test_admin_autocomplete_finds_titles_by_chinese_prefix(corpus, db, prefix, expected):
    # The admin's page chooser and search box autocomplete on titles only.
    assert slugs(corpus.pages().autocomplete(prefix)) == expected


@pytest.mark.parametrize("query", PUNCTUATION_ONLY_QUERIES)
def test_query_of_only_punctuation_finds_nothing_without_error(corpus, db, query):
    # Nothing in the whole index, demo content included, whatever it holds.
    assert list(Page.objects.live().search(query)) == []
    assert list(Page.objects.live().autocomplete(query)) == []
    assert list(corpus.articles().search(query)) == []
