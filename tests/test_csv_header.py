"""A CSV header that names a column twice is refused, naming the file and the column."""

from __future__ import annotations

import pytest

from aerosync.csv_header import RepeatedColumn, check_header, repeated_columns

pytestmark = pytest.mark.unit


def test_repeated_names_are_found_after_stripping_blank_ones_are_no_column() -> None:
    assert repeated_columns(["a", "b", " a", "c", "", "", None]) == ["a"]
    assert repeated_columns(["A", "a"]) == []
    assert repeated_columns(["A", "a"], lambda n: n.strip().lower()) == ["a"]


def test_check_header_names_file_and_columns() -> None:
    check_header("ok.csv", ["a", "b"])
    with pytest.raises(RepeatedColumn, match=r"file 'x\.csv'.*'a', 'b' more than once"):
        check_header("x.csv", ["a", "b", "a", "b"])
