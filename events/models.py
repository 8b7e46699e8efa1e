import uuid
from decimal import Decimal

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import StreamField
from wagtail.models import Orderable, Page, PageManager
from wagtail.query import PageQuerySet
from wagtail.search import index

from core.embedding import embed_of
from core.privacy import MOBILE_PHONE_REGEX, mask_name, mask_phone
from core.structured_data import absolute_url
from home.blocks import ArticleBodyBlock
from organizations.people import ALIAS_PREFIX, is_anonymous_alias

# Neither the views nor the selectors import this module: they look the models up when called.
from . import selectors, views
from .choices import EnteredBy, EventKind, EventStatus, ExceptionAction, RegistrationStatus
from .recurrence import RecurrenceError, parse_rule


class EventIndexPage(RoutablePageMixin, Page):
    """The events section: upcoming list, month calendar and past events (活动回顾). The .ics feeds
    live in events/urls.py: Wagtail's page URLs always end in a slash, a file name cannot."""

    intro = models.TextField(_("简介"), blank=True, max_length=500)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["home.HomePage"]
    subpage_types = ["events.EventPage"]

    class Meta:
        verbose_name = _("活动列表")

    @path("")
    def upcoming(self, request):
        return views.upcoming(request, self)

    @path("past/")
    def past(self, request):
        return views.past(request, self)

    @path("calendar/")
    def calendar(self, request):
        return views.calendar(request, self)

    @path("mine/")
    def my_registrations(self, request):
        return views.my_registrations(request, self)


class EventPageQuerySet(PageQuerySet):
    def visible(self):
        """What readers, feeds and JSON may show: published and without a view restriction."""
        return self.live().public()

    def for_listing(self):
        return (
            self.visible()
            .select_related("organiser", "organiser__town")
            .prefetch_related("audiences", "exceptions")
            .order_by("starts_at", "pk")
        )

    def of_kind(self, kind):
        return self.filter(kind=kind) if kind else self

    def in_town(self, town):
        # The organiser may be the town itself or a unit under it.
        return self.filter(Q(organiser=town) | Q(organiser__town=town)) if town else self

    def for_audience(self, audience):
        return self.filter(audiences=audience) if audience else self

    def may_occur_after(self, moment):
        # A recurring event's later occurrences can fall after its first one ends.
        return self.filter(Q(ends_at__gte=moment) | ~Q(rrule=""))

    def may_occur_before(self, moment):
        return self.filter(starts_at__lt=moment)


class EventPage(RoutablePageMixin, Page):
    # An outlet's embed keeps the registration flow (register, the registrant's page, cancelling)
    # in its frame (core.embedding); the staff check-in routes are not embedded.
    embed_routes = True

    kind = models.CharField(_("活动类型"), max_length=20, choices=EventKind.choices, default=EventKind.OTHER)
    summary = models.TextField(_("活动简介"), max_length=300)
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    venue_name = models.CharField(_("地点名称"), max_length=100)
    venue_address = models.CharField(_("详细地址"), max_length=200, blank=True)
    # Coordinates as shown by AMap (GCJ-02). Baidu uses BD-09; its link passes coord_type=gcj02 so
    # Baidu converts, and WGS-84 coordinates from a GPS device would be off by a few hundred metres.
    latitude = models.DecimalField(
        _("纬度（高德坐标）"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(-90)), MaxValueValidator(Decimal(90))],
    )
    longitude = models.DecimalField(
        _("经度（高德坐标）"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(-180)), MaxValueValidator(Decimal(180))],
    )
    organiser = models.ForeignKey(
        "organizations.Unit", verbose_name=_("主办单位"), on_delete=models.PROTECT, related_name="organised_events"
    )
    audiences = ParentalManyToManyField("home.Audience", verbose_name=_("面向对象"), related_name="events", blank=True)
    body = StreamField(ArticleBodyBlock(), verbose_name=_("活动详情"), blank=True)
    related_contest = models.ForeignKey(
        "quizzes.ContestPage",
        verbose_name=_("相关答卷"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="events",
    )
    related_articles = ParentalManyToManyField(
        "home.ArticlePage", verbose_name=_("相关文章"), related_name="events", blank=True
    )
    status = models.CharField(_("活动状态"), max_length=20, choices=EventStatus.choices, default=EventStatus.SCHEDULED)
    status_note = models.CharField(_("状态说明"), max_length=200, blank=True)
    rrule = models.CharField(
        _("重复规则"),
        max_length=200,
        blank=True,
        help_text=_("RFC 5545 规则，须含 COUNT 或 UNTIL，例如“FREQ=WEEKLY;BYDAY=SA;UNTIL=20260630T235959”。"),
    )
    # Kept by services.update_sequence on every full save (events.signals).
    sequence = models.PositiveIntegerField(_("修订号"), default=0, editable=False)
    registration_enabled = models.BooleanField(_("开放报名"), default=False)
    capacity = models.PositiveIntegerField(
        _("名额（每场）"), null=True, blank=True, help_text=_("留空表示不限名额。"), validators=[MinValueValidator(1)]
    )
    registration_opens_at = models.DateTimeField(_("报名开始时间"), null=True, blank=True)
    registration_closes_at = models.DateTimeField(
        _("报名截止时间"), null=True, blank=True, help_text=_("留空表示报名到活动开始为止。")
    )
    allow_groups = models.BooleanField(_("允许单位集体报名"), default=False)
    report = StreamField(ArticleBodyBlock(), verbose_name=_("活动报道"), blank=True)
    # Which campaign's participation figures this event's registrations and attendance count towards.
    campaign = models.ForeignKey(
        "organizations.Campaign",
        verbose_name=_("宣传活动"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="event_pages",
    )

    objects = PageManager.from_queryset(EventPageQuerySet)()

    content_panels = Page.content_panels + [
        FieldRowPanel([FieldPanel("kind"), FieldPanel("organiser")]),
        FieldPanel("campaign"),
        FieldPanel("summary"),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("starts_at"), FieldPanel("ends_at")]),
                FieldPanel("rrule"),
                InlinePanel("exceptions", label=_("单场取消或改期")),
                FieldRowPanel([FieldPanel("status"), FieldPanel("status_note")]),
            ],
            heading=_("时间与状态"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("venue_name"),
                FieldPanel("venue_address"),
                FieldRowPanel([FieldPanel("latitude"), FieldPanel("longitude")]),
            ],
            heading=_("地点"),
        ),
        FieldPanel("audiences", widget=forms.CheckboxSelectMultiple),
        FieldPanel("body"),
        MultiFieldPanel(
            [FieldPanel("related_contest"), FieldPanel("related_articles")],
            heading=_("相关内容"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("registration_enabled"),
                FieldRowPanel([FieldPanel("capacity"), FieldPanel("allow_groups")]),
                FieldRowPanel([FieldPanel("registration_opens_at"), FieldPanel("registration_closes_at")]),
            ],
            heading=_("报名"),
        ),
        MultiFieldPanel(
            [InlinePanel("attendance", label=_("参加人数")), FieldPanel("report")],
            heading=_("活动结束后"),
        ),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("summary"),
        index.SearchField("body"),
        index.SearchField("venue_name"),
        index.FilterField("starts_at"),
    ]

    parent_page_types = ["events.EventIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("活动")
        verbose_name_plural = _("活动")
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gte=F("starts_at")), name="events_event_ends_after_start"),
            models.CheckConstraint(
                condition=Q(capacity__isnull=True) | Q(capacity__gte=1), name="events_event_capacity_positive"
            ),
        ]

    def clean(self):
        super().clean()
        errors = {}
        if self.starts_at and self.ends_at and self.ends_at < self.starts_at:
            errors["ends_at"] = _("结束时间不能早于开始时间。")
        if (self.latitude is None) != (self.longitude is None):
            errors["longitude"] = _("经度和纬度须同时填写或同时留空。")
        if self.rrule:
            try:
                self.rrule = parse_rule(self.rrule, starts_at=self.starts_at).text if self.starts_at else self.rrule
            except RecurrenceError as error:
                errors["rrule"] = error.message
        if (
            self.registration_opens_at
            and self.registration_closes_at
            and self.registration_closes_at <= self.registration_opens_at
        ):
            errors["registration_closes_at"] = _("报名截止时间必须晚于报名开始时间。")
        if errors:
            raise ValidationError(errors)

    @property
    def is_recurring(self):
        return bool(self.rrule)

    @property
    def map_links(self):
        """Links that open the venue in AMap and Baidu Maps (never Google, which is blocked)."""
        if self.latitude is None or self.longitude is None:
            return []
        return selectors.map_links(event=self)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context.update(
            selectors.event_detail(
                event=self, url=absolute_url(request, self.get_url(request=request)), host=request.get_host()
            )
        )
        embedded = embed_of(request) is not None
        # No staff link inside an outlet's frame (the check-in routes are not embedded).
        context["may_check_in"] = (
            self.registration_enabled and not embedded and selectors.check_in_access(user=request.user, event=self)[0]
        )
        return context

    @path("")
    def detail(self, request):
        return self.render(request)

    @path("register/")
    def register(self, request):
        return views.register(request, self)

    @path("registration/<uuid:public_id>/<str:token>/")
    def registration(self, request, public_id, token):
        return views.registration(request, self, public_id, token)

    # Staff pages, kept out of an outlet's frame: their sign-in (the admin's) refuses to be framed.
    @path("check-in/")
    def check_in_list(self, request):
        _not_embedded(request)
        return views.check_in_list(request, self)

    @path("check-in/<uuid:public_id>/")
    def check_in(self, request, public_id):
        _not_embedded(request)
        return views.check_in(request, self, public_id)


def _not_embedded(request):
    if embed_of(request) is not None:
        raise Http404


class EventException(Orderable):
    """One occurrence of a recurring event cancelled, or moved to another time."""

    page = ParentalKey(EventPage, on_delete=models.CASCADE, related_name="exceptions")
    original_date = models.DateField(_("原定日期"))
    action = models.CharField(_("处理方式"), max_length=10, choices=ExceptionAction.choices)
    new_starts_at = models.DateTimeField(_("新的开始时间"), null=True, blank=True)
    new_ends_at = models.DateTimeField(_("新的结束时间"), null=True, blank=True)

    panels = [
        FieldRowPanel([FieldPanel("original_date"), FieldPanel("action")]),
        FieldRowPanel([FieldPanel("new_starts_at"), FieldPanel("new_ends_at")]),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("单场变更")
        constraints = [
            models.UniqueConstraint(fields=["page", "original_date"], name="events_exception_one_per_date"),
            models.CheckConstraint(
                condition=Q(action=ExceptionAction.CANCEL)
                | Q(new_starts_at__isnull=False, new_ends_at__isnull=False, new_ends_at__gte=F("new_starts_at")),
                name="events_exception_move_has_times",
            ),
        ]

    def clean(self):
        super().clean()
        if self.action == ExceptionAction.MOVE:
            if not (self.new_starts_at and self.new_ends_at):
                raise ValidationError({"new_starts_at": _("改期须填写新的开始和结束时间。")})
            if self.new_ends_at < self.new_starts_at:
                raise ValidationError({"new_ends_at": _("结束时间不能早于开始时间。")})


class AttendanceRecord(Orderable):
    """How many people of a unit attended, recorded by staff after the event."""

    page = ParentalKey(EventPage, on_delete=models.CASCADE, related_name="attendance")
    unit = models.ForeignKey(
        "organizations.Unit", verbose_name=_("单位"), on_delete=models.PROTECT, related_name="event_attendance"
    )
    count = models.PositiveIntegerField(_("参加人数"), validators=[MinValueValidator(1)])

    panels = [FieldRowPanel([FieldPanel("unit"), FieldPanel("count")])]

    class Meta(Orderable.Meta):
        verbose_name = _("参加人数")
        constraints = [
            models.UniqueConstraint(fields=["page", "unit"], name="events_attendance_one_per_unit"),
            models.CheckConstraint(condition=Q(count__gte=1), name="events_attendance_count_positive"),
        ]


class RegistrationQuerySet(models.QuerySet):
    def for_occurrence(self, event, occurrence_date):
        return self.filter(event=event, occurrence_date=occurrence_date)

    def confirmed(self):
        return self.filter(status=RegistrationStatus.CONFIRMED)

    def waitlisted(self):
        return self.filter(status=RegistrationStatus.WAITLISTED)

    def active(self):
        return self.exclude(status=RegistrationStatus.CANCELLED)


class Registration(models.Model):
    """One 报名: a person, or a unit's group of ``party_size`` people, for one occurrence."""

    public_id = models.UUIDField(_("报名编号"), default=uuid.uuid4, unique=True, editable=False)
    event = models.ForeignKey(EventPage, verbose_name=_("活动"), on_delete=models.CASCADE, related_name="registrations")
    occurrence_date = models.DateField(_("场次日期"))
    name = models.CharField(_("姓名"), max_length=30)
    unit = models.ForeignKey(
        "organizations.Unit",
        verbose_name=_("单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="event_registrations",
    )
    # Empty only once anonymised (events.privacy): the person's alias then stands for them alone.
    phone = models.CharField(_("手机号"), max_length=11, blank=True)
    party_size = models.PositiveIntegerField(_("人数"), default=1, validators=[MinValueValidator(1)])
    status = models.CharField(_("状态"), max_length=12, choices=RegistrationStatus.choices)
    # Only the hash is kept: the cancel link is shown once to the person who registered.
    token_hash = models.CharField(_("取消链接摘要"), max_length=64, editable=False)
    # The 查询码 for 我的报名 (events.lookup), as a keyed digest of phone and code; "" for rows from
    # before codes and once anonymised.
    lookup_code_hash = models.CharField(_("查询码摘要"), max_length=64, blank=True, editable=False, db_index=True)
    created_at = models.DateTimeField(_("报名时间"), auto_now_add=True)
    checked_in_at = models.DateTimeField(_("签到时间"), null=True, blank=True)
    entered_by = models.CharField(_("报名方式"), max_length=10, choices=EnteredBy.choices, editable=False)
    # Minors register with a phone too: the public form asks them to confirm 我已满18周岁，或已获得
    # 监护人同意 (services.ADULT_OR_GUARDIAN_CONSENT_TEXT of this version). Kept when anonymised: it
    # names nobody and shows the phone was collected lawfully.
    adult_or_guardian_consent_at = models.DateTimeField(_("年龄确认时间"), null=True, blank=True, editable=False)
    adult_or_guardian_consent_version = models.CharField(
        _("年龄确认文本版本"), max_length=20, blank=True, editable=False
    )
    # The outlet whose embed the registration was made in (core.embedding), for its report.
    outlet = models.ForeignKey(
        "core.MediaOutlet",
        verbose_name=_("合作媒体"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="event_registrations",
    )

    objects = RegistrationQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("报名")
        verbose_name_plural = _("报名")
        constraints = [
            # Anonymised registrations (phone "") are no phone's: any number of them may remain.
            models.UniqueConstraint(
                fields=["event", "occurrence_date", "phone"],
                condition=~Q(status=RegistrationStatus.CANCELLED) & ~Q(phone=""),
                name="events_registration_one_per_phone",
            ),
            models.CheckConstraint(
                condition=Q(phone="") | Q(phone__regex=MOBILE_PHONE_REGEX), name="events_registration_phone_format"
            ),
            models.CheckConstraint(
                condition=~Q(phone="") | Q(name__startswith=ALIAS_PREFIX),
                name="events_registration_no_phone_only_anonymised",
            ),
            models.CheckConstraint(
                condition=Q(entered_by__in=EnteredBy.values), name="events_registration_entered_by_valid"
            ),
            models.CheckConstraint(
                condition=Q(adult_or_guardian_consent_at__isnull=True, adult_or_guardian_consent_version="")
                | Q(adult_or_guardian_consent_at__isnull=False) & ~Q(adult_or_guardian_consent_version=""),
                name="events_registration_consent_has_version",
            ),
            # Every registration made on the public form has the confirmation, anonymised or not.
            models.CheckConstraint(
                condition=~Q(entered_by=EnteredBy.PUBLIC) | Q(adult_or_guardian_consent_at__isnull=False),
                name="events_registration_public_has_consent",
            ),
            models.CheckConstraint(condition=Q(party_size__gte=1), name="events_registration_party_positive"),
            models.CheckConstraint(
                condition=Q(status__in=RegistrationStatus.values), name="events_registration_status_valid"
            ),
        ]
        indexes = [models.Index(fields=["event", "occurrence_date", "status"])]

    def __str__(self):
        return f"{self.name}（{self.masked_phone}）"

    def clean(self):
        super().clean()
        if not self.phone and not is_anonymous_alias(self.name):
            raise ValidationError({"phone": _("请填写手机号。")})

    @property
    def masked_phone(self):
        return mask_phone(self.phone)

    @property
    def masked_name(self):
        """The name as the check-in pages show it (张*明); with the phone's last four digits in
        masked_phone a volunteer still finds the person."""
        return mask_name(self.name)


class CheckInVolunteer(models.Model):
    """An account that may check people in at one event (签到志愿者) without any right to edit or
    publish it: volunteers at the door are often not staff."""

    event = models.ForeignKey(
        EventPage, verbose_name=_("活动"), on_delete=models.CASCADE, related_name="check_in_volunteers"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("账号"), on_delete=models.CASCADE, related_name="event_check_ins"
    )

    class Meta:
        ordering = ["event", "user__username"]
        verbose_name = _("签到志愿者")
        verbose_name_plural = _("签到志愿者")
        constraints = [models.UniqueConstraint(fields=["event", "user"], name="events_volunteer_once_per_event")]

    def __str__(self):
        return f"{self.user.get_username()}（{self.event.title}）"
