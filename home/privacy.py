"""Personal data as staff lists and exports show it."""


def mask_phone(phone):
    """13812341234 → 138****1234; anything shorter than a mobile number is hidden entirely."""
    return f"{phone[:3]}****{phone[-4:]}" if len(phone) == 11 else "*" * len(phone)
