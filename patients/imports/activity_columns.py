"""Validating an activity feed a block of rows at a time, column by column.

A feed of a million rows holds far fewer distinct NHS numbers, event types, dates, providers
and lengths of stay than rows, so each column is checked once per distinct value and the
result mapped back over the column with C-level `map`; only when a block holds a bad value
are its rows walked one by one to name the lines. The rules, and the messages that name the
field and the rule, are the same for every row whichever way it is checked.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from operator import itemgetter, lt
from typing import TypeVar

from patients.imports.reading import parse_date
from patients.models import DischargeDestination, EventKind
from patients.nhs_number import InvalidNHSNumber, normalise_nhs_number

REQUIRED = ("nhs_number", "event_type", "event_date", "provider_code", "source_id")
OPTIONAL = (
    "source_system",
    "length_of_stay",
    "discharge_destination",
    "with_fracture",
    "given_name",
    "family_name",
    "date_of_birth",
    "postcode",
)
# The order a row's faults are listed in, as a reader scans the row.
FIELD_ORDER = {name: rank for rank, name in enumerate((*REQUIRED[:4], "source_id", *OPTIONAL[1:4]))}
KINDS = frozenset(EventKind.values)
DESTINATIONS = frozenset(DischargeDestination.values)
BOOLEANS: dict[str, bool | None] = {
    "": None,
    "y": True,
    "yes": True,
    "true": True,
    "1": True,
    "n": False,
    "no": False,
    "false": False,
    "0": False,
}
T = TypeVar("T")


class Fault(str):
    """A reason a value is refused; a distinct type so a cache can hold values and faults together."""


@dataclass
class EventColumns:
    """Accepted events, one list per column, all the same length."""

    lines: list[int] = field(default_factory=list)
    nhs_numbers: list[str] = field(default_factory=list)
    patient_ids: list[int] = field(default_factory=list)  # empty when the database resolves the patients
    kinds: list[str] = field(default_factory=list)
    dates: list[date] = field(default_factory=list)
    provider_ids: list[int | None] = field(default_factory=list)
    source_systems: list[str] = field(default_factory=list)
    source_ids: list[str] = field(default_factory=list)
    stays: list[int | None] = field(default_factory=list)
    destinations: list[str] = field(default_factory=list)
    fractures: list[bool | None] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.lines)


@dataclass(frozen=True)
class Unmatched:
    """A valid row without an NHS number: matched on name and date of birth by a person, later."""

    line: int
    raw: dict[str, str]


@dataclass
class BlockResult:
    accepted: EventColumns
    unmatched: list[Unmatched]
    faults: list[tuple[int, str, str]]  # (line, field, reason)


PatientLookup = Callable[[list[str]], dict[str, tuple[int, date]]]


class FeedValidator:
    """Holds what is learnt across blocks: the verdict on each distinct value, the source ids
    seen (a duplicate row is refused, naming the line of the first), and the patients found.
    Without `find_patients` the patients are left to the database: the accepted rows keep their
    NHS numbers, and whether each names a registered patient born by the event date is checked
    where they are staged (patients.imports.postgres)."""

    def __init__(
        self,
        *,
        columns: dict[str, int],
        providers: dict[str, int],
        source_system: str,
        today: date,
        find_patients: PatientLookup | None,
    ) -> None:
        self.columns = columns
        self.providers = providers
        self.source_system = source_system[:32]
        self.today = today
        self.find_patients = find_patients
        self.seen: dict[tuple[str, str], int] = {}
        self.patients: dict[str, tuple[int, date] | None] = {}
        self.caches: dict[str, dict[str, object]] = {}
        self.faulty: dict[str, set[str]] = {}

    def _checked(self, name: str, values: list[str], check: Callable[[str], T | Fault]) -> tuple[list[T | Fault], bool]:
        """The verdict on each value, and whether any of them is a fault."""
        cache = self.caches.setdefault(name, {})
        faulty = self.faulty.setdefault(name, set())
        distinct = set(values)
        for value in distinct.difference(cache):
            verdict = check(value)
            cache[value] = verdict
            if isinstance(verdict, Fault):
                faulty.add(value)
        return list(map(cache.__getitem__, values)), not faulty.isdisjoint(distinct)  # type: ignore[arg-type]

    def _column(self, values: list[tuple[str, ...]], name: str, rows: int) -> list[str]:
        index = self.columns.get(name)
        if index is None:
            return [""] * rows
        return list(map(str.strip, values[index]))

    def block(self, records: list[tuple[int, list[str]]]) -> BlockResult:
        """Check a block of (line, raw values) rows; the accepted rows, the unmatched and every fault."""
        lines = [line for line, _ in records]
        rows = len(lines)
        values = list(zip(*(row for _, row in records), strict=True))
        faults: list[tuple[int, int, str, str]] = []  # (index, field rank, field, reason)

        def checked(name: str, check: Callable[[str], T | Fault]) -> list[T | Fault]:
            verdicts, any_fault = self._checked(name, self._column(values, name, rows), check)
            if any_fault:
                rank = FIELD_ORDER[name]
                faults.extend(
                    (index, rank, name, str(verdict))
                    for index, verdict in enumerate(verdicts)
                    if isinstance(verdict, Fault)
                )
            return verdicts

        numbers = checked("nhs_number", _nhs_number)
        kinds = checked("event_type", _kind)
        dates = checked("event_date", self._event_date)
        providers = checked("provider_code", self._provider)
        source_ids = self._column(values, "source_id", rows)
        if rows and (min(map(len, source_ids)) == 0 or max(map(len, source_ids)) > 64):
            rank = FIELD_ORDER["source_id"]
            reason = "Required, at most 64 characters."
            faults.extend((i, rank, "source_id", reason) for i, v in enumerate(source_ids) if not v or len(v) > 64)
        if "source_system" in self.columns:
            systems = [value[:32] or self.source_system for value in self._column(values, "source_system", rows)]
        else:
            systems = [self.source_system] * rows
        stays = checked("length_of_stay", _stay)
        destinations = checked("discharge_destination", _destination)
        if any(destinations):
            self._destinations_only_on_discharge(destinations, kinds, faults)  # type: ignore[arg-type]
        fractures = checked("with_fracture", _fracture)

        refused = {index for index, *_ in faults}
        valid = [index for index in range(rows) if index not in refused] if refused else list(range(rows))
        duplicates = self._remember_sources(valid, lines, systems, source_ids)
        for index in duplicates:
            first = self.seen[(systems[index], source_ids[index])]
            reason = f"Duplicate row: the same source id is on line {first}."
            faults.append((index, FIELD_ORDER["source_id"], "source_id", reason))
        unmatched: list[Unmatched] = []
        if duplicates or "" in self.caches["nhs_number"]:
            keep = []
            for index in valid:
                if index in duplicates:
                    continue
                if numbers[index] == "":
                    raw = {name: values[column][index].strip() for name, column in self.columns.items()}
                    unmatched.append(Unmatched(lines[index], raw))
                else:
                    keep.append(index)
        else:
            keep = valid
        patient_ids: list[int] = []
        if self.find_patients is not None:
            patient_ids = self._attach_patients(self.find_patients, keep, numbers, dates, faults)  # type: ignore[arg-type]
            if len(patient_ids) < len(keep):
                refused = {index for index, *_ in faults}
                keep = [index for index in keep if index not in refused]
        accepted = EventColumns(
            lines=_pick(lines, keep, rows),
            nhs_numbers=_pick(numbers, keep, rows),  # type: ignore[arg-type]
            patient_ids=patient_ids,
            kinds=_pick(kinds, keep, rows),  # type: ignore[arg-type]
            dates=_pick(dates, keep, rows),  # type: ignore[arg-type]
            provider_ids=_pick(providers, keep, rows),  # type: ignore[arg-type]
            source_systems=_pick(systems, keep, rows),
            source_ids=_pick(source_ids, keep, rows),
            stays=_pick(stays, keep, rows),  # type: ignore[arg-type]
            destinations=_pick(destinations, keep, rows),  # type: ignore[arg-type]
            fractures=_pick(fractures, keep, rows),  # type: ignore[arg-type]
        )
        faults.sort()
        return BlockResult(accepted, unmatched, [(lines[index], name, reason) for index, _, name, reason in faults])

    @staticmethod
    def _destinations_only_on_discharge(
        destinations: list[str | Fault], kinds: list[str | Fault], faults: list[tuple[int, int, str, str]]
    ) -> None:
        discharge, rank = EventKind.DISCHARGE.value, FIELD_ORDER["discharge_destination"]
        for index, (destination, kind) in enumerate(zip(destinations, kinds, strict=True)):
            if destination and not isinstance(destination, Fault) and kind != discharge:
                reason = f"{destination[:40]!r} is not a destination of a discharge."
                faults.append((index, rank, "discharge_destination", reason))

    def _remember_sources(
        self, valid: list[int], lines: list[int], systems: list[str], source_ids: list[str]
    ) -> set[int]:
        """Remember each valid row's (system, source id); return the rows that repeat an earlier one."""
        whole = len(valid) == len(lines)
        keys = list(zip(systems, source_ids, strict=True)) if whole else [(systems[i], source_ids[i]) for i in valid]
        block = dict(zip(keys, lines if whole else map(lines.__getitem__, valid), strict=True))
        if len(block) == len(keys) and self.seen.keys().isdisjoint(block):
            self.seen.update(block)
            return set()
        duplicates: set[int] = set()
        for index, key in zip(valid, keys, strict=True):
            if key in self.seen:
                duplicates.add(index)
            else:
                self.seen[key] = lines[index]
        return duplicates

    def _attach_patients(
        self,
        find_patients: PatientLookup,
        keep: list[int],
        numbers: list[str],
        dates: list[date],
        faults: list[tuple[int, int, str, str]],
    ) -> list[int]:
        """The patient id of each kept row. Each NHS number must be registered here and no event may
        precede the birth; a row that fails is added to the faults and has no id in the result."""
        rows = len(numbers)
        kept_numbers, kept_dates = _pick(numbers, keep, rows), _pick(dates, keep, rows)
        wanted = sorted(set(kept_numbers).difference(self.patients))
        if wanted:
            found = find_patients(wanted)
            self.patients.update({number: found.get(number) for number in wanted})
        patients = list(map(self.patients.__getitem__, kept_numbers))
        if None not in patients:
            born = list(map(itemgetter(1), patients))  # type: ignore[arg-type]
            if not any(map(lt, kept_dates, born)):
                return list(map(itemgetter(0), patients))  # type: ignore[arg-type]
        ids: list[int] = []
        for index, number, event_date, patient in zip(keep, kept_numbers, kept_dates, patients, strict=True):
            if patient is None:
                reason = f"No patient with NHS number {number} is registered here."
                faults.append((index, FIELD_ORDER["nhs_number"], "nhs_number", reason))
            elif event_date < patient[1]:
                reason = "The event date is before the patient's date of birth."
                faults.append((index, FIELD_ORDER["event_date"], "event_date", reason))
            else:
                ids.append(patient[0])
        return ids

    def _event_date(self, raw: str) -> date | Fault:
        try:
            parsed = parse_date(raw)
        except ValueError:
            return Fault(f"{raw!r} is not a date (use YYYY-MM-DD).")
        return parsed if parsed <= self.today else Fault("The event date is in the future.")

    def _provider(self, raw: str) -> int | Fault | None:
        if not raw:
            return None
        found = self.providers.get(raw.upper())
        return found if found is not None else Fault(f"Unknown provider code {raw[:20]!r}.")


def _nhs_number(raw: str) -> str | Fault:
    if not raw:
        return ""  # no NHS number: matched on name and date of birth instead
    try:
        return normalise_nhs_number(raw)
    except InvalidNHSNumber as exc:
        return Fault(str(exc))


def _kind(raw: str) -> str | Fault:
    kind = raw.lower()
    return kind if kind in KINDS else Fault(f"{raw!r} is not a known event type.")


def _stay(raw: str) -> int | Fault | None:
    if not raw:
        return None
    if raw.isascii() and raw.isdigit() and len(raw) < 6:  # "²".isdigit() is true, but int() refuses it
        return int(raw)
    return Fault(f"{raw[:20]!r} is not a whole number of days.")


def _destination(raw: str) -> str | Fault:
    destination = raw.lower()
    if destination and destination not in DESTINATIONS:
        return Fault(f"{destination[:40]!r} is not a destination of a discharge.")
    return destination


def _fracture(raw: str) -> bool | Fault | None:
    text = raw.lower()
    return BOOLEANS[text] if text in BOOLEANS else Fault(f"{text[:20]!r} is not yes or no.")


def _pick(column: list[T], keep: list[int], rows: int) -> list[T]:
    """The kept rows of a column; `keep` holds every index in order when nothing was refused."""
    return column if len(keep) == rows else list(map(column.__getitem__, keep))
