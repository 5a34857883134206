"""What arrives from outside and needs a second look: import rows that could not be matched
on NHS number (a person confirms them, nothing is merged silently)."""

import uuid

from django.db import models


class PendingMatchStatus(models.TextChoices):
    PENDING = "pending", "Waiting for a person to confirm"
    CONFIRMED = "confirmed", "Confirmed"
    REJECTED = "rejected", "Rejected"


class PendingMatch(models.Model):
    """An import row without an NHS number, matched (or not) on name, date of birth and postcode."""

    source = models.CharField(max_length=32, help_text="gp_extract or activity")
    fingerprint = models.CharField(max_length=64, help_text="SHA-256 of the row, so a re-run queues nothing new.")
    line_number = models.PositiveIntegerField()
    given_name = models.CharField(max_length=100, blank=True)
    family_name = models.CharField(max_length=100, blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    postcode = models.CharField(max_length=8, blank=True)
    row = models.JSONField(default=dict)
    candidate = models.ForeignKey(
        "patients.Patient", on_delete=models.SET_NULL, null=True, blank=True, related_name="pending_matches"
    )
    candidate_count = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=16, choices=PendingMatchStatus.choices, default=PendingMatchStatus.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        "caremodel.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["source", "fingerprint"], name="pendingmatch_unique_row"),
        ]

    def __str__(self) -> str:
        return f"{self.source} line {self.line_number} ({self.get_status_display()})"


class ImportKind(models.TextChoices):
    GP_EXTRACT = "gp_extract", "GP registration extract"
    ACTIVITY = "activity", "Activity feed (hospital / SUS extract)"


class ImportJobStatus(models.TextChoices):
    QUEUED = "queued", "Waiting to start"
    RUNNING = "running", "Importing"
    DONE = "done", "Finished"
    FAILED = "failed", "Failed"


class ImportJob(models.Model):
    """A file uploaded for import, run by a Celery worker rather than inside the request: a million-row
    extract outlives any proxy timeout. The stored file is deleted once it has been read; the report
    (every rejected row with its reason) is kept."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(max_length=16, choices=ImportKind.choices)
    strict = models.BooleanField(default=False)
    upload = models.FileField(upload_to="imports/%Y/%m/", blank=True)
    file_name = models.CharField(max_length=255, help_text="The uploaded file's name, made safe.")
    size_bytes = models.PositiveBigIntegerField(default=0)
    total_lines = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=16, choices=ImportJobStatus.choices, default=ImportJobStatus.QUEUED)
    created_by = models.ForeignKey("caremodel.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    report = models.JSONField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} import ({self.get_status_display()})"
