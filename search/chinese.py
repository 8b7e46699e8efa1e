"""Chinese text analysis for the database search backends.

Wagtail's database backends split text on spaces and punctuation, so a run of Chinese characters
such as 燃气安全 becomes one token and a search for 燃气 finds nothing. Like Elasticsearch's
``cjk`` analyzer we index overlapping character bigrams instead (燃气 气安 安全), and turn each
Chinese query word into the phrase of its bigrams, so 燃气 matches 燃气安全 and 气安全 still
needs the characters to be adjacent.

Each run also ends with its last character alone (燃气 气安 安全 全). That makes every character
the start of some token, so a one-character query can be a prefix match (全*), and a run
followed by Latin text inside one query word (拨打119) can be matched as a phrase.
"""

import re
import unicodedata
from dataclasses import dataclass

# CJK Unified Ideographs with extension A, compatibility ideographs and extensions B onwards.
_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_CJK_RUN = re.compile(f"[{_CJK}]+")
_QUERY_PIECES = re.compile(f"[{_CJK}]+|[^{_CJK}]+")
_WORD = re.compile(r"\w")
_LATIN_WORD = re.compile(r"[^\W_]+")


def is_chinese(text):
    """Whether ``text`` is Chinese characters only."""
    return bool(_CJK_RUN.fullmatch(text))


def overlap_units(text):
    """What two searches can share, to judge whether one is near the other: the bigrams of each
    Chinese run (a lone character as itself) and each Latin or digit word, lowercased."""
    units = set()
    for piece in _QUERY_PIECES.findall(_normalise(text).lower()):
        if _CJK_RUN.fullmatch(piece):
            units.update(_run_tokens(piece, with_tail=False))
        else:
            units.update(_LATIN_WORD.findall(piece))
    return units


def _normalise(text):
    # NFKC folds full-width Latin and digits (ＰＭ２.５, １１９) into their ASCII forms.
    return unicodedata.normalize("NFKC", text)


def _run_tokens(run, *, with_tail):
    if len(run) == 1:
        return [run]
    tokens = [run[i : i + 2] for i in range(len(run) - 1)]
    if with_tail:
        tokens.append(run[-1])
    return tokens


def index_text(text):
    """The text to hand to the database's own tokenizer, with Chinese runs as bigrams."""
    return _CJK_RUN.sub(lambda m: " " + " ".join(_run_tokens(m.group(), with_tail=True)) + " ", _normalise(text))


@dataclass(frozen=True)
class QueryTerm:
    """One query word, ready for the backend: space-separated tokens matched as a phrase."""

    text: str
    prefix: bool = False


def _is_separator(char):
    # Spaces and non-ASCII punctuation (，。、“” …) separate query words; ASCII punctuation inside
    # a word (PM2.5, 12-3) is left to the database tokenizer. The double quote is syntax in FTS5.
    # Control, format and unassigned characters (NUL ends an FTS5 string; PostgreSQL refuses it in
    # any text) can only separate, never be searched for.
    return (
        char.isspace()
        or char == '"'
        or unicodedata.category(char)[0] == "C"
        or (ord(char) > 127 and unicodedata.category(char)[0] in "PSZ")
    )


def split_words(query_string):
    """The words of a query. Separators are found before NFKC folding, which would turn
    full-width ，？！ into ASCII punctuation that no longer separates."""
    word = []
    for char in query_string:
        if _is_separator(char):
            if word:
                yield _normalise("".join(word))
            word = []
        else:
            word.append(char)
    if word:
        yield _normalise("".join(word))


def analyse_word(word):
    """Turn one query word into a QueryTerm, or None if nothing in it can match."""
    # Pieces with nothing to match (trailing "?", "...") must not make a Chinese run look non-final.
    pieces = [piece for piece in _QUERY_PIECES.findall(word) if _WORD.search(piece)]
    tokens = []
    prefix = False
    for position, piece in enumerate(pieces):
        is_last = position == len(pieces) - 1
        if _CJK_RUN.fullmatch(piece):
            # A run inside the word is followed by Latin text, so it ends there in the document too
            # and its tail token is present; a run at the end of the word may continue.
            tokens.extend(_run_tokens(piece, with_tail=not is_last))
            prefix = is_last and len(piece) == 1
        else:
            tokens.append(piece.strip())
    if not tokens:
        return None
    return QueryTerm(" ".join(tokens), prefix=prefix)


def analyse_query(query_string):
    """Query words of a plain-text search, in order, skipping those that cannot match."""
    return [term for term in map(analyse_word, split_words(query_string)) if term is not None]


def analyse_phrase(phrase):
    """A quoted phrase: its words' tokens joined, so the phrase keeps word order."""
    return " ".join(term.text for term in analyse_query(phrase))
