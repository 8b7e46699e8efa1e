"""Who counts as the same person within a unit, so a rate counts people rather than sheets or cookies.

A person is their unit, class (for students), name and, where it was asked, phone number. The same
child may type 张三 on one phone and “张 三” or ＺＨＡＮＧ on another, so every part is normalised
before it is compared. The ledger stores only ``person_key``'s digest, never the name itself, and
the digest is keyed (HMAC with ``PERSON_KEY_SECRET``): names, classes and phones are guessable, so a
plain hash would let anyone holding the database test whether 张三 of 三年级一班 took part.
"""

import hmac
import json
import re
import unicodedata

from django.conf import settings
from django.utils.crypto import salted_hmac

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


def person_key_secret() -> bytes:
    """``PERSON_KEY_SECRET``, else ``SECRET_KEY`` (development). Changing it splits every person
    in two until ``manage.py rekey_people`` has run."""
    return (settings.PERSON_KEY_SECRET or settings.SECRET_KEY).encode()


def person_key(*, unit_id: int, name: str, class_name: str = "", phone: str = "") -> str:
    """A stable hex digest (HMAC-SHA-256) for one person of one unit. Parts are joined as a JSON
    list, so no name or class containing a separator can make two different people collide. A name
    that normalises to nothing still gives a key: such sheets count as one person of their unit and
    class."""
    parts = [int(unit_id), normalise_name(class_name), normalise_name(name), normalise_name(phone)]
    message = json.dumps(parts, ensure_ascii=False).encode()
    return hmac.new(person_key_secret(), message, "sha256").hexdigest()


def phone_digest(phone: str) -> str:
    """What a contest participant's phone is kept as: an HMAC-SHA-256 of the normalised number,
    keyed like ``person_key`` (a plain hash of an 11-digit number is reversed by trying them all).
    Finding someone by phone compares digests; "" for no phone. A new ``PERSON_KEY_SECRET``
    makes the stored digests unfindable by phone (the numbers themselves are not kept)."""
    phone = normalise_name(phone or "")
    if not phone:
        return ""
    message = json.dumps(["phone", phone], ensure_ascii=False).encode()
    return hmac.new(person_key_secret(), message, "sha256").hexdigest()


# What a name becomes once its person's data is anonymised: a stable alias per person key, so the
# anonymised rows of one person still count as one (their new person key is the alias's), keyed
# with SECRET_KEY so that nobody can recompute the alias from a guessed name.
ALIAS_PREFIX = "匿名"
_ALIAS = re.compile(rf"{ALIAS_PREFIX}[0-9a-f]{{16}}\Z")


def anonymous_alias(key: str) -> str:
    return ALIAS_PREFIX + salted_hmac("organizations.people.anonymous_alias", key).hexdigest()[:16]


def is_anonymous_alias(name: str) -> bool:
    return bool(_ALIAS.match(name))


# Audit-log actions (wagtail's ModelLogEntry) for personal data; labels in wagtail_hooks.
PURGE_ACTION = "privacy.purge"
LOOKUP_ACTION = "privacy.lookup"
EXPORT_ACTION = "privacy.export"
DELETE_ACTION = "privacy.delete"
