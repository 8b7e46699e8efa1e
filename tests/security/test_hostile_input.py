"""Every public URL and form, sent a corpus of hostile values: never a 500, a 4xx for ids that
cannot exist, and nothing written when a write is refused.

The URLs are the demo site's (tests/conftest.py loads it), so each page type is here with real
objects: the home page, a column and an article, search, the event listing, calendar, feeds and
registration, both contests (landing, identify, start, the sheet, autosave, result, rankings),
join links, the public participation report and the sitemap. ``test_every_public_route_is_covered``
fails when a URL pattern or a routable page route is added without a place here.

Runs on SQLite and PostgreSQL alike (CI runs the suite on both).
"""

import itertools
import re
from urllib.parse import quote

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from wagtail.contrib.routable_page.models import RoutablePageMixin
from wagtail.models import Page

from events.models import EventPage, Registration
from home.models import ArticlePage, ColumnIndexPage
from organizations.models import Campaign, Unit
from participation.models import ParticipationEntry
from quizzes.models import AnswerSheet, ContestPage, Participant, SheetQuestion

pytestmark = pytest.mark.django_db

LONE_SURROGATE = "\ud800"
HOSTILE = [
    "\x00",
    "a\x00b",
    "²",
    "٣",
    "２",
    "9" * 40,
    "99999999999999999999",
    "1e999",
    "-1",
    "0",
    "1.5",
    "NaN",
    "Infinity",
    "<script>alert(1)</script>",
    "'; drop table wagtailcore_page; --",
    "%",
    "%00",
    "x" * 5000,
    LONE_SURROGATE,
    "",
    "[]",
    "\u202e",
    "../../etc/passwd",
    "燃气" * 300,
]
# Fewer for each query parameter and path segment, so the whole file stays fast (< 30 s).
HOSTILE_QUERY = [
    "\x00",
    "²",
    "٣",
    "２",
    "9" * 40,
    "1e999",
    "-1",
    "0",
    "NaN",
    "<script>alert(1)</script>",
    "'; drop table wagtailcore_page; --",
    "%",
    "x" * 5000,
    LONE_SURROGATE,
    "",
    "[]",
]
HOSTILE_IDS = ["\x00", "²", "٣", "9" * 40, "99999999999999999999", "-1", "0", "1e999", "abc", "%", LONE_SURROGATE]

_addresses = itertools.count(1)


def _address():
    """A new client address for each request, so the rate limits never hide what a view does."""
    n = next(_addresses)
    return f"10.{(n >> 16) & 255}.{(n >> 8) & 255}.{n & 255}"


def encode(value):
    # Lone surrogates cannot be UTF-8: they arrive as the bytes a broken client would send.
    return quote(value.encode("utf-8", "surrogatepass"), safe="")


def query_string(params):
    return "&".join(f"{encode(name)}={encode(value)}" for name, value in params.items())


def form_body(fields):
    return query_string(fields).encode()


def get(client, path, params=None):
    url = f"{path}?{query_string(params)}" if params else path
    return client.get(url, REMOTE_ADDR=_address())


def post_form(client, path, fields):
    return client.post(
        path, data=form_body(fields), content_type="application/x-www-form-urlencoded", REMOTE_ADDR=_address()
    )


def assert_no_server_error(response, what):
    assert response.status_code < 500, f"{what}: {response.status_code}"


def assert_refused(response, what):
    assert 400 <= response.status_code < 500, f"{what}: {response.status_code}"


WRITTEN = [Participant, AnswerSheet, SheetQuestion, Registration, ParticipationEntry]


def written():
    return [model.objects.count() for model in WRITTEN]


def option_values(html, select_name):
    select = re.search(rf'<select[^>]*name="{select_name}"[^>]*>(.*?)</select>', html, re.S)
    return [value for value in re.findall(r'<option value="([^"]*)"', select.group(1)) if value] if select else []


@pytest.fixture(autouse=True)
def _no_rate_limits(settings):
    # A refusal for speed (429) would hide what the view does with the value.
    settings.RATELIMIT_ENABLE = False


# ---------------------------------------------------------------------------------------------
# The objects behind the URLs.


@pytest.fixture
def column(db):
    return ColumnIndexPage.objects.live().order_by("path").first()


@pytest.fixture
def event(db):
    """An event open for registration."""
    for page in EventPage.objects.live().order_by("path"):
        if page.registration_enabled and option_values(Client().get(page.url).content.decode(), "occurrence"):
            return page
    pytest.fail("the demo has no event open for registration")


@pytest.fixture
def contest(db):
    for page in ContestPage.objects.live().order_by("path"):
        if _contest_units(page):
            return page
    pytest.fail("the demo has no open contest")


def _contest_units(contest):
    """Units offered by the contest's unit search (the form lists them after a search)."""
    for words in ("小学", "中学", "学校", "社区", "公司", "街道", "镇"):
        units = option_values(Client().get(contest.url, {"unit_q": words}).content.decode(), "unit")
        if units:
            return units
    return []


@pytest.fixture
def identity(contest):
    """The fields of a valid identify form for ``contest``."""
    html = Client().get(contest.url).content.decode()
    fields = {"unit": _contest_units(contest)[0], "name": "张小明", "age_band": "adult"}
    if 'name="class_name"' in html:
        fields["class_name"] = "五年级二班"
    if 'name="phone"' in html:
        fields["phone"] = "13912345678"
    if 'name="guardian_consent"' in html:
        fields["guardian_consent"] = "on"
    return fields


@pytest.fixture
def participant_client(contest, identity):
    client = Client()
    response = post_form(client, contest.url + "identify/", identity)
    assert response.status_code == 302, response.content.decode()[:2000]
    return client


@pytest.fixture
def sheet_url(contest, participant_client):
    response = post_form(participant_client, contest.url + "start/", {})
    assert response.status_code == 302, response.content.decode()[:2000]
    return response["Location"]


@pytest.fixture
def registration_fields(event):
    html = Client().get(event.url).content.decode()
    return {
        "occurrence": option_values(html, "occurrence")[0],
        "name": "李华",
        "phone": "13812345678",
        "party_size": "1",
        "adult_or_guardian_consent": "on",
    }


# ---------------------------------------------------------------------------------------------
# GET: every parameter each public view reads.


def _targets(request):
    """name -> (path, parameters the view reads). Built lazily: the fixtures they need differ."""
    column = request.getfixturevalue("column")
    event_index = EventPage.objects.live().first().get_parent().specific
    article = ArticlePage.objects.live().order_by("path").first()
    campaign = Campaign.objects.order_by("pk").first()
    unit = Unit.objects.exclude(join_token="").exclude(join_token__isnull=True).order_by("pk").first()
    return {
        "home": ("/", []),
        "column": (column.url, ["topic", "audience", "page"]),
        "column-feeds": (column.url + "feed/rss/", ["page", "q"]),
        "site-feed": ("/feed/json/", ["page"]),
        "article": (article.url, []),
        "article-print": (article.url + "print/", []),
        "search": ("/search/", ["q", "type", "topic", "page"]),
        "reading-mode": ("/reading-mode/", ["text", "contrast", "next"]),
        "events": (event_index.url, ["kind", "town", "audience", "page"]),
        "events-past": (event_index.url + "past/", ["kind", "town", "audience", "page"]),
        "events-calendar": (event_index.url + "calendar/", ["month", "kind", "town", "audience"]),
        "events-feed": ("/events/feed.ics", ["kind", "town", "audience"]),
        "event": (lambda: request.getfixturevalue("event").url, []),
        "event-ics": (lambda: f"/events/{request.getfixturevalue('event').pk}/event.ics", ["date"]),
        "event-check-in": (lambda: request.getfixturevalue("event").url + "check-in/", ["date"]),
        "contests": (ContestPage.objects.live().first().get_parent().url, []),
        "contest": (lambda: request.getfixturevalue("contest").url, ["unit_q"]),
        "contest-rankings": (lambda: request.getfixturevalue("contest").url + "rankings/", []),
        "contest-sheet": (lambda: request.getfixturevalue("sheet_url"), ["saved", "confirm"]),
        "contests-joined": ("/answer-sheets/joined/", []),
        "my-registrations": (event_index.url + "mine/", []),
        "join": (unit.get_join_url() if unit else "/units/join/none/", ["next"]),
        "participation": ("/participation/", []),
        "participation-report": (f"/participation/{campaign.pk}/" if campaign else "/participation/1/", []),
        "sitemap": ("/sitemap.xml", []),
        "robots": ("/robots.txt", []),
        # ``format`` is left out: any format but json is 501 Not Implemented, as oEmbed 1.0 says
        # (tests/core/test_oembed.py sends it hostile values).
        "oembed": ("/oembed/", ["url", "maxwidth", "maxheight"]),
        "embed-article": (f"/embed/page/{article.pk}/", []),
        "embed-column": (f"/embed/page/{column.pk}/", ["topic", "audience", "page"]),
        "favicon": ("/favicon.ico", []),
        "not-found": ("/no-such-page/", []),
        "api-columns": ("/api/v1/columns/", ["limit", "offset"]),
        "api-articles": ("/api/v1/articles/", ["column", "topic", "since", "until", "limit", "offset"]),
        "api-article": (f"/api/v1/articles/{article.pk}/", []),
        "api-events": ("/api/v1/events/", ["past", "kind", "town", "audience", "limit", "offset"]),
        "api-event": (lambda: f"/api/v1/events/{request.getfixturevalue('event').pk}/", []),
        "api-contests": ("/api/v1/contests/", ["status", "limit", "offset"]),
        "api-contest": (lambda: f"/api/v1/contests/{request.getfixturevalue('contest').pk}/", []),
        "api-openapi": ("/api/v1/openapi.json", []),
        "embed-contest": (lambda: _outlet_embed(request.getfixturevalue("contest")), ["unit_q", "cookie_check"]),
        "embed-contest-rankings": (lambda: _outlet_embed(request.getfixturevalue("contest")) + "rankings/", []),
        "embed-event": (lambda: _outlet_embed(request.getfixturevalue("event")), ["date"]),
        "share-image": (f"/share/{column.pk}.png", ["v"]),
        # Not configured here: a 404 before it reads url (tests/home/test_wechat.py parses it).
        "wechat-js-config": ("/wechat/js-config/", ["url"]),
    }


GET_TARGETS = [
    "home",
    "column",
    "column-feeds",
    "site-feed",
    "article",
    "article-print",
    "search",
    "reading-mode",
    "events",
    "events-past",
    "events-calendar",
    "events-feed",
    "event",
    "event-ics",
    "event-check-in",
    "contests",
    "contest",
    "contest-rankings",
    "contest-sheet",
    "contests-joined",
    "my-registrations",
    "join",
    "participation",
    "participation-report",
    "sitemap",
    "robots",
    "favicon",
    "oembed",
    "embed-article",
    "embed-column",
    "not-found",
    "api-columns",
    "api-articles",
    "api-article",
    "api-events",
    "api-event",
    "api-contests",
    "api-contest",
    "api-openapi",
    "embed-contest",
    "embed-contest-rankings",
    "embed-event",
    "share-image",
    "wechat-js-config",
]


def _outlet_embed(page):
    """The embed address of ``page`` through an active outlet's snippet (the demo has one)."""
    from core import embedding

    return embedding.embed_path(page, embedding.active_outlets().first())


@pytest.mark.parametrize("target", GET_TARGETS)
def test_hostile_query_parameters_never_cause_a_server_error(request, target):
    path, parameters = _targets(request)[target]
    path = path() if callable(path) else path
    client = request.getfixturevalue("participant_client") if target == "contest-sheet" else Client()
    assert_no_server_error(get(client, path), path)
    # The parameters the view reads (a view that reads none gets only the checks below).
    for name, value in itertools.product(parameters, HOSTILE_QUERY):
        response = get(client, path, {name: value})
        assert_no_server_error(response, f"GET {path}?{name}={value[:20]!r}")
        if "\x00" in value:
            assert_refused(response, f"GET {path}?{name}={value[:20]!r}")
    # All of them at once, and parameters no view reads.
    assert_no_server_error(get(client, path, dict.fromkeys(parameters, "²")), path)
    for value in ("²", "x" * 3000, LONE_SURROGATE):
        assert_no_server_error(get(client, path, {"utm_source": value, "page": value}), path)
    assert_refused(get(client, path, {"utm_source": "\x00"}), path)


# ---------------------------------------------------------------------------------------------
# Path segments: ids and tokens that cannot exist are a 4xx.


def _path_targets(request):
    event = request.getfixturevalue("event")
    contest = request.getfixturevalue("contest")
    return {
        "event-ics": lambda v: f"/events/{v}/event.ics",
        "participation-report": lambda v: f"/participation/{v}/",
        "join": lambda v: f"/units/join/{v}/",
        "poster": lambda v: f"/units/{v}/poster/",
        "poster-svg": lambda v: f"/units/{v}/poster.svg",
        "poster-town": lambda v: f"/units/{v}/town-posters/",
        "document": lambda v: f"/documents/{v}/x.pdf",
        "contest-sheet": lambda v: f"{contest.url}sheet/{v}/",
        "contest-result": lambda v: f"{contest.url}sheet/{v}/result/",
        "contest-certificate": lambda v: f"{contest.url}sheet/{v}/certificate/",
        "contest-certificate-pdf": lambda v: f"{contest.url}sheet/{v}/certificate/pdf/",
        "contest-certificate-png": lambda v: f"{contest.url}sheet/{v}/certificate/png/",
        "autosave": lambda v: f"/answer-sheets/{v}/answer/",
        "registration": lambda v: f"{event.url}registration/{v}/{v}/",
        "check-in-one": lambda v: f"{event.url}check-in/{v}/",
        "page": lambda v: f"/{v}/",
        "embed-page": lambda v: f"/embed/page/{v}/",
        "subpage": lambda v: f"{event.url}{v}/",
        "api-article": lambda v: f"/api/v1/articles/{v}/",
        "api-event": lambda v: f"/api/v1/events/{v}/",
        "api-contest": lambda v: f"/api/v1/contests/{v}/",
        "embed-outlet": lambda v: f"/embed/outlet/{v}/page/{contest.pk}/",
        "embed-route": lambda v: f"{_outlet_embed(contest)}{v}/",
        "embed-sheet": lambda v: f"{_outlet_embed(contest)}sheet/{v}/",
        "embed-registration": lambda v: f"{_outlet_embed(event)}registration/{v}/{v}/",
        "share-image": lambda v: f"/share/{v}.png",
    }


PATH_TARGETS = [
    "event-ics",
    "participation-report",
    "join",
    "poster",
    "poster-svg",
    "poster-town",
    "document",
    "contest-sheet",
    "contest-result",
    "contest-certificate",
    "contest-certificate-pdf",
    "contest-certificate-png",
    "autosave",
    "registration",
    "check-in-one",
    "page",
    "embed-page",
    "subpage",
    "api-article",
    "api-event",
    "api-contest",
    "embed-outlet",
    "embed-route",
    "embed-sheet",
    "embed-registration",
    "share-image",
]


@pytest.mark.parametrize("target", PATH_TARGETS)
def test_ids_that_cannot_exist_are_a_4xx(request, target, admin_client):
    make_path = _path_targets(request)[target]
    for value in HOSTILE_IDS:
        path = make_path(encode(value))
        response = get(Client(), path)
        if target.startswith("poster") and response.status_code == 302:
            # Staff only: anonymous readers go to the login; staff must get the 4xx.
            response = get(admin_client, path)
        assert_refused(response, f"GET {path}")
    # A whole number far beyond any id, the case SQLite cannot even compare.
    path = make_path("9" * 25)
    assert_refused(get(admin_client, path), f"GET {path} (staff)")


# ---------------------------------------------------------------------------------------------
# POST: every field of every public form, one hostile value at a time beside valid ones.


def _post_each_field(client_factory, path, valid, *, fields=None, nul_refused=True):
    """Post ``valid`` with one field replaced by each hostile value (and missing); a refusal
    (4xx) must leave the database as it was. ``nul_refused=False`` for the admin, where the
    middleware drops control characters from form fields instead of refusing them."""
    for name, value in itertools.product(fields or list(valid), HOSTILE):
        before = written()
        response = post_form(client_factory(), path, {**valid, name: value})
        what = f"POST {path} {name}={value[:20]!r}"
        assert_no_server_error(response, what)
        if response.status_code >= 400:
            assert written() == before, f"{what}: refused ({response.status_code}) but wrote rows"
        if "\x00" in value and nul_refused:
            assert_refused(response, what)
    for name in fields or list(valid):
        response = post_form(client_factory(), path, {k: v for k, v in valid.items() if k != name})
        assert_no_server_error(response, f"POST {path} without {name}")


def test_contest_identify_form(contest, identity):
    _post_each_field(Client, contest.url + "identify/", {**identity, "unit_q": "实验"})


def test_contest_identify_form_in_an_outlets_frame(contest, identity):
    _post_each_field(Client, _outlet_embed(contest) + "identify/", {**identity, "unit_q": "实验"})


def test_contest_forget_and_start_without_a_participant(contest):
    for path in ("forget/", "start/"):
        before = written()
        response = post_form(Client(), contest.url + path, {"x": HOSTILE[3]})
        assert_no_server_error(response, path)
        if response.status_code >= 400:
            assert written() == before


def test_contest_start_with_hostile_fields(contest, participant_client):
    for value in HOSTILE_IDS:
        assert_no_server_error(post_form(participant_client, contest.url + "start/", {"contest": value}), value)


def test_answer_sheet_form(sheet_url, participant_client):
    html = participant_client.get(sheet_url).content.decode()
    names = sorted(set(re.findall(r'name="(q\d+)"', html)))
    assert names, "the sheet has no questions"
    valid = {names[0]: re.search(rf'name="{names[0]}" value="([^"]*)"', html).group(1), "action": "save"}
    # "action" last: anything but "save" submits the sheet, and a submitted sheet takes no more answers.
    _post_each_field(lambda: participant_client, sheet_url, valid, fields=[names[0], "q99999", "confirm", "action"])


AUTOSAVE_BODIES = [
    '{"position": 1e999, "choices": []}',
    '{"position": Infinity, "choices": []}',
    '{"position": NaN, "choices": []}',
    '{"position": 1.5, "choices": []}',
    '{"position": true, "choices": []}',
    '{"position": "1", "choices": []}',
    '{"position": [1], "choices": []}',
    '{"position": {}, "choices": []}',
    '{"position": 99999999999999999999999, "choices": []}',
    '{"position": -1, "choices": []}',
    '{"position": 1, "choices": [1e999]}',
    '{"position": 1, "choices": [true]}',
    '{"position": 1, "choices": [1.5]}',
    '{"position": 1, "choices": [{"a": 1}]}',
    '{"position": 1, "choices": [[1]]}',
    '{"position": 1, "choices": [99999999999999999999]}',
    '{"position": 1, "choices": ["²"]}',
    '{"position": 1, "choices": "x"}',
    '{"position": 1, "choices": null}',
    '{"position": "\\u0000", "choices": []}',
    '{"position": 1, "choices": ["\\ud800"]}',
    "[" * 5000 + "]" * 5000,
    '{"a":' * 5000 + "1" + "}" * 5000,
    "not json",
    "",
    '"string"',
    "null",
    "[]",
]


def test_answer_autosave(sheet_url, participant_client):
    public_id = re.search(r"/sheet/([0-9a-f-]{36})/", sheet_url).group(1)
    path = f"/answer-sheets/{public_id}/answer/"
    for body in AUTOSAVE_BODIES:
        response = participant_client.post(path, data=body, content_type="application/json", REMOTE_ADDR=_address())
        assert_no_server_error(response, f"autosave {body[:40]!r}")
    # The same as a form.
    _post_each_field(lambda: participant_client, path, {"position": "1", "choices": "1"})


def test_event_registration_form(event, registration_fields):
    _post_each_field(Client, event.url + "register/", registration_fields, fields=[*registration_fields, "unit"])


def test_event_registration_form_in_an_outlets_frame(event, registration_fields):
    _post_each_field(Client, _outlet_embed(event) + "register/", registration_fields)


def test_event_registration_page_and_cancel_with_a_wrong_token(event, registration_fields):
    response = post_form(Client(), event.url + "register/", registration_fields)
    assert response.status_code == 302
    page = response["Location"]
    assert_no_server_error(Client().get(page), page)
    wrong = re.sub(r"/[^/]+/$", "/" + encode("x" * 300) + "/", page)
    before = written()
    assert_refused(post_form(Client(), wrong, {}), wrong)
    assert written() == before


def test_my_registrations_lookup(event):
    index = event.get_parent().specific
    _post_each_field(Client, index.url + "mine/", {"phone": "13812345678", "code": "12345678"})


def test_admin_login_form(client):
    _post_each_field(
        Client,
        "/admin/login/",
        {"username": "bianji", "password": "wrong-password", "next": "/admin/"},
        nul_refused=False,
    )


# ---------------------------------------------------------------------------------------------
# Coverage: every public route has a place above.

COVERED_PREFIXES = (
    "admin/",  # staff only: the login form is above
    "documents/",
    "search/",
    "reading-mode/",
    "units/",
    "answer-sheets/",
    "events/",
    "participation/",
    "sitemap.xml",
    "robots.txt",
    "favicon.ico",
    "oembed/",
    "embed/page/",
    "api/",
    "embed/outlet/",
    "share/",
    "wechat/",
    "media/",  # DEBUG only
)
COVERED_ROUTES = {
    "ArticlePage": {"index_route", "article", "print_view"},
    "ContestPage": {
        "index_route",
        "landing",
        "identify",
        "forget",
        "start",
        "sheet",
        "result",
        "certificate",
        "certificate_pdf",
        "certificate_png",
        "rankings",
    },
    "EventPage": {"index_route", "detail", "register", "registration", "check_in_list", "check_in"},
    "EventIndexPage": {"upcoming", "index_route", "past", "calendar", "my_registrations"},
    "HomePage": {"index_route", "rss_feed", "atom_feed", "json_feed"},
    "ColumnIndexPage": {"index_route", "rss_feed", "atom_feed", "json_feed"},
}


def test_every_public_route_is_covered():
    prefixes = []
    for entry in get_resolver().url_patterns:
        if isinstance(entry, URLResolver | URLPattern):
            prefixes.append(str(entry.pattern).removeprefix("^"))
    uncovered = [prefix for prefix in prefixes if prefix and not prefix.startswith(COVERED_PREFIXES)]
    # The empty prefix is Wagtail's page serving: its page types are covered below.
    assert uncovered == [], uncovered

    routable = {type(page) for page in Page.objects.live().specific() if isinstance(page, RoutablePageMixin)}
    for model in routable:
        routes = {pattern.name for pattern in model().get_subpage_urls()}
        covered = COVERED_ROUTES.get(model.__name__, set())
        assert routes <= covered, (model.__name__, routes - covered)
