"""Imports: validation of the whole file first, exact line numbers, strict mode, re-runs."""

import datetime

import pytest
from django.core.management import CommandError, call_command

from caremodel.models import AuditAction, AuditEvent
from patients.imports import import_activity, import_gp_extract
from patients.models import ActivityEvent, Patient, PatientCondition, PendingMatch
from tests.patients.factories import PatientFactory, ProviderFactory, nhs_number_for
from tests.patients.import_files import activity_file, gp_file

pytestmark = pytest.mark.django_db

N1, N2, N3 = nhs_number_for(901), nhs_number_for(902), nhs_number_for(903)


@pytest.fixture
def extract(area) -> bytes:
    code = area.practice_a.ods_code
    return gp_file(
        f"{N1},Zoë,Brontë,1936-02-01,F,tn23 1aa,{code},84114007:2019-03-01;13645005",  # line 2
        f"{N2},Alan,Turner,1940-05-05,M,TN24 2BB,{code},",  # line 3
    )


def test_gp_extract_creates_patients_and_conditions_and_rerun_changes_nothing(extract, admin) -> None:
    report = import_gp_extract(data=extract, user=admin)
    assert report.applied and report.errors == []
    assert (report.created, report.conditions_added) == (2, 2)
    zoe = Patient.objects.get(nhs_number=N1)
    assert (zoe.search_family, zoe.search_given, zoe.postcode) == ("bronte", "zoe", "TN23 1AA")
    assert AuditEvent.objects.filter(action=AuditAction.IMPORT, patient_id=zoe.pk).exists()
    snapshot = list(Patient.objects.values_list("nhs_number", "version").order_by("nhs_number"))
    conditions = PatientCondition.objects.count()

    again = import_gp_extract(data=extract, user=admin)
    assert (again.created, again.updated, again.unchanged, again.conditions_added) == (0, 0, 2, 0)
    assert list(Patient.objects.values_list("nhs_number", "version").order_by("nhs_number")) == snapshot
    assert PatientCondition.objects.count() == conditions


def test_gp_extract_reports_every_bad_row_with_its_line_and_applies_the_good(area, admin) -> None:
    code = area.practice_a.ods_code
    future = (datetime.date.today() + datetime.timedelta(days=3)).isoformat()
    data = gp_file(
        f"{N1},Ada,Good,1936-02-01,F,TN23 1AA,{code},",  # 2: good
        f"1234567890,Bad,Number,1936-02-01,F,TN23 1AA,{code},",  # 3: check digit
        f"{N2},Fut,Ure,{future},F,TN23 1AA,{code},",  # 4: born in the future
        f"{N3},Dead,Early,1936-02-01,F,TN23 1AA,ZZZZZ,",  # 5: unknown practice
        f"{N1},Ada,Again,1936-02-01,F,TN23 1AA,{code},",  # 6: duplicate NHS number
        f"{nhs_number_for(904)},No,Code,1936-02-01,F,TN23 1AA,{code},99999",  # 7: unknown code
        f"{nhs_number_for(905)},Bad,Date,1936-02-30,F,TN23 1AA,{code},",  # 8: impossible date
        "too,few,fields",  # 9
    )
    report = import_gp_extract(data=data, user=admin)
    assert report.applied
    assert [(e.line, e.field) for e in sorted(report.errors, key=lambda e: e.line)] == [
        (3, "nhs_number"),
        (4, "date_of_birth"),
        (5, "practice_ods_code"),
        (6, "nhs_number"),
        (7, "conditions"),
        (8, "date_of_birth"),
        (9, "row"),
    ]
    assert "line 2" in next(e.reason for e in report.errors if e.line == 6)
    assert list(Patient.objects.values_list("family_name", flat=True)) == ["Good"]


def test_died_before_born_is_rejected(area, admin) -> None:
    data = (
        "nhs_number,given_name,family_name,date_of_birth,sex,postcode,practice_ods_code,conditions,date_of_death\n"
        f"{N1},Ada,Early,1950-01-01,F,TN23 1AA,{area.practice_a.ods_code},,1949-12-31\n"
    ).encode()
    report = import_gp_extract(data=data, user=admin)
    assert [(e.line, e.field) for e in report.errors] == [(2, "date_of_death")]


def test_strict_applies_nothing_when_any_row_is_bad(area, admin) -> None:
    code = area.practice_a.ods_code
    data = gp_file(f"{N1},Ada,Good,1936-02-01,F,TN23 1AA,{code},", f"{N2},Bad,Practice,1936-02-01,F,TN23 1AA,NOPE,")
    report = import_gp_extract(data=data, user=admin, strict=True)
    assert not report.applied
    assert [(e.line, e.field) for e in report.errors] == [(3, "practice_ods_code")]
    assert not Patient.objects.exists()


def test_wrong_encoding_is_named_with_its_line(area, admin) -> None:
    data = gp_file(f"{N1},Ada,Good,1936-02-01,F,TN23 1AA,{area.practice_a.ods_code},").decode().encode("utf-8")
    data += f"{N2},Zo\xeb,Latin,1936-02-01,F,TN23 1AA,{area.practice_a.ods_code},\n".encode("latin-1")
    report = import_gp_extract(data=data, user=admin)
    assert not report.applied
    assert [(e.line, e.field) for e in report.errors] == [(3, "file")]
    assert "UTF-8" in report.errors[0].reason
    assert not Patient.objects.exists()


def test_missing_columns_are_named(area, admin) -> None:
    report = import_gp_extract(data=b"nhs_number,given_name\n9434765919,Ada\n", user=admin)
    assert not report.applied
    assert {e.field for e in report.errors} >= {"family_name", "date_of_birth", "practice_ods_code"}
    assert {e.line for e in report.errors} == {1}


def test_malformed_csv_is_rejected_with_its_line(area, admin) -> None:
    data = gp_file(f'{N1},"Ada,Good,1936-02-01,F,TN23 1AA,{area.practice_a.ods_code},').replace(b"\n", b'\n"x"y\n', 1)
    report = import_gp_extract(data=data, user=admin)
    assert not report.applied
    assert report.errors and report.errors[0].field == "file"


def test_rows_without_nhs_number_are_queued_for_a_person_never_merged(area, admin) -> None:
    existing = PatientFactory(
        given_name="Ada",
        family_name="Lovelace",
        date_of_birth=datetime.date(1936, 2, 1),
        postcode="TN23 1AA",
        registered_practice=area.practice_a,
    )
    data = gp_file(f",ADA,LOVELACE,1936-02-01,F,tn231aa,{area.practice_a.ods_code},")
    report = import_gp_extract(data=data, user=admin)
    assert report.queued_for_matching == 1
    match = PendingMatch.objects.get()
    assert match.candidate == existing and match.line_number == 2
    assert Patient.objects.count() == 1
    assert import_gp_extract(data=data, user=admin).queued_for_matching == 0
    assert PendingMatch.objects.count() == 1


@pytest.fixture
def feed_setup(area):
    provider = ProviderFactory(ods_code="RVV01")
    patient = PatientFactory(
        nhs_number=N1, registered_practice=area.practice_a, date_of_birth=datetime.date(1940, 1, 1)
    )
    return provider, patient


def test_activity_feed_sent_twice_is_stored_once(feed_setup, admin) -> None:
    _provider, patient = feed_setup
    data = activity_file(
        f"{N1},emergency_admission,2024-01-02,RVV01,APC1,4,",
        f"{N1},discharge,2024-01-06,RVV01,APC2,,usual_residence",
    )
    first = import_activity(data=data, user=admin)
    assert (first.applied, first.events_added, first.errors) == (True, 2, [])
    second = import_activity(data=data, user=admin)
    assert (second.events_added, second.events_already_present) == (0, 2)
    assert ActivityEvent.objects.filter(patient=patient).count() == 2
    assert AuditEvent.objects.filter(action=AuditAction.IMPORT, patient_id=patient.pk).count() == 1


def test_activity_feed_rejects_bad_rows_with_line_numbers(feed_setup, admin) -> None:
    future = (datetime.date.today() + datetime.timedelta(days=1)).isoformat()
    data = activity_file(
        f"{N1},emergency_admission,2024-01-02,RVV01,A1,4,",  # 2 good
        f"{N2},emergency_admission,2024-01-02,RVV01,A2,4,",  # 3 unknown patient
        f"{N1},teleport,2024-01-02,RVV01,A3,,",  # 4 bad type
        f"{N1},ae_attendance,{future},RVV01,A4,,",  # 5 future
        f"{N1},ae_attendance,2024-01-02,NOPE,A5,,",  # 6 unknown provider
        f"{N1},emergency_admission,2024-01-02,RVV01,A1,4,",  # 7 duplicate of line 2
        f"{N1},ae_attendance,1930-01-01,RVV01,A6,,",  # 8 before birth
        "943 476 5918,ae_attendance,2024-01-02,RVV01,A7,,",  # 9 invalid NHS number
    )
    report = import_activity(data=data, user=admin)
    assert sorted((e.line, e.field) for e in report.errors) == [
        (3, "nhs_number"),
        (4, "event_type"),
        (5, "event_date"),
        (6, "provider_code"),
        (7, "source_id"),
        (8, "event_date"),
        (9, "nhs_number"),
    ]
    assert report.events_added == 1
    strict = import_activity(data=data, user=admin, strict=True)
    assert not strict.applied and ActivityEvent.objects.count() == 1


def test_import_commands_print_the_report(feed_setup, tmp_path, capsys) -> None:
    path = tmp_path / "feed.csv"
    path.write_bytes(activity_file(f"{N1},ae_attendance,2024-01-02,RVV01,C1,,"))
    call_command("import_activity", str(path))
    assert "events added 1" in capsys.readouterr().out
    path.write_bytes(activity_file(f"{N1},ae_attendance,2024-01-02,RVV01,C2,,", f"{N1},nope,2024-01-02,RVV01,C3,,"))
    with pytest.raises(CommandError):
        call_command("import_activity", str(path), "--strict")
    assert "line 3: event_type" in capsys.readouterr().out
    assert ActivityEvent.objects.count() == 1
    assert AuditEvent.objects.filter(action=AuditAction.IMPORT, source="command").exists()


def test_a_pending_activity_row_is_applied_only_when_an_administrator_confirms(feed_setup, admin, gp) -> None:
    from django.core.exceptions import PermissionDenied, ValidationError

    from patients.services.pending_matches import pending_match_resolve

    _provider, patient = feed_setup
    data = (
        "nhs_number,event_type,event_date,provider_code,source_id,given_name,family_name,date_of_birth,postcode\n"
        f",ae_attendance,2024-01-02,RVV01,P1,{patient.given_name},{patient.family_name},{patient.date_of_birth},{patient.postcode}\n"
    ).encode()
    report = import_activity(data=data, user=admin)
    assert (report.queued_for_matching, report.events_added) == (1, 0)
    match = PendingMatch.objects.get()
    assert match.candidate == patient
    with pytest.raises(PermissionDenied):
        pending_match_resolve(user=gp, match=match, patient=patient, confirm=True)
    pending_match_resolve(user=admin, match=match, patient=patient, confirm=True)
    assert ActivityEvent.objects.get().patient == patient
    with pytest.raises(ValidationError):
        pending_match_resolve(user=admin, match=match, patient=patient, confirm=True)
    assert ActivityEvent.objects.count() == 1


def test_upload_page_and_matches_page_for_the_administrator(
    django_capture_on_commit_callbacks, client, admin, area
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    existing = PatientFactory(
        registered_practice=area.practice_a,
        given_name="Ada",
        family_name="Byron",
        date_of_birth=datetime.date(1936, 2, 1),
        postcode="TN23 1AA",
    )
    client.force_login(admin)
    data = gp_file(
        f"{N1},Ada,Good,1936-02-01,F,TN23 1AA,{area.practice_a.ods_code},",
        f",Ada,Byron,1936-02-01,F,TN23 1AA,{area.practice_a.ods_code},84114007",
        f"{N2},Bad,Code,1936-02-01,F,TN23 1AA,NOPE,",
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("patients:import_upload"), {"kind": "gp_extract", "file": SimpleUploadedFile("x.csv", data)}
        )
    assert response.status_code == 302
    body = client.get(response["Location"]).content.decode()
    assert "Import applied" in body and "Unknown GP practice code" in body
    match = PendingMatch.objects.get()
    assert "Byron" in client.get(reverse("patients:pending_matches")).content.decode()
    client.post(reverse("patients:pending_match_decide", args=[match.pk]), {"decision": "confirm"})
    assert PatientCondition.objects.filter(patient=existing).count() == 1
    assert "Row applied" in client.get(reverse("patients:pending_matches")).content.decode()
