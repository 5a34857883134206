"""Turn a Patient into what the page shows, so templates stay free of rules."""

from datetime import date

from django.utils import timezone

from patients.models import Patient


def age_on(date_of_birth: date, on: date) -> int:
    return on.year - date_of_birth.year - ((on.month, on.day) < (date_of_birth.month, date_of_birth.day))


class PatientPresenter:
    def __init__(self, patient: Patient) -> None:
        self.patient = patient

    def __getattr__(self, name: str) -> object:
        return getattr(self.patient, name)

    @property
    def nhs_number_display(self) -> str:
        n = self.patient.nhs_number
        return f"{n[:3]} {n[3:6]} {n[6:]}"

    @property
    def age(self) -> int:
        end = self.patient.date_of_death or timezone.localdate()
        return age_on(self.patient.date_of_birth, end)

    @property
    def date_of_birth_display(self) -> str:
        return f"{self.patient.date_of_birth.strftime('%-d %B %Y')} ({self.age} years)"

    @property
    def practice_display(self) -> str:
        practice = self.patient.registered_practice
        return f"{practice.name} ({practice.ods_code})" if practice else "Not registered with a GP practice"

    @property
    def is_deceased(self) -> bool:
        return self.patient.date_of_death is not None
