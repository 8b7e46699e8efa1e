"""Writes for units and headcounts: importing and exporting the spreadsheet files.

An import reads the whole file, validates every row with ``full_clean`` and writes inside one
transaction. If any row is wrong, every error is reported as (line, column, reason) and the
transaction is rolled back: a file is imported entirely or not at all. Units are matched by code,
else by parent and name, so importing the same file twice changes nothing the second time.
The format is described in README.md (单位与应参与人数导入).
"""

import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core.spreadsheets import (
    NO,
    YES,
    ImportResult,
    RejectedFile,
    RowError,
    choice_labels,
    choice_words,
    read_table,
    rejected_result,
    validation_errors,
    write_rows,
)

from . import selectors
from .models import PARENT_KINDS, AudienceGroup, Campaign, Headcount, Unit, UnitKind
from .services import assign_liaison, save_unit

# Column titles are the file format, so they are fixed Chinese rather than translated text.
# Files written before units had liaisons have no contact or liaison account columns; they still import.
UNIT_CONTACT_COLUMNS = ("联系人", "联系电话")
LIAISON_ACCOUNT_COLUMN = "联络员账号"
UNIT_OPTIONAL_COLUMNS = (*UNIT_CONTACT_COLUMNS, LIAISON_ACCOUNT_COLUMN)
UNIT_COLUMNS = ("名称", "类型", "上级单位", "代码", "别名", "启用", *UNIT_OPTIONAL_COLUMNS)
HEADCOUNT_COLUMNS = ("单位", "活动", "对象", "应参与人数")
UNIT_FIELD_COLUMNS = {
    "name": "名称",
    "kind": "类型",
    "parent": "上级单位",
    "code": "代码",
    "aliases": "别名",
    "is_active": "启用",
    "liaison_name": "联系人",
    "liaison_phone": "联系电话",
}
HEADCOUNT_FIELD_COLUMNS = {"unit": "单位", "campaign": "活动", "audience": "对象", "expected": "应参与人数"}

# Also between a unit's liaison accounts (usernames have none of these characters).
ALIAS_SEPARATORS = re.compile(r"[；;|｜\n]")
EXPORT_ALIAS_SEPARATOR = "；"
ACTIVE_WORDS = {"": True, YES: True, NO: False, "true": True, "false": False, "1": True, "0": False}


# Units ---------------------------------------------------------------------------------------


@dataclass(eq=False)
class _UnitRow:
    line: int
    name: str
    kind: str | None
    parent_ref: str
    code: str
    aliases: str
    is_active: bool | None
    liaison_name: str
    liaison_phone: str
    liaison_usernames: list[str]
    errors: list = field(default_factory=list)
    parent_row: "_UnitRow | None" = None
    parent_pk: int | None = None
    unit: Unit | None = None

    def error(self, column, message):
        self.errors.append(RowError(self.line, column, message))


KIND_WORDS = choice_words(UnitKind)
AUDIENCE_WORDS = choice_words(AudienceGroup)


def _parse_unit_row(line, record):
    kind_text = record["类型"]
    active_text = record["启用"]
    row = _UnitRow(
        line=line,
        name=record["名称"],
        kind=KIND_WORDS.get(kind_text.lower()),
        parent_ref=record["上级单位"],
        code=record["代码"],
        aliases="\n".join(_split(record["别名"])),
        is_active=ACTIVE_WORDS.get(active_text.lower()),
        liaison_name=record["联系人"],
        liaison_phone=_compact_phone(record["联系电话"]),
        liaison_usernames=_split(record[LIAISON_ACCOUNT_COLUMN]),
    )
    if row.kind is None:
        if kind_text:
            row.error(
                "类型",
                _("无法识别类型“%(text)s”，应为：%(kinds)s。") % {"text": kind_text, "kinds": choice_labels(UnitKind)},
            )
        else:
            row.error("类型", _("请填写类型：%(kinds)s。") % {"kinds": choice_labels(UnitKind)})
    if row.is_active is None:
        row.error("启用", _("启用应填写“是”或“否”，现在是“%(text)s”。") % {"text": active_text})
    return row


def _split(text):
    return [item.strip() for item in ALIAS_SEPARATORS.split(text) if item.strip()]


def _compact_phone(text):
    """A phone number as typed in a spreadsheet: full-width digits and dashes folded (NFKC), spaces
    inside dropped (138 1234 5678)."""
    return "".join(unicodedata.normalize("NFKC", text).split())


def _narrow(candidates, kind_of):
    """An ambiguous parent name narrowed to the units that can have children."""
    if len(candidates) > 1:
        candidates = [c for c in candidates if kind_of(c) in PARENT_KINDS]
    return candidates


def _resolve_parents(rows):
    """Point each row at its parent: another row of the file (by code, else by name) or an
    existing unit (likewise). A row that updates an existing unit stands for that unit."""
    rows_by_code = {}
    rows_by_name = defaultdict(list)
    for row in rows:
        if row.code:
            if row.code in rows_by_code:
                row.error("代码", _("代码与第 %(line)s 行重复。") % {"line": rows_by_code[row.code].line})
            else:
                rows_by_code[row.code] = row
        rows_by_name[row.name].append(row)
    units = list(Unit.objects.only("pk", "name", "kind", "code"))
    units_by_code = {unit.code: unit for unit in units if unit.code}
    units_by_name = defaultdict(list)
    for unit in units:
        units_by_name[unit.name].append(unit)

    for row in rows:
        ref = row.parent_ref
        if not ref:
            continue
        if ref in rows_by_code:
            row.parent_row = rows_by_code[ref]
            continue
        if ref in units_by_code:
            row.parent_pk = units_by_code[ref].pk
            continue
        named_rows = _narrow(rows_by_name.get(ref, []), lambda r: r.kind)
        named_units = _narrow(units_by_name.get(ref, []), lambda u: u.kind)
        if len(named_rows) == 1:
            row.parent_row = named_rows[0]
        elif len(named_rows) > 1 or len(named_units) > 1:
            row.error("上级单位", _("有不止一个单位叫“%(name)s”，请改填上级单位的代码。") % {"name": ref})
        elif named_units:
            unit = named_units[0]
            if unit.code in rows_by_code:
                row.parent_row = rows_by_code[unit.code]
            else:
                row.parent_pk = unit.pk
        else:
            row.error(
                "上级单位",
                _("找不到上级单位“%(name)s”：请填写已有单位或本文件中单位的名称或代码。") % {"name": ref},
            )


def _check_repeated_liaisons(rows):
    """An account is one unit's liaison, so a username may appear on one row only."""
    lines = {}
    for row in rows:
        for username in row.liaison_usernames:
            if username in lines:
                message = _("账号“%(username)s”在第 %(line)s 行已经出现，一个账号只能负责一个单位。")
                row.error(LIAISON_ACCOUNT_COLUMN, message % {"username": username, "line": lines[username]})
            else:
                lines[username] = row.line


def _assign_liaisons(row, unit, current_liaisons):
    """Give ``unit`` the row's liaison accounts; returns whether any changed, or None on errors.
    ``current_liaisons`` (None when the importer may manage liaison accounts) are the usernames each
    unit has: without that right a row may only repeat its unit's accounts, as an export does."""
    changed = False
    for username in row.liaison_usernames:
        if current_liaisons is not None:
            if username not in current_liaisons.get(unit.pk, ()):
                row.error(
                    LIAISON_ACCOUNT_COLUMN, _("您没有管理联络员账号的权限，这一列只能填写本单位现有的联络员账号。")
                )
            continue
        try:
            changed = assign_liaison(unit=unit, username=username) or changed
        except ValidationError as e:
            row.errors.extend(validation_errors(e, row.line, {"username": LIAISON_ACCOUNT_COLUMN}))
    return None if row.errors else changed


def _parents_first(rows):
    """Rows ordered so each comes after the row it names as parent; rows caught in a loop of
    parents (or hanging under one) are marked and put last."""
    ordered = []
    placed = set()
    pending = rows
    while pending:
        ready, waiting = [], []
        for row in pending:
            parent_pending = row.parent_row is not None and id(row.parent_row) not in placed
            (waiting if parent_pending else ready).append(row)
        if not ready:
            for row in waiting:
                row.error("上级单位", _("上级单位之间形成了循环。"))
            return ordered + waiting
        ordered.extend(ready)
        placed.update(id(row) for row in ready)
        pending = waiting
    return ordered


def _unit_state(unit):
    return (
        unit.name,
        unit.kind,
        unit.parent_id,
        unit.code,
        unit.aliases,
        unit.is_active,
        unit.liaison_name,
        unit.liaison_phone,
    )


def _save_unit_row(row, claimed, result, current_liaisons):
    """Validate and save one row whose parent row (if any) has been handled. Returns False if
    the row has errors."""
    if row.errors:
        return False
    if row.parent_row is not None:
        if row.parent_row.unit is None:
            row.error(
                "上级单位",
                _("上级单位“%(name)s”所在的第 %(line)s 行有错误，本行无法导入。")
                % {"name": row.parent_ref, "line": row.parent_row.line},
            )
            return False
        parent = row.parent_row.unit
    else:
        parent = Unit.objects.get(pk=row.parent_pk) if row.parent_pk else None

    unit = (Unit.objects.filter(code=row.code).first() if row.code else None) or Unit.objects.filter(
        parent=parent, name=row.name
    ).first()
    if unit is not None and unit.pk in claimed:
        row.error("", _("与第 %(line)s 行是同一个单位。") % {"line": claimed[unit.pk]})
        return False
    before = _unit_state(unit) if unit else None
    unit = unit or Unit()
    unit.name = row.name
    unit.kind = row.kind
    unit.parent = parent
    # A blank code leaves an existing code alone: codes are how later files find the unit.
    if row.code:
        unit.code = row.code
    unit.aliases = row.aliases
    unit.is_active = row.is_active
    # The contact is one person's name and number, so they change together; two blank cells leave
    # an existing contact alone, as a town's file may not know every unit's liaison.
    if row.liaison_name or row.liaison_phone:
        unit.liaison_name = row.liaison_name
        unit.liaison_phone = row.liaison_phone
    try:
        unit.full_clean()
    except ValidationError as e:
        row.errors.extend(validation_errors(e, row.line, UNIT_FIELD_COLUMNS))
        return False
    unit_changed = before != _unit_state(unit)
    if unit_changed:
        save_unit(unit=unit)
    liaisons_changed = _assign_liaisons(row, unit, current_liaisons)
    if liaisons_changed is None:
        return False
    if before is None:
        result.created += 1
    elif unit_changed or liaisons_changed:
        result.updated += 1
    else:
        result.unchanged += 1
    row.unit = unit
    claimed[unit.pk] = row.line
    return True


def import_units(*, file, filename, may_assign_liaisons=False) -> ImportResult:
    """Create or update units from a .xlsx or .csv file with the columns UNIT_COLUMNS. A row's
    联络员账号 (usernames) become liaison accounts of its unit (``assign_liaison``), which needs
    ``may_assign_liaisons`` unless the unit has those accounts already (``_assign_liaisons``)."""
    try:
        table, errors = read_table(
            file=file, filename=filename, columns=UNIT_COLUMNS, optional_columns=UNIT_OPTIONAL_COLUMNS
        )
    except RejectedFile as e:
        return rejected_result(e.errors, UNIT_COLUMNS)
    rows = [_parse_unit_row(line, record) for line, record in table]
    result = ImportResult()
    with transaction.atomic():
        _resolve_parents(rows)
        _check_repeated_liaisons(rows)
        current_liaisons = None if may_assign_liaisons else selectors.liaison_usernames_by_unit()
        claimed = {}
        for row in _parents_first(rows):
            _save_unit_row(row, claimed, result, current_liaisons)
        errors += [error for row in rows for error in row.errors]
        if errors:
            transaction.set_rollback(True)
            return rejected_result(errors, UNIT_COLUMNS)
    return result


# Headcounts ----------------------------------------------------------------------------------


def _unit_finder():
    units = list(Unit.objects.only("pk", "name", "code"))
    by_code = {unit.code: unit for unit in units if unit.code}
    by_name = defaultdict(list)
    for unit in units:
        by_name[unit.name].append(unit)

    def find(ref):
        """(unit, None) or (None, reason)."""
        if ref in by_code:
            return by_code[ref], None
        named = by_name.get(ref, [])
        if len(named) == 1:
            return named[0], None
        if named:
            return None, _("有 %(count)s 个单位叫“%(name)s”，请改填单位代码。") % {"count": len(named), "name": ref}
        if not ref:
            return None, _("请填写单位名称或代码。")
        return None, _("找不到单位“%(name)s”。") % {"name": ref}

    return find


def _parse_count(text):
    """A non-negative whole number; Excel may show thousands separators."""
    text = text.replace(",", "").replace("，", "")
    return int(text) if text.isdecimal() else None


def import_headcounts(*, file, filename, campaign=None) -> ImportResult:
    """Create or update expected headcounts from a .xlsx or .csv file with the columns
    HEADCOUNT_COLUMNS. 活动 names a campaign. With ``campaign`` a blank 活动 means that campaign and
    any other is an error, so a file for the wrong campaign is caught."""
    try:
        table, errors = read_table(file=file, filename=filename, columns=HEADCOUNT_COLUMNS)
    except RejectedFile as e:
        return rejected_result(e.errors, HEADCOUNT_COLUMNS)
    result = ImportResult()
    find_unit = _unit_finder()
    campaigns_by_name = {c.name: c for c in Campaign.objects.all()}
    seen = {}
    with transaction.atomic():
        for line, record in table:
            row_errors = []
            unit, reason = find_unit(record["单位"])
            if reason:
                row_errors.append(RowError(line, "单位", reason))
            row_campaign, reason = _row_campaign(record["活动"], campaign, campaigns_by_name)
            if reason:
                row_errors.append(RowError(line, "活动", reason))
            audience = AUDIENCE_WORDS.get(record["对象"].lower())
            if audience is None:
                message = _("对象应为：%(audiences)s。") % {"audiences": choice_labels(AudienceGroup)}
                row_errors.append(RowError(line, "对象", message))
            expected = _parse_count(record["应参与人数"])
            if expected is None:
                row_errors.append(RowError(line, "应参与人数", _("应参与人数应为不小于 0 的整数。")))
            if row_errors:
                errors += row_errors
                continue

            key = (unit.pk, row_campaign.pk, audience)
            if key in seen:
                errors.append(RowError(line, "", _("与第 %(line)s 行重复。") % {"line": seen[key]}))
                continue
            seen[key] = line
            headcount = Headcount.objects.filter(unit=unit, campaign=row_campaign, audience=audience).first()
            before = headcount.expected if headcount else None
            headcount = headcount or Headcount(unit=unit, campaign=row_campaign, audience=audience)
            headcount.expected = expected
            try:
                headcount.full_clean()
            except ValidationError as e:
                errors += validation_errors(e, line, HEADCOUNT_FIELD_COLUMNS)
                continue
            if before is None:
                headcount.save()
                result.created += 1
            elif before != expected:
                headcount.save()
                result.updated += 1
            else:
                result.unchanged += 1
        if errors:
            transaction.set_rollback(True)
            return rejected_result(errors, HEADCOUNT_COLUMNS)
    return result


def _row_campaign(name, chosen, campaigns_by_name):
    """(campaign, None) or (None, reason) for a row's 活动 cell, given the upload form's choice."""
    if not name:
        if chosen is None:
            return None, _("请填写宣传活动的名称，例如“2026年安全生产月”。")
        return chosen, None
    found = campaigns_by_name.get(name)
    if found is None:
        return None, _("找不到宣传活动“%(name)s”，请先在“单位 → 宣传活动”中添加。") % {"name": name}
    if chosen is not None and found != chosen:
        return None, _("本次导入的是“%(expected)s”的数据，这一行是“%(name)s”。") % {
            "expected": chosen.name,
            "name": name,
        }
    return found, None


# Export --------------------------------------------------------------------------------------


def _reference(unit, name_counts):
    """How a file names another unit: by name where the name is unique, else by code."""
    if name_counts[unit.name] == 1 or not unit.code:
        return unit.name
    return unit.code


def _tree_order():
    return [node.unit for root in selectors.unit_tree() for node in root.walk()]


def export_units(*, format) -> bytes:
    """All units in the import format, parents before children."""
    units = _tree_order()
    name_counts = Counter(unit.name for unit in units)
    liaisons = selectors.liaison_usernames_by_unit()
    rows = [
        [
            unit.name,
            unit.get_kind_display(),
            _reference(unit.parent, name_counts) if unit.parent else "",
            unit.code,
            EXPORT_ALIAS_SEPARATOR.join(unit.alias_list),
            YES if unit.is_active else NO,
            unit.liaison_name,
            unit.liaison_phone,
            EXPORT_ALIAS_SEPARATOR.join(liaisons.get(unit.pk, [])),
        ]
        for unit in units
    ]
    return write_rows(UNIT_COLUMNS, rows, format)


def export_headcounts(*, campaign, format) -> bytes:
    """One campaign's headcounts in the import format, in the order of the unit tree."""
    units = _tree_order()
    name_counts = Counter(unit.name for unit in units)
    position = {unit.pk: i for i, unit in enumerate(units)}
    audience_order = {value: i for i, value in enumerate(AudienceGroup.values)}
    headcounts = sorted(
        selectors.headcounts_for(campaign=campaign),
        key=lambda h: (position[h.unit_id], audience_order[h.audience]),
    )
    rows = [
        [_reference(h.unit, name_counts), h.campaign.name, h.get_audience_display(), h.expected] for h in headcounts
    ]
    return write_rows(HEADCOUNT_COLUMNS, rows, format)
