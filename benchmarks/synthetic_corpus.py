"""Synthetic Arabic news documents for the scale benchmarks: as many as asked, the same ones for the same seed.

    python benchmarks/synthetic_corpus.py --docs 1000000 --files 64 --out /tmp/synthetic

Writes OUT/synthetic-NNNNN.jsonl (records with url, title, text, published) and prints one JSON object: the
counts, bytes, mean length and seconds. The text is no language anyone speaks but has the statistics the builder
looks at: Arabic function words at a news-like rate, a Zipf vocabulary of real news words with their clitics and
suffixes, sentences of 8-24 words in paragraphs of 1-4 sentences, about 1,400 characters a document. A share of
the documents are exact copies of an earlier one (another outlet, another url) and a share are near copies (a
few words changed, a sentence added), so exact and near-duplicate dedup have real work. Words are drawn in
vectorised blocks: about 2,300 docs/s on a third of a busy core, so 1M documents in a few minutes on a quiet one.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

# Function words and particles, roughly as often as they are in news prose (drawn uniformly among themselves).
FUNCTION_WORDS = (  # noqa: SIM905 (a word list reads better as prose)
    "في من على إلى أن عن مع هذا هذه التي الذي الذين كان كانت قد لقد لم لن ما لا أو ثم حتى بعد قبل خلال بين عند "
    "منذ كما إن إنه أنه وقال وأضاف وأكد وأوضح وأشار حيث كل بعض أي غير وفي ومن وعلى وهو وهي هو هي فيما بينما عبر "
    "نحو لدى ضد دون وفق"
).split()

# Stems of news vocabulary; each gets clitic and suffix forms below, ranked by a seeded shuffle for the Zipf law.
STEMS = (  # noqa: SIM905
    "وزير وزارة حكومة رئيس مجلس برلمان نائب قرار قانون مشروع خطة برنامج سياسة اقتصاد سوق سعر أسعار نفط غاز "
    "كهرباء مياه طريق شارع مدينة قرية محافظة منطقة دولة بلد شعب مواطن سكان أسرة طفل طالب مدرسة جامعة معلم "
    "مستشفى طبيب مريض علاج دواء صحة وباء لقاح شرطة جيش أمن حادث سيارة قطار طائرة مطار ميناء سفينة حدود "
    "معبر لاجئ مساعدات تقرير بيان مؤتمر اجتماع لقاء زيارة وفد سفير علاقات اتفاق مفاوضات حوار انتخابات حزب "
    "مرشح صوت نتائج استطلاع محكمة قاض حكم قضية تحقيق نيابة متهم سجن فساد ميزانية ضريبة دعم استثمار شركة "
    "مصنع عامل وظيفة بطالة أجور تضخم بنك قرض ديون عملة دولار صادرات واردات تجارة زراعة مزارع محصول قمح "
    "أرض بناء سكن مشاريع تطوير تنمية بيئة مناخ أمطار حرارة طقس رياح فيضان زلزال حريق إنقاذ ضحايا مصابين "
    "فريق مباراة بطولة لاعب مدرب هدف ملعب جمهور نادي منتخب فوز خسارة تعادل ثقافة معرض كتاب فيلم مهرجان "
    "فنان مسرح موسيقى تراث متحف سياحة سائح فندق شاطئ إعلام صحيفة قناة موقع خبر مصدر مسؤول متحدث خبراء "
    "دراسة بحث علوم تقنية إنترنت هاتف تطبيق بيانات شبكة أمن مستقبل عام شهر أسبوع يوم ساعة صباح مساء "
    "جديد كبير صغير مهم رسمي محلي دولي عربي وطني عالمي اقتصادي سياسي اجتماعي أمني صحي تعليمي رياضي "
    "أعلن أكد قال أشار أوضح كشف نفى طالب دعا قرر وافق رفض بدأ انتهى استمر ارتفع انخفض تراجع بلغ وصل شهد "
    "افتتح أطلق نظم شارك استقبل التقى بحث ناقش أصدر وقع نشر أفاد ذكر أضاف توقع حذر أعرب"
).split()
PREFIXES = ("", "ال", "و", "وال", "ب", "بال", "ل", "لل", "ف")
POSSESSIVE = ("ها", "هم", "ه")
CITIES = ["القاهرة", "الرياض", "دبي", "بيروت", "عمان", "بغداد", "الرباط", "تونس", "الجزائر", "الدوحة", "الكويت"]
AGENCIES = ("رويترز", "أ ف ب", "الأناضول", "د ب أ")
OUTLETS = ("youm7.com", "masrawy.com", "sabq.org", "alkhaleej.ae", "aljazeera.net", "hespress.com",
           "alarabiya.net", "elwatannews.com", "shorouknews.com", "almasryalyoum.com", "alghad.com", "annahar.com")
BLOCK = 512  # documents whose words are drawn in one vectorised call


@dataclass(frozen=True)
class Mix:
    """Shares of the corpus that are copies (the rest are originals), and the shape of the prose."""

    exact: float = 0.05  # the same text as an earlier document, from another outlet
    near: float = 0.05  # an earlier document with a few words changed and a sentence added
    dateline: float = 0.3  # originals that open with a wire dateline the cleaner removes
    function_share: float = 0.32  # of the words in a sentence
    zipf: float = 1.05  # Zipf-Mandelbrot exponent and offset of the content vocabulary
    zipf_offset: float = 20.0
    mean_words: float = 230.0  # about 1,400 characters


def forms(stem: str) -> list[str]:
    """The stem with its clitics, its plural when it ends in ta marbuta, and possessive suffixes without ال."""
    bases = [stem] + ([stem[:-1] + "ات"] if stem.endswith("ة") else [])
    out = [p + b for b in bases for p in PREFIXES]
    bound = stem[:-1] + "ت" if stem.endswith("ة") else stem  # ta marbuta before a suffix
    out += [p + bound + x for p in ("", "و", "ب") for x in POSSESSIVE]
    return out


def vocabulary(rng: np.random.Generator) -> np.ndarray:
    """Every form of every stem, ranked by a seeded random order in which bare stems come first more often."""
    words = sorted({f for s in STEMS for f in forms(s)})
    affixed = np.array([0 if w in STEMS else 1 for w in words])
    keys = rng.random(len(words)) + affixed * rng.random(len(words))
    return np.array(words, dtype=object)[np.argsort(keys, kind="stable")]


class Generator:
    """Documents one after the other from one random stream, so a prefix of the corpus never depends on N."""

    def __init__(self, seed: int = 0, mix: Mix = Mix()):
        self.rng = np.random.default_rng(seed)
        self.mix = mix
        self.words = vocabulary(self.rng)
        weights = (np.arange(1, len(self.words) + 1) + mix.zipf_offset) ** -mix.zipf
        self.cdf = np.cumsum(weights / weights.sum())
        self.function_words = np.array(FUNCTION_WORDS, dtype=object)
        self.recent: list[tuple[str, str]] = []  # (title, text) of recent originals, the pool copies come from
        self.counts = {"original": 0, "exact_copy": 0, "near_copy": 0}

    def draw(self, n: int) -> np.ndarray:
        """n words: content words by the Zipf law, function words at their share."""
        words = self.words[np.searchsorted(self.cdf, self.rng.random(n))]
        function = self.rng.random(n) < self.mix.function_share
        words[function] = self.function_words[self.rng.integers(0, len(self.function_words), int(function.sum()))]
        return words

    def article(self, words: np.ndarray) -> str:
        """The words cut into sentences of 8-24 words (a comma mid-way) and paragraphs of 1-4 sentences."""
        lengths = self.rng.integers(8, 25, len(words) // 8 + 1)
        per_paragraph = self.rng.integers(1, 5, len(lengths))
        paragraphs, sentences, start, i = [], [], 0, 0
        while start < len(words):
            sentence = list(words[start:start + lengths[i]])
            if len(sentence) > 10:
                sentence[len(sentence) // 2] += "،"
            sentences.append(" ".join(sentence) + ".")
            start += lengths[i]
            if len(sentences) >= per_paragraph[i] or start >= len(words):
                paragraphs.append(" ".join(sentences))
                sentences = []
            i += 1
        return "\n".join(paragraphs)

    def near_copy(self, text: str) -> str:
        words = text.split(" ")
        for i, word in zip(self.rng.integers(0, len(words), max(1, len(words) // 40)),
                           self.draw(max(1, len(words) // 40)), strict=True):
            words[i] = word
        return " ".join(words) + "\n" + " ".join(self.draw(12)) + "."

    def block(self, first: int, n: int) -> Iterator[dict]:
        sizes = np.maximum(20, self.rng.gamma(4.0, self.mix.mean_words / 4.0, n)).astype(int)
        titles = self.rng.integers(5, 12, n)
        pool = self.draw(int(sizes.sum() + titles.sum()))
        u, days, hours = self.rng.random(n), self.rng.integers(0, 3650, n), self.rng.integers(0, 24, n)
        outlets, dateline = self.rng.integers(0, len(OUTLETS), n), self.rng.random(n) < self.mix.dateline
        picks, at = self.rng.random(n), 0
        for j in range(n):
            index, day = first + j, np.datetime64("2015-01-01") + int(days[j])
            title = " ".join(pool[at:at + titles[j]])
            text = self.article(pool[at + titles[j]:at + titles[j] + sizes[j]])
            at += titles[j] + sizes[j]
            if self.recent and u[j] < self.mix.exact + self.mix.near:
                kind = "exact_copy" if u[j] < self.mix.exact else "near_copy"
                title, text = self.recent[int(picks[j] * len(self.recent))]
                text = self.near_copy(text) if kind == "near_copy" else text
            else:
                kind = "original"
                if dateline[j]:
                    text = f"{CITIES[index % len(CITIES)]} - ({AGENCIES[index % len(AGENCIES)]}) - {text}"
                self.recent.append((title, text))
                if len(self.recent) > 2000:
                    self.recent[int(picks[j] * 2000)] = self.recent.pop()
            self.counts[kind] += 1
            yield {"url": f"https://www.{OUTLETS[outlets[j]]}/news/{day}/{index}", "title": title, "text": text,
                   "published": f"{day}T{int(hours[j]):02d}:00:00"}

    def documents(self, n: int) -> Iterator[dict]:
        for first in range(0, n, BLOCK):
            yield from self.block(first, min(BLOCK, n - first))


def write(folder: Path, n: int, files: int = 1, seed: int = 0) -> dict:
    """N documents as `files` JSONL files of contiguous documents; returns what was written."""
    folder.mkdir(parents=True, exist_ok=True)
    gen, started, size, chars = Generator(seed), time.perf_counter(), 0, 0
    per_file = -(-n // files)
    docs = gen.documents(n)
    for f in range(files):
        path = folder / f"synthetic-{f:05d}.jsonl"
        with path.open("w", encoding="utf-8") as out:
            for _ in range(min(per_file, n - f * per_file)):
                doc = next(docs)
                chars += len(doc["text"])
                out.write(json.dumps(doc, ensure_ascii=False) + "\n")
        size += path.stat().st_size
    return {"docs": n, "files": files, "seed": seed, **gen.counts, "bytes": size,
            "mean_chars": round(chars / max(n, 1), 1), "seconds": round(time.perf_counter() - started, 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=10_000)
    parser.add_argument("--files", type=int, default=1)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    print(json.dumps(write(args.out, args.docs, args.files, args.seed)))


if __name__ == "__main__":
    main()
