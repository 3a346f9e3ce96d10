"""Each thing is declared once: a column in builder/schema.py, a setting's default in builder/config.py.

These fail when a column or a setting is added in one place only, so a newcomer learns what else to touch.
"""

import dataclasses
from pathlib import Path

import pyarrow as pa
import pytest
import yaml

from builder.config import GROUP_SCHEMAS, Config, conf_dir
from builder.document import Doc, Drop
from builder.pipeline import build_stages
from builder.schema import (
    DECISION_SCHEMA,
    FEATURES,
    LATE_FIELDS,
    REJECTED_FEATURES,
    WORK_COLUMNS,
    final_schema,
    work_schema,
)
from conftest import typed_config

# --- columns ---------------------------------------------------------------------------------------------

def test_every_work_column_is_a_document_attribute_and_in_its_row():
    missing = [name for name in WORK_COLUMNS if name not in Doc.__slots__]
    assert not missing, f"add {missing} to builder/document.py:Doc (the schema has them)"
    row = Doc(id="x", source_file="f").row()
    assert tuple(row) == WORK_COLUMNS
    pa.Table.from_pylist([row], schema=work_schema())  # the row fits the work schema as it is


def test_a_reject_row_has_exactly_the_rejected_columns():
    row = Doc(id="x", source_file="f", text="نص").reject_row("quality", Drop("too_few_words", "3 words"))
    assert list(row) == list(REJECTED_FEATURES)
    pa.Table.from_pylist([row], schema=REJECTED_FEATURES.arrow_schema)


def test_the_late_columns_come_from_the_decisions_and_the_final_rows_add_only_the_split():
    assert set(LATE_FIELDS) <= set(DECISION_SCHEMA.names) and set(LATE_FIELDS) <= set(FEATURES)
    assert final_schema().names == [*FEATURES, "split"]
    assert set(WORK_COLUMNS) | set(LATE_FIELDS) >= set(FEATURES)


# --- settings ----------------------------------------------------------------------------------------------

STAGE_GROUPS = [name for name in Config().stages]


@pytest.mark.parametrize("group", STAGE_GROUPS)
def test_each_stage_builds_from_its_composed_group_with_no_overrides(group):
    cfg = typed_config(f"stages=[{group}]")
    [stage] = build_stages(cfg)
    assert stage.name == group
    assert isinstance(getattr(cfg, group), GROUP_SCHEMAS[group])


def option_files() -> list[Path]:
    return sorted(p for group in GROUP_SCHEMAS for p in (conf_dir() / group).glob("*.yaml"))


@pytest.mark.parametrize("path", option_files(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_an_option_file_sets_only_what_differs_from_the_dataclass(path):
    """Defaults live in builder/config.py; a YAML value equal to the default is a second copy that will drift."""
    schema = GROUP_SCHEMAS[path.parent.name]
    defaults = {f.name: f.default if f.default is not dataclasses.MISSING else f.default_factory()
                for f in dataclasses.fields(schema)
                if f.default is not dataclasses.MISSING or f.default_factory is not dataclasses.MISSING}
    values = {k: v for k, v in (yaml.safe_load(path.read_text()) or {}).items() if k != "defaults"}
    repeated = [k for k, v in values.items() if k in defaults and defaults[k] == v]
    assert not repeated, f"{path.name} repeats the defaults of {repeated}: remove them, keep the why in config.py"
