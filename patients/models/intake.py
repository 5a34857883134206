"""What arrives from outside and needs a second look: import rows that could not be matched
on NHS number (a person confirms them, nothing is merged silently)."""

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
