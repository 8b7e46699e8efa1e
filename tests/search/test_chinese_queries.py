"""Chinese queries over the demo content, each with the exact set of articles a reader should get.

Expected sets were worked out by reading home/demo/articles.py (and the archived article in
home/demo/loader.py): an article matches a Chinese word when the word occurs, unbroken by
punctuation, in its title, summary, paragraphs, knowledge card, quote, table, ``source`` or one of
its topic names. Words separated by spaces or Chinese punctuation must all match (AND).
"""

import pytest
from wagtail.models import Page

from home.models import ArticlePage

from .expected import GAS, PUNCTUATION_ONLY_QUERIES

FIRE_119 = {
    "crowded-places-fire-inspection",
    "e-bike-charging-fire-safety",
    "hazardous-chemicals-sds-and-labels",
    "household-gas-leak-response",
    "safety-into-campus-evacuation-drill",
}
SAFETY_AND_EMERGENCY = {
    "2025-safety-month-review",
    "2026-safety-month-launch",
    "civil-explosives-storage-inspection",
    "crowded-places-fire-inspection",
    "fireworks-warehouse-retail-inspection",
    "hazardous-chemicals-sds-and-labels",
    "hazmat-transport-vehicle-checks",
    "non-coal-mines-roof-check",
    "restaurant-lpg-cylinder-safety",
    "safety-consultation-day-city-square",
    "safety-into-campus-evacuation-drill",
    "safety-into-enterprises-expert-checks",
    "safety-knowledge-answer-sheet-contest",
    "safety-production-licence-service",
    "safety-speech-contest-final",
    "school-laboratory-chemicals-safety",
    "work-safety-law-worker-rights",
}
GAS_LEAK = {"household-gas-leak-response", "restaurant-lpg-cylinder-safety", "safety-into-community-gas-check"}
THEME = {"2026-safety-month-launch", "safety-speech-contest-final"}

ARTICLE_QUERIES = [
    # Two-character words.
    pytest.param("燃气", GAS, id="gas"),
    pytest.param(
        "消防",
        {
            "2026-safety-month-launch",
            "crowded-places-fire-inspection",
            "e-bike-charging-fire-safety",
            "fireworks-warehouse-retail-inspection",
            "hazardous-chemicals-sds-and-labels",
            "restaurant-lpg-cylinder-safety",
            "safety-consultation-day-city-square",
            "safety-into-campus-evacuation-drill",
            "safety-into-community-gas-check",
            "safety-knowledge-answer-sheet-contest",
            "school-laboratory-chemicals-safety",
        },
        id="fire-protection",
    ),
    pytest.param("雷管", {"civil-explosives-storage-inspection", "suspicious-explosives-report-110"}, id="detonator"),
    pytest.param(
        "矿山",
        {
            "2026-safety-month-launch",
            "civil-explosives-storage-inspection",
            "non-coal-mines-roof-check",
            "open-pit-quarry-slope-rectification",
            "responsibility-letters-96-units",
            "safety-production-licence-service",
        },
        id="mine",
    ),
    pytest.param("头盔", {"helmet-and-seatbelt-campaign"}, id="helmet"),
    pytest.param("钢瓶", {"restaurant-lpg-cylinder-safety"}, id="cylinder"),
    pytest.param(
        "疏散",
        {
            "crowded-places-fire-inspection",
            "e-bike-charging-fire-safety",
            "hazmat-transport-vehicle-checks",
            "safety-into-campus-evacuation-drill",
            "safety-speech-contest-final",
        },
        id="evacuate",
    ),
    # A bigram from the middle of a longer word: 燃气安全, 用气安全.
    pytest.param("气安", {"restaurant-lpg-cylinder-safety", "safety-into-community-gas-check"}, id="inner-bigram"),
    # Longer words.
    pytest.param("燃气安全", {"restaurant-lpg-cylinder-safety", "safety-into-community-gas-check"}, id="gas-safety"),
    pytest.param("燃气泄漏", GAS_LEAK, id="gas-leak"),
    pytest.param("安全生产许可证", {"safety-production-licence-service"}, id="licence"),
    pytest.param("电动自行车", {"e-bike-charging-fire-safety", "helmet-and-seatbelt-campaign"}, id="e-bike"),
    pytest.param("敲帮问顶", {"non-coal-mines-roof-check"}, id="roof-check"),
    pytest.param("心肺复苏", {"safety-consultation-day-city-square"}, id="cpr"),
    pytest.param("液化石油气", {"household-gas-leak-response", "restaurant-lpg-cylinder-safety"}, id="lpg"),
    pytest.param(
        "人员密集场所",
        {
            "2026-safety-month-launch",
            "crowded-places-fire-inspection",
            "e-bike-charging-fire-safety",
            "safety-into-campus-evacuation-drill",
        },
        id="crowded-places",
    ),
    pytest.param("一抓到底", {"2025-safety-month-review", "safety-into-enterprises-expert-checks"}, id="archived-too"),
    # Only in a topic name (民爆器材) or only in ``source`` (莱西融媒) for some of these articles.
    pytest.param(
        "民爆器材",
        {"2026-safety-month-launch", "civil-explosives-storage-inspection", "suspicious-explosives-report-110"},
        id="topic-name",
    ),
    pytest.param(
        "莱西融媒",
        {
            "open-pit-quarry-slope-rectification",
            "safety-consultation-day-city-square",
            "safety-into-community-gas-check",
        },
        id="source",
    ),
    # Words with punctuation around or between them: punctuation splits the query into AND-ed words.
    pytest.param("人人讲安全、个个会应急", THEME, id="theme-with-dunhao"),
    pytest.param("个个会应急", THEME, id="theme-second-half"),
    pytest.param("安全、应急", SAFETY_AND_EMERGENCY, id="two-words-dunhao"),
    pytest.param("安全 应急", SAFETY_AND_EMERGENCY, id="two-words-space"),
    pytest.param("谁检查、谁督促", {"2025-safety-month-review", "safety-into-enterprises-expert-checks"}, id="clauses"),
    pytest.param(
        "《安全生产法》",
        {
            "safety-into-enterprises-expert-checks",
            "safety-knowledge-answer-sheet-contest",
            "work-safety-law-worker-rights",
            "responsibility-letters-96-units",
        },
        id="book-title-marks",
    ),
    pytest.param("“一盔一带”", {"helmet-and-seatbelt-campaign", "safety-consultation-day-city-square"}, id="quotes"),
    # Mixed Chinese and Latin, full-width forms.
    pytest.param("PM2.5", {"construction-dust-control-pm25"}, id="pm25"),
    pytest.param("pm2.5", {"construction-dust-control-pm25"}, id="pm25-lowercase"),
    pytest.param("ＰＭ２.５", {"construction-dust-control-pm25"}, id="pm25-full-width"),
    pytest.param("MSDS", {"hazardous-chemicals-sds-and-labels"}, id="latin-word"),
    pytest.param("119", FIRE_119 | {"hazmat-transport-vehicle-checks"}, id="119"),
    pytest.param("１１９", FIRE_119 | {"hazmat-transport-vehicle-checks"}, id="119-full-width"),
    # 拨打110、119报警: the hazmat article never has 拨打 right before 119.
    pytest.param("拨打119", FIRE_119, id="dial-119"),
    pytest.param(
        "拨打110",
        {"fireworks-no-discharge-zones", "hazmat-transport-vehicle-checks", "suspicious-explosives-report-110"},
        id="dial-110",
    ),
    pytest.param(
        "12350",
        {"2026-safety-month-launch", "safety-consultation-day-city-square", "work-safety-law-worker-rights"},
        id="hotline",
    ),
    pytest.param("12350举报", {"2026-safety-month-launch", "work-safety-law-worker-rights"}, id="hotline-then-chinese"),
    pytest.param("2026年", {"2026-safety-month-launch", "safety-knowledge-answer-sheet-contest"}, id="year"),
    pytest.param("1.2万", {"safety-consultation-day-city-square"}, id="decimal-then-chinese"),
    # Several words: all must match.
    pytest.param("安全帽", {"construction-site-fall-prevention", "non-coal-mines-roof-check"}, id="hard-hat"),
    pytest.param("安全帽 施工", {"construction-site-fall-prevention"}, id="hard-hat-and-construction"),
    pytest.param("安全帽\u3000施工", {"construction-site-fall-prevention"}, id="ideographic-space"),
    pytest.param(
        "燃气 报警器",
        {"household-gas-leak-response", "restaurant-lpg-cylinder-safety", "safety-consultation-day-city-square"},
        id="gas-and-alarm",
    ),
    pytest.param(
        "消防 学生",
        {
            "2026-safety-month-launch",
            "safety-into-campus-evacuation-drill",
            "safety-knowledge-answer-sheet-contest",
            "school-laboratory-chemicals-safety",
        },
        id="fire-and-students",
    ),
    pytest.param("PM2.5、扬尘", {"construction-dust-control-pm25"}, id="latin-and-chinese-words"),
    # Single characters match wherever the character occurs.
    pytest.param(
        "雷",
        {
            "civil-explosives-storage-inspection",
            "fireworks-warehouse-retail-inspection",
            "suspicious-explosives-report-110",
        },
        id="single-char-lei",
    ),
    pytest.param("坠", {"construction-site-fall-prevention"}, id="single-char-zhui"),
    # Nothing to find.
    pytest.param("地震", set(), id="earthquake"),
    pytest.param("台风", set(), id="typhoon"),
    pytest.param("溺水", set(), id="drowning"),
    # 安全、个个 and 《安全生产法》中: these characters are only adjacent once the punctuation is removed.
    pytest.param("全个", set(), id="bigram-across-dunhao"),
    pytest.param("法中", set(), id="bigram-across-book-title-mark"),
    pytest.param("燃气 地震", set(), id="one-word-missing"),
    # Known bugs, see the reasons.
    pytest.param(
        "燃气，泄漏",
        GAS_LEAK,
        id="full-width-comma",
    ),
    pytest.param(
        "燃气泄漏？",
        GAS_LEAK,
        id="trailing-question-mark",
    ),
    pytest.param(
        "6月1日",
        {"2026-safety-month-launch", "safety-knowledge-answer-sheet-contest"},
        id="date",
    ),
]


def slugs(results):
    return {page.slug for page in results}


@pytest.mark.parametrize(("query", "expected"), ARTICLE_QUERIES)
def test_article_search_finds_exactly_the_matching_articles(db, query, expected):
    assert slugs(ArticlePage.objects.live().search(query)) == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        pytest.param("燃气", GAS, id="only-articles-have-it"),
        pytest.param(
            "专栏", {"safety-month-2026", "safety-month-2025", "2026-safety-month-launch"}, id="column-titles"
        ),
        pytest.param("个个会应急", THEME | {"safety-month-2026"}, id="column-intro-with-punctuation"),
        pytest.param("历史专题", {"safety-month-2025"}, id="archived-column-intro"),
        pytest.param("平台", {"outreach-home"}, id="home-title"),
        pytest.param("地震", set(), id="nothing"),
    ],
)
def test_page_search_covers_every_page_type(db, query, expected):
    assert slugs(Page.objects.live().search(query)) == expected


def test_words_are_and_ed_not_or_ed(db):
    hard_hat = slugs(ArticlePage.objects.live().search("安全帽"))
    construction = slugs(ArticlePage.objects.live().search("施工"))
    both = slugs(ArticlePage.objects.live().search("安全帽 施工"))
    assert both == hard_hat & construction
    assert both < hard_hat < hard_hat | construction


@pytest.mark.parametrize(
    ("prefix", "expected"),
    [
        pytest.param(
            "燃",
            {"fireworks-no-discharge-zones", "household-gas-leak-response", "safety-into-community-gas-check"},
            id="one-char",
        ),
        pytest.param("燃气", {"household-gas-leak-response", "safety-into-community-gas-check"}, id="two-chars"),
        pytest.param("电动", {"e-bike-charging-fire-safety"}, id="start-of-title-word"),
        pytest.param(
            "安全生",
            {
                "outreach-home",
                "safety-month-2026",
                "safety-month-2025",
                "2025-safety-month-review",
                "2026-safety-month-launch",
                "responsibility-letters-96-units",
                "safety-production-licence-service",
                "safety-speech-contest-final",
                "work-safety-law-worker-rights",
            },
            id="three-chars",
        ),
    ],
)
def test_admin_autocomplete_finds_titles_by_chinese_prefix(db, prefix, expected):
    # The admin's page chooser and search box autocomplete on titles only.
    assert slugs(Page.objects.live().autocomplete(prefix)) == expected


@pytest.mark.parametrize("query", PUNCTUATION_ONLY_QUERIES)
def test_query_of_only_punctuation_finds_nothing_without_error(db, query):
    assert list(ArticlePage.objects.live().search(query)) == []
    assert list(Page.objects.live().autocomplete(query)) == []
