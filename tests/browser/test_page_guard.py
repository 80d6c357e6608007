"""The page guard: every page each role can reach, on a 360×740 phone, in
standard, large and extra-large text (zh_CN, and en for a sample), checked for what
breaks a phone user — sideways scrolling, images that do not decode, axe
(WCAG 2.0/2.1/2.2 A/AA, colour contrast included; in standard and extra-large
text), tap targets, text contrast, console errors and text in the other
language's script.

Pages come from the url map filled in with the demo world's ids, then from
the site's own links (breadth first, to a budget). A screenshot of every page
is saved under test-output/guard/. A failure names page, role, size, language
and rule; every failure of a role's walk is reported together.
"""
from __future__ import annotations

import re
import shutil
from collections import deque
from dataclasses import dataclass, field
from datetime import date, timedelta
from urllib.parse import urlsplit

import pytest
from werkzeug.routing import RequestRedirect

from tests.browser.conftest import OUTPUT, TAGS, serve
from tests.conftest import app_for

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 740}
SIZES = ["standard", "large", "xlarge"]
PRIMARY_TAP = {"standard": 44, "large": 60, "xlarge": 60}
# axe reads the page's structure, the same at every size; its size-dependent rules (contrast,
# target size) are also checked at every size by the guard's own script. So axe runs at the
# two ends, standard and extra-large, not again at large.
AXE_SIZES = {"standard", "xlarge"}
OTHER_TAP = 24
PAGE_BUDGET = 36        # pages per role (standard text, zh_CN); the same pages again in extra-large text
PER_ENDPOINT = 2        # distinct URLs of one route (e.g. two communities), unless PER_ENDPOINT_OF says more
PER_ENDPOINT_OF = {"consultation.show_topic": 6, "meetings.show_meeting": 2}
EN_SAMPLE = 6           # the first pages of each role's walk, again in English (standard text)
DEMO_PASSWORD = "linli-demo-2026"

ROLES = {  # role -> demo login (None: not logged in)
    "anonymous": None,
    "unverified_resident": "13800000002",
    "resident": "13800000001",
    "committee_member": "weiyuan",
    "social_worker": "shegong",
    "subdistrict_staff": "jiedao",
    "department_staff": "minzheng",
    "admin": "admin",
}

# Routes not to visit as pages: files, fragments polled by htmx, the badge.
SKIP_ENDPOINTS = {"static", "consultation.show_photo", "notifications.badge", "meetings.quorum",
                  "volunteering.activity_qr", "volunteering.certificate_qr", "meetings.checkin_qr",
                  "timebank.resident_statement_file", "timebank.volunteer_hours_file", "timebank.my_statement_file",
                  "lists.certificate_chart", "lists.export_version"}

# Known failures still to fix: (rule, path regex, role regex or None) -> reason.
# Keep every entry honest: it is reported, never silently skipped.
KNOWN_FAILURES: dict[tuple[str, str, str | None], str] = {}

CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]")
LATIN_WORD = re.compile(r"\b[A-Za-z][A-Za-z'’-]{2,}\b")
# Latin words a Chinese page may show: names of formats, the bilingual language
# switcher label, units and codes.
ZH_LATIN_OK = {"Language", "English", "CSV", "Excel", "XLSX", "QR", "PDF", "Linli", "LINLI", "App", "WebP", "JPEG", "PNG", "HEIC"}


@dataclass
class Failure:
    path: str
    role: str
    size: str
    lang: str
    rule: str
    detail: str

    def __str__(self):
        return f"{self.path} [role={self.role} size={self.size} lang={self.lang}] {self.rule}: {self.detail}"


@dataclass
class Walk:
    role: str
    pages: list[str] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    known: list[str] = field(default_factory=list)


# -- the demo world ------------------------------------------------------------------

def _extras(users) -> None:
    """What the demo lacks for a full walk: an activity with a waiting list and
    a roster, a certificate, a draft topic, a comment under review."""
    from app.consultation import services as c
    from app.sqltypes import utcnow
    from app.volunteering import certificates
    from app.volunteering import services as activities

    chaoyang = users["13800000001"].community
    start = utcnow() + timedelta(days=3)
    activity = activities.publish(users["shegong"], chaoyang, title="重阳敬老探访", description="探访独居老人，陪聊、量血压。",
                                  category="助老", place="朝阳社区党群服务中心", starts_at=start,
                                  ends_at=start + timedelta(minutes=90), signup_deadline=start - timedelta(hours=3),
                                  places=1, minutes=90)
    activities.sign_up(users["13800000001"], activity)
    activities.sign_up(users["13800000003"], activity)  # waiting list
    certificates.issue(users["13800000001"], date.today() - timedelta(days=60), date.today())
    c.create_topic(users["13800000001"], chaoyang, title="小区垃圾分类投放点", body="建议在东门增设一个投放点。",
                   category_id=None, submit=False)
    _lists_draft(users["jiedao"], chaoyang.subdistrict)


def _lists_draft(staff, subdistrict) -> None:
    """An open revision of the lists with one change, for the draft pages."""
    from app.lists import services as lists

    draft = lists.start_draft(staff, subdistrict)
    lists.add_item(staff, draft, reason="区里新增", kind="assisted", title="电动自行车充电安全巡查",
                   department="消防救援大队", keywords="电瓶车、飞线充电")


@pytest.fixture(scope="module")
def demo_server(sqlite_template, tmp_path_factory):
    from app import demo
    from app.extensions import db

    db_path = tmp_path_factory.mktemp("guard") / "guard.db"
    shutil.copyfile(sqlite_template, db_path)
    app = app_for(f"sqlite:///{db_path}", RATELIMIT_ENABLED=False)
    with app.app_context():
        users = demo.seed()
        _extras(users)
        db.session.commit()
        db.session.remove()
    with serve(app) as server:
        yield server


def _ids(app) -> dict[str, list]:
    """Values for each url argument, the most telling first."""
    import sqlalchemy as sa

    from app.accounts.models import User
    from app.consultation.models import Comment, Topic
    from app.evaluation.models import EvaluationRound, Sheet, SheetState
    from app.extensions import db
    from app.meetings.models import Body, Meeting
    from app.places.models import Community, Department, Grid, Subdistrict
    from app.timebank.family_models import FamilyTransfer
    from app.lists.models import ListItem, ListVersion, VersionState
    from app.volunteering.models import Activity, Certificate
    from app.agreements.models import AdmissionRequest, Agreement, FulfilmentPhoto

    def ids(column, order=None):
        return list(db.session.scalars(sa.select(column).order_by(order if order is not None else column)))

    with app.app_context():
        values = {
            "community_id": ids(Community.id),
            "topic_id": ids(Topic.id, Topic.id.desc()),
            "comment_id": ids(Comment.id),
            "meeting_id": ids(Meeting.id),
            "body_id": ids(Body.id),
            "activity_id": ids(Activity.id, Activity.id.desc()),
            "code": ids(Certificate.code),
            "grid_id": ids(Grid.id),
            "department_id": ids(Department.id),
            "subdistrict_id": ids(Subdistrict.id),
            "user_id": ids(User.id),
            "transfer_id": ids(FamilyTransfer.id),
            # the published round first (its results and charts), then the open one (sheets, survey, progress)
            "round_id": ids(EvaluationRound.id, EvaluationRound.published_at.is_(None)),
            # one sheet per evaluator, those still to fill in first (the social worker's, the department's…)
            "sheet_id": _first_sheet_of_each_evaluator(db, Sheet, SheetState),
            "direction": ["gov_to_community", "community_to_gov"],  # paired by position with party_id
            "party_id": [ids(Community.id)[0], ids(Department.id)[0]],
            # published versions, newest first; the open draft and its items (the new one first)
            "version_id": list(db.session.scalars(sa.select(ListVersion.id).where(
                ListVersion.state == VersionState.published).order_by(ListVersion.id.desc()))),
            "draft_id": ids(ListVersion.id, ListVersion.id.desc()),
            "item_id": list(db.session.scalars(sa.select(ListItem.id).join(ListVersion).where(
                ListVersion.state == VersionState.draft).order_by(ListItem.id.desc()))),
            # requests whose committee must answer first, then the rest; agreements with an overdue item first
            "admission_id": ids(AdmissionRequest.id, AdmissionRequest.id.desc()),
            "agreement_id": ids(Agreement.id, Agreement.id.desc()),
            "photo_token": ids(FulfilmentPhoto.token),
        }
        values.update(_exchange_ids(ids))
        db.session.remove()
    return values


def _first_sheet_of_each_evaluator(db, Sheet, SheetState) -> list[int]:
    """One sheet per evaluator, those still to fill in first (the social worker's, the department's…)."""
    import sqlalchemy as sa

    seen, out = set(), []
    for sheet_id, evaluator_id in db.session.execute(sa.select(Sheet.id, Sheet.evaluator_id).order_by(
            Sheet.state != SheetState.draft, Sheet.evaluator_id, Sheet.id)):
        if evaluator_id not in seen:
            seen.add(evaluator_id)
            out.append(sheet_id)
    return out


def _exchange_ids(ids) -> dict[str, list]:
    """Help requests (the newest first: the demo's open ones) and records of help."""
    from app.timebank.exchange_models import HelpRequest, ServiceClaim

    return {"help_id": ids(HelpRequest.id, HelpRequest.id.desc()), "claim_id": ids(ServiceClaim.id)}


def _stored_texts(app) -> list[str]:
    """Every text people typed in (names, titles, bodies, places): pages may
    show it in its own script whatever the interface language."""
    import sqlalchemy as sa

    from app.extensions import db

    texts: set[str] = set()
    with app.app_context():
        for table in db.metadata.sorted_tables:
            columns = [col for col in table.columns if isinstance(col.type, (sa.String, sa.Text))]
            if not columns:
                continue
            for row in db.session.execute(sa.select(*columns)):
                for value in row:
                    if isinstance(value, str) and value.strip():
                        texts.update(part.strip() for part in value.splitlines() if part.strip())
        db.session.remove()
    return sorted(texts, key=len, reverse=True)


def _seed_urls(app, values) -> list[str]:
    urls = []
    with app.test_request_context():
        from flask import url_for

        for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
            if "GET" not in rule.methods or rule.endpoint in SKIP_ENDPOINTS:
                continue
            if not rule.arguments:
                urls.append(url_for(rule.endpoint))
                continue
            arg_values = [values.get(arg, []) for arg in sorted(rule.arguments)]
            if not all(arg_values):
                continue
            limit = PER_ENDPOINT_OF.get(rule.endpoint, PER_ENDPOINT)
            for i in range(limit):
                kwargs = {arg: vals[min(i, len(vals) - 1)] for arg, vals in zip(sorted(rule.arguments), arg_values, strict=True)}
                urls.append(url_for(rule.endpoint, **kwargs))
    return list(dict.fromkeys(urls))


def _endpoint(app, path: str) -> str | None:
    adapter = app.url_map.bind("localhost")
    try:
        endpoint, _args = adapter.match(urlsplit(path).path, method="GET")
    except RequestRedirect:
        return None
    except Exception:  # noqa: BLE001 - 404/405: not a page of ours
        return None
    return endpoint


# -- the checks ---------------------------------------------------------------------

PAGE_CHECKS_JS = r"""
async (phoneWidth) => {
  const out = {};
  // A phone widens its layout viewport to fit content that overflows (and
  // shrinks the page), so innerWidth grows with it: compare with the phone's width.
  out.scrollWidth = Math.max(document.documentElement.scrollWidth, window.innerWidth);
  out.innerWidth = phoneWidth;
  const wide = [];
  if (out.scrollWidth > out.innerWidth) {
    for (const el of document.querySelectorAll("body *")) {
      const r = el.getBoundingClientRect();
      if (r.right > phoneWidth + 1 && r.width > 0 && getComputedStyle(el).position !== "absolute") {
        wide.push(el.tagName.toLowerCase() + (el.className && typeof el.className === "string" ? "." + el.className.trim().split(/\s+/).join(".") : "") + " right=" + Math.round(r.right));
        if (wide.length >= 3) break;
      }
    }
  }
  out.wide = wide;
  const imgs = Array.from(document.images);
  await Promise.all(imgs.map(i => i.decode ? i.decode().catch(() => null) : null));
  out.brokenImages = imgs.filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.getAttribute("src"));

  const visible = el => {
    const s = getComputedStyle(el);
    if (s.visibility === "hidden" || s.display === "none") return false;
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && !el.closest(".visually-hidden, [hidden], .skip-link");
  };
  const label = el => (el.innerText || el.value || el.getAttribute("aria-label") || "").trim().replace(/\s+/g, " ").slice(0, 30);
  // Inline links inside a sentence are exempt (WCAG 2.5.8 "inline").
  const inSentence = a => {
    const block = a.closest("p, li, td, dd, small, span, label, .meta, .help");
    if (!block || block === a) return false;
    const text = (block.innerText || "").replace(/\s+/g, "");
    const own = (a.innerText || "").replace(/\s+/g, "");
    return text.length > own.length + 1 && getComputedStyle(a).display === "inline";
  };
  const primarySel = "button, [role=button], input[type=submit], input[type=button], select, summary, " +
                     "input[type=text], input[type=password], input[type=tel], input[type=number], input[type=date], " +
                     "input[type=datetime-local], input[type=search], input[type=email], input[type=file], textarea, " +
                     ".site-header a, .comment-actions a, .actions a, a.tap";
  const targets = [];
  const seen = new Set();
  for (const el of document.querySelectorAll(primarySel)) {
    if (!visible(el)) continue;
    seen.add(el);
    const r = el.getBoundingClientRect();
    targets.push({kind: "primary", label: label(el), tag: el.tagName.toLowerCase(), w: r.width, h: r.height,
                  x: r.x + r.width / 2, y: r.y + r.height / 2});
  }
  for (const el of document.querySelectorAll("a[href], input[type=checkbox], input[type=radio]")) {
    if (seen.has(el) || !visible(el)) continue;
    if (el.tagName === "A" && inSentence(el)) continue;
    let box = el.getBoundingClientRect();
    // a radio or checkbox is tapped through its label, around it or pointing at it (for=id)
    const lab = el.closest("label") || (el.id ? document.querySelector(`label[for="${CSS.escape(el.id)}"]`) : null);
    if (el.tagName === "INPUT" && lab) box = lab.getBoundingClientRect();
    targets.push({kind: "other", label: label(el) || (lab ? label(lab) : ""),
                  tag: el.tagName.toLowerCase(), w: box.width, h: box.height,
                  x: box.x + box.width / 2, y: box.y + box.height / 2});
  }
  out.targets = targets;
  // Text contrast against the background actually behind it. axe leaves text on
  // a transparent button "to review" rather than failing it, so check it here.
  const rgba = c => { const m = c.match(/[\d.]+/g) || []; return m.map(Number).concat([1]).slice(0, 4); };
  const lum = ([r, g, b]) => { const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
                               return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b); };
  const background = el => {
    for (let e = el; e; e = e.parentElement) {
      const s = getComputedStyle(e);
      if (s.backgroundImage !== "none") return null;
      const c = rgba(s.backgroundColor);
      if (c[3] > 0.9) return c;
    }
    return [255, 255, 255, 1];
  };
  const contrast = [];
  for (const el of document.querySelectorAll("body *")) {
    if (!Array.from(el.childNodes).some(n => n.nodeType === 3 && n.textContent.trim())) continue;
    if (!visible(el) || el.closest("[aria-hidden=true]")) continue;
    const s = getComputedStyle(el);
    const bg = background(el);
    if (!bg || parseFloat(s.opacity) < 1) continue;
    const fg = rgba(s.color);
    const [l1, l2] = [lum(fg), lum(bg)].sort((a, b) => b - a);
    const ratio = (l1 + 0.05) / (l2 + 0.05);
    const size = parseFloat(s.fontSize), bold = parseInt(s.fontWeight) >= 700;
    const need = (size >= 24 || (bold && size >= 18.66)) ? 3 : 4.5;
    if (ratio < need) {
      contrast.push(`${el.tagName.toLowerCase()} “${label(el)}” ${s.color} on rgb(${bg.slice(0, 3).join(", ")}) ${ratio.toFixed(2)}:1 < ${need}`);
      if (contrast.length >= 3) break;
    }
  }
  out.contrast = contrast;
  out.text = document.body.innerText;
  // Text marked as another language, and machine text (codes, identifiers) in <code>.
  out.otherLang = Array.from(document.querySelectorAll("[lang], code, kbd, samp")).filter(el => el !== document.documentElement)
    .map(el => el.innerText || "");
  return out;
}
"""


def _undersized(targets, size) -> list[str]:
    primary_min = PRIMARY_TAP[size]
    problems = []
    for t in targets:
        need = primary_min if t["kind"] == "primary" else OTHER_TAP
        if t["w"] + 0.5 >= need and t["h"] + 0.5 >= need:
            continue
        if t["kind"] == "other":
            # WCAG 2.5.8 spacing exception: a 24 px circle on its centre meets no other target's circle
            others = [o for o in targets if o is not t]
            if all((o["x"] - t["x"]) ** 2 + (o["y"] - t["y"]) ** 2 >= OTHER_TAP ** 2 for o in others):
                continue
        problems.append(f"{t['tag']} “{t['label']}” {round(t['w'])}×{round(t['h'])} < {need}")
    return problems


def _foreign_text(text: str, other_lang_texts: list[str], stored: list[str], lang: str) -> list[str]:
    text = re.sub(r"https?://[!-~]+", " ", text)  # addresses to type or scan (before stored text cuts them up)
    for part in other_lang_texts:
        if part.strip():
            text = text.replace(part, " ")
    for value in stored:
        if value in text:
            text = text.replace(value, " ")
    if lang == "en":
        # A Chinese term in brackets after its English name is a deliberate gloss:
        # "Residents' representatives meeting (居民代表会议)".
        text = re.sub(r"[(（][\u3400-\u9fff·、]+[)）]", " ", text)
        return sorted(set(m.group(0) for m in re.finditer(r"[\u3400-\u9fff]+", text)))[:8]
    words = {w for w in LATIN_WORD.findall(text) if w not in ZH_LATIN_OK and not w.isupper()}
    return sorted(words)[:8]


def _known(failure: Failure) -> str | None:
    for (rule, path_re, role_re), reason in KNOWN_FAILURES.items():
        if failure.rule == rule and re.search(path_re, failure.path) and (
                role_re is None or re.search(role_re, failure.role)):
            return reason
    return None


def _check_page(page, axe, walk: Walk, path: str, size: str, lang: str, stored: list[str],
                console: list[str]) -> None:
    def fail(rule, detail):
        failure = Failure(path, walk.role, size, lang, rule, detail)
        reason = _known(failure)
        if reason:
            walk.known.append(f"{failure} (known: {reason})")
        else:
            walk.failures.append(failure)

    facts = page.evaluate(PAGE_CHECKS_JS, PHONE["width"])
    if facts["scrollWidth"] > facts["innerWidth"]:
        fail("horizontal-overflow", f"scrollWidth {facts['scrollWidth']} > {facts['innerWidth']} ({'; '.join(facts['wide'])})")
    for src in facts["brokenImages"]:
        fail("image-not-decoded", f"<img src={src}> naturalWidth 0")
    results = axe.run(page, options={"runOnly": {"type": "tag", "values": TAGS}}) if size in AXE_SIZES else None
    for violation in results.response["violations"] if results else []:
        nodes = "; ".join(" ".join(n["target"]) if isinstance(n["target"], list) else str(n["target"])
                          for n in violation["nodes"][:3])
        fail(f"axe:{violation['id']}", f"{violation['help']} — {nodes}")
    for problem in facts["contrast"]:
        fail("text-contrast", problem)
    for problem in _undersized(facts["targets"], size):
        fail("tap-target", problem)
    for message in console:
        fail("console-error", message[:200])
    foreign = _foreign_text(facts["text"], facts["otherLang"], stored, lang)
    if foreign:
        fail("other-language-text", ", ".join(foreign))
    slug = re.sub(r"[^A-Za-z0-9]+", "_", path.strip("/")) or "home"
    out = OUTPUT / "guard"
    out.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(out / f"{walk.role}-{size}-{lang}-{slug}.png"), full_page=True)


def _context(browser, server, role: str, size: str, lang: str):
    """A fresh phone for `role`, logged in, with the text size and language set."""
    from app.accounts import services
    from app.accounts.models import TextSize
    from app.extensions import db

    login_name = ROLES[role]
    if login_name:
        with server.app.app_context():
            user = services.find_user_by_login(login_name)
            services.set_preferences(user, locale=lang, text_size=TextSize[size])
            db.session.commit()
            db.session.remove()
    context = browser.new_context(viewport=PHONE, locale="zh-CN" if lang == "zh_CN" else "en-US",
                                  is_mobile=True, has_touch=True, device_scale_factor=1)
    context.add_cookies([{"name": "text_size", "value": size, "url": server.url},
                         {"name": "locale", "value": lang, "url": server.url}])
    page = context.new_page()
    page.set_default_timeout(15_000)
    if login_name:
        page.goto(server.url + "/login")
        page.locator("input[name=login]").fill(login_name)
        page.locator("input[name=password]").fill(DEMO_PASSWORD)
        page.locator("main form button[type=submit]").first.click()
        page.locator(".account-link").wait_for()
    return context, page


def _visit(page, server, path: str, console: list[str]) -> bool:
    """Open `path`; True when it is a page this role may see (200, not sent elsewhere)."""
    console.clear()
    response = page.goto(server.url + path, wait_until="load")
    if response is None or response.status != 200:
        return False
    if urlsplit(page.url).path != urlsplit(path).path:
        return False  # redirected (to log in, or elsewhere)
    if "text/html" not in (response.headers.get("content-type") or ""):
        return False
    # "load" has waited for styles, scripts and images, and no fragment loads by itself (htmx
    # here only polls or answers a click): wait for the fonts, not for 500 ms of network silence
    # (Playwright's "networkidle", which was half the guard's time)
    page.evaluate("document.fonts.ready.then(() => true)")
    return True


def _links(page, server) -> list[str]:
    hrefs = page.eval_on_selector_all("a[href]:not([download])", "els => els.map(a => a.href)")
    found = []
    for href in hrefs:
        parts = urlsplit(href)
        if f"{parts.scheme}://{parts.netloc}" != server.url:
            continue
        # "next=" only says where to come back to: the same page
        query = "&".join(q for q in parts.query.split("&") if q and not q.startswith("next="))
        found.append(parts.path + (f"?{query}" if query else ""))
    return found


def _walk_role(browser, server, role: str, seeds: list[str], stored: list[str]) -> Walk:
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    walk = Walk(role)
    console: list[str] = []
    per_endpoint: dict[str, int] = {}
    queue, queued = deque(seeds), set(seeds)

    def listen(page):
        page.on("console", lambda msg: console.append(msg.text) if msg.type == "error" else None)
        page.on("pageerror", lambda exc: console.append(f"uncaught: {exc}"))

    # standard text, zh_CN: discover the pages and check them
    context, page = _context(browser, server, role, "standard", "zh_CN")
    listen(page)
    try:
        while queue and len(walk.pages) < PAGE_BUDGET:
            path = queue.popleft()
            endpoint = _endpoint(server.app, path)
            if endpoint is None or endpoint in SKIP_ENDPOINTS:
                continue
            if per_endpoint.get(endpoint, 0) >= PER_ENDPOINT_OF.get(endpoint, PER_ENDPOINT):
                continue
            if not _visit(page, server, path, console):
                continue
            per_endpoint[endpoint] = per_endpoint.get(endpoint, 0) + 1
            walk.pages.append(path)
            links = _links(page, server)
            _check_page(page, axe, walk, path, "standard", "zh_CN", stored, console)
            for link in links:
                if link not in queued:
                    queued.add(link)
                    queue.append(link)
    finally:
        context.close()
    # the same pages in large and extra-large text, then a sample in English
    for size, lang, pages in (("large", "zh_CN", walk.pages), ("xlarge", "zh_CN", walk.pages),
                              ("standard", "en", walk.pages[:EN_SAMPLE])):
        context, page = _context(browser, server, role, size, lang)
        listen(page)
        try:
            for path in pages:
                if _visit(page, server, path, console):
                    _check_page(page, axe, walk, path, size, lang, stored, console)
        finally:
            context.close()
    return walk


@pytest.mark.parametrize("role", list(ROLES))
def test_every_page_of_the_role_holds_up_on_a_phone(browser, demo_server, role):
    values = _ids(demo_server.app)
    seeds = _seed_urls(demo_server.app, values)
    stored = _stored_texts(demo_server.app)
    walk = _walk_role(browser, demo_server, role, seeds, stored)
    summary = OUTPUT / "guard" / f"{role}.txt"
    summary.write_text("\n".join(["pages:", *walk.pages, "", "known failures:", *walk.known, "",
                                  "failures:", *map(str, walk.failures)]) + "\n")
    assert walk.pages, f"{role}: no page reachable"
    assert not walk.failures, f"{len(walk.failures)} failure(s) on {len(walk.pages)} pages:\n" + "\n".join(
        map(str, walk.failures))
