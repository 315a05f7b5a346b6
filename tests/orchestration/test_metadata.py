"""What the Dagster UI shows: images inline, shares as bars."""

from __future__ import annotations

import base64

import pandas as pd

from orchestration.metadata import inline_image, share_bars

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)


def test_a_plot_is_carried_inside_the_markdown_as_a_data_uri(tmp_path):
    path = tmp_path / "plot.png"
    path.write_bytes(PNG)
    text = inline_image(path, "a plot").value
    assert text.startswith("![a plot](data:image/png;base64,")
    assert base64.b64decode(text.split(",", 1)[1].rstrip(")")) == PNG


def test_shares_are_bars_of_twenty_characters_with_their_percentage():
    counts = pd.DataFrame({"region_kato": ["79"], "level_1": [1], "level_2": [3]})
    lines = share_bars(counts, "region_kato", ["level_1", "level_2"]).value.splitlines()
    assert lines[0] == "| region_kato | level_1 | level_2 |"
    assert lines[2] == f"| 79 | `{'█' * 5:<20}` 25.0% | `{'█' * 15:<20}` 75.0% |"
