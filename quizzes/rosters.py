"""Import of class rosters (.xlsx or .csv), with the same rules as units and questions: every bad
row is reported with its line, column and reason, and a file with any error imports nothing.

Template (first row; columns in any order): 单位、班级、姓名. 单位 is a unit's code or its exact
name; 班级 may be blank for units without classes. Importing adds the names that are not on the
roster yet, so importing the same file twice changes nothing; names are removed in the roster list.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from core.spreadsheets import (
    ImportResult,
    RejectedFile,
    RowError,
    read_table,
    rejected_result,
    validation_errors,
)
from organizations.models import Unit

from .models.rosters import RosterEntry

COLUMNS = ["单位", "班级", "姓名"]
FIELD_COLUMNS = {"unit": "单位", "class_name": "班级", "name": "姓名"}


def _units_by_reference(references):
    """{reference: [units]} for the codes and names a file names."""
    found = {}
    for unit in Unit.objects.filter(Q(code__in=references) | Q(name__in=references)).only("pk", "name", "code"):
        for reference in {unit.code, unit.name} & references:
            found.setdefault(reference, []).append(unit)
    return found


def import_roster(*, file, filename):
    """Add the file's names to their units' rosters. Returns an ImportResult; on any error nothing
    is saved."""
    try:
        table, errors = read_table(file=file, filename=filename, columns=COLUMNS)
    except RejectedFile as rejected:
        return rejected_result(rejected.errors, COLUMNS)
    units = _units_by_reference({record["单位"] for _line, record in table if record["单位"]})
    entries = []
    seen = {}
    for line, record in table:
        matches = units.get(record["单位"], [])
        if not record["单位"] or not matches:
            errors.append(RowError(line, "单位", _("没有这个单位：“%(unit)s”。") % {"unit": record["单位"]}))
            continue
        if len({unit.pk for unit in matches}) > 1:
            errors.append(
                RowError(line, "单位", _("有多个单位叫“%(unit)s”，请填写单位代码。") % {"unit": record["单位"]})
            )
            continue
        entry = RosterEntry(unit=matches[0], class_name=record["班级"], name=record["姓名"])
        try:
            entry.full_clean(validate_constraints=False)
        except ValidationError as error:
            errors.extend(validation_errors(error, line, FIELD_COLUMNS))
            continue
        identity = (entry.unit_id, entry.class_key, entry.name_key)
        if identity in seen:
            errors.append(RowError(line, "姓名", _("与第 %(line)s 行重复。") % {"line": seen[identity]}))
            continue
        seen[identity] = line
        entries.append(entry)
    if errors:
        return rejected_result(errors, COLUMNS)
    result = ImportResult()
    with transaction.atomic():
        existing = set(
            RosterEntry.objects.filter(unit_id__in={entry.unit_id for entry in entries}).values_list(
                "unit_id", "class_key", "name_key"
            )
        )
        new = [entry for entry in entries if (entry.unit_id, entry.class_key, entry.name_key) not in existing]
        RosterEntry.objects.bulk_create(new, ignore_conflicts=True)
        result.created = len(new)
        result.unchanged = len(entries) - len(new)
    return result
