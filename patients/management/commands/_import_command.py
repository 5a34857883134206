"""Shared body of the import commands: read the file, run the service, print the report."""

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from caremodel.models import User
from caremodel.request_context import request_context
from patients.imports import ImportReport


class ImportCommand(BaseCommand):
    importer: Callable[..., ImportReport]

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="The CSV file (UTF-8).")
        parser.add_argument("--strict", action="store_true", help="Apply nothing if any row is rejected.")
        parser.add_argument("--as-user", help="Username recorded in the audit trail (default: the command itself).")
        parser.add_argument("--json", action="store_true", help="Print the full report as JSON.")

    def extra_options(self, options: dict[str, Any]) -> dict[str, Any]:
        return {}

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["path"])
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        user = None
        if options["as_user"]:
            user = User.objects.filter(username=options["as_user"], is_active=True).first()
            if user is None:
                raise CommandError(f"No active user {options['as_user']!r}.")
        with request_context(source="command"):
            report = type(self).importer(
                data=path.read_bytes(), user=user, strict=options["strict"], **self.extra_options(options)
            )
        if options["json"]:
            self.stdout.write(json.dumps(report.as_dict(), indent=2, default=str))
        else:
            for error in sorted(report.errors, key=lambda e: (e.line, e.field)):
                self.stdout.write(f"line {error.line}: {error.field}: {error.reason}")
            self.stdout.write(report.summary())
        if report.errors and (options["strict"] or not report.applied):
            raise CommandError("Import not applied: see the rejected rows above.")
