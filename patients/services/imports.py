"""File imports as use cases: an administrator uploads a GP registration extract or an activity feed,
a Celery worker imports it (eager on the embedded default), and the page shows its progress and
then the report. The engines that read and apply a file are in patients.imports; the commands call
them directly, in the foreground."""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from uuid import UUID

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.text import get_valid_filename

from caremodel.models import User
from caremodel.rules import require_administrator
from patients.imports import ImportReport, import_activity, import_gp_extract
from patients.models import ImportJob, ImportJobStatus, ImportKind

logger = logging.getLogger(__name__)
IMPORTERS: dict[str, Callable[..., ImportReport]] = {
    ImportKind.GP_EXTRACT: import_gp_extract,
    ImportKind.ACTIVITY: import_activity,
}
DOING = "import files"
PROGRESS_SECONDS = 24 * 60 * 60


def _progress_key(job: ImportJob) -> str:
    """By the job's public id: unique in any database sharing the cache, so two deployments (or two test
    databases) never read each other's progress."""
    return f"import-job:{job.public_id.hex}:rows"


def import_body_fault(*, content_length: str | None) -> str | None:
    """Refuse an upload by its declared length before its body is read (a multipart body carries a little
    more than the file)."""
    try:
        length = int(content_length or 0)
    except ValueError:
        return "The request does not say how long it is."
    limit = settings.IMPORT_MAX_UPLOAD_BYTES
    if length > limit + 1024 * 1024:
        return f"The upload is {length:,} bytes; the largest is {limit:,} bytes. Split it or use the import command."
    return None


def recent_import_jobs(*, user: User, limit: int = 10) -> list[ImportJob]:
    require_administrator(user, doing=DOING)
    return list(ImportJob.objects.select_related("created_by")[:limit])


def import_upload_fault(*, name: str, size: int) -> str | None:
    """The one check of an uploaded file's size and name, for the page and the API."""
    limit = settings.IMPORT_MAX_UPLOAD_BYTES
    if size > limit:
        return f"The file is {size:,} bytes; the largest upload is {limit:,} bytes. Split it or use the import command."
    if not name.lower().endswith((".csv", ".txt")):
        return "Upload a .csv file."
    return None


def import_job_start(*, user: User, kind: str, upload: UploadedFile, strict: bool) -> ImportJob:
    """Store the upload and queue its import; the worker starts once this transaction commits."""
    require_administrator(user, doing=DOING)
    if kind not in ImportKind.values:
        raise ValidationError({"kind": f"Choose one of: {', '.join(ImportKind.values)}."})
    name = upload.name or "upload.csv"
    if fault := import_upload_fault(name=name, size=upload.size or 0):
        raise ValidationError({"file": fault})
    safe_name = get_valid_filename(name.rsplit("/", 1)[-1].rsplit("\\", 1)[-1])[:200] or "upload.csv"
    with transaction.atomic():
        job = ImportJob(kind=kind, strict=strict, created_by=user, file_name=safe_name, size_bytes=upload.size or 0)
        job.upload.save(f"{job.public_id.hex}.csv", upload, save=False)
        job.save()
        transaction.on_commit(lambda: _enqueue(job.pk))
    return job


def _enqueue(job_id: int) -> None:
    from patients.tasks import import_job_run_task

    import_job_run_task.delay(job_id)


def import_job_run(*, job_id: int) -> ImportJob:
    """The worker's part: read the stored file, import it, keep the report, delete the file. A job redelivered
    after a lost worker runs again from the start; both imports are idempotent (a row stored is not stored again)."""
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job_id)
        if job.status in (ImportJobStatus.DONE, ImportJobStatus.FAILED):
            return job
        job.status, job.started_at = ImportJobStatus.RUNNING, timezone.now()
        job.save(update_fields=["status", "started_at"])
    try:
        with job.upload.open("rb") as handle:
            data = handle.read()
        job.total_lines = max(0, data.count(b"\n") - 1)
        ImportJob.objects.filter(pk=job.pk).update(total_lines=job.total_lines)
        report = IMPORTERS[job.kind](
            data=data,
            user=job.created_by,
            strict=job.strict,
            progress=lambda rows: cache.set(_progress_key(job), rows, PROGRESS_SECONDS),
        )
    except Exception as exc:
        logger.error("import job %s failed: %s", job.pk, type(exc).__name__)
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportJobStatus.FAILED,
            finished_at=timezone.now(),
            error="The import stopped with an error; nothing was applied. Try again, or ask for the worker log.",
        )
        return ImportJob.objects.get(pk=job.pk)
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJobStatus.DONE, finished_at=timezone.now(), report=report.as_dict()
    )
    job.upload.delete(save=False)
    ImportJob.objects.filter(pk=job.pk).update(upload="")
    cache.delete(_progress_key(job))
    job.refresh_from_db()
    return job


@dataclass(frozen=True)
class ImportProgress:
    job: ImportJob
    rows_read: int

    @property
    def percent(self) -> int:
        if self.job.status == ImportJobStatus.DONE:
            return 100
        if not self.job.total_lines:
            return 0
        return min(99, round(100 * self.rows_read / self.job.total_lines))

    @property
    def finished(self) -> bool:
        return self.job.status in (ImportJobStatus.DONE, ImportJobStatus.FAILED)


def import_job_progress(*, user: User, public_id: UUID) -> ImportProgress:
    """Where an import has got to, for the administrator's progress bar and the API's status URL."""
    require_administrator(user, doing=DOING)
    job = ImportJob.objects.filter(public_id=public_id).first()
    if job is None:
        raise ImportJob.DoesNotExist
    rows = int(cache.get(_progress_key(job)) or 0) if job.status == ImportJobStatus.RUNNING else 0
    return ImportProgress(job=job, rows_read=rows)
