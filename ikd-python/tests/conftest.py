"""Shared fixtures: the committed test vectors (test-vectors/cases)."""

import json
import pathlib
from datetime import datetime

import pytest

CASES_DIR = pathlib.Path(__file__).resolve().parents[2] / "test-vectors" / "cases"


def load_cases():
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(CASES_DIR.glob("*.json"))]


CASES = load_cases()


def now_of(case):
    return datetime.fromisoformat(case["clock"].replace("Z", "+00:00")).timestamp()


def case(name):
    for c in CASES:
        if c["name"] == name:
            return c
    raise KeyError(name)


@pytest.fixture
def valid():
    return case("valid-typical-woman")
