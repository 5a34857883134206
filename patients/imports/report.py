"""What an import says back: every rejected row with its line number, field and reason."""

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

PROGRESS_EVERY = 10_000  # rows between two progress reports


@dataclass(frozen=True)
class RowError:
    line: int
    field: str
    reason: str


@dataclass
class ImportReport:
    kind: str
    strict: bool
    rows: int = 0
    valid_rows: int = 0
    applied: bool = False
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    conditions_added: int = 0
    events_added: int = 0
    events_already_present: int = 0
    queued_for_matching: int = 0
    errors: list[RowError] = field(default_factory=list)
    # Told the number of rows read so far, every PROGRESS_EVERY rows (a job's progress bar).
    progress: Callable[[int], None] | None = field(default=None, repr=False, compare=False)

    @property
    def rejected_lines(self) -> list[int]:
        return sorted({error.line for error in self.errors})

    def reject(self, line: int, field_name: str, reason: str) -> None:
        self.errors.append(RowError(line=line, field=field_name, reason=reason))

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("progress", None)
        data["summary"] = self.summary()
        data["rejected_rows"] = len(self.rejected_lines)
        data["errors"] = [asdict(error) for error in sorted(self.errors, key=lambda e: (e.line, e.field))]
        return data

    def summary(self) -> str:
        outcome = "applied" if self.applied else "NOT applied"
        return (
            f"{self.kind}: {self.rows:,} rows, {self.valid_rows:,} valid, "
            f"{len(self.rejected_lines):,} rejected; {outcome}. "
            f"Patients created {self.created:,}, updated {self.updated:,}, unchanged {self.unchanged:,}; "
            f"conditions added {self.conditions_added:,}; events added {self.events_added:,} "
            f"(already present {self.events_already_present:,}); queued for matching {self.queued_for_matching:,}."
        )
