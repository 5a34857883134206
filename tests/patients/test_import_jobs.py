"""File imports run as Celery jobs, not inside the request (point 6): the upload is stored and the
request answers at once; the worker reads it, keeps the report and deletes the file; the page shows a
progress bar (htmx) and then the report; the API answers 202 with a status address; uploads are capped
by a setting, before their body is read."""

import os

import pytest
from celery.contrib.testing.worker import start_worker
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from caremodel.celery import app
from patients.imports import import_activity, reading
from patients.models import ActivityEvent, ImportJob, ImportJobStatus
from patients.services.imports import _progress_key, import_job_start
from tests.patients.factories import PatientFactory, ProviderFactory, nhs_number_for
from tests.patients.import_files import activity_file

pytestmark = pytest.mark.django_db


@pytest.fixture
def feed(area) -> bytes:
    ProviderFactory(ods_code="RVV01")
    patient = PatientFactory(nhs_number=nhs_number_for(91), registered_practice=area.practice_a)
    rows = [f"{patient.nhs_number},ae_attendance,2024-01-{day:02d},RVV01,J{day},," for day in range(1, 11)]
    return activity_file(*rows, f"{patient.nhs_number},teleport,2024-02-01,RVV01,J99,,")


def test_the_upload_is_stored_and_imported_only_after_the_request_commits(
    client, admin, feed, django_capture_on_commit_callbacks
) -> None:
    client.force_login(admin)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = client.post(
            reverse("patients:import_upload"),
            {"kind": "activity", "file": SimpleUploadedFile("../../feed week 1.csv", feed)},
        )
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("patients:import_job", args=[job.public_id])
    assert (job.status, job.file_name, ActivityEvent.objects.count()) == (ImportJobStatus.QUEUED, "feed_week_1.csv", 0)
    stored = job.upload.name
    assert default_storage.exists(stored) and "feed" not in stored
    waiting = client.get(response["Location"]).content.decode()
    assert 'hx-trigger="every 1s"' in waiting and "Waiting to start" in waiting
    for callback in queued:
        callback()
    job.refresh_from_db()
    assert job.status == ImportJobStatus.DONE and ActivityEvent.objects.count() == 10
    assert not default_storage.exists(stored) and not job.upload
    assert job.report["events_added"] == 10 and job.report["errors"][0]["line"] == 12
    done = client.get(reverse("patients:import_job_progress", args=[job.public_id])).content.decode()
    assert "Import applied" in done and "hx-trigger" not in done and "teleport" not in done


def test_the_progress_bar_shows_the_rows_read_so_far(client, admin, feed) -> None:
    from django.core.cache import cache

    job = import_job_start(user=admin, kind="activity", upload=SimpleUploadedFile("f.csv", feed), strict=False)
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJobStatus.RUNNING, total_lines=11)
    cache.set(_progress_key(job), 5)
    client.force_login(admin)
    panel = client.get(reverse("patients:import_job_progress", args=[job.public_id])).content.decode()
    assert "5 of 11 rows read (45%)" in panel and 'value="45"' in panel and "every 1s" in panel


def test_the_importers_report_rows_read_as_they_go(feed, admin, monkeypatch) -> None:
    monkeypatch.setattr(reading, "PROGRESS_EVERY", 4)
    seen: list[int] = []
    import_activity(data=feed, user=admin, progress=seen.append)
    assert seen == [4, 8]


@override_settings(IMPORT_MAX_UPLOAD_BYTES=100)
def test_uploads_over_the_cap_are_refused_naming_the_file(client, admin, feed) -> None:
    client.force_login(admin)
    page = client.post(
        reverse("patients:import_upload"), {"kind": "activity", "file": SimpleUploadedFile("f.csv", feed)}
    )
    assert page.status_code == 400 and "the largest upload is 100 bytes" in page.content.decode()
    api = client.post(reverse("api-import", args=["activity"]), {"file": SimpleUploadedFile("f.csv", feed)})
    assert api.status_code == 400 and "largest upload is 100 bytes" in api.json()["file"][0]
    assert not ImportJob.objects.exists()


@override_settings(IMPORT_MAX_UPLOAD_BYTES=0)
def test_a_body_longer_than_the_cap_is_refused_before_it_is_read(client, admin) -> None:
    client.force_login(admin)
    big = SimpleUploadedFile("big.csv", b"x" * (1024 * 1024 + 10))
    assert client.post(reverse("patients:import_upload"), {"kind": "activity", "file": big}).status_code == 413
    big.seek(0)
    assert client.post(reverse("api-import", args=["activity"]), {"file": big}).status_code == 413
    assert not ImportJob.objects.exists()


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs REDIS_URL (run with PostgreSQL + Redis)")
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_imports_the_upload(client, admin, feed) -> None:
    client.force_login(admin)
    app.conf.task_always_eager = False
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            accepted = client.post(
                reverse("api-import", args=["activity"]), {"file": SimpleUploadedFile("f.csv", feed)}
            )
            assert accepted.status_code == 202
            status = accepted.json()
            for _ in range(300):
                status = client.get(status["status_url"]).json()
                if status["status"] == "done":
                    break
                __import__("time").sleep(0.1)
    finally:
        app.conf.task_always_eager = True
    assert status["status"] == "done" and status["report"]["events_added"] == 10
    assert ActivityEvent.objects.count() == 10
