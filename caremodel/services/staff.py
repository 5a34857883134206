"""Changes to who may see what: a staff account's role and status, and team membership and coverage.
Each is audited, whoever makes it and however (the staff console calls these), because a role or a
team is what opens patient records to someone."""

from collections.abc import Iterable
from typing import Any

from django.db import transaction

from caremodel.audit import audit_record
from caremodel.models import AuditAction, AuditOutcome, Team, User

# Fields of an account whose change alters what the account can reach.
ACCESS_FIELDS = ("role", "organisation", "is_active", "is_staff", "is_superuser")


def _value(obj: Any, name: str) -> Any:
    value = getattr(obj, f"{name}_id" if name == "organisation" else name)
    return value if isinstance(value, bool | int | str) or value is None else str(value)


def staff_account_save(*, account: User, by: User, before: User | None) -> User:
    """Save an account created or changed by an administrator; changes to its role, organisation or status
    are audited with the old and new values (`before` is the account as it was, None for a new one)."""
    with transaction.atomic():
        account.save()
        changed = {
            name: {"from": _value(before, name) if before else None, "to": _value(account, name)}
            for name in ACCESS_FIELDS
            if before is None or _value(before, name) != _value(account, name)
        }
        if changed:
            audit_record(
                user=by,
                action=AuditAction.CREATE if before is None else AuditAction.UPDATE,
                outcome=AuditOutcome.ALLOWED,
                resource="staff_account",
                detail={"account": account.pk, "username": account.username, "changed": changed},
            )
    return account


def team_changes_audit(
    *,
    team: Team,
    by: User,
    created: bool,
    fields: Iterable[str],
    members_before: set[int],
    practices_before: set[int],
) -> None:
    """After a team was saved with its members and practices: who joined or left, which practices it covers
    now, and changes to its kind, cluster or status. Call inside the saving transaction."""
    members_now = set(team.memberships.values_list("user_id", flat=True))
    practices_now = set(team.practices.values_list("pk", flat=True))
    detail: dict[str, Any] = {"team": team.pk, "name": team.name}
    changed_fields = sorted(set(fields) & {"kind", "cluster", "organisation", "active"})
    if changed_fields:
        detail["fields"] = changed_fields
    if members_now != members_before:
        detail["members_added"] = sorted(members_now - members_before)
        detail["members_removed"] = sorted(members_before - members_now)
    if practices_now != practices_before:
        detail["practices_added"] = sorted(practices_now - practices_before)
        detail["practices_removed"] = sorted(practices_before - practices_now)
    if created or len(detail) > 2:
        audit_record(
            user=by,
            action=AuditAction.CREATE if created else AuditAction.UPDATE,
            outcome=AuditOutcome.ALLOWED,
            resource="team",
            detail=detail,
        )
