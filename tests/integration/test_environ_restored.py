"""``environ_restored``: whatever the block does to the watched keys, they come back exactly."""

from __future__ import annotations

import os

import pytest
from hypothesis import given
from hypothesis import strategies as st

from podplan._environ import environ_restored

KEYS = ["PODPLAN_T_A", "PODPLAN_T_B", "PODPLAN_T_C"]
values = st.one_of(st.none(), st.text(alphabet="abc01,-", max_size=5))


def _set(key: str, value: str | None) -> None:
    if value is None:
        os.environ.pop(key, None)
    else:
        os.environ[key] = value


@given(
    before=st.lists(values, min_size=3, max_size=3),
    inside=st.lists(values, min_size=3, max_size=3),
    fail=st.booleans(),
)
def test_watched_keys_are_restored(before: list[str | None], inside: list[str | None], fail: bool) -> None:
    for key, value in zip(KEYS, before, strict=True):
        _set(key, value)
    try:
        with environ_restored(KEYS):
            for key, value in zip(KEYS, inside, strict=True):
                _set(key, value)
            if fail:
                raise KeyboardInterrupt
    except KeyboardInterrupt:
        assert fail
    assert [os.environ.get(k) for k in KEYS] == before
    for key in KEYS:
        os.environ.pop(key, None)


def test_unwatched_keys_are_left_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PODPLAN_T_OTHER", raising=False)
    with environ_restored(["PODPLAN_T_A"]):
        os.environ["PODPLAN_T_OTHER"] = "kept"
    assert os.environ.pop("PODPLAN_T_OTHER") == "kept"
