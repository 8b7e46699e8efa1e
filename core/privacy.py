"""Personal data: the one mobile-number rule, and masking as staff lists and public pages show it."""

import re

# Mainland mobile numbers; also the database check constraints' pattern. It ends with \Z, not $: SQLite
# runs it with Python's re, whose $ also matches before a final newline; PostgreSQL reads \Z the same way.
MOBILE_PHONE_REGEX = r"^1[3-9][0-9]{9}\Z"
_MOBILE_PHONE = re.compile(MOBILE_PHONE_REGEX)


def is_mobile_phone(value):
    return bool(_MOBILE_PHONE.fullmatch(value or ""))


def mask_phone(phone):
    """13812341234 → 138****1234; anything shorter than a mobile number is hidden entirely."""
    return f"{phone[:3]}****{phone[-4:]}" if len(phone) == 11 else "*" * len(phone)


def mask_name(name):
    """张小明 → 张*明, 李雷 → 李*: public rankings never show a full name."""
    if len(name) <= 1:
        return "*"
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]
