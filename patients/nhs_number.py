"""NHS number validation: 10 ASCII digits, the last a Modulus 11 check digit (docs/adr/0001).

Cross-checked against the `nhs-number` package in tests/patients/test_nhs_number.py.
"""

import operator
import re

from django.core.exceptions import ValidationError

_SEPARATORS = re.compile(r"[ \-]")
_TEN_ASCII_DIGITS = re.compile(r"[0-9]{10}")
_WEIGHTS = (10, 9, 8, 7, 6, 5, 4, 3, 2)


class InvalidNHSNumber(ValueError):
    """Carries a message that names the field and the rule broken."""


def check_digit(first_nine: str) -> int | None:
    """The Modulus 11 check digit for nine digits, or None when it would be 10 (never issued)."""
    if len(first_nine) != len(_WEIGHTS):
        raise ValueError("check_digit needs exactly nine digits")
    total = sum(map(operator.mul, map(int, first_nine), _WEIGHTS))  # imports call this a million times
    check = 11 - (total % 11)
    if check == 11:
        return 0
    if check == 10:
        return None
    return check


def normalise_nhs_number(raw: object) -> str:
    """Return the 10-digit form of `raw` ("943 476 5919", "943-476-5919") or raise InvalidNHSNumber."""
    if not isinstance(raw, str) or not raw.strip():
        raise InvalidNHSNumber("Enter an NHS number.")
    compact = _SEPARATORS.sub("", raw.strip())
    if not _TEN_ASCII_DIGITS.fullmatch(compact):
        raise InvalidNHSNumber(
            "NHS number must be 10 digits (0-9, spaces and dashes allowed), for example 943 476 5919."
        )
    expected = check_digit(compact[:9])
    if expected is None:
        raise InvalidNHSNumber(
            f"NHS number {compact} is not valid: its check digit would be 10, which is never issued."
        )
    if expected != int(compact[9]):
        raise InvalidNHSNumber(f"NHS number {compact} fails the check digit (Modulus 11).")
    return compact


def is_valid_nhs_number(raw: object) -> bool:
    try:
        normalise_nhs_number(raw)
    except InvalidNHSNumber:
        return False
    return True


def validate_nhs_number(value: str) -> None:
    """Django validator for model and form fields; the stored form is 10 digits exactly."""
    try:
        normalised = normalise_nhs_number(value)
    except InvalidNHSNumber as exc:
        raise ValidationError(str(exc), code="invalid_nhs_number") from exc
    if normalised != value:
        raise ValidationError("NHS number must be stored as 10 digits without spaces.", code="not_normalised")
