import datetime

import factory
from factory.django import DjangoModelFactory

from caremodel.models import Organisation, OrganisationKind
from patients.models import (
    ActivityEvent,
    CareHomeResidence,
    CarerRelationship,
    ClinicalCode,
    EventKind,
    Patient,
    PatientCondition,
    Sex,
)
from patients.nhs_number import check_digit
from tests.caremodel.factories import PracticeFactory


def nhs_number_for(n: int) -> str:
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

    nhs_number = factory.Sequence(nhs_number_for)
    given_name = "Edith"
    family_name = factory.Sequence(lambda n: f"Patient{n}")
    date_of_birth = datetime.date(1938, 4, 2)
    sex = Sex.FEMALE
    postcode = "TN23 1AA"
    registered_practice = factory.SubFactory(PracticeFactory)


class CareHomeFactory(DjangoModelFactory[Organisation]):
    class Meta:
        model = Organisation

    ods_code = factory.Sequence(lambda n: f"CH{n:04d}")
    name = factory.Sequence(lambda n: f"Care Home {n}")
    kind = OrganisationKind.CARE_HOME


class ProviderFactory(DjangoModelFactory[Organisation]):
    class Meta:
        model = Organisation

    ods_code = factory.Sequence(lambda n: f"RX{n:03d}")
    name = factory.Sequence(lambda n: f"Hospital {n}")
    kind = OrganisationKind.ACUTE_TRUST


class ConditionFactory(DjangoModelFactory[PatientCondition]):
    class Meta:
        model = PatientCondition

    patient = factory.SubFactory(PatientFactory)
    code = factory.LazyFunction(lambda: ClinicalCode.objects.get(code="84114007"))
    onset_date = datetime.date(2015, 1, 1)


class ActivityEventFactory(DjangoModelFactory[ActivityEvent]):
    class Meta:
        model = ActivityEvent

    patient = factory.SubFactory(PatientFactory)
    kind = EventKind.EMERGENCY_ADMISSION
    event_date = datetime.date(2024, 5, 1)
    source_system = "sus"
    source_id = factory.Sequence(lambda n: f"EV{n:06d}")


class CarerFactory(DjangoModelFactory[CarerRelationship]):
    class Meta:
        model = CarerRelationship

    patient = factory.SubFactory(PatientFactory)
    carer_name = "Jo Carer"
    relationship = "daughter"


class CareHomeResidenceFactory(DjangoModelFactory[CareHomeResidence]):
    class Meta:
        model = CareHomeResidence

    patient = factory.SubFactory(PatientFactory)
    care_home = factory.SubFactory(CareHomeFactory)
    since = datetime.date(2023, 1, 1)
