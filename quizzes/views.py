"""The participant flow: the contest pages' routes call these (see ContestPage), and the autosave
has a plain URL (quizzes/urls.py).

Thin: read the request (form fields, the participant and join cookies), call a service or
selector with plain values, render. Every refusal is a ``ContestError`` rendered with its own
status and Chinese message; nothing is half-saved. Pages here are personal, so they are never
cached. This module must not import the contest pages' module, which imports it.
"""

import json

from django.conf import settings
from django.http import HttpResponseNotAllowed, JsonResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_ratelimit.core import is_ratelimited

from core.parsing import parse_id
from core.responses import error_response
from organizations.join_links import joined_unit_id

from . import selectors
from .errors import ContestError, InvalidInput, SheetNotFound, TooManyRequests
from .participant_cookie import participant_token, remember_participant
from .services import answering, drawing, participants


def _participant_key(group, request):
    participant = getattr(request, "contest_participant", None)
    return str(participant.token) if participant else request.META.get("REMOTE_ADDR", "")


def _check_rate(request, action):
    per_participant, per_ip = settings.QUIZ_RATE_LIMITS[action]
    for key, rate in ((_participant_key, per_participant), ("ip", per_ip)):
        if is_ratelimited(request, group=f"quizzes.{action}", key=key, rate=rate, increment=True):
            raise TooManyRequests()


def _with_participant(request):
    request.contest_participant = selectors.participant_by_token(token=participant_token(request))
    return request.contest_participant


def _handles_contest_errors(view):
    def wrapped(request, contest, *args, **kwargs):
        try:
            return view(request, contest, *args, **kwargs)
        except ContestError as error:
            return error_response(request, error, back_url=contest.url, back_label=_("返回答卷首页"), section="contest")

    return never_cache(wrapped)


# The landing page greets a returning participant by name: never share it from a cache.
@never_cache
def landing(request, contest):
    return contest.render(
        request,
        context_overrides=selectors.contest_landing(
            contest=contest,
            participant_token=participant_token(request),
            joined_unit_id=joined_unit_id(request),
            unit_query=request.GET.get("unit_q"),
        ),
    )


@_handles_contest_errors
def identify(request, contest):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    participant = participants.register_participant(
        contest=contest,
        name=request.POST.get("name", ""),
        unit=selectors.participant_unit(
            contest=contest, joined_unit_id=joined_unit_id(request), chosen_unit_id=parse_id(request.POST.get("unit"))
        ),
        age_band=request.POST.get("age_band", ""),
        class_name=request.POST.get("class_name", ""),
        phone=request.POST.get("phone", ""),
        guardian_consent=request.POST.get("guardian_consent") == "on",
    )
    response = redirect(contest.url)
    remember_participant(response, participant=participant, secure=request.is_secure())
    return response


@_handles_contest_errors
def start(request, contest):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    participant = _with_participant(request)
    if participant is None:
        raise InvalidInput(_("请先填写参赛信息。"))
    _check_rate(request, "start")
    sheet = drawing.start_answer_sheet(
        contest=contest, participant=participant, ip_address=request.META.get("REMOTE_ADDR")
    )
    return redirect(contest.url + contest.reverse_subpage("sheet", args=[sheet.public_id]))


def _own_sheet(request, public_id):
    sheet = selectors.sheet_for(public_id=public_id, participant=_with_participant(request))
    if sheet is None:
        raise SheetNotFound()
    return sheet


@_handles_contest_errors
def sheet(request, contest, public_id):
    sheet = _own_sheet(request, public_id)
    if request.method == "POST":
        return _post_sheet_form(request, contest, sheet)
    sheet = answering.finalise_if_overdue(sheet=sheet)
    if sheet.is_finished:
        return redirect(contest.url + contest.reverse_subpage("result", args=[sheet.public_id]))
    remaining = max(0, int((sheet.deadline - timezone.now()).total_seconds()))
    return TemplateResponse(
        request,
        "quizzes/answer_sheet.html",
        {
            "page": contest,
            "sheet": sheet,
            "questions": selectors.sheet_questions(sheet=sheet),
            "remaining_seconds": remaining,
            "answer_url": reverse("quizzes:answer", args=[sheet.public_id]),
        },
    )


def _answers_from_form(request, sheet):
    """{position: [choice ids]} from radio/checkbox fields named q<position>."""
    answers = {}
    for position in selectors.sheet_positions(sheet=sheet):
        values = request.POST.getlist(f"q{position}")
        if values:
            answers[position] = values
    return answers


def _post_sheet_form(request, contest, sheet):
    """The no-JavaScript path: the whole form is posted to save or to submit."""
    answers = _answers_from_form(request, sheet)
    participant = request.contest_participant
    if request.POST.get("action") == "save":
        _check_rate(request, "save")
        answering.save_answers(public_id=sheet.public_id, participant=participant, answers=answers)
        return redirect(contest.url + contest.reverse_subpage("sheet", args=[sheet.public_id]) + "?saved=1")
    _check_rate(request, "submit")
    answering.submit_answer_sheet(public_id=sheet.public_id, participant=participant, answers=answers)
    return redirect(contest.url + contest.reverse_subpage("result", args=[sheet.public_id]))


@never_cache
@require_POST
def answer(request, public_id):
    """Autosave of one answer: POST {"position": 3, "choices": [2]} (JSON) or the same as a form.

    The busiest endpoint of a contest, so it is a plain URL outside the page tree: Wagtail's
    routing would cost eight queries (site, pages, restrictions) before any work is done. The
    sheet's UUID identifies the contest."""
    try:
        participant = _with_participant(request)
        if participant is None:
            raise SheetNotFound()
        _check_rate(request, "save")
        if request.content_type == "application/json":
            try:
                payload = json.loads(request.body or b"{}")
                position, choices = payload["position"], payload.get("choices", [])
            except (ValueError, KeyError, TypeError):
                raise InvalidInput() from None
        else:
            position, choices = request.POST.get("position"), request.POST.getlist("choices")
        if not isinstance(choices, list):
            raise InvalidInput()
        sheet = answering.save_answers(public_id=public_id, participant=participant, answers={position: choices})
    except ContestError as error:
        return JsonResponse({"ok": False, "error": str(error.message)}, status=error.status)
    remaining = max(0, int((sheet.deadline - timezone.now()).total_seconds()))
    return JsonResponse({"ok": True, "remaining_seconds": remaining})


@_handles_contest_errors
def result(request, contest, public_id):
    sheet = _own_sheet(request, public_id)
    if not sheet.is_finished:
        return redirect(contest.url + contest.reverse_subpage("sheet", args=[sheet.public_id]))
    return TemplateResponse(
        request,
        "quizzes/result.html",
        {"page": contest, "sheet": sheet, **selectors.sheet_result(sheet=sheet)},
    )


@never_cache
def rankings(request, contest):
    return TemplateResponse(request, "quizzes/rankings.html", {"page": contest, **selectors.rankings(contest=contest)})
