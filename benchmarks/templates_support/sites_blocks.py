"""Five more fictional sites (issue 22), written before looking at what the builder's rules or learned shapes catch:
related-headline blocks ("في نفس القسم", "اقرأ المزيد", "اقرأ أيضا", "الأكثر قراءة") whose lines are other articles'
titles (of this corpus, `Ctx.related`), a fixed line below such a block (a long disclaimer too), furniture glued
to body lines (a back-link after the last paragraph, a desk byline before the first sentence, a closing agency
mark, a time fragment at the start of the lead), a DOM meta line holding author, date and comment count, and the
outlet's own name printed in its furniture (masthead, copyright). Two of them print the names of outlets in the
registry (conf/data/outlets.yaml: صحيفة سبق, صحيفة الغد), the others fictional ones; one HTML site prints its
canonical URL.
"""

from __future__ import annotations

from html import escape

from .page import Page
from .sites import SITES, Ctx, Site, head, number_views, og


def lines_page(page: Page, lines: list[str]) -> str:
    return "\n".join([page.gold.title, *lines])


def html_paras(page: Page, paras: list[str], prefix: str, suffix: str, kinds: tuple[str, str]) -> str:
    """<p> paragraphs, `prefix` glued before the first and `suffix` after the last."""
    last = len(paras) - 1
    return "".join(f"<p>{page.para(p, prefix if i == 0 else '', suffix if i == last else '', kinds)}</p>"
                   for i, p in enumerate(paras))


def block(ctx: Ctx, page: Page, heading: str, n: int, share: float = 0.6) -> list[str]:
    """A heading and n headline lines, each its own furniture line."""
    return [page.furn(heading, "related"), *(page.furn(h, "related") for h in ctx.related(n, share))]


def render_m(ctx: Ctx, page: Page, site: Site) -> str:
    """Saudi e-paper text dump (a registered outlet's name): masthead, date, 'سبق- وكالات:' desk byline or
    '<reporter>- سبق- <city>:' glued before the first sentence, the back-link 'رابط الخبر بصحيفة سبق: <title>'
    glued after the last paragraph, a 'في نفس القسم' list, a long disclaimer below it, copyright."""
    g, m, d = page.gold, ctx.moment, ctx.dates
    out = []
    if ctx.maybe(0.6):
        out.append(page.furn("صحيفة سبق الإلكترونية", "masthead"))
    out.append(page.furn(f"{d.weekday(m)}، {d.long(m, 'egyptian')} - {d.clock(m, 'ar')}", "date"))
    g.published = m.date().isoformat()
    roll = ctx.rng.random()
    prefix = ""
    if roll < 0.4:
        prefix = "سبق- وكالات: "
    elif roll < 0.8:
        name, _ = ctx.person()
        city = ctx.city("gulf")
        prefix = f"{name}- سبق- {city}: "
        g.byline, g.dateline = [name], city
    suffix = f" رابط الخبر بصحيفة سبق: {g.title}" if ctx.maybe(0.6) else ""
    paras = list(ctx.body.paragraphs)
    for i, p in enumerate(paras):
        out.append(page.para(p, prefix=prefix if i == 0 else "", suffix=suffix if i == len(paras) - 1 else "",
                             kinds=("desk_byline", "backlink")))
    if ctx.maybe(0.75):
        out += block(ctx, page, "في نفس القسم", ctx.rng.randrange(4, 7))
    if ctx.maybe(0.9):
        out.append(page.furn("جميع المقالات والتعليقات المنشورة في صحيفة سبق تعبر عن رأي كاتبيها ولا تعبر بالضرورة "
                             "عن رأي الصحيفة", "disclaimer"))
    out.append(page.furn(f"جميع الحقوق محفوظة لصحيفة سبق الإلكترونية © {m.year}", "footer"))
    return lines_page(page, out)


def render_n(ctx: Ctx, page: Page, site: Site) -> str:
    """Kuwaiti news network, HTML: one meta line of spans (author or the outlet's own name, date, comment count),
    a clock glued at the start of the lead, a closing '(كونا)' after the last sentence, an 'اقرأ المزيد' list and
    a comment disclaimer below it."""
    g, m, d = page.gold, ctx.moment, ctx.dates
    g.published, g.published_utc = m.date().isoformat(), d.utc_date(m, site.offset)
    author = None
    if ctx.maybe(0.7):
        author, _ = ctx.person()
        who = page.furn(f"بقلم: {author}", "byline")
        g.byline = [author]
    else:
        who = page.furn(f"بقلم: {site.name}", "byline")  # the outlet, not a reporter: no byline
    when = page.furn(f"{d.long(m, 'egyptian')} {d.clock(m, 'ar')}", "date")
    comments = page.furn(f"{ctx.rng.randrange(0, 40)} تعليقات", "comments")
    meta = (f'<div class="post-meta"><span class="author">{who}</span> <span class="date">{when}</span> '
            f'<span class="comments">{comments}</span></div>')
    prefix = f"{d.clock(m, 'ar')} " if ctx.maybe(0.4) else ""
    suffix = ""
    if ctx.maybe(0.5):
        printed, aliases = ctx.agency("kuna")
        suffix = f" ({printed})"
        g.credit = aliases
    paras = list(ctx.body.paragraphs)
    body = html_paras(page, paras, prefix, suffix, ("time", "agency_close"))
    rel = ""
    if ctx.maybe(0.7):
        items = "".join(f'<li><a href="/n/{ctx.rng.randrange(10**5, 10**6)}">{page.furn(h, "related")}</a></li>'
                        for h in ctx.related(4))
        rel = f'<div class="more"><h4>{page.furn("اقرأ المزيد", "related")}</h4><ul>{items}</ul></div>'
    note = page.furn(f"الآراء الواردة في التعليقات تعبر عن أصحابها ولا تعبر عن رأي {site.name}", "disclaimer")
    views = f'<div class="views">{page.furn(f"{number_views(ctx)} مشاهدة", "views")}</div>' if ctx.maybe(0.5) else ""
    published = d.iso(m, site.offset) if ctx.maybe(0.5) else None
    return (head(page, site, "-", og(page, site, published, None))
            + f"<body><h1>{escape(g.title)}</h1>{meta}{views}<div class=\"post-content\">{body}</div>{rel}"
            + f'<div class="comments-note">{note}</div>'
            + f'<footer>{page.furn(f"© {m.year} {site.name} - جميع الحقوق محفوظة", "footer")}</footer>'
            + "</body></html>")


def render_o(ctx: Ctx, page: Page, site: Site) -> str:
    """Egyptian portal text dump: masthead naming the outlet, 'كتب:' line, a relative time glued at the start of
    the lead, an 'اقرأ أيضا' list in the middle of the body, a closing '(أ ش أ)', a 'الأكثر قراءة' list with an app
    prompt below it."""
    g, m, d = page.gold, ctx.moment, ctx.dates
    out = []
    if ctx.maybe(0.8):
        out.append(page.furn(f"{site.name} | أخبار مصر والعالم", "masthead"))
    if ctx.maybe(0.6):
        name, female = ctx.person()
        out.append(page.furn(("كتبت: " if female else "كتب: ") + name, "byline"))
        g.byline = [name]
    out.append(page.furn(f"{d.long(m, 'egyptian')} | {d.clock(m, 'ar')}", "date"))
    g.published = m.date().isoformat()
    hours = ctx.rng.randrange(2, 11)
    prefix = f"منذ {hours} ساعات - " if ctx.maybe(0.35) else ""
    suffix = ""
    if ctx.maybe(0.35):
        suffix = " (أ ش أ)"
        g.credit = ctx.pools["agencies"]["mena"]["aliases"]
    paras = list(ctx.body.paragraphs)
    block_at = 2 if len(paras) > 3 and ctx.maybe(0.4) else -1
    for i, p in enumerate(paras):
        if i == block_at:
            out += block(ctx, page, "اقرأ أيضا", 3)
        out.append(page.para(p, prefix=prefix if i == 0 else "", suffix=suffix if i == len(paras) - 1 else "",
                             kinds=("time", "agency_close")))
    if ctx.maybe(0.6):
        out += block(ctx, page, "الأكثر قراءة", 5, share=0.3)
    if ctx.maybe(0.8):
        out.append(page.furn(f"حمل تطبيق {site.name} لمتابعة آخر الأخبار لحظة بلحظة", "app"))
    out.append(page.furn(f"جميع الحقوق محفوظة © {m.year} {site.name}", "footer"))
    return lines_page(page, out)


def render_p(ctx: Ctx, page: Page, site: Site) -> str:
    """Palestinian site, HTML, with its canonical URL and og:url: breadcrumb, 'متابعة - الضفة:' desk byline or
    '<city> - <reporter>:' glued before the first sentence, a back-link URL glued after the last paragraph, an
    'في نفس القسم' list and a newsletter box below it."""
    g, m, d = page.gold, ctx.moment, ctx.dates
    g.published, g.published_utc = m.date().isoformat(), d.utc_date(m, site.offset)
    roll = ctx.rng.random()
    prefix = ""
    if roll < 0.4:
        prefix = "متابعة - الضفة: "
    elif roll < 0.75:
        name, _ = ctx.person()
        city = ctx.pick(["رام الله", "غزة", "نابلس", "الخليل", "جنين", "القدس"])
        prefix = f"{city} - {name}: "
        g.byline, g.dateline = [name], city
    suffix = f" رابط الخبر: {g.url}" if ctx.maybe(0.5) else ""
    paras = list(ctx.body.paragraphs)
    body = html_paras(page, paras, prefix, suffix, ("desk_byline", "backlink"))
    rel = ""
    if ctx.maybe(0.65):
        items = "".join(f"<li>{page.furn(h, 'related')}</li>" for h in ctx.related(ctx.rng.randrange(3, 6)))
        rel = f'<section class="same-section"><h3>{page.furn("في نفس القسم", "related")}</h3><ul>{items}</ul></section>'
    news = page.furn("اشترك في النشرة البريدية لتصلك أهم الأخبار يوميا", "newsletter")
    section = ctx.pick(["أخبار محلية", "الضفة الغربية", "غزة", "القدس", "اقتصاد"])
    crumb = page.furn(f"الرئيسية > {section}", "breadcrumb")
    stamp = page.furn(f"{d.long(m, 'levantine', weekday=True)} {d.clock(m)}", "date")
    canonical = f'<link rel="canonical" href="{g.url}"><meta property="og:url" content="{g.url}">'
    return (head(page, site, "|", canonical + og(page, site, d.iso(m, site.offset), None))
            + f'<body><nav class="crumbs">{crumb}</nav><h1>{escape(g.title)}</h1><div class="stamp">{stamp}</div>'
            + f'<article class="text">{body}</article>{rel}<div class="newsletter">{news}</div>'
            + f'<footer>{page.furn(f"جميع الحقوق محفوظة لموقع {site.name} © {m.year}", "footer")}</footer>'
            + "</body></html>")


def render_q(ctx: Ctx, page: Page, site: Site) -> str:
    """Jordanian daily text dump (a registered outlet's name): masthead, 'عمان - الغد -' desk dateline or a
    Petra wire with its closing mark, 'أخبار ذات علاقة' list, a long comment-policy sentence below it, copyright."""
    g, m, d = page.gold, ctx.moment, ctx.dates
    out = []
    if ctx.maybe(0.5):
        out.append(page.furn("صحيفة الغد الأردنية", "masthead"))
    out.append(page.furn(f"{d.long(m, 'levantine', weekday=True)} {d.clock(m)}", "date"))
    g.published = m.date().isoformat()
    roll = ctx.rng.random()
    prefix = suffix = ""
    if roll < 0.4:
        prefix = "عمان - الغد - "
        g.dateline = "عمان"
    elif roll < 0.7:
        name, _ = ctx.person()
        out.append(page.furn(name, "byline"))
        g.byline = [name]
    else:
        printed, aliases = ctx.agency("petra")
        city = ctx.pick(["عمان", "إربد", "الزرقاء", "العقبة"])
        prefix = f"{city} - ({printed}) - "
        suffix = " (بترا)" if ctx.maybe(0.6) else ""
        g.dateline, g.credit = city, aliases
    paras = list(ctx.body.paragraphs)
    for i, p in enumerate(paras):
        out.append(page.para(p, prefix=prefix if i == 0 else "", suffix=suffix if i == len(paras) - 1 else "",
                             kinds=("desk_byline", "agency_close")))
    if ctx.maybe(0.7):
        out += block(ctx, page, "أخبار ذات علاقة", ctx.rng.randrange(3, 6))
    if ctx.maybe(0.85):
        out.append(page.furn("يرجى الالتزام بآداب الحوار عند كتابة التعليقات، ونحتفظ بحق حذف أي تعليق مخالف "
                             "لسياسة النشر في الموقع", "disclaimer"))
    out.append(page.furn(f"© {m.year} جميع الحقوق محفوظة لصحيفة الغد", "footer"))
    return lines_page(page, out)


NEW_SITES = [
    Site("m", "صحيفة سبق", "text", 3, render_m),
    Site("n", "الرمال نيوز", "html", 3, render_n),
    Site("o", "بوابة الفجر الجديد", "text", 2, render_o),
    Site("p", "الضفة", "html", 2, render_p),
    Site("q", "صحيفة الغد", "text", 3, render_q),
]
ALL_SITES = [*SITES, *NEW_SITES]
