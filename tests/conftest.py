"""Shared helpers: build a corpus in-process through the real Hydra config, and make Arabic test pages."""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

import pytest
from hydra import compose, initialize_config_dir
from omegaconf import OmegaConf

from builder.cli import run
from builder.config import Config, conf_dir

SEED_PAGE = Path(__file__).parent / "data" / "iraq-news-page.txt"

# Sentences the project wrote for synthetic articles: plain, mundane news prose.
SENTENCES = [
    "أعلنت وزارة النقل عن افتتاح خط جديد للحافلات يربط وسط المدينة بالأحياء الشرقية خلال الشهر المقبل",
    "وقال المتحدث باسم الوزارة إن المشروع يهدف إلى تخفيف الازدحام المروري في ساعات الذروة",
    "وأوضح أن الخط الجديد سيعمل من السادسة صباحا حتى منتصف الليل طوال أيام الأسبوع",
    "وشهدت الأسواق المحلية ارتفاعا في أسعار الخضروات بسبب موجة الحر التي ضربت البلاد",
    "وتوقعت هيئة الأرصاد الجوية أن تستمر درجات الحرارة المرتفعة حتى نهاية الأسبوع الجاري",
    "ودعت الهيئة المواطنين إلى تجنب التعرض المباشر لأشعة الشمس في فترة الظهيرة",
    "وافتتح وزير الثقافة معرض الكتاب الدولي بمشاركة أكثر من خمسمائة دار نشر عربية وأجنبية",
    "ويضم المعرض هذا العام جناحا خاصا بكتب الأطفال وبرنامجا ثقافيا يمتد عشرة أيام",
    "وفاز فريق المدينة على ضيفه بهدفين مقابل هدف واحد في المباراة التي أقيمت مساء أمس",
    "وسجل المهاجم هدف الفوز في الدقائق الأخيرة من اللقاء وسط فرحة كبيرة من الجماهير",
    "وأكد مدرب الفريق أن اللاعبين قدموا أداء جيدا رغم الظروف الصعبة التي مر بها الفريق",
    "وأعلنت الجامعة عن فتح باب القبول للعام الدراسي الجديد في كليات الهندسة والطب والعلوم",
    "ويمكن للطلاب التقديم عبر الموقع الإلكتروني للجامعة حتى نهاية الشهر الحالي",
    "وبلغ عدد السياح الذين زاروا البلاد خلال النصف الأول من العام نحو مليوني سائح",
    "وأشار التقرير إلى أن قطاع السياحة يسهم بنسبة كبيرة في الناتج المحلي الإجمالي",
    "وبدأ المزارعون في المحافظات الجنوبية موسم حصاد القمح وسط توقعات بإنتاج وفير",
    "وقالت وزارة الزراعة إنها ستشتري المحصول من المزارعين بأسعار تشجيعية هذا العام",
    "وتعمل الشركة على إنشاء محطة لتحلية المياه بطاقة إنتاجية تبلغ مائة ألف متر مكعب يوميا",
    "ومن المنتظر أن تنتهي أعمال البناء في المحطة قبل نهاية العام المقبل",
    "وناقش المجلس البلدي في جلسته الأخيرة خطة لتطوير الحدائق العامة وزيادة المساحات الخضراء",
    "ووافق الأعضاء على تخصيص ميزانية إضافية لصيانة الطرق في الأحياء القديمة",
    "وأطلقت الهيئة حملة توعية بأهمية ترشيد استهلاك الكهرباء خلال فصل الصيف",
    "وشارك في الحملة عدد من المدارس والجمعيات الأهلية في مختلف المحافظات",
    "وكشفت بيانات رسمية أن معدل التضخم تراجع إلى أدنى مستوى له منذ ثلاث سنوات",
]


def article(rng: random.Random, n: int = 9) -> str:
    """A synthetic article: n sentences from the list, as paragraphs of three sentences."""
    picked = rng.sample(SENTENCES, n)
    return "\n".join("، ".join(picked[i : i + 3]) + "." for i in range(0, n, 3))


def write_jsonl(path: Path, records: list[object]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as fh:
        for r in records:
            fh.write((r if isinstance(r, str) else json.dumps(r, ensure_ascii=False)) + "\n")
    return path


def compose_config(*overrides: str):
    with initialize_config_dir(str(conf_dir()), version_base="1.3"):
        return compose("config", overrides=list(overrides))


def typed_config(*overrides: str) -> Config:
    """The composed config as the build sees it: typed objects (builder/config.py)."""
    return OmegaConf.to_object(compose_config(*overrides))


def build(input_path: Path | str | None, out: Path, *overrides: str) -> dict:
    """Run a whole build in this process, exactly as `build-corpus` composes it; its stats as stats.json has them."""
    args = [f"output.path={out}", *overrides]
    if input_path is not None:
        args.append(f"input.path={input_path}")
    return run(compose_config(*args)).to_dict()


def cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "builder.cli", *args]


@pytest.fixture
def rng() -> random.Random:
    return random.Random(7)


@pytest.fixture(scope="session")
def sample_build(tmp_path_factory) -> tuple[Path, dict]:
    """The sample corpus shipped in the package, built once per session: (output folder, stats). Read only."""
    out = tmp_path_factory.mktemp("sample") / "corpus"
    return out, build(None, out)
