"""Idempotency-Keys of API intake, for every app: a retried request replays the first answer."""

from django.db import models


class IdempotencyRecord(models.Model):
    """The first answer given to (client, endpoint, key); a retry with the same body gets it again."""

    user = models.ForeignKey("caremodel.User", on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    scope = models.CharField(max_length=64, help_text="Which endpoint the key was used on.")
    request_hash = models.CharField(max_length=64)
    response_status = models.PositiveSmallIntegerField()
    response_body = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "scope", "key"], name="idempotency_unique_key_per_client"),
        ]

    def __str__(self) -> str:
        return f"{self.scope} key of user {self.user_id}"
