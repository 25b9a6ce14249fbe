import pytest

from data import credit_code
from data.credit_code import CreditCodeError

# Published examples: the first three are valid codes quoted by open-source validators (hutool,
# cloud-utils); 91350211M00013FA1N is hutool's example of an early pilot code that fails the check.
VALID = ["91310110666007217T", "91230184MA1BUFLT44", "92371000MA3MXH0E3W", "91350100M000100Y43", "91310115591693856A"]


@pytest.mark.parametrize("code", VALID)
def test_published_valid_codes_pass(code):
    assert credit_code.validate(code) == code
    assert credit_code.is_valid(code.lower())  # case is normalised


@pytest.mark.parametrize(
    "code, reason",
    [
        ("91350211M00013FA1N", "check character is 'N', expected '3'"),
        ("91310110666007217", "17 characters"),
        ("91310110666007217TX", "19 characters"),
        ("9131011066600721IT", "outside GB 32100: I"),
        ("B1310110666007217T", "unknown registration authority"),
        ("98310110666007217T", "organisation type '8' is not issued by authority '9'"),
        ("913101A0666007217T", "administrative division code"),
    ],
)
def test_broken_codes_say_why(code, reason):
    with pytest.raises(CreditCodeError, match=reason.replace("(", r"\(").replace(")", r"\)")):
        credit_code.validate(code)


def test_every_single_character_change_is_caught():
    """The check character detects any one substituted character (a property of mod-31 weights)."""
    code = VALID[0]
    for position in range(17):
        for replacement in credit_code.ALPHABET:
            if replacement == code[position]:
                continue
            changed = code[:position] + replacement + code[position + 1:]
            assert credit_code.check_character(changed[:17]) != code[17] or changed[:17] == code[:17]


def test_make_builds_valid_codes():
    code = credit_code.make("9", "1", "410105", "MA4K8P2Q")
    assert credit_code.validate(code) == code
    assert code[2:8] == "410105"
