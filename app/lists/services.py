"""The two lists' rules: which version is in force, revising a draft, publishing
it, comparing versions, and answering a resident's question in plain words.

In force (动态调整): the latest published version whose effective date has come
(community-local day). Publishing is serialised per subdistrict (the
subdistrict's row is locked, and the version number is unique per
subdistrict), so two publishes can never both win and there is never a day
with zero or two versions in force once the first is published.
"""
from __future__ import annotations

import re
import unicodedata
import uuid
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app.audit.services import record
from app.domain import DomainError, Forbidden, NotFound, Offer
from app.extensions import db
from app.lists.models import ItemKind, ListItem, ListRemoval, ListVersion, VersionState
from app.localtime import today
from app.permissions import is_admin, staff_subdistrict_ids
from app.places.models import Department, Subdistrict
from app.places.services import public_subdistrict
from app.sqltypes import utcnow

# the fields of an item a revision can change, in the order a comparison shows them
FIELDS = ("kind", "title", "description", "legal_basis", "department", "category", "is_certificate",
          "materials", "keywords")
FIELD_LABELS = {
    "kind": _l("List"),
    "title": _l("Item"),
    "description": _l("Description"),
    "legal_basis": _l("Legal basis"),
    "department": _l("Responsible department"),
    "category": _l("Category"),
    "is_certificate": _l("Certificate or stamp matter"),
    "materials": _l("What to bring"),
    "keywords": _l("Keywords"),
}
LIMITS = {"title": 200, "department": 80, "category": 40, "description": 4000, "legal_basis": 2000,
          "materials": 2000, "keywords": 1000}

KIND_ORDER = {ItemKind.statutory: 0, ItemKind.assisted: 1, ItemKind.excluded: 2}
_KEYWORD_SPLIT = re.compile(r"[、,，;；/\s]+")


def split_keywords(text: str) -> list[str]:
    """Keywords as staff type them: separated by 、 or a comma (either width)."""
    seen: list[str] = []
    for word in _KEYWORD_SPLIT.split(text or ""):
        word = word.strip()
        if word and word not in seen:
            seen.append(word)
    return seen


# -- reading ------------------------------------------------------------------

def _published(subdistrict_id: int) -> sa.Select:
    return sa.select(ListVersion).where(ListVersion.subdistrict_id == subdistrict_id,
                                        ListVersion.state == VersionState.published)


def version_in_force(subdistrict_id: int, on: date | None = None) -> ListVersion | None:
    """The version in force on `on` (default: today where the communities are):
    the latest published whose effective date has come."""
    on = on or today()
    return db.session.scalars(
        _published(subdistrict_id).where(ListVersion.effective_on <= on)
        .order_by(ListVersion.effective_on.desc(), ListVersion.number.desc()).limit(1)).first()


def latest_published(subdistrict_id: int) -> ListVersion | None:
    """The newest published version, even if its effective date is still ahead."""
    return db.session.scalars(_published(subdistrict_id).order_by(ListVersion.number.desc()).limit(1)).first()


def published_versions(subdistrict_id: int) -> list[ListVersion]:
    """Every published version, newest first (all stay readable)."""
    return list(db.session.scalars(_published(subdistrict_id).order_by(ListVersion.number.desc())))


def open_draft(subdistrict_id: int) -> ListVersion | None:
    return db.session.scalars(sa.select(ListVersion).where(
        ListVersion.subdistrict_id == subdistrict_id, ListVersion.state == VersionState.draft)).first()


def items_of(version: ListVersion, kind: ItemKind | None = None) -> list[ListItem]:
    query = sa.select(ListItem).where(ListItem.version_id == version.id)
    if kind is not None:
        query = query.where(ListItem.kind == kind)
    items = db.session.scalars(query.order_by(ListItem.position, ListItem.id))
    return sorted(items, key=lambda i: (KIND_ORDER[i.kind], i.position, i.id))  # statutory, assisted, excluded


def item_of(version: ListVersion, item_id: int) -> ListItem:
    item = db.session.get(ListItem, item_id)
    if item is None or item.version_id != version.id:
        raise NotFound
    return item


# -- who may ------------------------------------------------------------------

def keeps_lists(user, subdistrict_id: int) -> bool:
    """The one rule for editing: staff of that subdistrict (街道工作人员) keep its lists."""
    return subdistrict_id in staff_subdistrict_ids(user)


def reads_drafts(user, subdistrict_id: int) -> bool:
    return keeps_lists(user, subdistrict_id) or is_admin(user)


def subdistrict_for(user, subdistrict_id: int, *, to: str = "read") -> Subdistrict:
    """A subdistrict whose published lists anyone may read; `to="keep"`: only its
    staff (others get 403 — the subdistrict itself is public)."""
    subdistrict = public_subdistrict(subdistrict_id)
    if to == "keep" and not keeps_lists(user, subdistrict.id):
        raise Forbidden
    return subdistrict


def list_version_for(user, version_id: int, *, to: str = "read") -> ListVersion:
    """A version of a subdistrict's lists. Published versions are public; a draft
    is seen only by its subdistrict's staff (and admins), anyone else is told it
    does not exist. `to="edit"`: its subdistrict's staff only (403 for a reader
    who may see it, 404 for one who may not)."""
    version = db.session.get(ListVersion, version_id)
    if version is None:
        raise NotFound
    visible = not version.is_draft or reads_drafts(user, version.subdistrict_id)
    if not visible:
        raise NotFound
    if to == "edit" and not keeps_lists(user, version.subdistrict_id):
        raise Forbidden
    return version


class Actions(Offer):
    """What the user may do with a version now, from the same rules the services enforce.
    `edit`: add, change, remove items; `revise`: start a draft from this published version."""
    names = """edit publish discard revise"""


def actions_for(user, version: ListVersion) -> Actions:
    if not keeps_lists(user, version.subdistrict_id):
        return Actions()
    if version.is_draft:
        return Actions(edit=True, publish=True, discard=True)
    latest = latest_published(version.subdistrict_id)
    return Actions(revise=latest is not None and latest.id == version.id
                   and open_draft(version.subdistrict_id) is None)


# -- revising a draft ----------------------------------------------------------

def _lock(subdistrict_id: int) -> None:
    """Serialise changes to one subdistrict's lists: the subdistrict's row is
    locked (FOR UPDATE on PostgreSQL; SQLite writers hold the database lock)."""
    db.session.execute(sa.select(Subdistrict.id).where(Subdistrict.id == subdistrict_id).with_for_update())


def _require_draft(version: ListVersion) -> None:
    if not version.is_draft:
        raise DomainError(_l("A published version never changes; start a new draft to revise it."))


def start_draft(user, subdistrict: Subdistrict, *, note: str = "") -> ListVersion:
    """A new draft, a copy of the latest published version (or empty for the first
    list). One draft per subdistrict at a time, so two people never revise apart."""
    if not keeps_lists(user, subdistrict.id):
        raise Forbidden
    draft, base = _new_draft(user, subdistrict, note)
    if base is not None:
        for item in items_of(base):
            db.session.add(ListItem(version_id=draft.id, item_key=item.item_key, kind=item.kind,
                                    position=item.position, department_id=item.department_id,
                                    **{f: getattr(item, f) for f in FIELDS if f != "kind"}))
        db.session.flush()
    record(user, "lists.start_draft", draft, subdistrict=subdistrict.name,
           based_on=getattr(base, "number", None))
    return draft


def _new_draft(user, subdistrict: Subdistrict, note: str) -> tuple[ListVersion, ListVersion | None]:
    _lock(subdistrict.id)
    if open_draft(subdistrict.id) is not None:
        raise DomainError(_l("A draft of these lists is already open; continue it or discard it first."))
    base = latest_published(subdistrict.id)
    draft = ListVersion(subdistrict_id=subdistrict.id, state=VersionState.draft, based_on_id=getattr(base, "id", None),
                        note=note.strip()[:2000], created_by_id=getattr(user, "id", None))
    db.session.add(draft)
    db.session.flush()
    return draft, base


def import_draft(user, subdistrict: Subdistrict, data: bytes, *, filename: str = "",
                 by_command: bool = False) -> ListVersion:
    """A new draft from a spreadsheet (app.lists.xlsx's layout): every row an item.
    An item whose name matches one of the version it revises is the same item
    (so the comparison shows what changed); items the file lacks are removed.
    Any bad row and nothing is imported (ImportRefused lists them all).
    `by_command`: `flask lists import`, run by whoever runs the server."""
    from app.lists import xlsx

    if not by_command and not keeps_lists(user, subdistrict.id):
        raise Forbidden
    rows = xlsx.read(data)
    name = (filename or "").strip()[:100]
    draft, base = _new_draft(user, subdistrict, str(_l("Imported from %(file)s", file=name or "XLSX")))
    previous = {normalise(i.title, fillers=False): i for i in items_of(base)} if base else {}
    reason = str(_l("Imported from %(file)s", file=name or "XLSX"))
    positions: dict[ItemKind, int] = {}
    kept = set()
    for values in rows:
        clean = clean_item(values)
        before = previous.get(normalise(clean["title"], fillers=False))
        if before is not None:
            kept.add(before.item_key)
        same = before is not None and all(getattr(before, f) == clean[f] for f in FIELDS)
        positions[clean["kind"]] = positions.get(clean["kind"], 0) + 1
        db.session.add(ListItem(version_id=draft.id, item_key=before.item_key if before else uuid.uuid4().hex,
                                position=positions[clean["kind"]], change_reason="" if same else reason,
                                department_id=_department_id(subdistrict.id, clean["department"]), **clean))
    for item in previous.values():
        if item.item_key not in kept:
            db.session.add(ListRemoval(version_id=draft.id, item_key=item.item_key, title=item.title,
                                       reason=str(_l("Not in the imported file %(file)s", file=name or "XLSX"))))
    db.session.flush()
    record(user, "lists.import", draft, subdistrict=subdistrict.name, file=name, rows=len(rows),
           based_on=getattr(base, "number", None))
    return draft


def clean_item(values: dict) -> dict:
    """An item's fields, trimmed and checked; raises on the field at fault."""
    out = {}
    kind = values.get("kind")
    if isinstance(kind, str):
        kind = ItemKind.__members__.get(kind)
    if not isinstance(kind, ItemKind):
        raise DomainError(_l("Choose a list."), field="kind")
    out["kind"] = kind
    for name, limit in LIMITS.items():
        value = values.get(name) or ""
        if not isinstance(value, str):
            raise DomainError(_l("Not text."), field=name)
        value = value.strip()
        if len(value) > limit:
            raise DomainError(_l("At most %(n)d characters.", n=limit), field=name)
        out[name] = value
    out["keywords"] = "、".join(split_keywords(out["keywords"]))
    if not out["title"]:
        raise DomainError(_l("Give the item a name."), field="title")
    out["is_certificate"] = bool(values.get("is_certificate"))
    if out["is_certificate"] and kind is not ItemKind.excluded and not out["materials"]:
        raise DomainError(_l("Say what a resident must bring for this certificate."), field="materials")
    if kind is ItemKind.excluded and not out["department"]:
        raise DomainError(_l("Say which department does it instead."), field="department")
    return out


def _same_title(draft: ListVersion, title: str, except_id: int | None = None) -> bool:
    key = normalise(title, fillers=False)
    return any(normalise(i.title, fillers=False) == key for i in items_of(draft) if i.id != except_id)


def _department_id(subdistrict_id: int, name: str) -> int | None:
    """The department of that name (the subdistrict's own, or a city one), if there is one."""
    if not name:
        return None
    return db.session.scalars(sa.select(Department.id).where(
        Department.name == name, sa.or_(Department.subdistrict_id == subdistrict_id,
                                        Department.subdistrict_id.is_(None)))
        .order_by(Department.subdistrict_id.is_(None))).first()


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_l("Say why (it is shown with the change)."), field="reason")
    if len(reason) > 500:
        raise DomainError(_l("At most %(n)d characters.", n=500), field="reason")
    return reason


def add_item(user, draft: ListVersion, *, reason: str, **values) -> ListItem:
    """Add an item to a draft, with the reason for adding it."""
    _require_draft(draft)
    clean, why = clean_item(values), _reason(reason)
    if _same_title(draft, clean["title"]):
        raise DomainError(_l("The lists already have an item with this name."), field="title")
    position = db.session.scalar(sa.select(sa.func.coalesce(sa.func.max(ListItem.position), 0)).where(
        ListItem.version_id == draft.id, ListItem.kind == clean["kind"])) + 1
    item = ListItem(version_id=draft.id, item_key=uuid.uuid4().hex, position=position, change_reason=why,
                    department_id=_department_id(draft.subdistrict_id, clean["department"]), **clean)
    db.session.add(item)
    db.session.flush()
    record(user, "lists.add_item", draft, title=item.title, kind=item.kind, reason=why)
    return item


def change_item(user, item: ListItem, *, reason: str, **values) -> ListItem:
    """Change an item of a draft; the reason is kept with the item for the comparison."""
    draft = item.version
    _require_draft(draft)
    clean, why = clean_item(values), _reason(reason)
    if _same_title(draft, clean["title"], except_id=item.id):
        raise DomainError(_l("The lists already have an item with this name."), field="title")
    changed = [f for f in FIELDS if getattr(item, f) != clean[f]]
    if not changed:
        raise DomainError(_l("Nothing was changed."), field="title")
    if clean["kind"] is not item.kind:
        item.position = db.session.scalar(sa.select(sa.func.coalesce(sa.func.max(ListItem.position), 0)).where(
            ListItem.version_id == draft.id, ListItem.kind == clean["kind"])) + 1
    for name in FIELDS:
        setattr(item, name, clean[name])
    item.department_id = _department_id(draft.subdistrict_id, clean["department"])
    item.change_reason = why
    db.session.flush()
    record(user, "lists.change_item", draft, title=item.title, fields=changed, reason=why)
    return item


def remove_item(user, item: ListItem, *, reason: str) -> None:
    """Remove an item from a draft; the reason shows in the comparison."""
    draft = item.version
    _require_draft(draft)
    why = _reason(reason)
    base_keys = set()
    if draft.based_on_id:
        base_keys = set(db.session.scalars(sa.select(ListItem.item_key).where(
            ListItem.version_id == draft.based_on_id)))
    if item.item_key in base_keys:
        db.session.add(ListRemoval(version_id=draft.id, item_key=item.item_key, title=item.title, reason=why))
    title = item.title
    db.session.delete(item)
    db.session.flush()
    record(user, "lists.remove_item", draft, title=title, reason=why)


def discard_draft(user, draft: ListVersion) -> None:
    """Throw a draft away (nothing of it was ever in force)."""
    _require_draft(draft)
    _lock(draft.subdistrict_id)
    record(user, "lists.discard_draft", draft, items=len(draft.items))
    db.session.delete(draft)
    db.session.flush()


def publish(user, draft: ListVersion, *, effective_on: date, note: str | None = None) -> ListVersion:
    """Publish a draft with its effective date (today or later, never before the
    version it replaces). Atomic under the subdistrict's lock: the draft must still
    revise the newest published version — a second, concurrent publish finds
    the first already done and is refused (and the version number is unique)."""
    if not keeps_lists(user, draft.subdistrict_id):
        raise Forbidden
    _lock(draft.subdistrict_id)
    db.session.refresh(draft)
    _require_draft(draft)
    if not isinstance(effective_on, date):
        raise DomainError(_l("Give the date it takes effect."), field="effective_on")
    if effective_on < today():
        raise DomainError(_l("A list takes effect today or later, never in the past."), field="effective_on")
    latest = latest_published(draft.subdistrict_id)
    if getattr(latest, "id", None) != draft.based_on_id:
        raise DomainError(_l("Another version was published meanwhile; start a new draft from it."))
    if latest is not None and effective_on < latest.effective_on:
        raise DomainError(_l("It cannot take effect before version %(n)d (%(day)s).", n=latest.number,
                             day=latest.effective_on.isoformat()), field="effective_on")
    if not items_of(draft):
        raise DomainError(_l("The lists have no items yet."))
    if note is not None:
        draft.note = note.strip()[:2000]
    draft.number = (latest.number if latest else 0) + 1
    draft.state = VersionState.published
    draft.effective_on = effective_on
    draft.published_by_id = user.id if user else None
    draft.published_at = utcnow()
    db.session.flush()
    record(user, "lists.publish", draft, number=draft.number, effective_on=effective_on,
           subdistrict=draft.subdistrict.name)
    return draft


# -- comparing -----------------------------------------------------------------

@dataclass
class FieldChange:
    name: str
    label: str
    old: object
    new: object


@dataclass
class ItemChange:
    old: ListItem
    new: ListItem
    fields: list[FieldChange]


@dataclass
class Removed:
    item: ListItem
    reason: str = ""


@dataclass
class VersionDiff:
    old: ListVersion | None
    new: ListVersion
    added: list[ListItem] = field(default_factory=list)
    removed: list[Removed] = field(default_factory=list)
    changed: list[ItemChange] = field(default_factory=list)
    unchanged: int = 0

    @property
    def is_empty(self) -> bool:
        return not (self.added or self.removed or self.changed)


def diff(old: ListVersion | None, new: ListVersion) -> VersionDiff:
    """Item by item (matched by item_key), field by field. A removal's reason is
    the one recorded by the draft that removed it, when `new` is that draft."""
    old_items = {i.item_key: i for i in items_of(old)} if old is not None else {}
    new_items = {i.item_key: i for i in items_of(new)}
    reasons = {r.item_key: r.reason for r in new.removals} if old is not None and new.based_on_id == old.id else {}
    result = VersionDiff(old, new)
    for key, item in new_items.items():
        before = old_items.get(key)
        if before is None:
            result.added.append(item)
            continue
        fields = [FieldChange(f, str(FIELD_LABELS[f]), getattr(before, f), getattr(item, f))
                  for f in FIELDS if getattr(before, f) != getattr(item, f)]
        if fields:
            result.changed.append(ItemChange(before, item, fields))
        else:
            result.unchanged += 1
    result.removed = [Removed(i, reasons.get(k, "")) for k, i in old_items.items() if k not in new_items]
    return result


# -- answering a question ------------------------------------------------------

# words a question wraps around the matter itself: 开居住证明需要找社区吗？ → 居住证明
_FILLERS = ("请问一下", "请问", "我想要", "我想", "我要", "需要", "需不需要", "要不要", "是不是", "是否", "能不能",
            "可不可以", "可以", "怎么", "如何", "哪里", "在哪", "社区居委会", "居委会", "村委会", "社区",
            "找谁", "谁管", "还要", "还需要", "一下", "一个", "办理", "开具", "出具")
_TAIL = "吗呢吧啊呀么的了找办开去要"
_LEADING = ("开", "办", "找", "去", "要", "我", "给")
_PUNCT = re.compile(r"[\W_]+", re.UNICODE)


def normalise(text: str, *, fillers: bool = True) -> str:
    """Full-width to half-width, lower case, no punctuation or spaces; a question's
    filler words (需要, 找, 社区, 吗, 怎么, 办, 开 …) removed."""
    text = _PUNCT.sub("", unicodedata.normalize("NFKC", text or "").lower())
    if not fillers:
        return text
    for word in sorted(_FILLERS, key=len, reverse=True):
        text = text.replace(word, "")
    text = text.rstrip(_TAIL)
    while text[:1] in _LEADING and len(text) > 2:
        text = text[1:]
    return text.replace("吗", "")


def _bigrams(text: str) -> set[str]:
    return {text[i:i + 2] for i in range(len(text) - 1)} if len(text) > 1 else ({text} if text else set())


def _dice(a: set[str], b: set[str]) -> Fraction:
    if not a or not b:
        return Fraction(0)
    return Fraction(2 * len(a & b), len(a) + len(b))


def _coverage(question: set[str], name: set[str]) -> Fraction:
    return Fraction(len(question & name), len(name)) if name else Fraction(0)


@dataclass
class Match:
    item: ListItem
    score: Fraction  # 0 … 1, exact
    reasons: list[str]


THRESHOLD = Fraction(1, 4)  # below this nothing "fits reasonably"


def _score(query: str, grams: set[str], item: ListItem) -> tuple[Fraction, list[str]]:
    reasons: list[str] = []
    score = Fraction(0)
    title = normalise(item.title, fillers=False)
    keywords = [normalise(k, fillers=False) for k in split_keywords(item.keywords)]
    hits = [k for k in keywords if len(k) >= 2 and (k in query or (len(query) >= 2 and query in k))]
    if hits:
        best = max(hits, key=len)
        # a keyword that covers most of the question counts fully; a fragment of it less
        score += Fraction(1, 2) * min(Fraction(1), Fraction(len(best), max(len(query), 1)) * 2)
        reasons.append(str(_l("keyword “%(word)s”", word=best)))
    if title and (title in query or (len(query) >= 2 and query in title)):
        score += Fraction(3, 10)
        reasons.append(str(_l("the item's name")))
    texts = [_bigrams(title)] + [_bigrams(k) for k in keywords]
    # the share of pairs in common, or how much of a longer name the question covers
    # (老人去世了要开什么证明 covers most of 去世证明)
    similarity = max([_dice(grams, t) for t in texts]
                     + [_coverage(grams, t) * Fraction(4, 5) for t in texts if len(t) >= 3])
    if similarity:
        score += Fraction(1, 2) * similarity
        if not reasons and similarity >= Fraction(1, 2):
            reasons.append(str(_l("similar words")))
    return min(score, Fraction(1)), reasons


def match_items(version: ListVersion | None, text: str, limit: int = 5) -> list[Match]:
    """The items of `version` that best answer `text` (a question in plain words,
    or a department's task), best first; [] when nothing fits reasonably.
    Scores are exact: a keyword or alias in the question, the item's name in it
    (or it in the name), and the share of character pairs they have in common."""
    if version is None:
        return []
    query = normalise(text)[:200]
    if not query:
        return []
    grams = _bigrams(query)
    matches = []
    for item in items_of(version):
        score, reasons = _score(query, grams, item)
        if score >= THRESHOLD:
            matches.append(Match(item, score, reasons or [str(_l("similar words"))]))
    matches.sort(key=lambda m: (-m.score, not m.item.is_certificate, KIND_ORDER[m.item.kind], m.item.position))
    return matches[:max(limit, 0)]


# -- what residents see ----------------------------------------------------------

@dataclass
class Answer:
    """A question answered in plain words from the version in force."""
    headline: str
    detail: str = ""
    match: Match | None = None
    others: list[Match] = field(default_factory=list)
    tone: str = "none"  # yes / cancelled / no / none: the colour of the answer box


def answer(version: ListVersion | None, question: str) -> Answer:
    """Does the community do this? The best-matching item decides the answer: a
    certificate it issues (and what to bring), one that was cancelled (and who
    does it now), a duty or assisted task, or not the community's task."""
    matches = match_items(version, question)
    if not matches:
        return Answer(str(_l("No item of the lists matches your words. Try other words, or read the lists below; "
                             "what is on neither list is not the community's task.")))
    best, others = matches[0], matches[1:]
    if others and others[0].score == best.score:  # 开证明: several fit equally, the resident chooses
        return Answer(str(_l("Several items fit your words. Open the one you mean:")), "", None, matches, "none")
    item = best.item
    dept = item.department or str(_l("the responsible department"))
    if item.kind is ItemKind.excluded and item.is_certificate:
        return Answer(str(_l("The community no longer stamps “%(title)s”: this certificate was cancelled.",
                             title=item.title)),
                      str(_l("%(dept)s handles it. You do not need the community for it.", dept=dept)),
                      best, others, "cancelled")
    if item.kind is ItemKind.excluded:
        return Answer(str(_l("“%(title)s” is not the community's task.", title=item.title)),
                      str(_l("%(dept)s is responsible.", dept=dept)), best, others, "no")
    if item.is_certificate:
        bring = item.materials or str(_l("your identity card"))
        return Answer(str(_l("Yes, the community issues “%(title)s”.", title=item.title)),
                      str(_l("Bring: %(materials)s", materials=bring)), best, others, "yes")
    if item.kind is ItemKind.statutory:
        return Answer(str(_l("Yes, “%(title)s” is a duty of the residents' committee by law.", title=item.title)),
                      item.legal_basis, best, others, "yes")
    return Answer(str(_l("Yes, the community helps %(dept)s with “%(title)s”.", dept=dept, title=item.title)),
                  item.description, best, others, "yes")


@dataclass
class CertificateCount:
    version: ListVersion
    admitted: int  # certificate matters on the lists (准入)
    cancelled: int  # cancelled certificate matters (取消)


def certificate_counts(subdistrict_id: int) -> list[CertificateCount]:
    """Certificate matters per published version, oldest first: 准入 N 类, 取消 M 类."""
    versions = list(reversed(published_versions(subdistrict_id)))
    if not versions:
        return []
    rows = db.session.execute(
        sa.select(ListItem.version_id, ListItem.kind, sa.func.count())
        .where(ListItem.version_id.in_([v.id for v in versions]), ListItem.is_certificate.is_(True))
        .group_by(ListItem.version_id, ListItem.kind)).all()
    counts: dict[tuple[int, bool], int] = {}
    for version_id, kind, n in rows:
        key = (version_id, kind is ItemKind.excluded)
        counts[key] = counts.get(key, 0) + n
    return [CertificateCount(v, counts.get((v.id, False), 0), counts.get((v.id, True), 0)) for v in versions]


@dataclass
class ListsHome:
    """A subdistrict staff member's workbench line for the lists of one subdistrict."""
    subdistrict: Subdistrict
    in_force: ListVersion | None
    draft: ListVersion | None


def staff_home(subdistrict_ids) -> list[ListsHome]:
    subdistricts = db.session.scalars(sa.select(Subdistrict).where(Subdistrict.id.in_(set(subdistrict_ids) or {-1}))
                                      .order_by(Subdistrict.name))
    return [ListsHome(s, version_in_force(s.id), open_draft(s.id)) for s in subdistricts]
