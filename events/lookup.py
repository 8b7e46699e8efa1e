"""The 查询码 of a registration, and the short-lived links the 我的报名 lookup gives.

No SMS gateway exists, so the lookup cannot text anyone a code: the confirmation page shows one
and asks the person to note it. The code is derived from the registration's secret token (which
only the cancel link carries), so the confirmation page can show it whenever it is opened again;
the database keeps only a keyed digest of phone and code, and nothing from which either the code
or the token can be computed (``token_hash`` hashes the token alone, differently).

A lookup that matches links each registration found to its page by a signed grant instead of the
token (which is not stored): ``<timestamp>_<signature>`` over the registration and its code
digest, valid for ``GRANT_MAX_AGE`` seconds; anonymising a registration (its digest emptied)
ends its grants. (Wagtail serves only paths of word characters and hyphens, so the signer's colon
cannot appear; the timestamp is base 62, so the first underscore ends it.)

A new ``SECRET_KEY`` makes every stored code digest unfindable (the cancel links still work).
"""

import hashlib
import re

from django.core import signing
from django.utils.crypto import salted_hmac

CODE_DIGITS = 8
CODE_PATTERN = re.compile(rf"[0-9]{{{CODE_DIGITS}}}", re.ASCII)
# People copy "1234 5678" as shown, or with a hyphen.
CODE_SEPARATORS = re.compile(r"[\s-]")
GRANT_MAX_AGE = 3600
_GRANT_SALT = "events.registration.grant"


def code_for_token(token):
    """The 8-digit code shown with the registration whose cancel token is ``token``."""
    number = int.from_bytes(hashlib.sha256(b"events.lookup-code:" + token.encode()).digest()[:8], "big")
    return f"{number % 10**CODE_DIGITS:0{CODE_DIGITS}d}"


def display_code(code):
    return f"{code[:4]} {code[4:]}"


def clean_code(value):
    """The code as typed, without spaces or hyphens, if it is 8 ASCII digits; else None."""
    code = CODE_SEPARATORS.sub("", value or "")
    return code if CODE_PATTERN.fullmatch(code) else None


def code_digest(*, phone, code):
    """What is stored: keyed with SECRET_KEY, since phone and an 8-digit code are quickly guessed."""
    return salted_hmac("events.registration.lookup_code", f"{phone}:{code}", algorithm="sha256").hexdigest()


def _signer():
    return signing.TimestampSigner(salt=_GRANT_SALT)


def _granted(registration):
    return f"{registration.public_id}.{registration.lookup_code_hash}"


def grant_for(registration):
    _value, timestamp, signature = _signer().sign(_granted(registration)).rsplit(":", 2)
    return f"{timestamp}_{signature}"


def grant_is_valid(registration, grant):
    timestamp, _underscore, signature = grant.partition("_")
    if not registration.lookup_code_hash or not signature:
        return False
    try:
        _signer().unsign(f"{_granted(registration)}:{timestamp}:{signature}", max_age=GRANT_MAX_AGE)
    except signing.BadSignature:
        return False
    return True
