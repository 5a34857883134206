"""`manage.py import_activity FILE [--strict] [--source-system sus]`: an activity feed."""

from typing import Any

from django.core.management.base import CommandParser

from patients.imports import import_activity
from patients.management.commands._import_command import ImportCommand


class Command(ImportCommand):
    help = "Import an activity feed CSV (hospital / SUS-shaped events); a row already stored is not stored again."
    importer = staticmethod(import_activity)

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("--source-system", default="sus", help="Feed name for rows without a source_system.")

    def extra_options(self, options: dict[str, Any]) -> dict[str, Any]:
        return {"source_system": options["source_system"]}
