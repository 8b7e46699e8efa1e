"""The demo's search synonyms: words residents type and the words the articles use. Safe to run
repeatedly: a term that already has synonyms (perhaps edited by staff) is left as it is."""

from django.db import transaction

from .models import SearchSynonym

DEMO_SYNONYMS = [
    ("电动车", "电动自行车"),
    ("电瓶车", "电动自行车"),
    ("煤气", "燃气"),
    ("天然气", "燃气"),
    ("液化气", "液化石油气、燃气"),
    ("119", "消防、火灾"),
    ("火警", "119、消防"),
    ("安全法", "安全生产法"),
    ("放鞭炮", "烟花爆竹"),
]


@transaction.atomic
def load_demo_synonyms():
    """Create the demo synonyms that are missing. Returns how many were created."""
    existing = set(SearchSynonym.objects.values_list("term", flat=True))
    created = 0
    for term, equivalents in DEMO_SYNONYMS:
        if term in existing:
            continue
        synonym = SearchSynonym(term=term, equivalents=equivalents)
        synonym.full_clean()
        synonym.save()
        created += 1
    return created
