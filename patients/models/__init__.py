from patients.models.carers import CarerRelationship
from patients.models.codes import ClinicalCode, FrailtyDeficit, LongTermCondition
from patients.models.events import ActivityEvent, DischargeDestination, EventKind
from patients.models.intake import ImportJob, ImportJobStatus, ImportKind, PendingMatch, PendingMatchStatus
from patients.models.patient import ConsentToShare, Patient, Sex
from patients.models.registers import CareHomeResidence, PatientCondition

__all__ = [
    "ActivityEvent",
    "CareHomeResidence",
    "CarerRelationship",
    "ClinicalCode",
    "ConsentToShare",
    "DischargeDestination",
    "EventKind",
    "FrailtyDeficit",
    "ImportJob",
    "ImportJobStatus",
    "ImportKind",
    "LongTermCondition",
    "Patient",
    "PatientCondition",
    "PendingMatch",
    "PendingMatchStatus",
    "Sex",
]
