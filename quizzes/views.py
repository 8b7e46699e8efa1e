"""The participant flow: the contest pages' routes call these (see ContestPage); the autosave and
the landing of a unit's join link have plain URLs (quizzes/urls.py).

Thin: read the request (form fields, the participant and join cookies), call a service or
selector with plain values, render. Every refusal is a ``ContestError`` rendered with its own
status and Chinese message; nothing is half-saved. Pages here are personal, so they are never
cached. This module must not import the contest pages' module, which imports it.
"""

from django.conf import settings
from django.core.cache import caches
from django.core.exceptions import RequestDataTooBig
from django.http import HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe
from django_ratelimit import core as ratelimit_core
from django_ratelimit.core import is_ratelimited
from redis.exceptions import RedisError
from wagtail.models import Site

from core.embedding import embed_of, flow_url
from core.parsing import UnreadableJSON, load_json, parse_id, parse_json_int, parse_positive_int
from core.responses import error_response
from organizations.join_links import joined_unit_id
from organizations.people import normalise_name

from . import certificates, selectors
from .errors import ContestError, InvalidInput, PayloadTooLarge, SheetNotFound, TooManyRequests
from .participant_cookie import forget_participant, participant_token, remember_participant
from .services import answering, drawing, participants


def _participant_key(group, request):
    token = getattr(request, "contest_participant_token", None)
    return str(token) if token else request.META.get("REMOTE_ADDR", "")


def _check_rate(request, action):
    """Both limits of ``action`` (per participant, per IP; settings.QUIZ_RATE_LIMITS), counted in
    one round trip where the counters are in Redis: SET NX with the expiry, then INCR, for each,
    pipelined. The keys and fixed windows are django-ratelimit's own, so every counter means what
    it did; any other cache counts through django-ratelimit itself."""
    if not getattr(settings, "RATELIMIT_ENABLE", True):
        return
    group = f"quizzes.{action}"
    per_participant, per_ip = settings.QUIZ_RATE_LIMITS[action]
    limits = ((_participant_key(group, request), per_participant), (ratelimit_core._SIMPLE_KEYS["ip"](request), per_ip))
    client = getattr(caches[settings.RATELIMIT_USE_CACHE], "client", None)
    if not hasattr(client, "get_client"):  # not django-redis
        for (_value, rate), key in zip(limits, (_participant_key, "ip"), strict=True):
            if is_ratelimited(request, group=group, key=key, rate=rate, increment=True):
                raise TooManyRequests()
        return
    counters = []
    for value, rate in limits:
        limit, period = ratelimit_core._split_rate(rate)
        window = ratelimit_core._get_window(value, period)
        key = client.make_key(ratelimit_core._make_cache_key(group, window, rate, value, is_ratelimited.ALL))
        counters.append((key, limit, period + ratelimit_core.EXPIRATION_FUDGE))
    try:
        pipeline = client.get_client(write=True).pipeline(transaction=False)
        for key, _limit, expiry in counters:
            pipeline.set(key, 0, ex=expiry, nx=True)
            pipeline.incr(key)
        counts = pipeline.execute()[1::2]
    except RedisError:
        # As django-ratelimit: a counter that cannot be kept limits, unless told to fail open.
        if getattr(settings, "RATELIMIT_FAIL_OPEN", False):
            return
        raise TooManyRequests() from None
    if any(count > limit for count, (_key, limit, _expiry) in zip(counts, counters, strict=True)):
        raise TooManyRequests()


def _with_participant(request):
    request.contest_participant_token = participant_token(request)
    request.contest_participant = selectors.participant_by_token(token=request.contest_participant_token)
    return request.contest_participant


def _handles_contest_errors(view):
    def wrapped(request, contest, *args, **kwargs):
        try:
            return view(request, contest, *args, **kwargs)
        except ContestError as error:
            return error_response(
                request, error, back_url=flow_url(request, contest), back_label=_("返回答卷首页"), section="contest"
            )

    return never_cache(wrapped)


@never_cache
@require_safe
def joined(request):
    """Where a unit's join link (its QR poster) lands: straight into the one contest open for that
    unit, or a short chooser greeting its people when several (or none) are open."""
    site = Site.find_for_request(request)
    context = selectors.join_landing(root=site.root_page if site else None, unit_id=joined_unit_id(request))
    if len(context["contests"]) == 1:
        return redirect(context["contests"][0].get_url(request))
    return TemplateResponse(request, "quizzes/joined.html", context)


# Inside an outlet's frame, identify's redirect says it has just set the participant cookie: the
# landing then finding none means the browser refused the frame's cookies (third-party cookies).
COOKIE_CHECK_PARAM = "cookie_check"


# The landing page names the participant of this browser: never share it from a cache.
@never_cache
def landing(request, contest):
    cookies_refused = (
        embed_of(request) is not None
        and request.GET.get(COOKIE_CHECK_PARAM) == "1"
        and participant_token(request) is None
    )
    return _render_landing(request, contest, cookies_refused=cookies_refused)


def _render_landing(request, contest, *, error=None, posted=None, cookies_refused=False):
    context = selectors.contest_landing(
        contest=contest,
        participant_token=None if error else participant_token(request),
        joined_unit_id=joined_unit_id(request),
        # A form re-shown after an error keeps the search that found its unit.
        unit_query=(posted or request.GET).get("unit_q"),
        chosen_unit_id=parse_id((posted or {}).get("unit")),
    )
    context["cookies_refused"] = cookies_refused
    if error is not None:
        # The form comes back as it was filled in, with the reason above it, or beside the field
        # it is about.
        context.update(
            identify_error=error.message, identify_error_field=getattr(error, "field", None) or "", posted=posted
        )
    response = contest.render(request, context_overrides=context)
    if error is not None:
        response.status_code = error.status
    return response


# Longer than any field of the form: what is sent back into it stays small.
FORM_FIELD_MAX = 100

# Identify is limited per address (a whole school may share one, so generously), per unit, and
# per person of a unit (so one name cannot be tried with phone after phone).
IDENTIFY_RATE_LIMITS = {"ip": "300/h", "unit": "3000/h", "person": "20/h"}


def _check_identify_rate(request, *, unit, name):
    rates = {**IDENTIFY_RATE_LIMITS, **getattr(settings, "QUIZ_IDENTIFY_RATE_LIMITS", {})}
    keys = [("ip", "ip")]
    if unit is not None:
        keys.append(("unit", lambda group, request: str(unit.pk)))
        keys.append(("person", lambda group, request: f"{unit.pk}:{normalise_name(name)}"))
    for scope, key in keys:
        if is_ratelimited(request, group=f"quizzes.identify.{scope}", key=key, rate=rates[scope], increment=True):
            raise TooManyRequests()


@never_cache
def identify(request, contest):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    posted = {
        field: request.POST.get(field, "")[:FORM_FIELD_MAX]
        for field in ("unit", "unit_q", "name", "class_name", "age_band", "phone", "guardian_consent")
    }
    try:
        unit = selectors.participant_unit(
            contest=contest, joined_unit_id=joined_unit_id(request), chosen_unit_id=parse_id(posted["unit"])
        )
        _check_identify_rate(request, unit=unit, name=posted["name"])
        participant = participants.identify_participant(
            contest=contest,
            name=posted["name"],
            unit=unit,
            age_band=posted["age_band"],
            class_name=posted["class_name"],
            phone=posted["phone"],
            guardian_consent=posted["guardian_consent"] == "on",
        )
    except ContestError as error:
        return _render_landing(request, contest, error=error, posted=posted)
    landing_url = flow_url(request, contest)
    if embed_of(request) is not None:
        landing_url += f"?{COOKIE_CHECK_PARAM}=1"
    response = redirect(landing_url)
    remember_participant(response, participant=participant, until=contest.closes_at, secure=request.is_secure())
    return response


@never_cache
def forget(request, contest):
    """不是我 / 换人: this browser forgets its participant (a shared computer) and shows the form."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    response = redirect(flow_url(request, contest))
    forget_participant(response)
    return response


@_handles_contest_errors
def start(request, contest):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    participant = _with_participant(request)
    if participant is None:
        raise InvalidInput(_("请先填写参赛信息。"))
    _check_rate(request, "start")
    embed = embed_of(request)
    sheet = drawing.start_answer_sheet(
        contest=contest,
        participant=participant,
        ip_address=request.META.get("REMOTE_ADDR"),
        outlet=embed.outlet if embed else None,
    )
    return redirect(flow_url(request, contest, "sheet", sheet.public_id))


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
        return redirect(flow_url(request, contest, "result", sheet.public_id))
    remaining = max(0, int((sheet.deadline - timezone.now()).total_seconds()))
    questions = selectors.sheet_questions(sheet=sheet)
    return TemplateResponse(
        request,
        "quizzes/answer_sheet.html",
        {
            "page": contest,
            "sheet": sheet,
            "questions": questions,
            "unanswered": sum(1 for question in questions if not question["selected"]),
            "confirming": request.GET.get("confirm") == "1",
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
    """The no-JavaScript path: the whole form is posted to save or to submit.

    The page's form says ``confirm=ask``; contest.js asks "确定交卷吗？" itself and sends
    ``confirm=given``. A 交卷 still saying ``ask`` (no script ran) saves the answers and shows the
    confirmation step, with the number of questions left unanswered, before the sheet is graded."""
    answers = _answers_from_form(request, sheet)
    participant = request.contest_participant
    sheet_url = flow_url(request, contest, "sheet", sheet.public_id)
    if request.POST.get("action") == "save":
        _check_rate(request, "save")
        answering.save_answers(public_id=sheet.public_id, participant=participant, answers=answers)
        return redirect(sheet_url + "?saved=1")
    if request.POST.get("confirm") == "ask":
        _check_rate(request, "save")
        answering.save_answers(public_id=sheet.public_id, participant=participant, answers=answers)
        return redirect(sheet_url + "?confirm=1#submit")
    _check_rate(request, "submit")
    answering.submit_answer_sheet(public_id=sheet.public_id, participant=participant, answers=answers)
    return redirect(flow_url(request, contest, "result", sheet.public_id))


# An autosave is {"position": 3, "choices": [2, 4]}: a few dozen bytes.
AUTOSAVE_MAX_BYTES = 4096
AUTOSAVE_MAX_DEPTH = 4
MAX_POSITION = 32767  # SheetQuestion.position is a small integer


def _autosave_payload(request):
    """(position, choices) as posted: the position a whole number, the choices a list the
    answering service checks choice by choice."""
    if request.content_type != "application/json":
        position = parse_positive_int(request.POST.get("position"), maximum=MAX_POSITION)
        if position is None:
            raise InvalidInput(_("题号无效。"))
        return position, request.POST.getlist("choices")
    if (parse_id(request.META.get("CONTENT_LENGTH") or "") or 0) > AUTOSAVE_MAX_BYTES:
        raise PayloadTooLarge()
    try:
        body = request.body
    except RequestDataTooBig:  # a body sent without its length
        raise PayloadTooLarge() from None
    if len(body) > AUTOSAVE_MAX_BYTES:
        raise PayloadTooLarge()
    try:
        payload = load_json(body or b"{}", max_bytes=AUTOSAVE_MAX_BYTES, max_depth=AUTOSAVE_MAX_DEPTH)
    except UnreadableJSON:
        raise InvalidInput() from None
    position = (
        parse_json_int(payload.get("position"), minimum=1, maximum=MAX_POSITION) if isinstance(payload, dict) else None
    )
    if position is None:
        raise InvalidInput(_("题号无效。"))
    choices = payload.get("choices", [])
    if not isinstance(choices, list):
        raise InvalidInput(_("选项无效。"))
    return position, choices


@never_cache
@require_POST
def answer(request, public_id):
    """Autosave of one answer: POST {"position": 3, "choices": [2]} (JSON) or the same as a form.

    The busiest endpoint of a contest, so it is a plain URL outside the page tree: Wagtail's
    routing would cost eight queries (site, pages, restrictions) before any work is done. The
    sheet's UUID identifies the contest."""
    try:
        # The signed cookie's token is who this is: the service holds it against the sheet's owner,
        # so the save reads no participant row.
        request.contest_participant_token = token = participant_token(request)
        if token is None:
            raise SheetNotFound()
        _check_rate(request, "save")
        position, choices = _autosave_payload(request)
        deadline = answering.save_answer(
            public_id=public_id, participant_token=token, position=position, choices=choices
        )
    except ContestError as error:
        return JsonResponse({"ok": False, "error": str(error.message)}, status=error.status)
    remaining = max(0, int((deadline - timezone.now()).total_seconds()))
    return JsonResponse({"ok": True, "remaining_seconds": remaining})


@_handles_contest_errors
def result(request, contest, public_id):
    sheet = _own_sheet(request, public_id)
    if not sheet.is_finished:
        return redirect(flow_url(request, contest, "sheet", sheet.public_id))
    return TemplateResponse(
        request,
        "quizzes/result.html",
        {"page": contest, "sheet": sheet, **selectors.sheet_result(sheet=sheet)},
    )


@never_cache
def rankings(request, contest):
    return TemplateResponse(
        request,
        "quizzes/rankings.html",
        {
            "page": contest,
            **selectors.rankings(contest=contest),
            "mine": selectors.participant_rank(contest=contest, participant_token=participant_token(request)),
        },
    )


def _certificate(request, public_id):
    """The owner's passing sheet and what its certificate shows; NoCertificate otherwise."""
    sheet = _own_sheet(request, public_id)
    if not sheet.is_finished:
        raise certificates.NoCertificate(_("交卷后，成绩合格的答卷才有电子证书。"))
    certificate = selectors.certificate(sheet=sheet)
    if certificate is None:
        raise certificates.NoCertificate()
    if sheet.flagged and sheet.confirmed_at is None:
        raise certificates.NoCertificate(_("这份答卷的成绩正在核实，核实后即可领取电子证书。"))
    return sheet, certificate


def _download(content, *, content_type, filename):
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


@_handles_contest_errors
@require_safe
def certificate(request, contest, public_id):
    sheet, certificate = _certificate(request, public_id)
    return TemplateResponse(
        request,
        "quizzes/certificate.html",
        {"page": contest, "sheet": sheet, "certificate": certificate, "png_available": certificates.png_available()},
    )


@_handles_contest_errors
@require_safe
def certificate_pdf(request, contest, public_id):
    _sheet, certificate = _certificate(request, public_id)
    return _download(certificates.pdf(certificate), content_type="application/pdf", filename=_("电子证书.pdf"))


@_handles_contest_errors
@require_safe
def certificate_png(request, contest, public_id):
    _sheet, certificate = _certificate(request, public_id)
    return _download(certificates.png(certificate), content_type="image/png", filename=_("电子证书.png"))
