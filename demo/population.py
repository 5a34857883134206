"""A synthetic, deterministic population with valid NHS numbers from the 999 test range
and an older age profile (about 21% over 65, as in South Kent Coast)."""

import random
from collections.abc import Iterator
from datetime import date, timedelta

from caremodel.models import Organisation
from patients.models import Patient, Sex
from patients.nhs_number import check_digit

# Age bands and their shares of the population: 65+ = 0.12 + 0.065 + 0.025 = 21%.
AGE_BANDS: tuple[tuple[int, int, float], ...] = (
    (0, 17, 0.19),
    (18, 44, 0.30),
    (45, 64, 0.30),
    (65, 74, 0.12),
    (75, 84, 0.065),
    (85, 100, 0.025),
)
GIVEN_FEMALE = (
    "Margaret",
    "Patricia",
    "Susan",
    "Jean",
    "Joan",
    "Mary",
    "Elizabeth",
    "Sarah",
    "Emma",
    "Olivia",
    "Amelia",
    "Priya",
    "Aisha",
    "Zofia",
    "Grace",
    "Ruth",
    "Irene",
    "Dorothy",
    "Chloe",
    "Niamh",
)
GIVEN_MALE = (
    "John",
    "David",
    "Michael",
    "Peter",
    "Robert",
    "William",
    "James",
    "George",
    "Harry",
    "Oliver",
    "Mohammed",
    "Arjun",
    "Tomasz",
    "Kwame",
    "Brian",
    "Kenneth",
    "Dennis",
    "Alan",
    "Jack",
    "Noah",
)
FAMILY = (
    "Smith",
    "Jones",
    "Taylor",
    "Brown",
    "Williams",
    "Wilson",
    "Johnson",
    "Davies",
    "Robinson",
    "Wright",
    "Thompson",
    "Evans",
    "Walker",
    "White",
    "Roberts",
    "Green",
    "Hall",
    "Wood",
    "Jackson",
    "Clarke",
    "Patel",
    "Khan",
    "Kowalski",
    "Okoye",
    "O'Brien",
    "Hughes",
    "Edwards",
    "Turner",
    "Hill",
    "Moore",
    "Cooper",
    "Ward",
    "Morris",
    "King",
    "Baker",
    "Harrison",
    "Lewis",
    "Martin",
    "Allen",
    "Young",
)


UNIT_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"


def demo_nhs_numbers(rng: random.Random) -> Iterator[str]:
    """Unique valid NHS numbers starting 999 (the range reserved for testing)."""
    seen: set[str] = set()
    while True:
        first_nine = f"999{rng.randrange(1_000_000):06d}"
        digit = check_digit(first_nine)
        if digit is None or first_nine in seen:
            continue
        seen.add(first_nine)
        yield f"{first_nine}{digit}"


def _date_of_birth(rng: random.Random, today: date) -> date:
    roll, cumulative = rng.random(), 0.0
    low, high = AGE_BANDS[-1][:2]
    for band_low, band_high, share in AGE_BANDS:
        cumulative += share
        if roll < cumulative:
            low, high = band_low, band_high
            break
    age_days = rng.randrange(low * 365, (high + 1) * 365)
    return today - timedelta(days=age_days)


def build_patients(*, count: int, practices: list[Organisation], seed: int, today: date) -> Iterator[Patient]:
    rng = random.Random(seed)  # noqa: S311 - synthetic data, not security
    numbers = demo_nhs_numbers(rng)
    for _ in range(count):
        sex = Sex.FEMALE if rng.random() < 0.51 else Sex.MALE
        given = rng.choice(GIVEN_FEMALE if sex == Sex.FEMALE else GIVEN_MALE)
        born = _date_of_birth(rng, today)
        practice = rng.choice(practices)
        age = (today - born).days // 365
        died = None
        if age >= 80 and rng.random() < 0.03:
            died = today - timedelta(days=rng.randrange(1, 365))
        district = practice.postcode.split()[0] if practice.postcode else "TN23"
        yield Patient(
            nhs_number=next(numbers),
            given_name=given,
            family_name=rng.choice(FAMILY),
            date_of_birth=born,
            sex=sex,
            postcode=f"{district} {rng.randint(1, 9)}{rng.choice(UNIT_LETTERS)}{rng.choice(UNIT_LETTERS)}",
            registered_practice=practice,
            date_of_death=died,
        )
