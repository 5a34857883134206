#!/usr/bin/env python
"""Fail if a view or API module reaches patient data through a model manager.

Views and API views must go through the access policy (a selector's scoped queryset or a
service), never `Patient.objects`, so that no page can forget the care-relationship check
(docs/adr/0002). Usage: `python scripts/lint_patient_access.py [paths...]`.
"""

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = ("caremodel", "patients", "stratification", "careplans", "referrals", "mdt", "schemes", "dashboards")
# Models holding patient-identifiable data.
PATIENT_DATA_MODELS = frozenset(
    {
        "Patient",
        "PatientCondition",
        "ActivityEvent",
        "CarerRelationship",
        "CareHomeResidence",
    }
)
MANAGERS = frozenset({"objects", "_default_manager", "_base_manager"})


def view_modules(root: Path) -> Iterator[Path]:
    for app in APPS:
        for pattern in ("views.py", "views_*.py", "views/**/*.py", "api.py", "api_*.py", "api/**/*.py"):
            yield from sorted((root / app).glob(pattern))


def violations(path: Path) -> Iterator[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and node.attr in MANAGERS
            and isinstance(node.value, ast.Name)
            and node.value.id in PATIENT_DATA_MODELS
        ):
            yield f"{path}:{node.lineno}: {node.value.id}.{node.attr} in a view; use a scoped selector or a service"


def main(argv: list[str]) -> int:
    paths = [Path(p) for p in argv] if argv else list(view_modules(ROOT))
    found = [message for path in paths for message in violations(path)]
    for message in found:
        print(message)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
