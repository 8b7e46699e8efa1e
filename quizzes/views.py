"""The participant flow, routed under each ContestPage (see ContestPage's routes).

Thin: parse the request, call a service or selector, render. Every refusal is a
``ContestError`` rendered with its own status and Chinese message; nothing is half-saved.
Pages here are personal, so they are never cached.
"""

import json

from django.http import HttpResponseNotAllowed, JsonResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_ratelimit.core import is_ratelimited

from organizations.models import Unit

from . import selectors, services
from .choices import AgeBand
from .errors import ContestError, InvalidInput, SheetNotFound, TooManyRequests

PARTICIPANT_COOKIE_AGE = 180 * 24 * 3600

# (per participant, per IP). Per IP they are generous enough for a whole school behind one
# address; per participant they stop scripts but not a storm of double clicks and retries, which
# the services answer idempotently (the same sheet, the same result).
RATE_LIMITS = {
    "start": ("30/m", "1200/m"),
    "save": ("240/m", "20000/m"),
    "submit": ("60/m", "2400/m"),
}


def _participant_key(group, request):
    participant = getattr(request, "contest_participant", None)
    return str(participant.token) if participant else request.META.get("REMOTE_ADDR", "")


def _check_rate(request, action):
    per_participant, per_ip = RATE_LIMITS[action]
    for key, rate in ((_participant_key, per_participant), ("ip", per_ip)):
        if is_ratelimited(request, group=f"quizzes.{action}", key=key, rate=rate, increment=True):
            raise TooManyRequests()


def _wants_json(request):
    return "application/json" in request.headers.get("Accept", "") or request.content_type == "application/json"


def _error_response(request, contest, error):
    if _wants_json(request):
        return JsonResponse({"ok": False, "error": str(error.message)}, status=error.status)
    return TemplateResponse(
        request,
        "quizzes/contest_error.html",
        {"page": contest, "message": error.message},
        status=error.status,
    )


def _with_participant(request):
    request.contest_participant = selectors.participant_from_request(request)
    return request.contest_participant


def _handles_contest_errors(view):
    def wrapped(request, contest, *args, **kwargs):
        try:
            return view(request, contest, *args, **kwargs)
        except ContestError as error:
            return _error_response(request, contest, error)

    return never_cache(wrapped)


@_handles_contest_errors
def identify(request, contest):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    # The unit from a scanned QR code wins, unless this contest is not for that kind of unit (the
    # landing page then offered the unit search instead).
    join_unit = selectors.join_cookie_unit(request)
    if join_unit is not None and join_unit.kind not in contest.allowed_unit_kinds:
        join_unit = None
    unit = join_unit or Unit.objects.filter(pk=_int_or_none(request.POST.get("unit")), is_active=True).first()
    participant = services.register_participant(
        contest=contest,
        name=request.POST.get("name", ""),
        unit=unit,
        age_band=request.POST.get("age_band", ""),
        class_name=request.POST.get("class_name", ""),
        phone=request.POST.get("phone", "") if request.POST.get("age_band") != AgeBand.UNDER_14 else "",
        guardian_consent=request.POST.get("guardian_consent") == "on",
    )
    response = redirect(contest.url)
    response.set_signed_cookie(
        selectors.PARTICIPANT_COOKIE,
        str(participant.token),
        salt=selectors.PARTICIPANT_COOKIE_SALT,
        max_age=PARTICIPANT_COOKIE_AGE,
        httponly=True,
        samesite="Lax",
        secure=request.is_secure(),
    )
    return response


def _int_or_none(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@_handles_contest_errors
def start(request, contest):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    participant = _with_participant(request)
    if participant is None:
        raise InvalidInput(_("请先填写参赛信息。"))
    _check_rate(request, "start")
    sheet = services.start_answer_sheet(
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
    sheet = services.finalise_if_overdue(sheet=sheet)
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
    for position in sheet.questions.values_list("position", flat=True):
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
        services.save_answers(public_id=sheet.public_id, participant=participant, answers=answers)
        return redirect(contest.url + contest.reverse_subpage("sheet", args=[sheet.public_id]) + "?saved=1")
    _check_rate(request, "submit")
    services.submit_answer_sheet(public_id=sheet.public_id, participant=participant, answers=answers)
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
        sheet = services.save_answers(public_id=public_id, participant=participant, answers={position: choices})
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
