"""Structured configs: the typed schema behind every YAML file in `conf/`.

Each option file in a config group names its schema in its defaults list (`- schema`), so an unknown key,
a value of the wrong type or a missing required value fails when Hydra composes the config, before any
work starts. Defaults live here; the YAML files document them and hold the data (rules, word lists).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path

from hydra.core.config_store import ConfigStore

PACKAGE_DIR = Path(__file__).resolve().parent


def conf_dir() -> Path:
    """`conf/` inside an installed wheel, or at the top of a source checkout."""
    installed = PACKAGE_DIR / "conf"
    return installed if installed.is_dir() else PACKAGE_DIR.parent / "conf"


def data_file(name: str) -> Path:
    """A rule or word-list file: an absolute path, or a name under `conf/data/`."""
    path = Path(name)
    return path if path.is_absolute() else conf_dir() / "data" / name


SAMPLE_CORPUS = PACKAGE_DIR / "sample" / "pages"
# What quality.action and decontaminate.action may be: drop the document (a reject row), or keep it tagged
ACTIONS = ("drop", "tag")


@dataclass(unsafe_hash=True)  # a cache key of builder/lists.py (frozen would make Hydra's overrides fail)
class ListsConfig:
    """The word lists every stage and phase shares (names under conf/data/ or absolute paths), read once per
    process by builder/lists.py: a file given here reaches the rules' fragments, the dates, the outlet registry,
    the template masker and the URL keys alike."""

    outlets: str = "outlets.yaml"  # the outlet registry
    agencies: str = "agencies.yaml"
    cities: str = "cities.yaml"  # places that open datelines, and country names
    months: str = "months.yaml"  # month names of every regional system, Hijri months, weekdays
    tracking_params: str = "tracking_params.yaml"  # URL query parameters that never tell two pages apart


@dataclass
class InputConfig:
    path: str | None = None  # file or folder; null reads the sample corpus shipped in the package
    # Shards are cut by size: a bigger JSONL / Parquet / WARC file is cut into pieces of about this many bytes
    # (uncompressed), smaller files are grouped up to it, so every worker has work even on one big file.
    shard_bytes: int = 4_000_000  # about 1,500 news articles
    files_per_shard: int = 50  # at most this many files grouped in one shard (a page file is one page)
    # A file cut into pieces is cut into a multiple of this many, of equal size: 1, 2 or 4 workers then finish its
    # pieces together instead of one core running the last (11 pieces on 2 workers ran the 6th round on one).
    # Not the worker count itself: the plan is part of the fingerprint, so a build resumed with other workers
    # would start over. A few more pieces cost little (3 -> 4 pieces of 5k docs: +2% CPU; 12 pieces: +9%).
    piece_multiple: int = 4
    # A record, page file or WARC response larger than this is rejected (page_too_large) without being parsed:
    # real article pages are far smaller, and one huge page would otherwise take gigabytes of memory.
    max_page_bytes: int = 10_000_000
    fields: dict[str, str] = field(  # our field -> the key your records use
        default_factory=lambda: {k: k for k in ("text", "html", "url", "title", "published", "outlet", "section")}
    )
    fallback_encodings: list[str] = field(default_factory=lambda: ["cp1256"])  # tried when UTF-8 is clearly wrong


@dataclass
class OutputConfig:
    path: str = "corpus"
    overwrite: bool = True  # rebuild an existing output folder (finished shards are reused when unchanged)


@dataclass
class ExecutorChoice:
    """What every option of the executor group is: the executor class it builds."""

    _target_: str = "builder.executor.LocalExecutor"


@dataclass
class ExecutorConfig(ExecutorChoice):
    workers: int = 1  # processes for per-shard tasks


@dataclass
class RayExecutorConfig(ExecutorChoice):
    _target_: str = "builder.executor.RayExecutor"
    address: str | None = None  # null starts a local Ray instance; "auto" joins the cluster this node belongs to
    num_cpus: int | None = None  # for a local instance; null uses every core


@dataclass
class ExtractConfig:
    _target_: str = "builder.stages.extract.HtmlExtractor"
    favor_precision: bool = True
    drop_selectors: list[str] = field(default_factory=list)
    meta_selectors: list[str] = field(default_factory=list)  # date/byline line: read with the rules, then removed
    rules_file: str = "boilerplate.yaml"


# Words a linked name broken out of its sentence may have (an agency, a place, a person): repair joins such a
# line back where the spacing shows it; the cleaner and the template phase still spare one where it does not.
FRAGMENT_WORDS = 4


@dataclass
class RepairConfig:
    _target_: str = "builder.stages.repair.Repair"
    fix_cp1256: bool = True
    ftfy: bool = True
    nfkc: bool = True
    # a line of this many words or fewer that a link broke out of a sentence ("وكالة أنباء \nالبحرين\n عن"),
    # spaced as inline text is, is joined back to the lines around it before the spaces are trimmed (0: never)
    rejoin_words: int = FRAGMENT_WORDS


@dataclass
class SegmentConfig:
    _target_: str = "builder.stages.segment.Segmenter"
    rules_file: str = "boilerplate.yaml"
    max_title_words: int = 25
    min_article_words: int = 50  # below this, what follows a read-also heading is a teaser list
    max_lines_above_title: int = 3  # breadcrumb, site or section lines a headline may sit under
    # dateline rules that start another story when they open a line after the first paragraph (a scraper that
    # ran the next story on: "... \n دبي، الإمارات العربية المتحدة (CNN)-- ...")
    split_rules: list[str] = field(default_factory=lambda: ["dateline.cnn", "dateline.cnn_dash_before",
                                                            "dateline.city_agency"])


@dataclass
class CleanConfig:
    _target_: str = "builder.stages.clean.Cleaner"
    rules_file: str = "boilerplate.yaml"
    min_words: int = 1  # a document left with fewer words after cleaning is dropped as empty
    # datelines and bylines (scope: lead) still apply after a subtitle or two: short kept lines ending no sentence
    lead_subtitles: int = 2
    subtitle_words: int = 15
    # a line this short between a sentence that has not ended and more text is a piece of the sentence (a scraper
    # broke it at a link), so credit, dateline and byline rules leave it alone
    fragment_words: int = FRAGMENT_WORDS
    # the article's last lines, where furniture glued after the last sentence (a back-link, a closing credit) is cut
    glued_tail_lines: int = 3


@dataclass
class PersonalDataConfig:
    """What builder/stages/personal_data.py replaces, and with what: placeholders reserved for documentation."""

    _target_: str = "builder.stages.personal_data.PersonalData"
    emails: bool = True  # as FineWeb-2 does in every language
    ips: bool = True  # public IPv4 and IPv6 addresses only: a private or loopback address is nobody's
    phones: bool = False  # Arabic-world formats (opt-in: a strict pattern, measured in benchmarks/personal_data.py)
    formats_file: str = "personal_data.yaml"  # the phone shapes per country, the phone and id cues
    cue_chars: int = 40  # how far before a number its cue ("هاتف", "الرقم القومي") may stand
    email_replacement: str = "email@example.com"  # RFC 2606 reserved domain, FineWeb-2's first placeholder
    ipv4_replacement: str = "192.0.2.1"  # RFC 5737 documentation range: no one's address, and never public
    ipv6_replacement: str = "2001:db8::1"  # RFC 3849 documentation prefix
    phone_replacement: str = "+000 000 0000"  # no country has the code 000


@dataclass
class MetadataConfig:
    _target_: str = "builder.stages.metadata.MetadataExtractor"
    rules_file: str = "boilerplate.yaml"  # its `not_bylines`: author names that are no person ("admin")


@dataclass
class LanguageConfig:
    _target_: str = "builder.stages.language.LanguageFilter"
    keep: list[str] = field(default_factory=lambda: ["ar"])
    min_score: float = 0.5
    sample_chars: int = 1500  # the evidence and langdetect see at most this much of the text
    seed: int = 0
    backend: str = "langdetect"  # for text mostly in other scripts: langdetect, or fasttext (optional package)
    cues_file: str = "language_cues.yaml"


@dataclass
class QualityConfig:
    """FineWeb-2's arb_Arab values (huggingface/fineweb-2, configs/arb_Arab.yml) but for the two marked."""

    _target_: str = "builder.stages.quality.QualityFilter"
    stopwords_file: str = "stopwords_ar.yaml"  # FineWeb-2's arb_Arab stopwords
    min_words: int = 25  # a news brief, not a teaser or a caption (radio briefs run 25-50 words); not FineWeb-2's
    min_stopwords: int = 2
    min_avg_word_length: float = 2.0
    max_avg_word_length: float = 9.0
    min_alpha_words_ratio: float = 0.787  # share of words holding a letter (datatrove: max_non_alpha_words_ratio)
    max_duplicate_line_fraction: float = 0.304
    # Share of paragraphs ending in terminal punctuation, checked from line_punct_min_lines paragraphs on.
    # FineWeb-2 sets 0.143 for web pages; on egypt_news_2013 it dropped 2.5% of documents, and every one read in a
    # sample of its rejects was a real article whose writer left paragraphs without a final stop. Menus and lists,
    # what it is meant to catch, are caught by max_new_line_ratio and the repetition checks. Off by default.
    min_line_punct_ratio: float = 0.0
    line_punct_min_lines: int = 3  # the ratio says little about an article of one or two paragraphs
    max_new_line_ratio: float = 0.189  # paragraphs per word: lists and menus have many
    # characters in the most repeated n-gram, and in all duplicated n-grams, as a share of the text
    max_top_ngram_fraction: dict[int, float] = field(default_factory=lambda: {2: 0.197, 3: 0.172, 4: 0.146})
    max_duplicate_ngram_fraction: dict[int, float] = field(
        default_factory=lambda: {5: 0.165, 6: 0.153, 7: 0.142, 8: 0.131, 9: 0.12, 10: 0.109})
    # drop: a document failing a check goes to `rejected` (with its signals); tag: every document is kept, its
    # `quality_verdict` the check it failed (null: none), so a user re-filters on `quality_signals` without a rebuild
    action: str = "drop"


@dataclass
class TargetConfig:
    """A stance target (builder/stance/targets.py): aliases in Arabic and English, spelling variants the match key
    does not cover, and context aliases that count only in a document naming the target by a full alias."""

    id: str = "???"
    ar: list[str] = field(default_factory=list)
    en: list[str] = field(default_factory=list)
    variants: list[str] = field(default_factory=list)
    context: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)  # phrases that hold an alias and mean something else


@dataclass
class StanceChoice:
    """What every option of label/stance is: the labeler class it builds."""

    _target_: str = "builder.stance.VoiceStance"


@dataclass
class LabelConfig:
    _target_: str = "builder.stages.label.Labeler"
    # credit rules (conf/data/boilerplate.yaml) whose source is where a republished text came from ("المصدر: ...",
    # "نقلا عن ...", a lone "(رويترز)" or "(CNN)" line): the credit, never the publisher
    origin_credits: list[str] = field(
        default_factory=lambda: ["credit.source_label", "credit.quoted_from", "credit.agency_line"])
    rules_file: str = "boilerplate.yaml"  # the rules file whose ids origin_credits names (the cleaner's)
    genre_file: str = "genre.yaml"  # the signs of an opinion piece or an analysis (builder/stance/genre.py)
    speech_file: str = "attributed_speech.yaml"  # its saying verbs: a report has them in most sentences, a column not
    name_prefixes: list[str] = field(default_factory=list)  # صحيفة, قناة...: printed before an outlet's name
    targets: list[TargetConfig] = field(default_factory=list)  # stance targets
    stance: StanceChoice | None = None  # the labeler: an option of label/stance (voice, lexicon, classifier...)
    # the measured quality of the stance labels the card cites (benchmarks/labels.py --write-quality); null: none
    quality_file: str | None = "label_quality.json"


@dataclass
class VoiceStanceConfig(StanceChoice):
    """The outlet's voice toward each target (builder/stance/voice.py), favor/against only above a calibrated bar."""

    _target_: str = "builder.stance.VoiceStance"
    lexicon_file: str = "stance_lexicon.yaml"
    speech_file: str = "attributed_speech.yaml"
    calibration_file: str = "stance_calibration.json"  # fitted by benchmarks/labels.py --calibrate
    min_score: float = 0.8  # the calibrated precision a favor/against label must reach; below it: none
    window: int = 6  # words between an evaluative word and a mention of the target


@dataclass
class LexiconStanceConfig(StanceChoice):
    """The cue-counting baseline (builder/stance/lexicon.py)."""

    _target_: str = "builder.stance.LexiconStance"
    lexicon_file: str = "stance_lexicon.yaml"
    window: int = 8
    min_cues: int = 2


@dataclass
class ClassifierStanceConfig(StanceChoice):
    """A model written by `train-stance`."""

    _target_: str = "builder.stance.ClassifierStance"
    model: str = "???"
    use_bars: bool = True  # abstain below each target's cross-validated bar (train-stance --min-precision)


@dataclass
class TransformersStanceConfig(StanceChoice):
    """A local transformers text-classification model folder."""

    _target_: str = "builder.stance.TransformersStance"
    model: str = "???"
    labels: dict[str, str] = field(default_factory=dict)  # the model's label names -> favor/against/none
    pair_with_target: bool = False
    device: str = "cpu"
    max_length: int = 512


@dataclass
class LLMStanceConfig(StanceChoice):
    """Any OpenAI-compatible chat endpoint (vLLM, llama.cpp server, TGI, a hosted API): builder/stance/llm.py."""

    _target_: str = "builder.stance.LLMStance"
    base_url: str = "???"  # up to /v1, e.g. http://localhost:8000/v1
    model: str = "???"
    api_key_env: str | None = None  # the environment variable holding the key (the key never enters config)
    prompt_file: str = "stance_llm_prompt.yaml"  # the guidelines and the message templates (conf/data/)
    speech_file: str = "attributed_speech.yaml"  # the evidence must lie in the outlet's voice, as speech.py splits it
    describe: dict[str, str] = field(default_factory=dict)  # target id -> how the prompt names it; else its aliases
    max_chars: int = 6000  # of the text sent (the headline is always sent)
    temperature: float = 0.0
    max_answer_tokens: int = 300
    json_mode: bool = True  # ask for response_format json_object; off for a server that refuses it
    concurrency: int = 4  # requests in flight per worker process
    read_ahead: int = 32  # documents whose requests are sent together
    timeout: float = 120.0  # seconds per request
    retries: int = 3  # after a 5xx, 429, timeout, lost connection or malformed answer
    backoff: float = 1.0  # seconds before the first retry, doubled for each next one
    max_requests: int | None = None  # per worker process; past it a document gets none (counted as llm:budget)
    max_tokens: int | None = None  # total tokens (the answers' `usage`) per worker process, likewise
    cache_dir: str | None = "${output.path}/.build/llm_cache"  # answers by text, prompt and model; null: none


@dataclass
class NLIStanceConfig(StanceChoice):
    """Zero-shot entailment with a local NLI model folder over outlet-voice clauses: builder/stance/nli.py."""

    _target_: str = "builder.stance.NLIStance"
    model: str = "???"  # a local transformers sequence-classification folder with entailment/contradiction labels
    speech_file: str = "attributed_speech.yaml"
    hypotheses: dict[str, str] = field(default_factory=lambda: {  # {target}: its name from `names`, else its id
        "favor": "This text is in favour of {target}.", "against": "This text is against {target}."})
    names: dict[str, str] = field(default_factory=dict)  # target id -> its name in the hypotheses
    min_entailment: float = 0.8  # a side needs a clause whose entailment probability reaches this...
    min_margin: float = 0.3  # ...and leads the other side's best by this much; otherwise none
    max_clauses: int = 12  # outlet-voice clauses naming the target, from the top, scored per document
    max_length: int = 256
    batch_size: int = 16
    device: str = "cpu"


@dataclass
class TemplatesConfig:
    """Site templates learned from the corpus (builder/templates/): lines a site prints on many of its pages."""

    enabled: bool = True
    shapes_file: str = "template_shapes.yaml"  # the slots and delimiters of a line's shape (conf/data/)
    rules_file: str = "boilerplate.yaml"  # the cleaning rules whose word lists and cues the slots reuse
    speech_file: str = "attributed_speech.yaml"  # reporting verbs: "وأضاف: <text>" is a quote, never a prefix
    edge_lines: int = 4  # lines from the top (the lead) and from the bottom where a template line may sit, at least
    zone_prose_words: int = 12  # ...and on to the first (last) line this long that ends like a sentence: a paragraph
    max_zone_lines: int = 12  # ...but no further than this
    glued_prefix_words: int = 8  # words of furniture glued before a body line's first sentence ("سبق- وكالات:")
    glued_suffix_words: int = 25  # ...and after its last ("رابط الخبر: <headline>", "(كونا)")
    glued_min_rest: int = 5  # words a body line keeps when a glued piece is cut
    site_edge_lines: int = 3  # edge lines per end whose shapes tie a page without a name to other pages (its site)
    site_key_words: int = 2  # words of its own such a line needs (a date or a lone "شارك" ties nobody)
    site_owner_share: float = 0.8  # a page sharing one line joins the site that holds this share of its pages
    block_max_words: int = 25  # a line of a related-headlines block (another story's headline) is at most this long
    heading_max_words: int = 5  # a learned line this short heads such a block
    max_line_words: int = 40  # a longer line is a paragraph: never a template line
    min_site_pages: int = 5  # a site with fewer distinct pages learns nothing and keeps the rules alone
    min_pages: int = 3  # distinct pages a shape must be seen on
    min_share: float = 0.1  # share of the site's pages that print the shape at the same edge
    slots_min_share: float = 0.03  # the share for a line of slots only ("{name} - {city}", "{source} / {source}")
    prose_words: int = 10  # a shape with this many words of its own reads like a sentence...
    prose_min_share: float = 0.6  # ...and needs this share...
    prose_min_pages: int = 10  # ...and this many pages
    syndicated_sites: int = 3  # a sentence-like shape seen on this many sites is a shared story, no one's template
    max_fixed_words: int = 4  # words before a prefix's delimiter (after a suffix's)
    max_free_words: int = 20  # free text after a fixed prefix: a headline, not a paragraph
    max_name_words: int = 4  # free text next to a fixed part made only of slots ("<name> - {city}")
    frame_words: int = 2  # fixed words at each end of a framed line
    max_shapes_per_shard: int = 2000  # shapes kept per site per shard (the most frequent)
    max_shapes_merged: int = 20000  # shapes kept per site while the shard counts are merged
    merge_tasks: int = 8  # the merge split by site hash (a site's counts never span two tasks), run in parallel


@dataclass
class ExactConfig:
    enabled: bool = True


@dataclass
class VersionsConfig:
    """Edited re-scrapes of one article on one site (builder/dedup/evidence.py says how each bar is used)."""

    enabled: bool = True
    min_jaccard: float = 0.5  # estimated Jaccard of the bodies, or...
    min_containment: float = 0.7  # ...share of the smaller body's shingles found in the larger one
    min_shingles: int = 10  # a body with fewer shingles is contained in too much to count as evidence
    min_word_ratio: float = 0.85  # ...or, same title or URL, words in the same order (difflib ratio of the keys)
    title_similarity: float = 0.6  # word Jaccard of two titles above which they are nearly the same title
    max_days: float = 3.0  # pages further apart are not versions: an edit comes within hours of the first scrape
    recurring_days: int = 5  # a title or URL with distinct bodies on this many days recurs: copy-level evidence
    keep: list[str] = field(default_factory=lambda: ["latest", "longest"])  # the most complete edit


@dataclass
class NearDupConfig:
    enabled: bool = True
    threshold: float = 0.7  # copies: estimated Jaccard of word shingles above which two documents are one story
    candidate_threshold: float = 0.5  # LSH bands are tuned for this Jaccard, below both relations' bars
    bucket_window: int = 50  # in a larger bucket each member is compared with the next this many only
    exact_check_margin: float = 0.05  # a pair estimated this close below a bar is checked on its exact shingles
    num_perm: int = 128
    ngram: int = 5
    seed: int = 1
    scheme: str = "affine32"  # datasketch permutation scheme; recorded in the output
    bucket_tasks: int = 2  # partitions of the LSH band keys and blocks, each a task; at least this many
    bucket_docs: int = 200_000  # more partitions on a larger corpus: about this many documents' entries per task
    # copies: tie-breakers, in order, for the document a cluster keeps
    keep: list[str] = field(default_factory=lambda: ["earliest", "outlet_priority", "longest"])
    outlet_priority: list[str] = field(default_factory=list)  # outlet ids, most preferred first
    versions: VersionsConfig = field(default_factory=VersionsConfig)


@dataclass
class SplitConfig:
    train: float = 0.8
    validation: float = 0.1
    test: float = 0.1
    salt: str = ""  # change to draw a different, still stable, split


@dataclass
class DecontaminateConfig:
    """Benchmark decontamination (builder/decontaminate/): documents holding an evaluation set's word n-grams."""

    # local files or folders (JSONL, JSON, Parquet, CSV, txt), names from sets_file, `known` (every set of sets_file
    # this machine can load) or Hugging Face dataset ids (org/name[:config]); empty: the phase does not run
    sets: list[str] = field(default_factory=list)
    fields: list[str] = field(default_factory=list)  # the string fields indexed; empty: every string field
    ngram: int = 13  # words per n-gram, as datatrove's and GPT-3's decontamination: long enough never to be chance
    action: str = "drop"  # drop: a reject row (stage decontaminate, reason contaminated); tag: the contamination column
    sets_file: str = "eval_sets.yaml"  # the Arabic benchmarks by name, with their hub ids (conf/data/)
    index_tasks: int = 4  # partitions of the n-gram index, each a task; at least this many
    index_bytes: int = 64_000_000  # more partitions for larger sets: about this many bytes of set files per partition


@dataclass
class TokensConfig:
    """Token counts (builder/tokens.py): the n_tokens column, and the totals in stats.json and the card."""

    # Mistral's Tekken, shipped inside the mistral-common package, so a fresh machine counts offline: a byte-level
    # BPE trained on 100+ languages, 1.8 tokens a word on Arabic news. Or a tokenizer.json path (or a folder holding
    # one), or a Hugging Face hub name (needs the network once); null: no counts.
    tokenizer: str | None = "mistral-common:tekken_240911"


@dataclass
class WriteConfig:
    max_shard_bytes: int = 500_000_000  # Arrow bytes per data file
    row_group_bytes: int = 100_000_000
    card_file: str | None = None  # human part of the card; null uses dataset_card.md shipped with the package
    pretty_name: str = "Arabic News Corpus"
    license: str = "other"
    license_name: str | None = "mixed-news-copyright"
    license_link: str | None = None


@dataclass
class Config:
    """The whole build. Each group is filled from its option file in conf/ (typed by the dataclass above)."""

    input: InputConfig = field(default_factory=InputConfig)
    output: OutputConfig = field(default_factory=OutputConfig)
    lists: ListsConfig = field(default_factory=ListsConfig)
    executor: ExecutorChoice | None = None  # ExecutorConfig or RayExecutorConfig, by the executor option chosen
    stages: list[str] = field(
        default_factory=lambda: ["extract", "repair", "segment", "clean", "personal_data", "metadata", "language",
                                 "quality", "label"]
    )
    # input.path is a new batch for the build in output.path, whose earlier input need not be at hand; a file added
    # before (same content) is skipped (builder/phases/inputs.py)
    update: bool = False
    extract: ExtractConfig = field(default_factory=ExtractConfig)
    repair: RepairConfig = field(default_factory=RepairConfig)
    segment: SegmentConfig = field(default_factory=SegmentConfig)
    clean: CleanConfig = field(default_factory=CleanConfig)
    personal_data: PersonalDataConfig = field(default_factory=PersonalDataConfig)
    metadata: MetadataConfig = field(default_factory=MetadataConfig)
    language: LanguageConfig = field(default_factory=LanguageConfig)
    quality: QualityConfig = field(default_factory=QualityConfig)
    label: LabelConfig = field(default_factory=LabelConfig)
    templates: TemplatesConfig = field(default_factory=TemplatesConfig)
    exact: ExactConfig = field(default_factory=ExactConfig)
    near_dup: NearDupConfig = field(default_factory=NearDupConfig)
    decontaminate: DecontaminateConfig = field(default_factory=DecontaminateConfig)
    split: SplitConfig = field(default_factory=SplitConfig)
    tokens: TokensConfig = field(default_factory=TokensConfig)
    write: WriteConfig = field(default_factory=WriteConfig)


STANCE_SCHEMAS = {"voice": VoiceStanceConfig, "lexicon": LexiconStanceConfig, "classifier": ClassifierStanceConfig,
                  "transformers": TransformersStanceConfig, "llm": LLMStanceConfig,
                  "nli": NLIStanceConfig}

# Each config group of conf/ and its schema: every group field of Config (output and lists have no option files),
# the executor's by its local option.
GROUP_SCHEMAS = {f.name: f.default_factory for f in dataclasses.fields(Config)
                 if dataclasses.is_dataclass(f.default_factory) and f.name not in ("output", "lists")} | \
    {"executor": ExecutorConfig}


def register() -> None:
    cs = ConfigStore.instance()
    cs.store(name="config_schema", node=Config)
    for group, schema in GROUP_SCHEMAS.items():
        cs.store(group=group, name="schema", node=schema)
    cs.store(group="executor", name="ray_schema", node=RayExecutorConfig)
    for name, node in STANCE_SCHEMAS.items():
        cs.store(group="label/stance", name=f"{name}_schema", node=node)
