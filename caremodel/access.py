"""The patient access policy: one object answers both "may this user see this patient?"
and "which patients may this user see?" (docs/adr/0002).

Care relationships are contributed by the apps that own them (registration at a practice
from `patients`, caseloads from `careplans`, referrals from `referrals`, MDT lists from
`mdt`) through `register_relationship`, so this module never imports those apps and the
dependency direction of DESIGN.md holds.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from django.db import DatabaseError
from django.db.models import Model, Q, QuerySet

from caremodel import rules
from caremodel.models import User

logger = logging.getLogger(__name__)

M = TypeVar("M", bound=Model)

# A relationship maps a user to a Q over the Patient model, or None when it grants nothing.
RelationshipRule = Callable[[User], Q | None]


@dataclass(frozen=True)
class Relationship:
    name: str
    label: str
    rule: RelationshipRule


class PatientNotVisible(Exception):
    """No such patient, or no care relationship: indistinguishable to the caller (404)."""


class PatientDataForbidden(Exception):
    """The user's role never sees patient-level data (403)."""


class AccessCheckUnavailable(Exception):
    """The relationship lookup failed; callers answer 503, never the data (fail closed)."""


class PatientAccessPolicy:
    def __init__(self) -> None:
        self._relationships: dict[str, Relationship] = {}

    def register_relationship(self, *, name: str, label: str, rule: RelationshipRule) -> None:
        self._relationships[name] = Relationship(name=name, label=label, rule=rule)

    @property
    def relationships(self) -> tuple[Relationship, ...]:
        return tuple(self._relationships.values())

    def may_see_patient_data(self, user: User) -> bool:
        """Whether the user's role can ever see patient-level data (commissioners and accounts
        without a role cannot); see caremodel.rules."""
        return rules.may_see_patient_data(user)

    def _rules(self, user: User) -> list[tuple[Relationship, Q]]:
        rules: list[tuple[Relationship, Q]] = []
        for relationship in self._relationships.values():
            condition = relationship.rule(user)
            if condition is not None:
                rules.append((relationship, condition))
        return rules

    def scope(self, *, user: User, queryset: QuerySet[M]) -> QuerySet[M]:
        """The patients in `queryset` this user has a care relationship with."""
        if not self.may_see_patient_data(user):
            return queryset.none()
        try:
            rules = self._rules(user)
        except DatabaseError as exc:
            logger.error("relationship lookup failed: %s", type(exc).__name__)
            raise AccessCheckUnavailable from exc
        if not rules:
            return queryset.none()
        combined = Q()
        for _, condition in rules:
            combined |= condition
        return queryset.filter(combined)

    def relationship_with(self, *, user: User, patient: Model) -> Relationship | None:
        """The first care relationship this user has with the patient, or None."""
        if not self.may_see_patient_data(user):
            return None
        manager = type(patient)._default_manager
        try:
            for relationship, condition in self._rules(user):
                if manager.filter(condition, pk=patient.pk).exists():
                    return relationship
        except DatabaseError as exc:
            logger.error("relationship lookup failed: %s", type(exc).__name__)
            raise AccessCheckUnavailable from exc
        return None

    def relationships_for(self, *, user: User, model: type[Model], patient_ids: list[int]) -> dict[int, str]:
        """For patients already in the user's scope (a page of a list, search or export), the name of the
        first care relationship that lets the user see each: what the audit trail records against each row.
        One query per relationship the user holds; none when there is only one."""
        try:
            rules = self._rules(user)
            if len(rules) == 1:
                return dict.fromkeys(patient_ids, rules[0][0].name)
            found: dict[int, str] = {}
            remaining = set(patient_ids)
            for relationship, condition in rules:
                if not remaining:
                    break
                matched = model._default_manager.filter(condition, pk__in=remaining).values_list("pk", flat=True)
                for pk in matched:
                    found[pk] = relationship.name
                remaining.difference_update(found)
        except DatabaseError as exc:
            logger.error("relationship lookup failed: %s", type(exc).__name__)
            raise AccessCheckUnavailable from exc
        return found

    def may_view(self, *, user: User, patient: Model) -> bool:
        return self.relationship_with(user=user, patient=patient) is not None


patient_access_policy = PatientAccessPolicy()
