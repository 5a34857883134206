import pytest

from patients.codelist import CODES
from patients.models import ClinicalCode, FrailtyDeficit, LongTermCondition


def test_every_efi_deficit_and_register_has_at_least_one_code() -> None:
    assert {e.frailty_deficit for e in CODES if e.frailty_deficit} == set(FrailtyDeficit.values)
    assert {e.long_term_condition for e in CODES if e.long_term_condition} == set(LongTermCondition.values)
    assert len(FrailtyDeficit.values) == 36


def test_codes_are_unique_and_snomed_ids_are_numeric() -> None:
    codes = [e.code for e in CODES]
    assert len(codes) == len(set(codes))
    assert all(e.code.isdigit() for e in CODES if e.is_snomed)


@pytest.mark.django_db
def test_the_migration_loaded_the_list() -> None:
    assert ClinicalCode.objects.count() == len(CODES)
