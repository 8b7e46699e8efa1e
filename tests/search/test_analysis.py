"""Unit tests of the Chinese text analysis used by the database search backends."""

import pytest

from search.chinese import (
    QueryTerm,
    analyse_phrase,
    analyse_query,
    analyse_word,
    index_text,
    split_words,
)

# index_text: what goes into the search index


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        pytest.param("燃气安全", ["燃气", "气安", "安全", "全"], id="bigrams-and-tail"),
        pytest.param("燃气", ["燃气", "气"], id="two-chars"),
        pytest.param("火", ["火"], id="single-char-is-not-doubled"),
        pytest.param("拨打119报警", ["拨打", "打", "119", "报警", "警"], id="latin-between-runs"),
        pytest.param("PM2.5和颗粒物", ["PM2.5", "和颗", "颗粒", "粒物", "物"], id="latin-kept-whole"),
        pytest.param("Fire safety", ["Fire", "safety"], id="latin-untouched"),
        pytest.param("\U00020000\U00020001", ["\U00020000\U00020001", "\U00020001"], id="cjk-extension-b"),
    ],
)
def test_index_text_turns_chinese_runs_into_bigrams(text, tokens):
    assert index_text(text).split() == tokens


def test_index_text_never_joins_characters_across_punctuation():
    tokens = index_text("人人讲安全、个个会应急").split()
    assert "全个" not in tokens
    assert [t for t in tokens if t != "、"] == [
        "人人",
        "人讲",
        "讲安",
        "安全",
        "全",
        "个个",
        "个会",
        "会应",
        "应急",
        "急",
    ]


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        pytest.param("ＰＭ２.５", "PM2.5", id="full-width-latin-and-digits"),
        pytest.param("１１９", "119", id="full-width-digits"),
    ],
)
def test_index_text_folds_full_width_forms(text, folded):
    assert index_text(text) == folded


# split_words: where a query is cut into words


@pytest.mark.parametrize(
    ("query", "words"),
    [
        pytest.param("安全帽 施工", ["安全帽", "施工"], id="space"),
        pytest.param("安全帽\u3000施工", ["安全帽", "施工"], id="ideographic-space"),
        pytest.param("人人讲安全、个个会应急", ["人人讲安全", "个个会应急"], id="dunhao"),
        pytest.param("“一盔一带”。", ["一盔一带"], id="chinese-quotes-and-full-stop"),
        pytest.param("《安全生产法》", ["安全生产法"], id="book-title-marks"),
        pytest.param('"燃气 安全"', ["燃气", "安全"], id="ascii-double-quotes"),
        pytest.param("PM2.5 12-3", ["PM2.5", "12-3"], id="ascii-punctuation-inside-a-word-is-kept"),
        pytest.param("  ", [], id="blank"),
    ],
)
def test_split_words(query, words):
    assert list(split_words(query)) == words


@pytest.mark.parametrize("separator", ["，", "？", "！", "：", "；"])
def test_full_width_punctuation_separates_words(separator):
    assert list(split_words(f"燃气{separator}泄漏")) == ["燃气", "泄漏"]


# analyse_query / analyse_word: what the backends search for


@pytest.mark.parametrize(
    ("query", "terms"),
    [
        pytest.param("燃气", [QueryTerm("燃气")], id="two-chars"),
        # The last run of a word may continue in the document, so no tail token is required.
        pytest.param("燃气安全", [QueryTerm("燃气 气安 安全")], id="bigram-phrase-without-tail"),
        pytest.param("燃", [QueryTerm("燃", prefix=True)], id="single-char-is-prefix"),
        pytest.param(
            "燃 气", [QueryTerm("燃", prefix=True), QueryTerm("气", prefix=True)], id="single-char-words-are-prefixes"
        ),
        # A run followed by Latin text ends there, so its tail token is part of the phrase.
        pytest.param("拨打119", [QueryTerm("拨打 打 119")], id="chinese-then-digits"),
        pytest.param("119", [QueryTerm("119")], id="digits"),
        pytest.param("ＰＭ２.５", [QueryTerm("PM2.5")], id="full-width"),
        pytest.param("2026年", [QueryTerm("2026 年", prefix=True)], id="digits-then-single-char"),
        pytest.param("安全帽 施工", [QueryTerm("安全 全帽"), QueryTerm("施工")], id="two-words"),
        pytest.param("安全、应急", [QueryTerm("安全"), QueryTerm("应急")], id="dunhao-splits"),
        pytest.param('"燃气"', [QueryTerm("燃气")], id="quoted-word"),
    ],
)
def test_analyse_query(query, terms):
    assert analyse_query(query) == terms


@pytest.mark.parametrize(
    "query",
    [
        pytest.param("", id="empty"),
        pytest.param('"""', id="double-quotes"),
        pytest.param("'", id="apostrophe"),
        pytest.param("\\", id="backslash"),
        pytest.param("!!!", id="exclamation-marks"),
        pytest.param("、。“”《》…", id="chinese-punctuation"),
        pytest.param("- . -", id="ascii-punctuation-words"),
    ],
)
def test_query_of_only_punctuation_or_quotes_has_no_terms(query):
    assert analyse_query(query) == []


def test_analyse_word_returns_none_when_nothing_can_match():
    assert analyse_word("!?") is None
    assert analyse_word("安全") == QueryTerm("安全")


def test_analyse_phrase_keeps_word_order_across_words():
    assert analyse_phrase("燃气 安全") == "燃气 安全"
    assert analyse_phrase("燃气安全") == "燃气 气安 安全"
    assert analyse_phrase("!!!") == ""
