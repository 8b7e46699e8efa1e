"""Reads for the contests. Nothing here exposes an answer key for a sheet that is not finished.

Callers pass plain values (a participant's token, a unit id), never the request. The contest
pages import this module, so ``ContestPage`` is looked up when called rather than imported.
"""

from collections import OrderedDict
from contextlib import suppress
from dataclasses import dataclass

from django.apps import apps
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db.models import Avg, Count, F, FloatField, Max, Q, Window
from django.db.models.functions import Cast, RowNumber
from django.http import Http404
from django.utils import timezone
from wagtail.images import get_image_model

from core.attribution import totals_by_outlet
from core.privacy import mask_name
from home.models import ArticlePage
from organizations.models import UnitKind
from organizations.scopes import subtree_q
from organizations.selectors import active_unit, search_units

from .choices import SheetStatus
from .models.bank import QuestionVersion
from .models.sheets import AnswerSheet, ExtraAttempt, Participant, SheetQuestion

RANKING_CACHE_SECONDS = 30
RANKING_SIZE = 50


def _contest_pages():
    return apps.get_model("quizzes", "ContestPage").objects


def contests(*, root):
    return list(_contest_pages().child_of(root).live().public().order_by("-opens_at"))


def open_contests(*, root, now=None):
    """The contests open now under ``root`` (every one when None), closing soonest first."""
    pages = _contest_pages().descendant_of(root) if root is not None else _contest_pages().all()
    now = now or timezone.now()
    return list(pages.live().public().filter(opens_at__lte=now, closes_at__gt=now).order_by("closes_at"))


def open_contests_for_unit(*, root, unit, now=None):
    """The contests open now (under ``root``, the whole tree when None) that ``unit``'s kind may
    take; every open contest when no unit is known."""
    contests = open_contests(root=root, now=now)
    return [contest for contest in contests if unit is None or unit.kind in contest.allowed_unit_kinds]


def join_landing(*, root, unit_id):
    """Where a scanned join link lands: the unit it named (if still active), the contests open for
    it, and the contest list to go to when none or several are open."""
    unit = active_unit(pk=unit_id)
    indexes = apps.get_model("quizzes", "ContestIndexPage").objects.live().public()
    if root is not None:
        indexes = indexes.descendant_of(root)
    return {
        "unit": unit,
        "contests": open_contests_for_unit(root=root, unit=unit),
        "contest_index": indexes.order_by("path").first(),
    }


def participant_by_token(*, token):
    """The participant with this token (from their cookie), or None."""
    if token is None:
        return None
    return Participant.objects.select_related("unit").filter(token=token).first()


def joined_unit(*, contest, unit_id):
    """The unit whose join link (QR code) was scanned, if this contest is for that kind of unit;
    otherwise None, and the participant picks a unit in the search instead."""
    unit = active_unit(pk=unit_id)
    return unit if unit is not None and unit.kind in contest.allowed_unit_kinds else None


def participant_unit(*, contest, joined_unit_id, chosen_unit_id):
    """The unit a participant registers with: the scanned one wins over the one chosen in the
    search, unless the contest is not for that kind of unit."""
    return joined_unit(contest=contest, unit_id=joined_unit_id) or active_unit(pk=chosen_unit_id)


def contest_landing(*, contest, participant_token, joined_unit_id, unit_query, chosen_unit_id=None):
    """The landing page: who this browser's participant is and what they may do, or the identify
    form, with the unit ``chosen_unit_id`` still offered when the form comes back with an error."""
    participant = participant_by_token(token=participant_token)
    if participant is not None and participant.unit.kind not in contest.allowed_unit_kinds:
        participant = None
    sheets = []
    extra = 0
    if participant is not None:
        sheets = list(AnswerSheet.objects.filter(contest=contest, participant=participant).order_by("-started_at"))
        extra = ExtraAttempt.objects.filter(contest=contest, participant=participant, used_by__isnull=True).count()
    unit_query = (unit_query or "").strip()[:40]
    unit_choices = search_units(query=unit_query, kinds=contest.allowed_unit_kinds, limit=30) if unit_query else []
    chosen = joined_unit(contest=contest, unit_id=chosen_unit_id)
    if chosen is not None and chosen not in unit_choices:
        unit_choices = [chosen, *unit_choices]
    return {
        "participant": participant,
        "sheets": sheets,
        "sheet_in_progress": next((s for s in sheets if s.status == SheetStatus.IN_PROGRESS), None),
        "attempts_left": max(0, contest.attempts_total - len(sheets)) + extra,
        "used_today": not extra
        and sum(1 for s in sheets if s.attempt_date == timezone.localdate()) >= contest.attempts_per_day,
        "is_open": contest.is_open(),
        "join_unit": joined_unit(contest=contest, unit_id=joined_unit_id),
        "unit_query": unit_query,
        "unit_choices": unit_choices,
        "chosen_unit_id": chosen.pk if chosen else None,
    }


def sheet_for(*, public_id, participant):
    """The participant's own sheet, or None; another person's sheet is simply not found."""
    if participant is None:
        return None
    try:
        return (
            AnswerSheet.objects.select_related("contest").filter(public_id=public_id, participant=participant).first()
        )
    except ValidationError:  # not a UUID
        return None


@dataclass(frozen=True)
class SheetFacts:
    """What never changes on a sheet once it is drawn: whose it is, its deadline, and for each
    position the choice ids it has and whether it takes several."""

    sheet_id: int
    participant_id: int
    participant_token: str
    deadline: object
    questions: dict  # position -> (frozenset of choice ids, kind)


SHEET_FACTS_KEPT = 20000
_sheet_facts = OrderedDict()  # public id (str) -> SheetFacts, least recently used first


def sheet_facts(*, public_id):
    """The sheet's ``SheetFacts`` (None for no such sheet), read once per process: a sheet's
    questions, owner and deadline are fixed when it is drawn, so a kept copy never goes stale."""
    key = str(public_id)
    facts = _sheet_facts.get(key)
    if facts is not None:
        # A threaded worker may have evicted it since the read: the copy in hand is still right.
        with suppress(KeyError):
            _sheet_facts.move_to_end(key)
        return facts
    try:
        rows = list(
            SheetQuestion.objects.filter(sheet__public_id=key).values_list(
                "sheet_id", "sheet__participant_id", "sheet__participant__token", "sheet__deadline", "position",
                "version__content",
            )
        )  # fmt: skip
    except ValidationError:  # not a UUID
        return None
    if not rows:
        return None
    sheet_id, participant_id, token, deadline = rows[0][:4]
    facts = SheetFacts(
        sheet_id=sheet_id,
        participant_id=participant_id,
        participant_token=str(token),
        deadline=deadline,
        questions={
            position: (frozenset(choice["id"] for choice in content["choices"]), content["kind"])
            for *_sheet, position, content in rows
        },
    )
    _sheet_facts[key] = facts
    if len(_sheet_facts) > SHEET_FACTS_KEPT:
        with suppress(KeyError):  # another thread emptied it first
            _sheet_facts.popitem(last=False)
    return facts


def sheet_positions(*, sheet):
    facts = sheet_facts(public_id=sheet.public_id)
    return sorted(facts.questions) if facts else []


def sheet_questions(*, sheet):
    """What the answer page shows: stems and choices in this participant's order, with what they
    have saved, and no hint of which choice is correct."""
    rows = list(sheet.questions.select_related("version"))
    image_ids = {row.version.content.get("image_id") for row in rows} - {None}
    images = get_image_model().objects.in_bulk(image_ids) if image_ids else {}
    questions = []
    for question in rows:
        content = question.version.content
        choices_by_id = {choice["id"]: choice["text"] for choice in content["choices"]}
        questions.append(
            {
                "position": question.position,
                "kind": content["kind"],
                "stem": content["stem"],
                "image": images.get(content.get("image_id")),
                "image_alt": content.get("image_alt", ""),
                "points": question.points,
                "choices": [{"id": choice_id, "text": choices_by_id[choice_id]} for choice_id in question.choice_order],
                "selected": question.selected,
            }
        )
    return questions


def sheet_result(*, sheet, now=None):
    """A finished sheet with, where the contest reveals them, correct answers, explanations and
    links to the column articles behind the questions answered wrongly."""
    reveal = sheet.contest.reveals_answers(now)
    rows = list(sheet.questions.select_related("version"))
    article_ids = {row.version.content.get("article_id") for row in rows if row.awarded != row.points} - {None}
    articles = {page.pk: page for page in ArticlePage.objects.live().public().filter(pk__in=article_ids)}
    questions = []
    counts = {"correct": 0, "wrong": 0, "unanswered": 0}
    for row in rows:
        if not row.selected:
            counts["unanswered"] += 1
        else:
            counts["correct" if row.awarded == row.points else "wrong"] += 1
        content = row.version.content
        by_id = {choice["id"]: choice for choice in content["choices"]}
        item = {
            "position": row.position,
            "stem": content["stem"],
            "selected_texts": [by_id[choice_id]["text"] for choice_id in row.selected if choice_id in by_id],
        }
        if reveal:
            # Right or wrong per question is the key itself (a few sheets infer it), so it is
            # shown only with the answers.
            item.update(points=row.points, awarded=row.awarded, is_correct=row.awarded == row.points)
            item["correct_texts"] = [by_id[i]["text"] for i in row.choice_order if by_id[i]["correct"]]
            item["explanation"] = content["explanation"]
            article = articles.get(content.get("article_id"))
            item["article"] = article if article and row.awarded != row.points else None
        questions.append(item)
    return {
        "reveal": reveal,
        "questions": questions,
        # Totals only: with the score shown they tell nothing about which question was right.
        "counts": counts,
        "band": sheet.contest.band_for(sheet.percent),
        "percent": sheet.percent,
        "passed": sheet.percent >= sheet.contest.pass_mark,
        # 存疑 and not yet confirmed by staff: out of the rankings, and no certificate until then.
        "held": sheet.flagged and sheet.confirmed_at is None,
    }


def certificate(*, sheet):
    """What a passing sheet's 电子证书 shows, and nothing more about the person: the contest, the
    name as entered, the band and the day it was handed in. None for a sheet that did not pass."""
    if not sheet.is_finished or sheet.percent < sheet.contest.pass_mark:
        return None
    return {
        "contest_title": sheet.contest.title,
        "name": sheet.participant.name,
        "band": str(sheet.contest.band_for(sheet.percent)),
        "date": timezone.localdate(sheet.finished_at),
    }


def ranking_cache_key(contest_id):
    return f"quizzes:rankings:{contest_id}"


def rankings(*, contest):
    """Individuals by best score, then shorter time, then earlier finish (names masked), and units
    by participants and mean score, over sheets not held as implausible (``rankable``). Cached
    briefly: they are read far more often than they change."""
    key = ranking_cache_key(contest.pk)
    cached = cache.get(key)
    if cached is not None:
        return cached
    finished = AnswerSheet.objects.filter(contest=contest).rankable()
    best = (
        finished.annotate(
            rank_in_person=Window(
                RowNumber(),
                partition_by=[F("participant_id")],
                order_by=[F("score").desc(), F("duration_seconds").asc(), F("finished_at").asc()],
            )
        )
        .filter(rank_in_person=1)
        .order_by("-score", "duration_seconds", "finished_at")
        .values("participant__name", "unit__name", "score", "max_score", "duration_seconds", "finished_at")[
            :RANKING_SIZE
        ]
    )
    individuals = [
        {
            "rank": position,
            "name": mask_name(row["participant__name"]),
            "unit": row["unit__name"],
            "score": row["score"],
            "max_score": row["max_score"],
            "duration_seconds": row["duration_seconds"],
        }
        for position, row in enumerate(best, start=1)
    ]
    units = list(
        finished.values("unit_id", "unit__name")
        .annotate(
            participants=Count("participant", distinct=True),
            sheets=Count("pk"),
            mean_percent=Avg(Cast(F("score"), FloatField()) * 100.0 / F("max_score")),
        )
        .order_by("-participants", "-mean_percent")[:RANKING_SIZE]
    )
    data = {"individuals": individuals, "units": units, "generated_at": timezone.now()}
    cache.set(key, data, RANKING_CACHE_SECONDS)
    return data


def participant_rank(*, contest, participant_token):
    """The place of this browser's participant in the individual ranking, also beyond the top
    ``RANKING_SIZE``: their best rankable sheet, by the same order as ``rankings`` (score, then
    shorter time, then earlier finish), and how many people are ranked. None for no participant;
    ``rank`` None when they have no rankable sheet yet."""
    participant = participant_by_token(token=participant_token)
    if participant is None:
        return None
    rankable = AnswerSheet.objects.filter(contest=contest).rankable()
    best = rankable.filter(participant=participant).order_by("-score", "duration_seconds", "finished_at").first()
    ranked = rankable.values("participant_id").distinct().count()
    if best is None:
        return {"rank": None, "ranked": ranked}
    # Someone is ahead exactly when one of their sheets beats this best sheet.
    ahead = (
        rankable.exclude(participant=participant)
        .filter(
            Q(score__gt=best.score)
            | Q(score=best.score, duration_seconds__lt=best.duration_seconds)
            | Q(score=best.score, duration_seconds=best.duration_seconds, finished_at__lt=best.finished_at)
        )
        .values("participant_id")
        .distinct()
        .count()
    )
    return {"rank": ahead + 1, "ranked": ranked, "sheet": best}


def _in_scope(rows, scope, prefix="unit__"):
    """Rows (sheets, or sheet questions with ``prefix="sheet__unit__"``) of units in the subtree of
    ``scope`` (a Unit; None for the whole city). Staff reports pass the account's scope unit."""
    return rows if scope is None else rows.filter(subtree_q(scope, prefix))


def contest_statistics(*, contest, scope=None):
    """Live numbers for staff: participants, sheets, mean score, by unit kind; over the units of
    ``scope``'s subtree when given."""
    sheets = _in_scope(AnswerSheet.objects.filter(contest=contest), scope)
    finished = sheets.exclude(status=SheetStatus.IN_PROGRESS)
    totals = sheets.aggregate(
        participants=Count("participant", distinct=True),
        sheets=Count("pk"),
        in_progress=Count("pk", filter=Q(status=SheetStatus.IN_PROGRESS)),
        last_start=Max("started_at"),
    )
    totals["mean_percent"] = finished.aggregate(value=Avg(Cast(F("score"), FloatField()) * 100.0 / F("max_score")))[
        "value"
    ]
    kind_labels = dict(UnitKind.choices)
    by_kind = list(
        finished.values("unit__kind")
        .annotate(
            participants=Count("participant", distinct=True),
            sheets=Count("pk"),
            mean_percent=Avg(Cast(F("score"), FloatField()) * 100.0 / F("max_score")),
        )
        .order_by("unit__kind")
    )
    for row in by_kind:
        row["kind_label"] = kind_labels.get(row["unit__kind"], row["unit__kind"])
    return {"totals": totals, "by_kind": by_kind}


def question_statistics(*, contest, scope=None):
    """Per question version on this contest's finished sheets (of ``scope``'s subtree when given):
    how many answered, the correct rate, and how often each choice was picked."""
    rows = (
        _in_scope(SheetQuestion.objects.filter(sheet__contest=contest), scope, "sheet__unit__")
        .exclude(sheet__status=SheetStatus.IN_PROGRESS)
        .values_list("version_id", "selected", "awarded", "points")
    )
    stats = {}
    for version_id, selected, awarded, points in rows.iterator(chunk_size=2000):
        entry = stats.setdefault(version_id, {"answered": 0, "correct": 0, "picks": {}})
        entry["answered"] += 1
        entry["correct"] += awarded == points
        for choice_id in selected:
            entry["picks"][choice_id] = entry["picks"].get(choice_id, 0) + 1
    versions = QuestionVersion.objects.select_related("question").in_bulk(stats.keys())
    report = []
    for version_id, entry in stats.items():
        version = versions[version_id]
        report.append(
            {
                "key": version.question.key,
                "version": version.number,
                "stem": version.content["stem"],
                "answered": entry["answered"],
                "correct_rate": 100.0 * entry["correct"] / entry["answered"],
                "choices": [
                    {
                        "text": choice["text"],
                        "correct": choice["correct"],
                        "picked": entry["picks"].get(choice["id"], 0),
                        "share": 100.0 * entry["picks"].get(choice["id"], 0) / entry["answered"],
                    }
                    for choice in version.content["choices"]
                ],
            }
        )
    return sorted(report, key=lambda item: item["correct_rate"])


def staff_sheets(*, contest, status="", unit_kind="", unit_query="", scope=None):
    """A contest's sheets for the staff list and export: only units of ``scope``'s subtree when given."""
    sheets = _in_scope(
        AnswerSheet.objects.filter(contest=contest).select_related("participant", "unit").order_by("-started_at"),
        scope,
    )
    if status:
        sheets = sheets.filter(status=status)
    if unit_kind:
        sheets = sheets.filter(unit__kind=unit_kind)
    if unit_query:
        sheets = sheets.filter(unit__name__icontains=unit_query)
    return sheets


def staff_sheet(*, contest, public_id, scope=None):
    """One sheet of ``contest`` in ``scope``'s subtree, for a staff action, or None."""
    return (
        _in_scope(AnswerSheet.objects.filter(contest=contest), scope)
        .select_related("participant")
        .filter(public_id=public_id)
        .first()
    )


FLAGGED_LIST_SIZE = 200


def flagged_sheets(*, contest, scope=None):
    """Sheets held out of the rankings as implausible (a high score in less than reading time),
    waiting for staff to confirm them; fastest first, the first ``FLAGGED_LIST_SIZE``."""
    return list(
        _in_scope(AnswerSheet.objects.filter(contest=contest, flagged=True, confirmed_at__isnull=True), scope)
        .select_related("participant", "unit")
        .order_by("duration_seconds", "finished_at")[:FLAGGED_LIST_SIZE]
    )


def contest_reports(*, scope=None):
    """Every contest, newest first, with its live totals (``contest_statistics``, over ``scope``)."""
    return [
        {"contest": contest, **contest_statistics(contest=contest, scope=scope)["totals"]}
        for contest in _contest_pages().all().order_by("-opens_at")
    ]


def participants_by_outlet(*, contest=None, since=None, until=None, scope=None):
    """Who took part through each media outlet's embed: per outlet, the distinct participants of
    the sheets started in its frame and how many of those sheets were handed in (submitted or
    timed out), most participants first. ``since``/``until`` bound the local day a sheet was
    started (inclusive dates); ``scope`` (a Unit) keeps its subtree's sheets only. Outlets without
    a sheet are left out."""
    sheets = _in_scope(AnswerSheet.objects.all(), scope)
    if contest is not None:
        sheets = sheets.filter(contest=contest)
    return totals_by_outlet(
        sheets,
        day_field="attempt_date",
        since=since,
        until=until,
        participants=Count("participant", distinct=True),
        sheets_submitted=Count("pk", filter=~Q(status=SheetStatus.IN_PROGRESS)),
    )


def contest_for_staff(*, pk):
    """Any contest, live or not, for the staff reports."""
    contest = _contest_pages().filter(pk=pk).first()
    if contest is None:
        raise Http404
    return contest


def sheet_outcome(*, sheet):
    """A finished sheet as plain values, for ``participation``'s ledger (``signals.sheet_finished``).

    ``passed`` uses the percentage the result page shows (``band_for``); ``full_marks`` is every
    point; ``topic_results`` is ``{topic_id: [correct, total]}`` over the sheet's questions, where a
    question is correct when it was awarded all its points (a partly right 不定项 is not). The
    topic is the question's topic now (versions snapshot the text, not the topic). Two queries;
    ValueError for a sheet still in progress.
    """
    sheet = AnswerSheet.objects.select_related("participant", "unit", "contest").get(pk=sheet.pk)
    if not sheet.is_finished:
        raise ValueError(f"sheet {sheet.public_id} is not finished")
    topic_results = {}
    rows = SheetQuestion.objects.filter(sheet=sheet).values_list("version__question__topic_id", "awarded", "points")
    for topic_id, awarded, points in rows:
        result = topic_results.setdefault(topic_id, [0, 0])
        result[0] += awarded is not None and awarded == points
        result[1] += 1
    participant = sheet.participant
    return {
        "public_id": str(sheet.public_id),
        "contest_page_id": sheet.contest_id,
        "campaign_id": sheet.contest.campaign_id,
        "unit_id": sheet.unit_id,
        "unit_kind": sheet.unit.kind,
        "name": participant.name,
        "class_name": participant.class_name,
        # The key the person identified with (their phone, where asked, is in it and kept nowhere
        # else in plain text); None for a participant from before person keys.
        "person_key": participant.person_key,
        "age_band": participant.age_band,
        "score": sheet.score,
        "max_score": sheet.max_score,
        "passed": sheet.percent >= sheet.contest.pass_mark,
        "full_marks": sheet.score == sheet.max_score,
        "finished_at": sheet.finished_at,
        "topic_results": topic_results,
    }


def sheet_outcomes(*, sheet_ids):
    """``sheet_outcome`` of many finished sheets at once, as {sheet id: outcome} with the same
    values, in two queries whatever their number (the demo records its simulated sheets in bulk).
    ValueError if one of them is still in progress."""
    sheet_ids = list(sheet_ids)
    topic_results = {}
    rows = (
        SheetQuestion.objects.filter(sheet_id__in=sheet_ids)
        .values_list("sheet_id", "version__question__topic_id")
        .annotate(correct=Count("pk", filter=Q(awarded=F("points"))), total=Count("pk"))
        .order_by()
    )
    for sheet_id, topic_id, correct, total in rows:
        topic_results.setdefault(sheet_id, {})[topic_id] = [correct, total]
    sheets = AnswerSheet.objects.filter(pk__in=sheet_ids).values_list(
        "pk",
        "public_id",
        "status",
        "contest_id",
        "contest__campaign_id",
        "contest__pass_mark",
        "unit_id",
        "unit__kind",
        "participant__name",
        "participant__class_name",
        "participant__person_key",
        "participant__age_band",
        "score",
        "max_score",
        "finished_at",
    )
    outcomes = {}
    for (
        pk,
        public_id,
        status,
        contest_id,
        campaign_id,
        pass_mark,
        unit_id,
        unit_kind,
        name,
        class_name,
        key,
        age_band,
        score,
        max_score,
        finished_at,
    ) in sheets:
        if status == SheetStatus.IN_PROGRESS:
            raise ValueError(f"sheet {public_id} is not finished")
        # AnswerSheet.percent, without building the model.
        percent = round(100 * score / max_score) if score is not None and max_score else 0
        outcomes[pk] = {
            "public_id": str(public_id),
            "contest_page_id": contest_id,
            "campaign_id": campaign_id,
            "unit_id": unit_id,
            "unit_kind": unit_kind,
            "name": name,
            "class_name": class_name,
            "person_key": key,
            "age_band": age_band,
            "score": score,
            "max_score": max_score,
            "passed": percent >= pass_mark,
            "full_marks": score == max_score,
            "finished_at": finished_at,
            "topic_results": topic_results.get(pk, {}),
        }
    return outcomes
