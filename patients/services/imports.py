"""File imports as use cases: the GP registration extract and the activity feed. The engines that
read and apply a file are in patients.imports; the page, the API and the commands come here."""

from collections.abc import Callable

from caremodel.models import User
from caremodel.rules import require_administrator
from patients.imports import ImportReport, import_activity, import_gp_extract

IMPORTERS: dict[str, Callable[..., ImportReport]] = {"gp_extract": import_gp_extract, "activity": import_activity}
IMPORT_KINDS = (("gp_extract", "GP registration extract"), ("activity", "Activity feed (hospital / SUS extract)"))


def import_file(*, user: User, kind: str, data: bytes, strict: bool) -> ImportReport:
    """Run one import for an administrator; the report names every rejected row."""
    require_administrator(user, doing="import files")
    return IMPORTERS[kind](data=data, user=user, strict=strict)
