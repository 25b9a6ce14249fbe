"""Masking of personal data on screens in public view."""

from dashboard import masking


def test_phone_id_and_name_keep_only_what_identifies_nobody():
    assert masking.phone("13812345678") == "138****5678"
    assert masking.phone("138-1234-5678") == "138****5678"
    assert masking.phone("0371-65551234") == "037*****1234"
    assert masking.phone("12345") == "*****"
    assert masking.id_number("41010519900307123X") == "410105********123X"
    assert masking.person_name("张三") == "张*"
    assert masking.person_name("张三丰") == "张**"
    assert masking.person_name("欧阳娜娜") == "欧阳**"
    assert masking.person_name(None) == "" and masking.phone(None) == ""


def test_numbers_inside_free_text_are_masked_but_not_longer_digit_runs():
    text = "投诉人电话13812345678，身份证410105199003071234，案号2026123456789"
    assert masking.free_text(text) == "投诉人电话138****5678，身份证410105********1234，案号2026123456789"


def test_the_switch_reads_the_url_and_keeps_the_default_otherwise():
    assert masking.wanted("1") and masking.wanted("on") and not masking.wanted("0", default=True)
    assert masking.wanted(None, default=True) and not masking.wanted("maybe")
