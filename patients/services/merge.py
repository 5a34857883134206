"""Probable duplicate patients and the administrator's merge of two records.

Finding duplicates is a suggestion for a person to check; a merge is only ever done by an
administrator, moves every related row to the kept record and is audited on both.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F, ForeignKey

from caremodel.audit import audit_record, audit_record_many
from caremodel.models import AuditAction, AuditOutcome, User
from caremodel.rules import require_administrator
from patients.models import CareHomeResidence, CarerRelationship, Patient, PatientCondition, PendingMatch


@dataclass(frozen=True)
class DuplicatePair:
    first: Patient
    second: Patient
    reason: str


DOING = "review and merge duplicate records"


def patient_duplicate_pairs(*, user: User, limit: int = 100) -> list[DuplicatePair]:
    """Pairs born on the same day whose given names start alike and whose family name or postcode agree."""
    require_administrator(user, doing=DOING, action=AuditAction.MERGE)
    table = Patient._meta.db_table
    sql = f"""
        SELECT a.id, b.id, CASE WHEN a.search_family = b.search_family THEN 'same family name' ELSE 'same postcode' END
        FROM {table} a JOIN {table} b ON a.date_of_birth = b.date_of_birth AND a.id < b.id
        WHERE substr(a.search_given, 1, 1) = substr(b.search_given, 1, 1)
          AND (a.search_family = b.search_family OR (a.postcode <> '' AND a.postcode = b.postcode))
        ORDER BY a.id, b.id LIMIT %s
    """  # noqa: S608 - the table name is the model's own, values are parameters
    with connection.cursor() as cursor:
        cursor.execute(sql, [limit])
        found = cursor.fetchall()
    ids = {pk for first, second, _ in found for pk in (first, second)}
    patients = Patient.objects.select_related("registered_practice").in_bulk(ids)
    pairs = [DuplicatePair(patients[a], patients[b], reason) for a, b, reason in found]
    if ids:
        audit_record_many(
            user=user,
            action=AuditAction.LIST,
            patient_ids=sorted(ids),
            relationship="administration",
            resource="duplicate_review",
        )
    return pairs


@dataclass(frozen=True)
class MergeResult:
    kept: Patient
    moved: dict[str, int]
    filled: tuple[str, ...] = ()


def _move_conditions(keep: Patient, remove: Patient) -> int:
    existing = set(PatientCondition.objects.filter(patient=keep).values_list("code_id", "onset_date"))
    moved = 0
    for condition in PatientCondition.objects.filter(patient=remove):
        if (condition.code_id, condition.onset_date) in existing:
            condition.delete()  # the kept record already says the same thing
        else:
            PatientCondition.objects.filter(pk=condition.pk).update(patient=keep)
            moved += 1
    return moved


def _move_carers(keep: Patient, remove: Patient) -> int:
    if CarerRelationship.objects.filter(patient=keep, is_main_carer=True, until__isnull=True).exists():
        CarerRelationship.objects.filter(patient=remove, is_main_carer=True, until__isnull=True).update(
            is_main_carer=False
        )
    moved = CarerRelationship.objects.filter(patient=remove).update(patient=keep)
    # Someone cared for by the removed record's person is now cared for by the kept one.
    moved += CarerRelationship.objects.filter(carer_patient=remove).exclude(patient=keep).update(carer_patient=keep)
    CarerRelationship.objects.filter(carer_patient=remove).delete()
    return moved


def _move_care_home_stays(keep: Patient, remove: Patient) -> int:
    kept_open = CareHomeResidence.objects.filter(patient=keep, until__isnull=True).first()
    other_open = CareHomeResidence.objects.filter(patient=remove, until__isnull=True).first()
    if kept_open and other_open:
        # Only one current stay: the older of the two ends where the newer begins.
        older, newer = sorted([kept_open, other_open], key=lambda stay: stay.since)
        older.until = max(older.since, newer.since)
        older.save(update_fields=["until"])
    return CareHomeResidence.objects.filter(patient=remove).update(patient=keep)


# Fields of the kept record that take the other record's value when the kept one has none:
# field -> what "none" is. Consent comes with when and by whom it was recorded.
FILLABLE_BLANKS: dict[str, object] = {
    "postcode": "",
    "registered_practice_id": None,
    "date_of_death": None,
    "sex": "unknown",
    "lives_alone": None,
    "accountable_gp_id": None,
    "key_worker_id": None,
    "preferred_language": "",
    "communication_needs": "",
    "consent_to_share": "unknown",
}
CONSENT_DETAILS = ("consent_recorded_at", "consent_recorded_by_id")


def _fill_blanks(keep: Patient, remove: Patient) -> dict[str, object]:
    """The kept record's blank fields, filled from the other record (which is about to go)."""
    filled: dict[str, object] = {}
    for name, blank in FILLABLE_BLANKS.items():
        theirs = getattr(remove, name)
        if getattr(keep, name) == blank and theirs != blank:
            filled[name] = theirs
    if "consent_to_share" in filled:
        filled.update({name: getattr(remove, name) for name in CONSENT_DETAILS})
    if "preferred_language" in filled and remove.interpreter_needed:
        filled["interpreter_needed"] = True
    return filled


def patient_merge(*, user: User, keep: Patient, remove: Patient) -> MergeResult:
    """Move every row that points at `remove` to `keep`, fill the kept record's blank fields from
    `remove` (listed in the audit entry), then delete `remove`; all or nothing."""
    require_administrator(user, doing=DOING, action=AuditAction.MERGE)
    if keep.pk == remove.pk:
        raise ValidationError({"remove": "Choose two different records."})
    moved: dict[str, int] = {}
    with transaction.atomic():
        locked = {p.pk: p for p in Patient.objects.select_for_update().filter(pk__in=[keep.pk, remove.pk])}
        if len(locked) != 2:
            raise ValidationError({"remove": "One of the records no longer exists."})
        filled = _fill_blanks(locked[keep.pk], locked[remove.pk])
        moved["conditions"] = _move_conditions(keep, remove)
        moved["carers"] = _move_carers(keep, remove)
        moved["care_home_stays"] = _move_care_home_stays(keep, remove)
        moved["pending_matches"] = PendingMatch.objects.filter(candidate=remove).update(candidate=keep)
        handled = {"conditions", "carers", "cares_for", "care_home_stays", "pending_matches"}
        # Every other table that points at a patient (events here, and the apps to the right) moves too.
        for relation in Patient._meta.related_objects:
            if relation.get_accessor_name() in handled or not isinstance(relation.field, ForeignKey):
                continue
            model = relation.related_model
            assert not isinstance(model, str)  # noqa: S101 - resolved once the app registry is ready
            count = model._default_manager.filter(**{relation.field.name: remove}).update(**{relation.field.name: keep})
            if count:
                moved[relation.get_accessor_name() or model._meta.label] = count
        Patient.objects.filter(pk=keep.pk).update(**filled, version=F("version") + 1)
        filled_names = sorted(name.removesuffix("_id") for name in filled)
        detail = {"kept": str(keep.public_id), "removed": str(remove.public_id), "moved": moved, "filled": filled_names}
        for patient_id in (keep.pk, remove.pk):
            audit_record(
                user=user,
                action=AuditAction.MERGE,
                outcome=AuditOutcome.ALLOWED,
                patient_id=patient_id,
                relationship="administration",
                detail=detail,
            )
        Patient.objects.filter(pk=remove.pk).delete()
    keep.refresh_from_db()
    return MergeResult(kept=keep, moved=moved, filled=tuple(filled_names))


def patients_for_merge(*, user: User, keep_id: object, remove_id: object) -> tuple[Patient, Patient]:
    """The two records an administrator chose on the duplicates page."""
    require_administrator(user, doing=DOING, action=AuditAction.MERGE)
    found = Patient.objects.in_bulk([keep_id, remove_id], field_name="public_id")
    if len(found) != 2:
        raise ValidationError({"remove": "One of the records no longer exists; reload the page."})
    return found[keep_id], found[remove_id]
