"""Idempotency-Key support for API intake: the same key with the same body replays the first
answer; the same key with a different body is refused (422). Keys are scoped per client."""

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction

from caremodel.models import User
from patients.models import IdempotencyRecord


class IdempotencyKeyReused(Exception):
    """The key was already used with a different request body."""


@dataclass(frozen=True)
class StoredResponse:
    status: int
    body: Any


def _hash(payload: Any) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def idempotency_lookup(*, user: User, scope: str, key: str, payload: Any) -> StoredResponse | None:
    record = IdempotencyRecord.objects.filter(user=user, scope=scope, key=key).first()
    if record is None:
        return None
    if record.request_hash != _hash(payload):
        raise IdempotencyKeyReused("This Idempotency-Key was already used with a different request body.")
    return StoredResponse(status=record.response_status, body=record.response_body)


def idempotency_store(*, user: User, scope: str, key: str, payload: Any, status: int, body: Any) -> StoredResponse:
    """Keep the first answer; if a concurrent request stored one first, that one is the answer."""
    try:
        with transaction.atomic():
            IdempotencyRecord.objects.create(
                user=user,
                scope=scope,
                key=key[:255],
                request_hash=_hash(payload),
                response_status=status,
                response_body=json.loads(json.dumps(body, default=str)),
            )
    except IntegrityError:
        stored = idempotency_lookup(user=user, scope=scope, key=key, payload=payload)
        if stored is not None:
            return stored
    return StoredResponse(status=status, body=body)
