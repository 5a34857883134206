"""Idempotent intake for any app's API (docs/adr/0011): the same Idempotency-Key with the same body
replays the first answer; the same key with another body is refused (422). Keys are scoped per
client and per endpoint.

A replay is a request like any other: the caller's access is checked again and the replay is
audited, so a user whose care relationship has ended gets 404, never the stored body.
"""

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import IntegrityError, transaction
from django.db.models import Model

from caremodel.audit import audit_record
from caremodel.exceptions import UnprocessableError
from caremodel.models import AuditAction, AuditOutcome, IdempotencyRecord, User

KEY_LENGTH = 255
Subject = TypeVar("Subject", bound=Model)


class IdempotencyKeyReused(UnprocessableError):
    """The key was already used with a different request body."""


@dataclass(frozen=True)
class IdempotentOutcome:
    status: int
    body: Any
    replayed: bool = False


def _hash(payload: Any) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def _stored(*, user: User, scope: str, key: str, payload: Any) -> IdempotentOutcome | None:
    record = IdempotencyRecord.objects.filter(user=user, scope=scope, key=key).first()
    if record is None:
        return None
    if record.request_hash != _hash(payload):
        raise IdempotencyKeyReused("This Idempotency-Key was already used with a different request body.")
    return IdempotentOutcome(status=record.response_status, body=record.response_body, replayed=True)


def idempotent_call(
    *,
    user: User,
    scope: str,
    key: str,
    payload: Any,
    authorise: Callable[[], Subject],
    perform: Callable[[Subject], tuple[int, Any]],
    resource: str,
) -> IdempotentOutcome:
    """Check access (`authorise`, which audits a refusal and raises), then replay the stored answer for
    (user, scope, key) or `perform` the write and store its answer. `authorise` returns the patient the
    write is about, whose id the replay's audit entry carries."""
    subject = authorise()
    key = key.strip()
    if not key:
        status, body = perform(subject)
        return IdempotentOutcome(status=status, body=body)
    if len(key) > KEY_LENGTH:
        raise IdempotencyKeyReused(f"The Idempotency-Key must be {KEY_LENGTH} characters or fewer.")
    stored = _stored(user=user, scope=scope, key=key, payload=payload)
    if stored is None:
        status, body = perform(subject)
        stored = _store(user=user, scope=scope, key=key, payload=payload, status=status, body=body)
        if not stored.replayed:
            return stored
    audit_record(
        user=user,
        action=AuditAction.CREATE,
        outcome=AuditOutcome.ALLOWED,
        patient_id=subject.pk,
        resource=resource,
        detail={"replay": True, "scope": scope.split(":", 1)[0]},
    )
    return stored


def _store(*, user: User, scope: str, key: str, payload: Any, status: int, body: Any) -> IdempotentOutcome:
    """Keep the first answer; if a concurrent request stored one first, that one is the answer."""
    try:
        with transaction.atomic():
            IdempotencyRecord.objects.create(
                user=user,
                scope=scope,
                key=key,
                request_hash=_hash(payload),
                response_status=status,
                response_body=json.loads(json.dumps(body, default=str)),
            )
    except IntegrityError:
        stored = _stored(user=user, scope=scope, key=key, payload=payload)
        if stored is not None:
            return stored
    return IdempotentOutcome(status=status, body=body)
