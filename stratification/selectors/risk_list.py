"""Reading risk: always the published run, always through the access policy's scope."""

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from caremodel.models import Cluster, Organisation, OrganisationKind, User
from patients.selectors.patient import patient_scoped_queryset
from stratification.models import PublishedRun, RiskScore

PAGE_SIZE = 50
EXPORT_FETCH = 2_000  # rows fetched from the database at a time while an export streams
SORTS: dict[str, tuple[str, ...]] = {
    "rank": ("rank",),
    "age": ("-age", "rank"),
    "frailty": ("-efi_score", "rank"),
    "name": ("patient__family_name", "patient__given_name", "rank"),
}


def published_run() -> PublishedRun | None:
    """The pointer row; one read, so a page uses one run throughout."""
    return PublishedRun.objects.select_related("run", "run__model").filter(pk=1).first()


def risk_scores_scoped(*, user: User, run_id: int) -> QuerySet[RiskScore]:
    """The published run's scores of the patients this user has a care relationship with."""
    visible = patient_scoped_queryset(user=user).values("pk")
    return RiskScore.objects.filter(run_id=run_id, patient_id__in=visible)


@dataclass(frozen=True)
class RiskListPage:
    rows: list[RiskScore]
    total: int
    page: int
    pages: int


def _filtered(*, user: User, run_id: int, filters: dict[str, Any]) -> QuerySet[RiskScore]:
    scores = risk_scores_scoped(user=user, run_id=run_id)
    if filters.get("practice"):
        scores = scores.filter(practice_id=filters["practice"])
    if filters.get("cluster"):
        practices = Organisation.objects.filter(cluster_id=filters["cluster"]).values("pk")
        scores = scores.filter(practice_id__in=practices)
    if filters.get("band"):
        scores = scores.filter(band=filters["band"])
    if filters.get("frailty"):
        scores = scores.filter(efi_category=filters["frailty"])
    if filters.get("care_home") in ("yes", "no"):
        scores = scores.filter(care_home=filters["care_home"] == "yes")
    if filters.get("age_min") is not None:
        scores = scores.filter(age__gte=filters["age_min"])
    if filters.get("age_max") is not None:
        scores = scores.filter(age__lte=filters["age_max"])
    return scores


def _ordered(scores: QuerySet[RiskScore], filters: dict[str, Any]) -> QuerySet[RiskScore]:
    return scores.select_related("patient", "patient__registered_practice").order_by(
        *SORTS[filters.get("sort") or "rank"]
    )


def risk_list(*, user: User, run_id: int, filters: dict[str, Any]) -> RiskListPage:
    """One page of the filtered list, with patients joined in one query."""
    scores = _filtered(user=user, run_id=run_id, filters=filters)
    total = scores.count()
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(int(filters.get("page") or 1), pages)
    rows = list(_ordered(scores, filters)[(page - 1) * PAGE_SIZE : page * PAGE_SIZE])
    return RiskListPage(rows=rows, total=total, page=page, pages=pages)


def risk_export_rows(*, user: User, run_id: int, filters: dict[str, Any]) -> Iterator[RiskScore]:
    """Every row of the filtered list, in order, streamed from the database a few thousand at a time
    (a server-side cursor on PostgreSQL), so an export's memory does not grow with its length."""
    return _ordered(_filtered(user=user, run_id=run_id, filters=filters), filters).iterator(chunk_size=EXPORT_FETCH)


def practices_and_clusters() -> tuple[list[Organisation], list[Cluster]]:
    practices = list(Organisation.objects.filter(kind=OrganisationKind.GP_PRACTICE, active=True).order_by("name"))
    return practices, list(Cluster.objects.order_by("name"))
