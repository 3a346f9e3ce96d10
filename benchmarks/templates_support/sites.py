"""Twelve fictional Arabic news sites (six HTML, six text dumps), written from how real Egyptian, Gulf, Levant,
Iraqi, Maghreb, Yemeni and pan-Arab sites lay out an article page, without looking at the builder's rules.

Each `render_*` prints one page around a real body and fills the gold as it prints (see page.py). Elements
vary from page to page (reporters, cities, dates and their formats, related headlines) and many appear on only
a share of the pages (the `ctx.maybe(p)` calls).
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from html import escape

from .bodies import Body
from .dates import DateWriter, eastern, random_moment
from .page import Gold, Page


@dataclass
class Ctx:
    """What a template needs to print one page."""

    rng: random.Random
    pools: dict
    dates: DateWriter
    body: Body
    headlines: Callable[[int], list[str]]
    host: str
    number: int
    moment: datetime
    siblings: list[str] = field(default_factory=list)  # titles of the site's other pages in this corpus

    def maybe(self, p: float) -> bool:
        return self.rng.random() < p

    def pick(self, items):
        return self.rng.choice(items)

    def person(self, female: bool | None = None) -> tuple[str, bool]:
        female = self.maybe(0.3) if female is None else female
        given = self.pick(self.pools["given_female" if female else "given_male"])
        return f"{given} {self.pick(self.pools['family'])}", female

    def city(self, *regions: str) -> str:
        return self.pick([c for r in regions for c in self.pools["cities"][r]])

    def agency(self, key: str) -> tuple[str, list[str]]:
        """(a printed form, the accepted credit names)."""
        a = self.pools["agencies"][key]
        return self.pick(a["printed"]).strip("()"), a["aliases"]

    def related(self, n: int, share: float = 0.6) -> list[str]:
        """n headlines of a related block: each, with probability `share`, the title of another page of the site
        in this corpus (as a real section list would be), else a title from outside it."""
        pool = [t for t in self.siblings if t != self.body.title]
        own = self.rng.sample(pool, min(len(pool), sum(self.maybe(share) for _ in range(n))))
        return own + self.headlines(n - len(own))

    def tags(self, n: int = 3) -> list[str]:
        words = [w for w in self.body.title.split() if len(w) > 3]
        return self.rng.sample(words, min(n, len(words))) or [self.body.title.split()[0]]


@dataclass(frozen=True)
class Site:
    key: str  # a .. l
    name: str  # the outlet's Arabic name as the page prints it
    fmt: str  # html | text
    offset: int  # UTC offset of the site's clock
    render: Callable[[Ctx, Page, Site], str]


def number_views(ctx: Ctx) -> str:
    return f"{ctx.rng.randrange(40, 25000):,}"


# --- text dumps: the headline on the first line, then the page's lines -------------------------------------

def lines_page(page: Page, lines: list[str]) -> str:
    return "\n".join([page.gold.title, *lines])


def render_b(ctx: Ctx, page: Page, site: Site) -> str:
    """Egyptian portal: breadcrumb, repeated headline, 'نشر في' stamp, '<city> – <reporter>:' glued byline."""
    g, m, d = page.gold, ctx.moment, ctx.dates
    out = []
    section = ctx.pick(["محافظات", "حوادث", "سياسة", "اقتصاد", "رياضة", "فن وثقافة"])
    if ctx.maybe(0.7):
        out.append(page.furn(f"الرئيسية > {section}", "breadcrumb"))
    if ctx.maybe(0.5):
        out.append(page.furn(g.title, "title_repeat"))
    out.append(page.furn(f"نشر في: {d.numeric(m)} - {d.clock(m, 'ar')}", "date"))
    g.published = m.date().isoformat()
    if ctx.maybe(0.4):
        later = m.replace(minute=min(59, m.minute + ctx.rng.randrange(1, 40)))
        out.append(page.furn(f"آخر تحديث: {d.numeric(later)} - {d.clock(later, 'ar')}", "date"))
    paras = list(ctx.body.paragraphs)
    prefix = ""
    if ctx.maybe(0.85):
        name, _ = ctx.person()
        city = ctx.city("egypt")
        prefix = f"{city} – {name}: " if ctx.maybe(0.7) else f"{city} - {name} :"
        g.byline, g.dateline = [name], city
    read_at = ctx.rng.randrange(1, len(paras)) if ctx.maybe(0.4) else -1
    for i, p in enumerate(paras):
        if i == read_at:
            out.append(page.furn(f"اقرأ أيضا: {ctx.headlines(1)[0]}", "read_also"))
        out.append(page.para(p, prefix=prefix if i == 0 else ""))
    if ctx.maybe(0.5):
        out.append(page.furn("تابعونا على تليجرام لمتابعة آخر الأخبار", "follow"))
    if ctx.maybe(0.3):
        out.append(page.furn("لمتابعة أهم الأخبار اشترك في نشرتنا الإخبارية", "newsletter"))
    out.append(page.furn(f"© {m.year} {site.name}. جميع الحقوق محفوظة", "footer"))
    return lines_page(page, out)


def render_d(ctx: Ctx, page: Page, site: Site) -> str:
    """UAE daily: 'تاريخ النشر' stamp, '<city> - «outlet»' or agency dateline line, Latin/Arabic share line."""
    g, m, d = page.gold, ctx.moment, ctx.dates
    out = []
    if ctx.maybe(0.6):
        out.append(page.furn(f"الرئيسية / {ctx.pick(['أخبار الإمارات', 'الخليج', 'عربي ودولي', 'اقتصاد'])}",
                             "breadcrumb"))
    out.append(page.furn(f"تاريخ النشر: {d.long(m, 'egyptian')} {d.clock(m, 'ar_long')}", "date"))
    g.published = m.date().isoformat()
    roll = ctx.rng.random()
    city = ctx.city("gulf")
    if roll < 0.5:
        out.append(page.furn(f"{city} - «{site.name}»", "dateline"))
        g.dateline, g.credit = city, [site.name]
    elif roll < 0.8:
        printed, aliases = ctx.agency(ctx.pick(["wam", "wam", "kuna", "qna"]))
        out.append(page.furn(f"{city} - {printed}", "dateline"))
        g.dateline, g.credit = city, aliases
    else:
        name, _ = ctx.person()
        out.append(page.furn(f"{name} - {city}", "byline"))
        g.byline, g.dateline = [name], city
    for p in ctx.body.paragraphs:
        out.append(page.para(p))
    if ctx.maybe(0.8):
        out.append(page.furn("Share | شارك", "share"))
    if ctx.maybe(0.3):
        out.append(page.furn(f"حمّل تطبيق {site.name} على هاتفك", "app"))
    if ctx.maybe(0.6):
        out.append(page.furn("أخبار ذات صلة", "related"))
        out += [page.furn(h, "related") for h in ctx.headlines(4)]
    out.append(page.furn(f"جميع الحقوق محفوظة لـ {site.name} © {m.year}", "footer"))
    return lines_page(page, out)


def render_f(ctx: Ctx, page: Page, site: Site) -> str:
    """Jordanian site carrying Petra wires: '<city> <day> <month> (بترا) -' glued, closing initials and clock."""
    g, m, d = page.gold, ctx.moment, ctx.dates
    digits = "eastern" if ctx.maybe(0.5) else "western"
    out = [page.furn(f"تاريخ النشر: {d.numeric(m, digits=digits)}", "date")]
    g.published = m.date().isoformat()
    if ctx.maybe(0.4):
        out.append(page.furn(f"{d.long(m, 'levantine', weekday=True)} - {d.clock(m)}", "date"))
    paras = list(ctx.body.paragraphs)
    wire = ctx.maybe(0.65)
    city = ctx.city("levant") if ctx.maybe(0.3) else "عمان"
    prefix = ""
    if wire:
        prefix = f"{city} {m.day} {d.months['levantine'][m.month - 1]} (بترا)- "
        g.dateline, g.credit = city, ctx.pools["agencies"]["petra"]["aliases"]
    else:
        name, _ = ctx.person()
        out.append(page.furn(f"{city} – {name}", "byline"))
        g.byline, g.dateline = [name], city
    for i, p in enumerate(paras):
        out.append(page.para(p, prefix=prefix if i == 0 else ""))
    if wire:
        initials = " ".join(ctx.rng.sample(list("ابتجحدرسعفقلمنهي"), 2))
        more = " ".join(ctx.rng.sample(list("ابتجحدرسعفقلمنهي"), 2))
        out.append(page.furn(f"--(بترا) {initials}/ {more} {d.clock(m, digits=digits)}", "agency_close"))
    if ctx.maybe(0.6):
        out.append(page.furn("طباعة | إرسال لصديق", "tools"))
    out.append(page.furn(f"جميع الحقوق محفوظة © {site.name} {m.year}", "footer"))
    return lines_page(page, out)


def render_h(ctx: Ctx, page: Page, site: Site) -> str:
    """Tunisian / Algerian radio site: جانفي months, 'على الساعة', TAP/APS glued credit, French share lines."""
    g, m, d = page.gold, ctx.moment, ctx.dates
    out = []
    if ctx.maybe(0.6):
        out.append(page.furn(f"الرئيسية » {ctx.pick(['الأخبار الوطنية', 'جهات', 'رياضة', 'عالمية'])}", "breadcrumb"))
    out.append(page.furn(f"{d.long(m, 'tunisian', weekday=ctx.maybe(0.5))} على الساعة {d.clock(m)}", "date"))
    g.published = m.date().isoformat()
    if ctx.maybe(0.5):
        name, _ = ctx.person()
        out.append(page.furn(f"نشر من طرف {name}", "byline"))
        g.byline = [name]
    prefix = ""
    if ctx.maybe(0.45):
        tunisia = ctx.maybe(0.6)
        key, city = ("tap", ctx.pick(["تونس", "صفاقس", "سوسة"])) if tunisia else ("aps", ctx.pick(["الجزائر", "وهران"]))
        printed, aliases = ctx.agency(key)
        prefix = f"{city} ({printed}) - " if ctx.maybe(0.5) else f"{city}- {printed}- "
        g.dateline, g.credit = city, aliases
    for i, p in enumerate(ctx.body.paragraphs):
        out.append(page.para(p, prefix=prefix if i == 0 else ""))
    if ctx.maybe(0.7):
        out.append(page.furn("Partager: Facebook Twitter", "share"))
    if ctx.maybe(0.4):
        out.append(page.furn("تابعونا على صفحتنا الرسمية على فيسبوك", "follow"))
    if ctx.maybe(0.5):
        out.append(page.furn("شاهد أيضا", "related"))
        out += [page.furn(h, "related") for h in ctx.headlines(3)]
    out.append(page.furn(f"Copyright © {m.year} Radio Sahel - Tous droits réservés", "footer"))
    return lines_page(page, out)


def render_j(ctx: Ctx, page: Page, site: Site) -> str:
    """Pan-Arab aggregator of wires: ISO stamp, '<city> (<agency>) -' glued, closing agency mark, editor line,
    a back-link line that repeats the headline after the site name."""
    g, m, d = page.gold, ctx.moment, ctx.dates
    out = [page.furn(f"{m:%Y-%m-%d %H:%M:%S}", "date")]
    g.published = m.date().isoformat()
    roll = ctx.rng.random()
    prefix = suffix = ""
    if roll < 0.2:
        prefix = "عواصم - وكالات: "
        g.dateline = None
    elif roll < 0.7:
        key = ctx.pick(["reuters", "afp", "ap", "dpa", "anadolu"])
        printed, aliases = ctx.agency(key)
        city = ctx.city("world", "levant", "gulf")
        prefix = f"{city} ({printed}) - "
        g.dateline, g.credit = city, aliases
        if ctx.maybe(0.4):
            suffix = f" ({printed})"
    else:
        name, _ = ctx.person()
        city = ctx.city("egypt", "levant", "gulf", "world")
        prefix = f"{city} - {name}: "
        g.byline, g.dateline = [name], city
    paras = list(ctx.body.paragraphs)
    for i, p in enumerate(paras):
        out.append(page.para(p, prefix=prefix if i == 0 else "", suffix=suffix if i == len(paras) - 1 else ""))
    if ctx.maybe(0.5):
        later = m.replace(minute=min(59, m.minute + 7))
        out.append(page.furn(f"آخر تحديث: {d.clock(later)} بتوقيت غرينتش", "date"))
    if ctx.maybe(0.4):
        out.append(page.furn(f"تحرير: {ctx.person()[0]}", "editor"))
    if ctx.maybe(0.6):
        out.append(page.furn(f"{site.name} - {g.title}", "backlink"))
    out.append(page.furn(f"{site.name} © {m.year}", "footer"))
    return lines_page(page, out)


def render_l(ctx: Ctx, page: Page, site: Site) -> str:
    """Yemeni portal: Hijri 'الموافق' Gregorian date (Eastern digits on some pages), Saba or 'خاص' dateline,
    photo credit in parentheses, short-link line, Telegram prompt."""
    g, m, d = page.gold, ctx.moment, ctx.dates
    digits = "eastern" if ctx.maybe(0.4) else "western"
    out = []
    gregorian = d.long(m, "egyptian", digits=digits)
    out.append(page.furn(f"{d.weekday(m)} {d.hijri_long(m, digits)} هـ الموافق {gregorian} م", "date"))
    g.published = m.date().isoformat()
    if ctx.maybe(0.3):
        out.append(page.furn(ctx.pick(["(أرشيفية)", "(صورة أرشيفية)", "(الصورة من الأرشيف)"]), "photo_credit"))
    city = ctx.city("yemen_sudan_libya")
    roll = ctx.rng.random()
    if roll < 0.3:
        key = ctx.pick(["saba", "suna"])
        city = ctx.pick(["صنعاء", "عدن", "تعز"]) if key == "saba" else "الخرطوم"
        printed, aliases = ctx.agency(key)
        prefix = f"{city} - ({printed}): "
        g.credit = aliases
    elif roll < 0.7:
        prefix = f"{city} – خاص: "
    else:
        name, _ = ctx.person()
        prefix = f"{city} - {name}: "
        g.byline = [name]
    g.dateline = city
    for i, p in enumerate(ctx.body.paragraphs):
        out.append(page.para(p, prefix=prefix if i == 0 else ""))
    if ctx.maybe(0.5):
        out.append(page.furn(f"الرابط المختصر: https://{ctx.host}/?p={ctx.rng.randrange(10000, 99999)}", "shortlink"))
    if ctx.maybe(0.5):
        out.append(page.furn("شارك هذا الخبر", "share"))
    if ctx.maybe(0.5):
        out.append(page.furn("[ تابعوا قناتنا على تيليجرام للمزيد من الأخبار ]", "follow"))
    out.append(page.furn(f"جميع الحقوق محفوظة © {m.year} {site.name}", "footer"))
    return lines_page(page, out)


# --- HTML pages ----------------------------------------------------------------------------------------------

def head(page: Page, site: Site, sep: str, extra: str = "") -> str:
    return (f"<!DOCTYPE html><html lang=\"ar\" dir=\"rtl\"><head><meta charset=\"utf-8\">"
            f"<title>{escape(page.gold.title)} {sep} {escape(site.name)}</title>{extra}</head>")


def json_ld(page: Page, site: Site, published: str, author: str | None) -> str:
    data = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": page.gold.title,
            "datePublished": published, "publisher": {"@type": "Organization", "name": site.name}}
    if author:
        data["author"] = {"@type": "Person", "name": author}
    return f"<script type=\"application/ld+json\">{json.dumps(data, ensure_ascii=False)}</script>"


def og(page: Page, site: Site, published: str | None, author: str | None) -> str:
    tags = [f'<meta property="og:title" content="{escape(page.gold.title)}">',
            f'<meta property="og:site_name" content="{escape(site.name)}">']
    if published:
        tags.append(f'<meta property="article:published_time" content="{published}">')
    if author:
        tags.append(f'<meta name="author" content="{escape(author)}">')
    return "".join(tags)


def related_html(ctx: Ctx, page: Page, heading: str, n: int, cls: str) -> str:
    items = "".join(f'<li><a href="/news/{ctx.rng.randrange(10**5, 10**6)}">{page.furn(h, "related")}</a></li>'
                    for h in ctx.headlines(n))
    return f'<div class="{cls}"><h3>{page.furn(heading, "related")}</h3><ul>{items}</ul></div>'


def menu_html(page: Page, items: list[str], cls: str) -> str:
    return f'<ul class="{cls}">' + "".join(f'<li><a href="#">{page.furn(i, "menu")}</a></li>' for i in items) + "</ul>"


def render_a(ctx: Ctx, page: Page, site: Site) -> str:
    """Egyptian portal: menu, breadcrumb, 'كتب:' writer box, Egyptian date with م/ص clock, read-too box, tags,
    share strip, related list; JSON-LD on every page."""
    g, m, d = page.gold, ctx.moment, ctx.dates
    name, female = ctx.person()
    g.byline, g.published = [name], m.date().isoformat()
    g.published_utc = d.utc_date(m, site.offset)
    section = ctx.pick(["أخبار مصر", "حوادث", "محافظات", "اقتصاد", "رياضة"])
    body = []
    paras = list(ctx.body.paragraphs)
    read_at = ctx.rng.randrange(1, len(paras)) if ctx.maybe(0.35) else -1
    for i, p in enumerate(paras):
        if i == read_at:
            body.append(f'<div class="read-too">{page.furn("اقرأ أيضًا: " + ctx.headlines(1)[0], "read_also")}</div>')
        body.append(f"<p>{page.para(p)}</p>")
    tags = ""
    if ctx.maybe(0.6):
        tags = f'<div class="keywords">{page.furn("الكلمات المفتاحية: " + " - ".join(ctx.tags()), "tags")}</div>'
    rel = related_html(ctx, page, "أخبار متعلقة", 4, "more-news") if ctx.maybe(0.7) else ""
    top = menu_html(page, ["الرئيسية", "أخبار مصر", "رياضة", "اقتصاد", "فن", "حوادث"], "main-menu")
    date_line = f"{d.long(m, 'egyptian', weekday=True)} {d.clock(m, 'ar')}"
    return (head(page, site, "-", json_ld(page, site, d.iso(m, site.offset), name))
            + f"<body><header>{top}</header><main>"
            + f'<div class="path">{page.furn(f"الرئيسية › {section}", "breadcrumb")}</div>'
            + f"<h1>{escape(g.title)}</h1>"
            + f'<div class="writer">{page.furn(("كتبت: " if female else "كتب: ") + name, "byline")}</div>'
            + f'<div class="time">{page.furn(date_line, "date")}</div>'
            + f'<div class="article-text">{"".join(body)}</div>{tags}'
            + f'<div class="shares">{page.furn("شارك الخبر: فيسبوك تويتر واتساب", "share")}</div>{rel}</main>'
            + f'<div class="copy">{page.furn(f"جميع الحقوق محفوظة © {m.year} {site.name}", "footer")}</div>'
            + "</body></html>")


def render_c(ctx: Ctx, page: Page, site: Site) -> str:
    """Saudi daily: Hijri and Gregorian date line, '<city> - <agency>' glued on wire stories or a
    '<city> - <reporter>' box, views counter, Latin share strip, article:published_time meta."""
    g, m, d = page.gold, ctx.moment, ctx.dates
    g.published, g.published_utc = m.date().isoformat(), d.utc_date(m, site.offset)
    city = ctx.city("gulf")
    author = None
    prefix, byline_box = "", ""
    if ctx.maybe(0.5):
        printed, aliases = ctx.agency(ctx.pick(["spa", "spa", "kuna", "wam"]))
        prefix = f"{city} - {printed} "
        g.dateline, g.credit = city, aliases
    else:
        author, _ = ctx.person()
        byline_box = f'<div class="reporter">{page.furn(f"{city} - {author}", "byline")}</div>'
        g.byline, g.dateline = [author], city
    date_line = f"{d.weekday(m)} {d.hijri_long(m)} هـ - {d.long(m, 'egyptian')} م"
    meta_bar = f'<span class="date">{page.furn(date_line, "date")}</span>'
    if ctx.maybe(0.6):
        meta_bar += f' <span class="views">{page.furn(f"{number_views(ctx)} مشاهدة", "views")}</span>'
    body = "".join(f"<p>{page.para(p, prefix=prefix if i == 0 else '')}</p>"
                   for i, p in enumerate(ctx.body.paragraphs))
    rel = related_html(ctx, page, "مواضيع ذات صلة", 3, "box-related") if ctx.maybe(0.5) else ""
    return (head(page, site, "|", og(page, site, d.iso(m, site.offset), author))
            + f"<body><h1>{escape(g.title)}</h1>{byline_box}<div class=\"info\">{meta_bar}</div>"
            + f'<div class="content">{body}</div>'
            + f'<div class="icons">{page.furn("Facebook Twitter WhatsApp Telegram", "share")}</div>{rel}'
            + f'<div class="bottom">{page.furn(f"{site.name} الإلكترونية © {m.year} جميع الحقوق محفوظة", "footer")}'
            + "</div>"
            + "</body></html>")


def render_e(ctx: Ctx, page: Page, site: Site) -> str:
    """Lebanese site: كانون الثاني months, 'كتبت' writer or '<outlet> – <city>' dateline, WhatsApp prompt
    inside the body, contact-the-writer box, Latin follow icons, OpenGraph and author meta."""
    g, m, d = page.gold, ctx.moment, ctx.dates
    g.published, g.published_utc = m.date().isoformat(), d.utc_date(m, site.offset)
    author = None
    if ctx.maybe(0.6):
        author, female = ctx.person()
        who = f'<div class="author">{page.furn(("كتبت " if female else "كتب ") + author, "byline")}</div>'
        g.byline = [author]
    else:
        city = ctx.city("levant")
        who = f'<div class="author">{page.furn(f"{site.name} – {city}", "dateline")}</div>'
        g.dateline, g.credit = city, [site.name]
    crumb = page.furn(f"الرئيسية / {ctx.pick(['لبنان', 'إقليمي', 'دولي', 'اقتصاد'])}", "breadcrumb")
    paras = list(ctx.body.paragraphs)
    prompt_at = min(2, len(paras) - 1) if ctx.maybe(0.3) else -1
    body = []
    for i, p in enumerate(paras):
        if i == prompt_at:
            prompt = page.furn(f"تابعوا آخر الأخبار عبر قناة {site.name} على واتساب", "follow")
            body.append(f'<div class="wa-box">{prompt}</div>')
        body.append(f"<p>{page.para(p)}</p>")
    contact = ""
    if author and ctx.maybe(0.5):
        contact = f'<div class="contact-writer">{page.furn(f"للتواصل مع الكاتب: {author}", "contact")}</div>'
    date_line = f"{d.long(m, 'levantine', weekday=True)} - {d.clock(m)}"
    return (head(page, site, "|", og(page, site, d.iso(m, site.offset), author))
            + f'<body><div class="crumbs">{crumb}</div><h1>{escape(g.title)}</h1>{who}'
            + f'<div class="stamp">{page.furn(date_line, "date")}</div>'
            + f'<div class="post-body">{"".join(body)}</div>{contact}'
            + f'<div class="follow">{page.furn("Facebook X Instagram YouTube", "follow")}</div>'
            + f'<div class="rights">{page.furn(f"© جميع الحقوق محفوظة - {site.name} {m.year}", "footer")}</div>'
            + "</body></html>")


def render_g(ctx: Ctx, page: Page, site: Site) -> str:
    """Moroccan site: يوليوز/غشت months, author box, MAP credit glued, photo credit in parentheses, French share
    and follow lines, JSON-LD with author."""
    g, m, d = page.gold, ctx.moment, ctx.dates
    g.published, g.published_utc = m.date().isoformat(), d.utc_date(m, site.offset)
    prefix = ""
    author = None
    if ctx.maybe(0.4):
        city = ctx.city("maghreb") if ctx.maybe(0.2) else ctx.pick(["الرباط", "الدار البيضاء", "مراكش", "فاس"])
        printed, aliases = ctx.agency("map")
        prefix = f"{city} ({printed}) - "
        g.dateline, g.credit = city, aliases
        who = f'<div class="author-name">{page.furn(site.name, "byline")}</div>'
    else:
        author, _ = ctx.person()
        who = f'<div class="author-name">{page.furn(author, "byline")}</div>'
        g.byline = [author]
    photo = ""
    if ctx.maybe(0.4):
        credit = page.furn(ctx.pick(["(صورة: أرشيف)", "(الصورة من الأرشيف)"]), "photo_credit")
        photo = f'<div class="img-src">{credit}</div>'
    body = "".join(f"<p>{page.para(p, prefix=prefix if i == 0 else '')}</p>" for i, p in enumerate(ctx.body.paragraphs))
    rel = related_html(ctx, page, "مقالات ذات صلة", 3, "similar") if ctx.maybe(0.5) else ""
    follow = f'<div class="suivez">{page.furn("Suivez-nous sur Facebook", "follow")}</div>' if ctx.maybe(0.5) else ""
    date_line = f"{d.long(m, 'moroccan', weekday=True)} - {d.clock(m)}"
    return (head(page, site, "-", json_ld(page, site, d.iso(m, site.offset), author))
            + f"<body><h1>{escape(g.title)}</h1>{who}<div class=\"date-pub\">{page.furn(date_line, 'date')}</div>"
            + f'{photo}<div class="entry">{body}</div>'
            + f'<div class="partage">{page.furn("Partager sur Facebook Partager sur Twitter", "share")}</div>'
            + f"{follow}{rel}"
            + f'<div class="copyright">{page.furn(f"جميع الحقوق محفوظة © {site.name} {m.year}", "footer")}</div>'
            + "</body></html>")


def render_i(ctx: Ctx, page: Page, site: Site) -> str:
    """Pan-Arab London daily: 'نُشر' stamp with Gregorian and Hijri dates, '<city> - «outlet»' dateline or
    reporter line or glued AFP dateline, newsletter box, English footer, OpenGraph + JSON-LD."""
    g, m, d = page.gold, ctx.moment, ctx.dates
    g.published, g.published_utc = m.date().isoformat(), d.utc_date(m, site.offset)
    roll = ctx.rng.random()
    who, prefix = "", ""
    author = None
    if roll < 0.4:
        city = "لندن" if ctx.maybe(0.6) else ctx.city("world", "levant", "gulf")
        who = f'<p class="dl">{page.furn(f"{city} - «{site.name}»", "dateline")}</p>'
        g.dateline, g.credit = city, [site.name]
    elif roll < 0.8:
        author, _ = ctx.person()
        city = ctx.city("egypt", "levant", "gulf", "iraq", "maghreb", "world")
        who = f'<p class="dl">{page.furn(f"{city}: {author}", "byline")}</p>'
        g.byline, g.dateline = [author], city
    else:
        city = ctx.city("world")
        printed, aliases = ctx.agency("afp")
        prefix = f"{city} - ({printed}): "
        g.dateline, g.credit = city, aliases
    stamp = f"نُشر: {d.clock(m)}-{d.long(m, 'egyptian')} م ـ {d.hijri_long(m)} هـ"
    body = "".join(f"<p>{page.para(p, prefix=prefix if i == 0 else '')}</p>" for i, p in enumerate(ctx.body.paragraphs))
    news = ""
    if ctx.maybe(0.3):
        news = f'<div class="nl">{page.furn("اشترك في النشرة البريدية للأفق العربي", "newsletter")}</div>'
    crumb = page.furn(f"{site.name} > {ctx.pick(['العالم العربي', 'العالم', 'الاقتصاد', 'رياضة'])}", "breadcrumb")
    meta = og(page, site, d.iso(m, site.offset), author) + json_ld(page, site, d.iso(m, site.offset), None)
    return (head(page, site, "|", meta)
            + f'<body><div class="section-path">{crumb}</div><h1>{escape(g.title)}</h1>'
            + f'<div class="pub">{page.furn(stamp, "date")}</div><div class="story">{who}{body}</div>{news}'
            + f'<div class="legal">{page.furn(f"© {m.year} Al-Ufuq Media Ltd. All rights reserved.", "footer")}</div>'
            + "</body></html>")


def render_k(ctx: Ctx, page: Page, site: Site) -> str:
    """Iraqi news network: '<city>/ <outlet>' glued dateline, view and comment counters, print / send / font
    tools, 'اقرأ المزيد' list, published_time meta on half the pages."""
    g, m, d = page.gold, ctx.moment, ctx.dates
    g.published, g.published_utc = m.date().isoformat(), d.utc_date(m, site.offset)
    city = ctx.city("iraq") if ctx.maybe(0.5) else "بغداد"
    roll = ctx.rng.random()
    if roll < 0.6:
        prefix = f"{city}/ {site.name} "
        g.dateline, g.credit = city, [site.name]
    elif roll < 0.8:
        prefix = f"متابعة/ {site.name} "
        g.credit = [site.name]
    else:
        name, _ = ctx.person()
        prefix = f"{city}/ {name} "
        g.dateline, g.byline = city, [name]
    counters = page.furn(f"المشاهدات: {number_views(ctx)}", "views")
    if ctx.maybe(0.5):
        counters += f' <span>{page.furn(f"التعليقات: {ctx.rng.randrange(0, 30)}", "views")}</span>'
    tools = f'<div class="tools">{page.furn("طباعة إرسال حجم الخط", "tools")}</div>' if ctx.maybe(0.7) else ""
    body = "".join(f"<p>{page.para(p, prefix=prefix if i == 0 else '')}</p>" for i, p in enumerate(ctx.body.paragraphs))
    rel = related_html(ctx, page, "اقرأ المزيد", 3, "more") if ctx.maybe(0.5) else ""
    date_line = f"{d.numeric(m, 'ymd')} {d.clock(m, 'latin')}"
    meta = og(page, site, d.iso(m, site.offset) if ctx.maybe(0.5) else None, None)
    return (head(page, site, "-", meta)
            + f'<body><h1>{escape(g.title)}</h1><div class="n-date">{page.furn(date_line, "date")}</div>'
            + f'<div class="n-counters">{counters}</div>{tools}<div class="n-body">{body}</div>{rel}'
            + f'<div class="n-foot">{page.furn(f"جميع الحقوق محفوظة لشبكة {site.name} © {m.year}", "footer")}</div>'
            + "</body></html>")


SITES = [
    Site("a", "بوابة المشهد", "html", 2, render_a),
    Site("b", "صدى الوادي", "text", 2, render_b),
    Site("c", "صحيفة الواحة", "html", 3, render_c),
    Site("d", "نبض الإمارات", "text", 4, render_d),
    Site("e", "المنبر", "html", 2, render_e),
    Site("f", "صوت عمّان", "text", 3, render_f),
    Site("g", "الأطلس اليوم", "html", 1, render_g),
    Site("h", "إذاعة الساحل", "text", 1, render_h),
    Site("i", "الأفق العربي", "html", 0, render_i),
    Site("j", "شبكة المدار الإخبارية", "text", 0, render_j),
    Site("k", "الرافد نيوز", "html", 3, render_k),
    Site("l", "بوابة الجنوب الإخبارية", "text", 3, render_l),
]


def host(site: Site, size: int) -> str:
    """Each benchmark size has its own host per site, so nothing learned at one size can serve another."""
    return f"news-site-{site.key}-p{size}.example"


def url(site: Site, size: int, number: int, moment: datetime) -> str:
    path = {
        "a": f"News/{number + 1000000}", "b": f"news/details/{number + 50000}",
        "c": f"article/{moment:%Y/%m/%d}/{number}", "d": f"uae/{moment:%Y-%m-%d}-1.{number + 170000}",
        "e": f"lebanon/{number + 90000}-story", "f": f"article/{number + 330000}",
        "g": f"politique/{number + 800000}.html", "h": f"ar/article/{number + 76000}",
        "i": f"{moment:%Y/%m/%d}/{number}", "j": f"news/{moment:%Y%m%d}{number:05d}",
        "k": f"news.php?id={number + 20000}", "l": f"?p={number + 60000}",
    }.get(site.key, f"{site.key}/news/{number + 40000}")
    return f"https://{host(site, size)}/{path}"


class Generator:
    """Pages of every site at one size, each around a body from the pool, with its gold."""

    def __init__(self, pools: dict, bodies, seed: int = 0, sites: list[Site] | None = None) -> None:
        self.sites = SITES if sites is None else sites
        self.pools = pools
        self.bodies = bodies
        self.dates = DateWriter(pools)
        self.seed = seed

    def pages(self, size: int) -> list[tuple[dict, Gold]]:
        out = []
        for site in self.sites:
            rng = random.Random(f"{self.seed}:{site.key}:{size}")
            bodies = [self.bodies.take() for _ in range(size)]
            titles = [b.title for b in bodies]
            for n, body in enumerate(bodies):
                moment = random_moment(rng)
                link = url(site, size, n, moment)
                gold = Gold(url=link, site=site.key, fmt=site.fmt, title=body.title, source=body.source)
                ctx = Ctx(rng, self.pools, self.dates, body, self.bodies.headlines, host(site, size), n, moment,
                          titles)
                page = Page(gold)
                content = site.render(ctx, page, site)
                record = {"url": link, ("html" if site.fmt == "html" else "text"): content}
                out.append((record, gold))
        return out


__all__ = ["SITES", "Generator", "eastern"]
