"""Bad input is one line naming the file and line, whatever the file's column names or the path hold."""

from __future__ import annotations

from pathlib import Path

import pytest

from stancebench.errors import InputError
from stancebench.evaluation.predictions import read_predictions


@pytest.mark.parametrize(
    "data",
    [
        b'\ns1,s1,",s1\ns1,",s1\ns1,s1,s1,s1',  # a quoted header cell holding a line break (found by hypothesis)
        b'"a\rb",label\nx,support\n',  # a carriage return in a column name
        b'"tab\there",label\nx,support\n',
        b'"\x1b[31mred",label\nx,support\n',  # a terminal escape in a column name
    ],
)
def test_a_missing_column_is_one_line_whatever_the_header_holds(tmp_path: Path, data: bytes):
    path = tmp_path / "preds.csv"
    path.write_bytes(data)
    with pytest.raises(InputError) as caught:
        read_predictions(path)
    message = str(caught.value)
    assert message.startswith(f"{path}:1: missing column 'id'")
    assert message.isprintable()


def test_a_path_with_a_line_break_is_shown_on_one_line(tmp_path: Path):
    path = tmp_path / "odd\nname.csv"
    path.write_bytes(b"")
    with pytest.raises(InputError) as caught:
        read_predictions(path)
    assert "\n" not in str(caught.value) and "odd\\nname.csv" in str(caught.value)
