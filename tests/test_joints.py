"""The joints between stages are typed and checked: a misspelt rule id, a rule capturing a name nothing reads or an
outlet evidence the card cannot explain fail when they are built, not silently in the output."""

from datetime import datetime

import pytest
import yaml

from builder.config import conf_dir
from builder.document import Doc
from builder.errors import BuildError
from builder.html_meta import PageMeta
from builder.pipeline import build_stages
from builder.rules import RuleSet
from builder.stages.label import OUTLET_EVIDENCE, Verdict
from builder.stages.metadata import MetadataExtractor, Span
from conftest import typed_config


def test_a_misspelt_rule_id_in_config_fails_when_the_stage_is_built():
    with pytest.raises(BuildError, match=r"label.origin_credits names rule 'credit.sorce_label'.*"
                                         r"did you mean credit.source_label"):
        build_stages(typed_config("stages=[label]", "label.origin_credits=[credit.sorce_label]"))
    with pytest.raises(BuildError, match=r"segment.split_rules names rule 'dateline.cnnn'"):
        build_stages(typed_config("stages=[segment]", "segment.split_rules=[dateline.cnnn]"))


def test_a_rule_that_captures_a_name_nothing_reads_fails_when_the_rules_load(tmp_path):
    rules = yaml.safe_load((conf_dir() / "data" / "boilerplate.yaml").read_text(encoding="utf-8"))
    rules["rules"].append({"id": "byline.test", "pattern": "بقلم (?P<writer>.+)"})
    path = tmp_path / "rules.yaml"
    path.write_text(yaml.safe_dump(rules, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ValueError, match=r"byline.test .* captures \['writer'\], which nothing reads"):
        RuleSet.load(str(path))


def test_the_page_markup_reaches_the_metadata_as_a_typed_field():
    markup = PageMeta(published="2024-03-05T09:30:00", authors=["سارة أحمد"], site_names=["الخليج"],
                      found_date="2020-01-01")
    doc = MetadataExtractor().process(Doc(id="a", source_file="a", text="نص", markup=markup))
    assert (doc.published, doc.byline) == (datetime(2024, 3, 5, 9, 30), "سارة أحمد")
    fallback = MetadataExtractor().process(Doc(id="b", source_file="b", text="نص", markup=PageMeta(
        found_date="2020-01-01")))
    assert fallback.published == datetime(2020, 1, 1)


def test_the_template_phase_reads_the_lines_it_cut_through_the_metadata_function():
    lead = MetadataExtractor().read([Span("dateline", {"city": "القاهرة"}), Span("credit", {"source": "أ ش أ"}),
                                     Span("published", {"date": "12 مايو 2024"})])
    assert (lead.dateline, lead.credit, lead.published) == ("القاهرة", "mena", datetime(2024, 5, 12))


def test_every_outlet_evidence_is_explained_and_an_unexplained_one_fails():
    assert all(OUTLET_EVIDENCE.values())
    assert Verdict("youm7", "url", []).evidence == "url"
    with pytest.raises(ValueError, match="not in OUTLET_EVIDENCE"):
        Verdict(None, "hunch", [])


def test_a_stage_that_returns_no_document_fails_instead_of_losing_it():
    from builder.stages.base import Stage
    from builder.stats import StageStats

    class Swallow(Stage):
        name = "swallow"

        def process(self, doc):
            return []

    with pytest.raises(ValueError, match="returned no document for a: return a Drop instead"):
        list(Swallow().run([Doc(id="a", source_file="a", text="نص")], StageStats("swallow"), []))
