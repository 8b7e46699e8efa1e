"""One person, however they typed their name: what the ledger counts as "the same participant"."""

import hashlib
import json
import re

import pytest

from organizations.people import normalise_name, person_key


@pytest.mark.parametrize(
    ("typed", "normalised"),
    [
        ("张三", "张三"),
        (" 张三 ", "张三"),
        ("张 三", "张三"),
        ("张\u3000三", "张三"),  # the full-width space of Chinese input methods
        ("张\t三\n", "张三"),
        ("张\u00a0三", "张三"),  # a no-break space pasted from a web page
        ("张\x00三", "张三"),  # NUL
        ("张\u200b三", "张三"),  # zero-width space
        ("\ufeff张三", "张三"),  # a byte-order mark at the start of a pasted cell
        ("张\u202e三", "张三"),  # a right-to-left override
        ("ＺＨＡＮＧ　Ｓａｎ", "zhangsan"),  # full-width letters
        ("Zhang San", "zhangsan"),
        ("ZHANG SAN", "zhangsan"),
        ("Straße", "strasse"),  # casefold, not lower()
        ("李雷２", "李雷2"),  # full-width digits
        ("阿依古丽·买买提", "阿依古丽·买买提"),
        ("阿依古丽•买买提", "阿依古丽·买买提"),  # the dot look-alikes of phone keyboards
        ("阿依古丽・买买提", "阿依古丽·买买提"),
        ("阿依古丽.买买提", "阿依古丽·买买提"),
        ("阿依古丽．买买提", "阿依古丽·买买提"),
        ("", ""),
        (" \x00\u200b ", ""),
    ],
)
def test_normalise_name(typed, normalised):
    assert normalise_name(typed) == normalised


def test_normalising_twice_changes_nothing():
    for name in ["ＺＨＡＮＧ　Ｓａｎ", "阿依古丽•买买提", "Straße", "张\x00 三"]:
        assert normalise_name(normalise_name(name)) == normalise_name(name)


def test_different_names_stay_different():
    names = ["张三", "张山", "张三丰", "三张", "zhangsan", "zhang-san"]
    assert len({normalise_name(name) for name in names}) == len(names)


def test_the_same_person_gets_the_same_key_however_it_was_typed():
    key = person_key(unit_id=7, class_name="三年级(2)班", name="张三")
    assert re.fullmatch(r"[0-9a-f]{64}", key)
    assert person_key(unit_id=7, class_name="三年级（２）班", name=" 张 三") == key
    assert person_key(unit_id="7", class_name="三年级(2)班 ", name="张\u200b三") == key


def test_the_key_is_stable_for_one_secret_and_cannot_be_recomputed_without_it(settings):
    """Stored keys must keep matching new sheets: the recipe is fixed (this digest), and the key is
    an HMAC, so someone with the database but not the secret cannot test a guessed name."""
    settings.PERSON_KEY_SECRET = "test-person-key-secret"
    assert person_key(unit_id=1, name="张三") == "d944a7fdebca7b738be9ad8f08cc421d1835fb67f16b4828b52151057441b2d5"
    plain = hashlib.sha256(json.dumps([1, "", "张三", ""], ensure_ascii=False).encode()).hexdigest()
    assert person_key(unit_id=1, name="张三") != plain
    settings.PERSON_KEY_SECRET = "another-secret"
    assert person_key(unit_id=1, name="张三") != "d944a7fdebca7b738be9ad8f08cc421d1835fb67f16b4828b52151057441b2d5"


def test_unit_class_and_phone_tell_people_apart():
    base = person_key(unit_id=7, class_name="三年级2班", name="张三", phone="13800000001")
    assert person_key(unit_id=8, class_name="三年级2班", name="张三", phone="13800000001") != base
    assert person_key(unit_id=7, class_name="三年级3班", name="张三", phone="13800000001") != base
    assert person_key(unit_id=7, class_name="三年级2班", name="张三", phone="13800000002") != base
    assert person_key(unit_id=7, class_name="三年级2班", name="张三") != base


def test_a_separator_in_a_name_cannot_make_two_people_one():
    assert person_key(unit_id=1, class_name="a|b", name="c") != person_key(unit_id=1, class_name="a", name="b|c")
    assert person_key(unit_id=1, class_name='a","b', name="c") != person_key(unit_id=1, class_name="a", name='b","c')
    assert person_key(unit_id=1, class_name="", name="1") != person_key(unit_id=11, class_name="", name="")


def test_the_key_reveals_no_name():
    key = person_key(unit_id=7, class_name="三年级2班", name="张三", phone="13800000001")
    for part in ("张三", "13800000001", "三年级"):
        assert part not in key
