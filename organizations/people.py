"""Who counts as the same person within a unit, so a rate counts people rather than sheets or cookies.

A person is their unit, class (for students), name and, where it was asked, phone number. The same
child may type 张三 on one phone and “张 三” or ＺＨＡＮＧ on another, so every part is normalised
before it is compared. The ledger stores only ``person_key``'s digest, never the name itself.
"""

import hashlib
import json
import unicodedata

# Dots people put inside names of several parts (阿依古丽·买买提): the Chinese middle dot, its look-
# alikes on phone keyboards, and the full stop typed instead.
NAME_DOTS = str.maketrans(dict.fromkeys("·・•‧∙⋅.", "·"))
# Separators and spaces (Z*), control characters such as NUL (Cc) and invisible format characters
# such as the zero-width space and the byte-order mark (Cf): none of them changes who is meant.
DROPPED_CATEGORIES = ("Z", "Cc", "Cf")


def normalise_name(name: str) -> str:
    """``name`` as compared between sheets: NFKC (full-width letters and digits become ASCII),
    without whitespace or invisible characters, case-folded (Unicode's NFKC_Casefold), with one
    kind of middle dot."""
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", name).casefold())
    kept = (char for char in folded if not unicodedata.category(char).startswith(DROPPED_CATEGORIES))
    return "".join(kept).translate(NAME_DOTS)


def person_key(*, unit_id: int, name: str, class_name: str = "", phone: str = "") -> str:
    """A stable hex digest (SHA-256) for one person of one unit. Parts are joined as a JSON list, so
    no name or class containing a separator can make two different people collide. A name that
    normalises to nothing still gives a key: such sheets count as one person of their unit and class."""
    parts = [int(unit_id), normalise_name(class_name), normalise_name(name), normalise_name(phone)]
    return hashlib.sha256(json.dumps(parts, ensure_ascii=False).encode()).hexdigest()
