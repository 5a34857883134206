from caremodel.models.audit import AuditAction, AuditEvent, AuditOutcome
from caremodel.models.idempotency import IdempotencyRecord
from caremodel.models.organisations import Cluster, Organisation, OrganisationKind
from caremodel.models.services import CareService, ServiceKind
from caremodel.models.users import Role, Team, TeamKind, TeamMembership, User

__all__ = [
    "AuditAction",
    "AuditEvent",
    "AuditOutcome",
    "CareService",
    "Cluster",
    "IdempotencyRecord",
    "Organisation",
    "OrganisationKind",
    "Role",
    "ServiceKind",
    "Team",
    "TeamKind",
    "TeamMembership",
    "User",
]
