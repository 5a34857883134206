import datetime

import factory
from factory.django import DjangoModelFactory

from patients.models import Patient, Sex
from patients.nhs_number import check_digit
from tests.caremodel.factories import PracticeFactory


def _nhs_number(n: int) -> str:
    """Valid test-range numbers: 999 + six digits + check digit, skipping 10-remainders."""
    base = n
    while True:
        first_nine = f"999{base % 1_000_000:06d}"
        digit = check_digit(first_nine)
        if digit is not None:
            return f"{first_nine}{digit}"
        base += 500_000


class PatientFactory(DjangoModelFactory[Patient]):
    class Meta:
        model = Patient

    nhs_number = factory.Sequence(_nhs_number)
    given_name = "Edith"
    family_name = factory.Sequence(lambda n: f"Patient{n}")
    date_of_birth = datetime.date(1938, 4, 2)
    sex = Sex.FEMALE
    postcode = "TN23 1AA"
    registered_practice = factory.SubFactory(PracticeFactory)
