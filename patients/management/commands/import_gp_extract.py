"""`manage.py import_gp_extract FILE [--strict]`: the GP registration extract."""

from patients.imports import import_gp_extract
from patients.management.commands._import_command import ImportCommand


class Command(ImportCommand):
    help = "Import a GP registration extract CSV (patients and their coded conditions)."
    importer = staticmethod(import_gp_extract)
