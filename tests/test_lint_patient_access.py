"""The lint that keeps views and API views on the access policy's scoped querysets."""

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
spec = importlib.util.spec_from_file_location("lint_patient_access", ROOT / "scripts" / "lint_patient_access.py")
assert spec and spec.loader
lint = importlib.util.module_from_spec(spec)
spec.loader.exec_module(lint)


def test_no_view_or_api_module_uses_a_patient_manager() -> None:
    modules = list(lint.view_modules(ROOT))
    assert modules, "the lint found no view modules to check"
    assert [m for path in modules for m in lint.violations(path)] == []


def test_the_lint_catches_direct_manager_use(tmp_path: Path) -> None:
    bad = tmp_path / "views.py"
    bad.write_text("from patients.models import Patient\n\ndef page(request):\n    return Patient.objects.all()\n")
    assert [m.split(": ", 1)[1] for m in lint.violations(bad)] == [
        "Patient.objects in a view; use a scoped selector or a service"
    ]
    assert lint.main([str(bad)]) == 1


def test_the_lint_covers_every_view_and_api_module_name(tmp_path: Path) -> None:
    """views.py, views_*.py, views/..., api.py, api_*.py and api/... of every app are all checked."""
    body = "from patients.models import ActivityEvent\n\nrows = ActivityEvent.objects.all()\n"
    for relative in ("views.py", "views_x.py", "views/deep/page.py", "api.py", "api_x.py", "api/nested.py"):
        path = tmp_path / "careplans" / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(body)
    found = sorted(str(path.relative_to(tmp_path)) for path in lint.view_modules(tmp_path))
    assert found == [
        "careplans/api.py",
        "careplans/api/nested.py",
        "careplans/api_x.py",
        "careplans/views.py",
        "careplans/views/deep/page.py",
        "careplans/views_x.py",
    ]
    assert all(list(lint.violations(tmp_path / name)) for name in found)
