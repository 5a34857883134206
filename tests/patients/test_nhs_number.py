"""NHS number validation: Modulus 11, normalisation, and agreement with the nhs-number package."""

import nhs_number as reference
import pytest
from django.db import IntegrityError
from hypothesis import assume, example, given
from hypothesis import strategies as st

from patients.nhs_number import InvalidNHSNumber, check_digit, is_valid_nhs_number, normalise_nhs_number
from tests.patients.factories import PatientFactory

WEIGHTS = (10, 9, 8, 7, 6, 5, 4, 3, 2)
ten_digits = st.text(alphabet="0123456789", min_size=10, max_size=10)


def modulus_11_by_hand(number: str) -> bool:
    """The NHS Data Dictionary's algorithm written out plainly, independent of the code under test."""
    remainder = sum(int(d) * w for d, w in zip(number[:9], WEIGHTS, strict=True)) % 11
    expected = 11 - remainder
    if expected == 11:
        expected = 0
    return expected != 10 and expected == int(number[9])


@given(ten_digits)
@example("9434765919")
@example("9434765918")
def test_valid_if_and_only_if_modulus_11_passes(number: str) -> None:
    assert is_valid_nhs_number(number) is modulus_11_by_hand(number)


@given(ten_digits)
def test_agrees_with_the_nhs_number_package(number: str) -> None:
    # The package also rejects Scottish CHI-range numbers whose first six digits are not a
    # date (DDMMYY); that is a rule of CHI, not of the NHS number's Modulus 11, so the two
    # implementations are compared outside that range.
    assume(not reference.REGION_SCOTLAND.contains_number(number))
    assert is_valid_nhs_number(number) is bool(reference.is_valid(number))


def test_known_valid_and_invalid_numbers() -> None:
    assert normalise_nhs_number("9434765919") == "9434765919"
    with pytest.raises(InvalidNHSNumber, match="9434765918 fails the check digit"):
        normalise_nhs_number("9434765918")


@given(st.text(alphabet="0123456789", min_size=9, max_size=9))
def test_a_check_digit_of_ten_is_never_valid(first_nine: str) -> None:
    if check_digit(first_nine) is None:
        for last in "0123456789":
            assert not is_valid_nhs_number(first_nine + last)


@pytest.mark.parametrize("formatted", ["943 476 5919", "943-476-5919", " 9434765919 ", "943 476-5919"])
def test_spaces_and_dashes_are_normalised(formatted: str) -> None:
    assert normalise_nhs_number(formatted) == "9434765919"


@given(ten_digits.filter(modulus_11_by_hand), st.data())
def test_non_ascii_digits_are_rejected(number: str, data: st.DataObject) -> None:
    arabic_indic = "٠١٢٣٤٥٦٧٨٩"
    position = data.draw(st.integers(min_value=0, max_value=9))
    mangled = number[:position] + arabic_indic[int(number[position])] + number[position + 1 :]
    assert not is_valid_nhs_number(mangled)


@pytest.mark.parametrize("bad", ["", "   ", "943476591", "94347659199", "943476591x", "9434.765919", None, 9434765919])
def test_malformed_input_is_rejected_with_a_message(bad: object) -> None:
    with pytest.raises(InvalidNHSNumber) as info:
        normalise_nhs_number(bad)
    assert "NHS number" in str(info.value)


@pytest.mark.django_db
def test_nhs_number_is_unique_in_the_database() -> None:
    PatientFactory(nhs_number="9434765919")
    with pytest.raises(IntegrityError):
        PatientFactory(nhs_number="9434765919")


@pytest.mark.django_db
def test_database_refuses_a_number_that_is_not_ten_digits() -> None:
    with pytest.raises(IntegrityError):
        PatientFactory(nhs_number="943 476 59")
