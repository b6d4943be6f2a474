"""The documents say what the code does."""

from pathlib import Path

from sim.outputs.paramtable import markdown, rows

ROOT = Path(__file__).resolve().parents[1]


def test_model_doc_parameter_table_matches_the_schema():
    text = (ROOT / "docs" / "model.md").read_text()
    assert markdown() in text, (
        "regenerate with: python -m sim.outputs.paramtable (see docs/model.md)"
    )


def test_every_parameter_has_a_description_and_a_range():
    for name, meaning, _unit, _default, allowed, _source in rows():
        assert meaning, name
        assert allowed, name
