"""The append-only audit trail of every read and write of patient data (docs/adr/0003)."""

from typing import Any, NoReturn

from django.db import models


class AuditAction(models.TextChoices):
    VIEW = "view", "Viewed record"
    LIST = "list", "Appeared in a list or search"
    LOOKUP = "lookup", "Looked up by NHS number"
    CREATE = "create", "Created"
    UPDATE = "update", "Updated"
    DELETE = "delete", "Deleted"
    EXPORT = "export", "Exported"
    IMPORT = "import", "Imported"
    MERGE = "merge", "Merged"


class AuditOutcome(models.TextChoices):
    ALLOWED = "allowed", "Allowed"
    DENIED = "denied", "Denied"
    NOT_FOUND = "not_found", "Not found"
    INVALID = "invalid", "Invalid input"


class AppendOnlyQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise PermissionError("Audit events cannot be updated.")

    def delete(self) -> NoReturn:
        raise PermissionError("Audit events cannot be deleted.")


class AuditEvent(models.Model):
    """One audited access. Patient and user are stored as plain values so that the trail
    outlives merges, deactivations and deletions and cannot be cascaded away."""

    occurred_at = models.DateTimeField(auto_now_add=True, db_index=True)
    user_id = models.BigIntegerField(null=True, db_index=True)
    username = models.CharField(max_length=150, blank=True)
    role = models.CharField(max_length=32, blank=True)
    organisation_id = models.BigIntegerField(null=True)
    patient_id = models.BigIntegerField(null=True, db_index=True)
    action = models.CharField(max_length=16, choices=AuditAction.choices)
    outcome = models.CharField(max_length=16, choices=AuditOutcome.choices)
    relationship = models.CharField(max_length=64, blank=True)
    resource = models.CharField(max_length=64, blank=True, help_text="What was touched, e.g. patient, careplan.")
    source = models.CharField(max_length=16, default="web", help_text="web, api, command or task")
    client_ip = models.GenericIPAddressField(null=True, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [models.Index(fields=["patient_id", "occurred_at"], name="audit_patient_time")]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.username or 'system'} {self.action} {self.outcome}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise PermissionError("Audit events cannot be updated.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise PermissionError("Audit events cannot be deleted.")
