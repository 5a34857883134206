"""File imports into the patient record: the GP registration extract and the activity feed.

The same services serve the management commands, the administrator's upload page and the
API, so all three give the same report. Every file is validated in full first; then all
valid rows are applied in one transaction (or, in strict mode, nothing if any row is bad).
"""

from patients.imports.activity import import_activity
from patients.imports.gp_extract import import_gp_extract
from patients.imports.report import ImportReport, RowError

__all__ = ["ImportReport", "RowError", "import_activity", "import_gp_extract"]
