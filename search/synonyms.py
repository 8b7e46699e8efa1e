"""Staff-edited synonyms (``SearchSynonym``), applied to queries by every search backend.

Query-time expansion rather than an index-time synonym filter: a synonym saved in the admin works
at the next search, on the database backends and on Elasticsearch alike, without re-indexing.

Chinese is written without spaces, so a term is found inside a query word (电动车充电 contains
电动车) and replaced there (电动自行车充电). A term that is not Chinese (119, PM2.5) only matches as a
whole: 119 is not found in 1190.
"""

import re

from django.apps import apps
from django.core.cache import cache

from .chinese import is_chinese

CACHE_KEY = "search:synonyms"
# Alternatives tried for one query word (itself included): enough for a term with a few
# equivalents, few enough that a query stays cheap however many terms it contains.
MAX_ALTERNATIVES = 6
_LATIN_EDGE = "A-Za-z0-9"


def synonym_map():
    """``{term: (equivalent, …)}`` for every synonym, from the cache (cleared when one is saved)."""
    mapping = cache.get(CACHE_KEY)
    if mapping is None:
        SearchSynonym = apps.get_model("site_search", "SearchSynonym")
        mapping = {synonym.term: tuple(synonym.equivalent_list) for synonym in SearchSynonym.objects.all()}
        cache.set(CACHE_KEY, mapping, None)
    return mapping


def invalidate_synonyms(**kwargs):
    cache.delete(CACHE_KEY)


def _term_pattern(term):
    if is_chinese(term):
        return re.escape(term)
    return f"(?<![{_LATIN_EDGE}]){re.escape(term)}(?![{_LATIN_EDGE}])"


def _pattern(mapping):
    if not mapping:
        return None
    # Longest first, so 电动自行车 is matched before 电动车 would be within it.
    terms = sorted(mapping, key=len, reverse=True)
    return re.compile("|".join(_term_pattern(term) for term in terms), re.IGNORECASE)


def expand_word(word, mapping=None):
    """``word`` and the words made from it by putting an equivalent in place of a term it contains."""
    mapping = synonym_map() if mapping is None else mapping
    pattern = _pattern(mapping)
    alternatives = [word]
    if pattern is None:
        return alternatives
    for match in pattern.finditer(word):
        for equivalent in mapping[match.group().lower()]:
            alternative = word[: match.start()] + equivalent + word[match.end() :]
            if alternative not in alternatives:
                alternatives.append(alternative)
            if len(alternatives) >= MAX_ALTERNATIVES:
                return alternatives
    return alternatives
