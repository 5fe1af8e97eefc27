"""A synthetic history table for ``risk_fit`` in which the outcome depends on known factors.

Each row is a past key person: the facts the register knows (same column names as
``facts.FACTS``), an audit column 性别, a protected column 民族 (independent of everything),
and the outcome ``escalated_12m`` (1 = an incident within twelve months). The true model:

    logit P(escalated) = -2.8
        + 0.7 · [1 ≤ petitions_90d ≤ 2] + 1.5 · [petitions_90d ≥ 3]
        + 0.4 · [employment = unstable] + 1.0 · [employment = unemployed]
        + 1.2 · [housing = unstable]
        + 0.9 · [violations ≥ 2]
        + 0.8 · [lost_contact_180d ≥ 1]
        + 0.6 · [months_since_release < 12]

Age, open cases, 民族 and 性别 carry no effect; cases_365d is correlated with petitions.
"""

import csv
from pathlib import Path

import numpy as np

TRUE_EFFECTS = {
    "petitions_90d": 1.5,
    "employment": 1.0,
    "housing": 1.2,
    "violations": 0.9,
    "lost_contact_180d": 0.8,
    "months_since_release": 0.6,
}
NOISE_COLUMNS = ("age", "open_cases")
COLUMNS = [
    "petitions_90d",
    "cases_365d",
    "open_cases",
    "person_type",
    "employment",
    "housing",
    "months_since_release",
    "violations",
    "lost_contact_180d",
    "age",
    "性别",
    "民族",
    "escalated_12m",
]
TYPES = ["released", "corrections", "petitioner", "dispute_party", "other"]
ETHNICITIES = ["汉族", "回族", "满族", "蒙古族"]


def generate(rows: int, *, seed: int, shuffle_outcome: bool = False) -> list[dict]:
    rng = np.random.default_rng(seed)
    person_type = rng.choice(TYPES, size=rows, p=[0.3, 0.2, 0.2, 0.2, 0.1])
    petitions = rng.poisson(np.where(person_type == "petitioner", 2.2, 0.5))
    cases = petitions + rng.poisson(0.8, size=rows)
    open_cases = rng.binomial(1, 0.25, size=rows) * rng.integers(1, 3, size=rows)
    employment = rng.choice(["employed", "unstable", "unemployed"], size=rows, p=[0.5, 0.3, 0.2])
    housing = rng.choice(["stable", "unstable"], size=rows, p=[0.85, 0.15])
    released = np.isin(person_type, ["released"])
    months = np.where(released, rng.integers(0, 60, size=rows), -1)
    violations = rng.poisson(np.where(person_type == "corrections", 0.9, 0.3))
    lost = rng.binomial(2, 0.12, size=rows)
    age = rng.integers(18, 75, size=rows)
    gender = rng.choice(["男", "女"], size=rows, p=[0.7, 0.3])
    ethnicity = rng.choice(ETHNICITIES, size=rows, p=[0.85, 0.06, 0.06, 0.03])
    logit = (
        -2.8
        + 0.7 * ((petitions >= 1) & (petitions <= 2))
        + 1.5 * (petitions >= 3)
        + 0.4 * (employment == "unstable")
        + 1.0 * (employment == "unemployed")
        + 1.2 * (housing == "unstable")
        + 0.9 * (violations >= 2)
        + 0.8 * (lost >= 1)
        + 0.6 * (released & (months < 12))
    )
    outcome = (rng.random(rows) < 1 / (1 + np.exp(-logit))).astype(int)
    if shuffle_outcome:
        outcome = rng.permutation(outcome)
    return [
        {
            "petitions_90d": int(petitions[i]),
            "cases_365d": int(cases[i]),
            "open_cases": int(open_cases[i]),
            "person_type": str(person_type[i]),
            "employment": str(employment[i]),
            "housing": str(housing[i]),
            "months_since_release": int(months[i]) if months[i] >= 0 else "",
            "violations": int(violations[i]),
            "lost_contact_180d": int(lost[i]),
            "age": int(age[i]),
            "性别": str(gender[i]),
            "民族": str(ethnicity[i]),
            "escalated_12m": int(outcome[i]),
        }
        for i in range(rows)
    ]


def write_csv(path: Path, rows: int, *, seed: int, shuffle_outcome: bool = False) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(generate(rows, seed=seed, shuffle_outcome=shuffle_outcome))
    return path


def to_bytes(rows: int, *, seed: int, shuffle_outcome: bool = False) -> bytes:
    import io

    handle = io.StringIO()
    writer = csv.DictWriter(handle, fieldnames=COLUMNS)
    writer.writeheader()
    writer.writerows(generate(rows, seed=seed, shuffle_outcome=shuffle_outcome))
    return handle.getvalue().encode("utf-8")
