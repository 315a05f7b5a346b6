"""IIN check-digit rule, with every expectation worked out by hand in the comments."""

from __future__ import annotations

import numpy as np
import pytest

from kz_domain.iin import INVALID, check_digit, check_digits, is_valid_iin, valid_mask
from registry_simulator.iin import digits_to_arrow, int_to_digits, strings_to_digits


def test_published_example_is_valid_and_needs_the_fallback_weights():
    # 0 6 1 2 1 1 6 0 0 0 1 with weights 1..11: 12+3+8+5+6+42+11 = 87, 87 mod 11 = 10 -> fallback.
    # Weights 3..11,1,2: 24+5+12+7+8+54+2 = 112, 112 mod 11 = 2 -> check digit 2.
    assert check_digit("06121160001") == 2
    assert is_valid_iin("061211600012")


def test_primary_weights_case():
    # 0 0 0 1 0 1 3 0 0 0 1: 1*4 + 1*6 + 3*7 + 1*11 = 42, 42 mod 11 = 9.
    assert check_digit("00010130001") == 9
    assert is_valid_iin("000101300019")


def test_second_fallback_case():
    # 0 6 1 2 1 1 6 0 0 0 6: primary 87 - 11 + 66 = 142 -> 142 mod 11 = 10 -> fallback.
    # fallback 112 - 2 + 12 = 122 -> 122 mod 11 = 1.
    assert is_valid_iin("061211600061")
    assert not is_valid_iin("061211600060")


@pytest.mark.parametrize("wrong", ["061211600010", "061211600013", "000101300018"])
def test_wrong_check_digit_is_invalid(wrong):
    assert not is_valid_iin(wrong)


def test_both_weightings_ten_is_invalid_whatever_the_last_digit():
    # 0 6 1 2 1 1 6 0 0 0 5: primary 87 - 11 + 55 = 131 -> 131 mod 11 = 10;
    # fallback 112 - 2 + 10 = 120 -> 120 mod 11 = 10 again -> no check digit exists.
    assert check_digit("06121160005") == INVALID
    assert not any(is_valid_iin(f"06121160005{d}") for d in range(10))


@pytest.mark.parametrize(
    "bad", ["06121160001A", "0612116000 2", "+61211600012", "０６１２１１６０００１２", None, 61211600012]
)
def test_non_digits_are_invalid(bad):
    assert not is_valid_iin(bad)


@pytest.mark.parametrize("bad", ["", "06121160001", "0612116000120", "61211600012"])
def test_wrong_length_is_invalid(bad):
    assert not is_valid_iin(bad)


def test_vectorised_rule_matches_the_scalar_rule():
    rng = np.random.default_rng(0)
    digits = rng.integers(0, 10, size=(5000, 12)).astype(np.uint8)
    strings = digits_to_arrow(digits).to_pylist()
    assert valid_mask(digits).tolist() == [is_valid_iin(s) for s in strings]
    assert (check_digits(digits[:, :11]) == INVALID).any()


def test_digit_round_trip():
    digits = int_to_digits(np.array([61211600012, 0, 999999999999]), 12)
    strings = digits_to_arrow(digits)
    assert strings.to_pylist() == ["061211600012", "000000000000", "999999999999"]
    assert (strings_to_digits(strings) == digits).all()
