"""Who may do what, by role: the predicates every view, service and API permission asks.

Roles are given by an administrator; a new account has none and sees no patient (ADR 0002).
Superuser status is a staff-console permission only: it never stands in for a role here, so a
superuser who is a commissioner still sees aggregates only.
"""

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied

from caremodel.models import Role, User

# Roles that may never see patient-identifiable data, whatever their team.
AGGREGATE_ONLY_ROLES = frozenset({Role.COMMISSIONER})
# Roles that do not care for patients: never named as accountable GP or key worker.
NON_CLINICAL_ROLES = frozenset({Role.COMMISSIONER, Role.ADMINISTRATOR})
CLINICAL_ROLES = frozenset(Role) - NON_CLINICAL_ROLES

AnyUser = User | AnonymousUser


def is_active_member(user: AnyUser) -> bool:
    return bool(user.is_authenticated and user.is_active)


def has_role(user: AnyUser, *roles: str) -> bool:
    """The user is active and holds one of `roles` (never true for an account without a role)."""
    role = getattr(user, "role", "")
    return is_active_member(user) and bool(role) and role in roles


def is_administrator(user: AnyUser) -> bool:
    return has_role(user, Role.ADMINISTRATOR)


def is_aggregate_only(user: AnyUser) -> bool:
    """Commissioners: aggregates with small numbers suppressed, never a patient."""
    return has_role(user, *AGGREGATE_ONLY_ROLES)


def is_clinical(user: AnyUser) -> bool:
    return has_role(user, *CLINICAL_ROLES)


def may_see_patient_data(user: AnyUser) -> bool:
    """Whether the role can ever see patient-level data; the care relationship then decides which patients."""
    role = getattr(user, "role", "")
    return is_active_member(user) and bool(role) and role not in AGGREGATE_ONLY_ROLES


def sees_population_figures(user: AnyUser) -> bool:
    """Commissioners and administrators see the registered population by cluster (suppressed)."""
    return has_role(user, Role.COMMISSIONER, Role.ADMINISTRATOR)


def require_administrator(user: User, *, doing: str, action: str = "view") -> None:
    """Services that only an administrator may call refuse anyone else (403), audited as `action`."""
    if is_administrator(user):
        return
    from caremodel.audit import audit_record
    from caremodel.models import AuditAction, AuditOutcome

    audit_record(
        user=user,
        action=AuditAction(action),
        outcome=AuditOutcome.DENIED,
        resource="administration",
        detail={"reason": "administrators only", "doing": doing},
    )
    raise PermissionDenied(f"Only a system administrator can {doing}.")
