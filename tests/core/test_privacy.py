import pytest

from core.privacy import is_mobile_phone, mask_name, mask_phone


@pytest.mark.parametrize(
    "phone, ok",
    [
        ("13812341234", True),
        ("19900000000", True),
        ("12812341234", False),
        ("1381234123", False),
        ("138123412345", False),
        ("1381234123４", False),
        ("", False),
        (None, False),
        ("13812341234\n", False),
    ],
)
def test_one_mobile_phone_rule(phone, ok):
    assert is_mobile_phone(phone) is ok


def test_phones_are_masked_for_staff_lists():
    assert mask_phone("13812341234") == "138****1234"
    assert mask_phone("12345") == "*****"


@pytest.mark.parametrize("name, masked", [("张小明", "张*明"), ("李雷", "李*"), ("王", "*"), ("欧阳小明明", "欧***明")])
def test_names_are_masked_for_public_rankings(name, masked):
    assert mask_name(name) == masked
