"""Personal data: recall on planted e-mails, IPs and phone numbers, and what the stage replaces in real news.

    python benchmarks/personal_data.py [--docs 5000] [--pages 2000] [--sample 100] [--out /tmp/personal-data]

Both parts run the stages as a build does up to the personal data (repair, segment, clean, personal_data with
`phones=true`). Prints JSON with:
- planted: generated news pages, each saying e-mails, public IPs and phone numbers of the Arabic world (ASCII,
  Arabic-Indic and Eastern digits; spaces, dashes, brackets, +/00 prefixes, local mobile shapes) and the numbers
  news is made of (dates, scores, times, prices, law numbers, year ranges, national ids, case numbers): recall per
  kind (target 100%) and how many of the news numbers were touched (target 0), with the misses and the damage;
- egypt_news_2013: on the first N documents of its Arabic outlets (read from ../shared/eval at run time, round
  robin as benchmarks/throughput.py reads them; nothing is copied into the project), the replacements per kind,
  the documents touched, the contact-box spans the cleaner cut (with a sample of them), and a seeded sample of
  replacements (the matched text and 40 characters either side) for a person to judge, also in OUT/sample.jsonl.
"""

from __future__ import annotations

import argparse
import json
import random
import time
from collections import Counter
from pathlib import Path

from omegaconf import OmegaConf

CONTEXT = 40
ARABIC_INDIC, EASTERN = "٠١٢٣٤٥٦٧٨٩", "۰۱۲۳۴۵۶۷۸۹"
FRAMES = ["وقال المتحدث باسم الوزارة إن المواطنين يمكنهم التواصل عبر {} لتقديم الشكاوى.",
          "وأوضح مدير المكتب أن الاستفسارات تستقبل على {} طوال أيام الأسبوع.",
          "وأعلنت الشركة عن {} لتلقي طلبات العملاء الراغبين في الحجز.",
          "وذكر البيان أن {} هو الوسيلة المعتمدة لاستقبال البلاغات العاجلة.",
          "ودعت الجمعية أعضاءها إلى الاتصال بالهاتف {} قبل نهاية الشهر."]
NUMBER_FRAMES = ["وذكر التقرير أن {} وفق ما أعلنته الجهات المختصة.", "وأشار المصدر إلى {} في تصريحات صحفية.",
                 "وجاء في البيان الرسمي {} بحسب ما نشرته الصحف."]


def script(rng: random.Random, text: str) -> str:
    """The text's digits in ASCII, Arabic-Indic or Eastern digits, as pages print them."""
    digits = rng.choice(["0123456789", ARABIC_INDIC, EASTERN])
    return text.translate(str.maketrans("0123456789", digits))


def digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("0123456789") for _ in range(n))


def grouped(rng: random.Random, number: str, sizes: list[int]) -> str:
    """A number's digits cut into groups, joined by one space, dash or dot (or not cut at all)."""
    join = rng.choice(["", " ", "-", " - ", "."])
    if not join:
        return number
    parts, at = [], 0
    for size in sizes:
        parts.append(number[at:at + size])
        at += size
    return join.join(p for p in parts if p)


def email(rng: random.Random) -> str:
    names = ["ahmed", "mohamed", "sara", "nour", "omar", "hala", "khaled", "mona", "news", "info", "editor", "desk"]
    domains = ["gmail.com", "yahoo.com", "hotmail.com", "outlook.com", "masrawy.com", "ahram.org.eg",
               "alwatan.com.eg", "bbc.co.uk", "sabq.org", "alarabiya.net", "youm7.com"]
    local = rng.choice(names) + rng.choice(["", ".", "_", "-"]) + rng.choice([*names, digits(rng, 4), ""])
    address = local.strip("._-") + "@" + rng.choice(domains)
    return address.upper() if rng.random() < 0.1 else address


def ip(rng: random.Random) -> str:
    """A public IPv4 address, or an IPv6 one in full or compressed form."""
    import ipaddress

    while True:
        prefix = rng.choice(["2a00:1450", "2001:4860", "2c0f:fc89", "2a02:c7f"])
        text = rng.choice([".".join(str(rng.randint(1, 254)) for _ in range(4)),
                           ":".join([prefix, *(f"{rng.randint(0, 0xFFFF):x}" for _ in range(6))]),
                           f"{prefix}::{rng.randint(1, 0xFFFF):x}"])
        if ipaddress.ip_address(text).is_global:
            return text


def phone(rng: random.Random) -> str:
    """A phone number as Arabic news pages print them: local mobiles, and international with a prefix."""
    eg, gulf = "01" + rng.choice("0125") + digits(rng, 8), "05" + digits(rng, 8)
    shapes = [
        lambda: grouped(rng, eg, [3, 4, 4]), lambda: grouped(rng, eg, [4, 3, 4]),
        lambda: grouped(rng, gulf, [3, 3, 4]),
        lambda: "07" + rng.choice("789") + " " + digits(rng, 3) + " " + digits(rng, 4),  # Jordan: a cue wanted
        lambda: rng.choice(["+20 ", "0020", "+20", "+20 (0) "]) + grouped(rng, eg[1:], [2, 4, 4]),
        lambda: rng.choice(["+966 ", "00966", "+966-", "(+966) "]) + grouped(rng, gulf[1:], [2, 3, 4]),
        lambda: rng.choice(["+971 ", "00971", "(+971) "]) + grouped(rng, gulf[1:], [2, 3, 4]),
        lambda: "+965 " + rng.choice("569") + digits(rng, 3) + " " + digits(rng, 4),  # Kuwait
        lambda: "+974 " + rng.choice("3567") + digits(rng, 3) + " " + digits(rng, 4),  # Qatar
        lambda: "+212 6 " + " ".join(digits(rng, 2) for _ in range(4)),  # Morocco
        lambda: "+964 7" + rng.choice("789") + digits(rng, 1) + " " + digits(rng, 3) + " " + digits(rng, 4),  # Iraq
        lambda: "+44 20 " + digits(rng, 4) + " " + digits(rng, 4),  # a London call-in line
        lambda: "02 " + digits(rng, 4) + " " + digits(rng, 4),  # a Cairo landline: the frame must name a phone
    ]
    return script(rng, rng.choice(shapes)())


def cue_wanted(item: str) -> bool:
    """A local landline or Jordanian mobile: shapes the stage takes only after a phone cue, so a page names one."""
    return item.translate(str.maketrans(ARABIC_INDIC + EASTERN, "0123456789" * 2)).startswith(("02", "07"))


def news_number(rng: random.Random) -> str:
    """A number that is no personal data: a date, a score, a time, a price, a law, a year range, an id."""
    y, m, d = rng.randint(1990, 2025), rng.randint(1, 12), rng.randint(1, 28)
    shapes = [
        f"يوم {d:02d}-{m:02d}-{y}", f"بتاريخ {y}/{m:02d}/{d:02d}", f"في {d}.{m}.{y}",
        f"فاز الفريق {rng.randint(0, 6)}-{rng.randint(0, 6)}", f"بنتيجة ({rng.randint(0, 5)} - {rng.randint(0, 5)})",
        f"الساعة {rng.randint(0, 23)}:{rng.randint(0, 59):02d}",
        f"بقيمة {rng.randint(1, 999)},{rng.randint(0, 999):03d},{rng.randint(0, 999):03d} جنيه",
        f"بسعر {rng.randint(1, 999)}.{rng.randint(0, 999):03d}.{rng.randint(0, 999):03d} ريال",
        f"القانون رقم {rng.randint(1, 200)} لسنة {y}", f"القرار رقم {rng.randint(100, 9999)} لسنة {y}",
        f"خلال الفترة {y}-{y + rng.randint(1, 6)}", f"بين عامي {y} و{y + 4}",
        f"الرقم القومي {rng.choice('23')}{digits(rng, 13)}", f"القضية رقم {rng.randint(1, 99999)} لسنة {y}",
        f"رقم الجلوس {digits(rng, 6)}", f"بنسبة {rng.randint(1, 99)}.{rng.randint(0, 9)}%",
        f"يبلغ عدد السكان {rng.randint(1, 120)} مليون نسمة", f"الخط الساخن {rng.randint(15000, 19999)}",
        f"حوالي {rng.randint(1, 999)} {rng.randint(100, 999)} {rng.randint(100, 999)} دولار",
        f"في {y}-{m:02d}-{d:02d} {rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:00", f"يوم {d:02d}/{m:02d}/{y}",
        f"الخط المجاني 0800{digits(rng, 6)}", f"الرقم المرجعي {digits(rng, 10)}", f"الطعن رقم {digits(rng, 5)}",
        f"تحت رقم {digits(rng, 10)}",  # an id no cue names: the stage's residual risk
    ]
    return script(rng, rng.choice(shapes))


def build_stages(phones: bool):
    from hydra import compose, initialize_config_dir

    from builder.config import conf_dir, register
    from builder.pipeline import build_stages as build

    register()
    with initialize_config_dir(str(conf_dir()), version_base="1.3"):
        cfg = OmegaConf.to_object(compose("config", overrides=[f"personal_data.phones={str(phones).lower()}"]))
    cfg.stages = ["repair", "segment", "clean", "personal_data"]
    return build(cfg)


def run(stages, docs: list) -> tuple[list, dict]:
    from builder.stats import StageStats

    stats = {s.name: StageStats(s.name) for s in stages}
    stream = iter(docs)
    for stage in stages:
        stream = stage.run(stream, stats[stage.name], [])
    return list(stream), stats


def planted(stages, pages: int, seed: int) -> dict:
    from builder.document import Doc
    from builder.stages.personal_data import shape_of
    from conftest import article

    rng = random.Random(seed)
    makers = {"email": email, "ip": ip, "phone": phone}
    docs, truth = [], {}
    for i in range(pages):
        items = [(kind, makers[kind](rng)) for kind in rng.choices(list(makers), k=3)]
        numbers = [news_number(rng) for _ in range(3)]
        said = [(FRAMES[-1] if cue_wanted(item) else rng.choice(FRAMES)).format(item) for _, item in items]
        said += [rng.choice(NUMBER_FRAMES).format(n) for n in numbers]
        rng.shuffle(said)
        body = article(rng).split("\n")
        docs.append(Doc(id=str(i), source_file="planted", title=f"خبر {i}",
                        text="\n".join([body[0], *said, *body[1:]])))
        truth[str(i)] = (items, numbers)
    kept, _ = run(stages, docs)
    found = Counter()
    total = Counter(kind for items, _ in truth.values() for kind, _ in items)
    missed, damaged, n_numbers = [], [], 0
    for doc in kept:
        items, numbers = truth[doc.id]
        audit = {(r.rule, r.text) for r in doc.removed}
        for kind, item in items:
            if (f"personal_data.{kind}", shape_of(item)) in audit and item not in doc.text:
                found[kind] += 1
            else:
                missed.append({"kind": kind, "item": item})
        n_numbers += len(numbers)
        damaged += [n for n in numbers if n not in doc.text]
    return {"pages": pages, "kept_pages": len(kept),
            "recall": {k: {"planted": total[k], "replaced": found[k], "recall": round(found[k] / total[k], 4)}
                       for k in sorted(total)},
            "news_numbers": {"planted": n_numbers, "touched": len(damaged), "touched_examples": damaged[:20]},
            "missed": missed[:20]}


def real(stages, n: int, sample_size: int, out: Path, seed: int) -> dict:
    from throughput import egypt_arabic

    from builder.document import Doc

    records = egypt_arabic(n)
    docs = [Doc(id=str(i), source_file="egypt_news_2013", title=r["title"], text=r["text"])
            for i, r in enumerate(records)]
    before = {}
    start = time.perf_counter()
    stages_before, [personal] = stages[:-1], stages[-1:]
    cleaned, _ = run(stages_before, docs)
    before = {d.id + "/" + str(k): d.text for k, d in enumerate(cleaned)}
    for k, d in enumerate(cleaned):
        d.id = d.id + "/" + str(k)
    kept, stats = run([personal], cleaned)
    seconds = time.perf_counter() - start
    replacements, touched, contact, boxes = [], Counter(), Counter(), []
    for doc in kept:
        boxes += [{"rule": r.rule, "text": r.text} for r in doc.removed if r.kind == "contact"]
        contact.update(r.rule for r in doc.removed if r.kind == "contact")
        _, found = personal.anonymise(before[doc.id], CONTEXT)  # the values the audit keeps only the shape of
        replacements += [{"kind": kind, "text": value, "context": around} for kind, value, around in found]
        touched.update({kind for kind, _, _ in found})
    sample = random.Random(seed).sample(replacements, min(sample_size, len(replacements)))
    with (out / "sample.jsonl").open("w", encoding="utf-8") as fh:
        for s in sample:
            fh.write(json.dumps(s, ensure_ascii=False) + "\n")
    return {"documents": n, "after_cleaning": len(cleaned), "seconds": round(seconds, 1),
            "replacements": dict(sorted(Counter(r["kind"] for r in replacements).items())),
            "notes": dict(stats["personal_data"].notes), "documents_touched": dict(sorted(touched.items())),
            "contact_spans_cut": dict(sorted(contact.items())),
            "contact_spans_sample": random.Random(seed).sample(boxes, min(sample_size, len(boxes))), "sample": sample,
            "sample_file": str(out / "sample.jsonl")}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, default=5000, help="real documents of egypt_news_2013")
    parser.add_argument("--pages", type=int, default=2000, help="generated pages with planted items")
    parser.add_argument("--sample", type=int, default=100, help="replacements on real news shown for judging")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=Path("/tmp/personal-data"))
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))  # conftest: the synthetic articles
    stages = build_stages(phones=True)
    report = {"benchmark": "personal_data", "settings": "personal_data.phones=true, the rest as default",
              "planted": planted(stages, args.pages, args.seed),
              "egypt_news_2013": real(stages, args.docs, args.sample, args.out, args.seed)}
    print(json.dumps(report, indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()
