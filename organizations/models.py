import datetime
import re
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from wagtail.search import index

from core.privacy import MOBILE_PHONE_REGEX, is_mobile_phone


class UnitKind(models.TextChoices):
    CITY = "city", _("市")
    TOWN = "town", _("镇/街道/开发区")
    COMMUNITY = "community", _("社区/村")
    SCHOOL = "school", _("学校")
    ENTERPRISE = "enterprise", _("企业")
    GOVERNMENT = "government", _("机关单位")
    OTHER = "other", _("其他")


# Which kinds of unit each kind may sit under. Only the city and towns have children, and a town's
# parent is always the city, so a tree that obeys this table has no cycles and is at most three deep.
ALLOWED_PARENT_KINDS = {
    UnitKind.CITY: (),
    UnitKind.TOWN: (UnitKind.CITY,),
    UnitKind.COMMUNITY: (UnitKind.TOWN,),
    UnitKind.SCHOOL: (UnitKind.TOWN,),
    UnitKind.ENTERPRISE: (UnitKind.TOWN,),
    UnitKind.GOVERNMENT: (UnitKind.CITY, UnitKind.TOWN),
    UnitKind.OTHER: (UnitKind.CITY, UnitKind.TOWN),
}
# The kinds that other units may sit under.
PARENT_KINDS = tuple(dict.fromkeys(kind for kinds in ALLOWED_PARENT_KINDS.values() for kind in kinds))
TOWN_MEMBER_KINDS = (UnitKind.COMMUNITY, UnitKind.SCHOOL, UnitKind.ENTERPRISE)
CITY_OR_TOWN_MEMBER_KINDS = (UnitKind.GOVERNMENT, UnitKind.OTHER)

# A spreadsheet program runs a cell that starts with one of these as a formula, so names and
# aliases may not, and exported files are safe to open.
FORMULA_PREFIXES = ("=", "+", "-", "@")


def formula_errors(values_by_field):
    """``{field: message}`` for every field with a value a spreadsheet would run as a formula
    (these names go into exports). ``values_by_field`` maps a field to its list of values."""
    return {
        field: gettext("不能以 = + - @ 开头（电子表格会把它当作公式）。")
        for field, values in values_by_field.items()
        if any(value.startswith(FORMULA_PREFIXES) for value in values)
    }


JOIN_TOKEN_LENGTH = 24

# A liaison's phone: a mobile number, or a landline with its area code (0532-12345678), optionally
# with an extension (0532-12345678-123). The check constraint uses it too, so it ends with \Z like
# MOBILE_PHONE_REGEX (no match before a final newline on either database).
LANDLINE_PHONE_REGEX = r"^0[1-9][0-9]{1,2}-[1-9][0-9]{6,7}(-[0-9]{1,6})?\Z"
_LANDLINE_PHONE = re.compile(LANDLINE_PHONE_REGEX)
LIAISON_PHONE_MESSAGE = _("联系电话应为11位手机号，或带区号的固定电话，例如 0532-12345678。")


def validate_liaison_phone(value):
    if not (is_mobile_phone(value) or _LANDLINE_PHONE.fullmatch(value)):
        raise ValidationError(LIAISON_PHONE_MESSAGE, code="invalid")


def new_join_token():
    return secrets.token_urlsafe(JOIN_TOKEN_LENGTH * 3 // 4)


def split_aliases(text):
    return [line.strip() for line in text.splitlines() if line.strip()]


class UnitQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def of_kind(self, *kinds):
        return self.filter(kind__in=kinds) if kinds else self

    def search_text(self, q):
        """Name or alias contains ``q``. A plain LIKE, so it behaves the same on SQLite and
        PostgreSQL and needs no search index (Chinese has no letter case to fold)."""
        q = q.strip()
        return self.filter(Q(name__icontains=q) | Q(aliases__icontains=q)) if q else self


class Unit(index.Indexed, models.Model):
    """A unit of the city's tree: the city, its towns (streets, development zones), and the
    communities, schools, enterprises and government bodies that belong to them."""

    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=20, choices=UnitKind)
    code = models.CharField(
        _("代码"),
        max_length=40,
        blank=True,
        help_text=_("统一社会信用代码、学校代码或区划代码，没有可不填。"),
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    town = models.ForeignKey(
        "self",
        verbose_name=_("所属镇街"),
        null=True,
        blank=True,
        # Not PROTECT: a town points at itself, which would make every town undeletable. Units
        # under a town are protected by ``parent`` already.
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    aliases = models.TextField(
        _("别名"), blank=True, help_text=_("每行一个，例如“实验小学”。参与者搜索单位时也会匹配别名。")
    )
    is_active = models.BooleanField(_("启用"), default=True)
    liaison_name = models.CharField(
        _("联系人"), max_length=40, blank=True, help_text=_("负责组织本单位参与的联络人，例如“王老师”。")
    )
    liaison_phone = models.CharField(
        _("联系电话"),
        max_length=24,
        blank=True,
        validators=[validate_liaison_phone],
        help_text=_("手机号，或带区号的固定电话，例如 0532-12345678。"),
    )
    join_token = models.CharField(
        _("扫码口令"), max_length=JOIN_TOKEN_LENGTH, unique=True, editable=False, default=new_join_token
    )

    objects = UnitQuerySet.as_manager()

    search_fields = [
        index.SearchField("name"),
        index.SearchField("aliases"),
        index.AutocompleteField("name"),
        # The admin searches only autocomplete fields when a model has any.
        index.AutocompleteField("aliases"),
        # The admin listing filters and sorts before it searches, and the backend can only do
        # that on fields declared here.
        index.FilterField("name"),
        index.FilterField("kind"),
        index.FilterField("town"),
        index.FilterField("is_active"),
        # A liaison's unit listing is narrowed to its subtree by id (organizations.scopes).
        index.FilterField("id"),
    ]

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("单位")
        verbose_name_plural = _("单位")
        constraints = [
            models.UniqueConstraint(
                fields=["parent", "name"],
                name="organizations_unit_unique_name_per_parent",
                violation_error_message=_("同一上级单位下已有同名单位。"),
            ),
            # NULL parents never collide in the constraint above.
            models.UniqueConstraint(
                fields=["name"],
                condition=Q(parent__isnull=True),
                name="organizations_unit_unique_root_name",
                violation_error_message=_("已有同名的市级单位。"),
                violation_error_code="unique",
            ),
            models.UniqueConstraint(
                fields=["code"],
                condition=~Q(code=""),
                name="organizations_unit_unique_code",
                violation_error_message=_("这个代码已被其他单位使用。"),
                violation_error_code="unique",
            ),
            models.CheckConstraint(
                condition=Q(kind=UnitKind.CITY, parent__isnull=True)
                | (~Q(kind=UnitKind.CITY) & Q(parent__isnull=False)),
                name="organizations_unit_only_city_is_root",
                violation_error_message=_("市没有上级单位，其他单位都必须有上级单位。"),
            ),
            models.CheckConstraint(
                condition=~Q(parent=F("pk")),
                name="organizations_unit_not_own_parent",
                violation_error_message=_("单位不能以自己为上级单位。"),
            ),
            # ``town`` is the nearest town at or above the unit, so for these kinds it equals the
            # parent exactly when the parent is a town.
            models.CheckConstraint(
                condition=~Q(kind__in=TOWN_MEMBER_KINDS) | Q(town__isnull=False, town=F("parent")),
                name="organizations_unit_member_under_town",
                violation_error_message=_("社区/村、学校和企业的上级单位必须是镇/街道/开发区。"),
            ),
            models.CheckConstraint(
                condition=~Q(kind__in=CITY_OR_TOWN_MEMBER_KINDS) | Q(town__isnull=True) | Q(town=F("parent")),
                name="organizations_unit_body_under_city_or_town",
                violation_error_message=_("机关单位和其他单位的上级单位必须是市或镇/街道/开发区。"),
            ),
            models.CheckConstraint(
                condition=Q(liaison_phone="")
                | Q(liaison_phone__regex=MOBILE_PHONE_REGEX)
                | Q(liaison_phone__regex=LANDLINE_PHONE_REGEX),
                name="organizations_unit_liaison_phone_format",
                violation_error_message=LIAISON_PHONE_MESSAGE,
            ),
            # Whoever follows up a unit needs to know whom they are calling.
            models.CheckConstraint(
                condition=Q(liaison_phone="") | ~Q(liaison_name=""),
                name="organizations_unit_liaison_phone_has_name",
                violation_error_message=_("填写联系电话时请同时填写联系人。"),
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def alias_list(self):
        return split_aliases(self.aliases)

    def get_join_url(self) -> str:
        return reverse("organizations:join", args=[self.join_token])

    def _ancestors(self):
        """The chain of parents upwards, stopping before a unit repeats (an invalid tree being
        validated may loop)."""
        seen = {self.pk} if self.pk else set()
        node = self.parent
        while node is not None and node.pk not in seen:
            seen.add(node.pk)
            yield node
            node = node.parent

    def nearest_town(self):
        if self.kind == UnitKind.TOWN:
            return self if self.pk else None
        return next((node for node in self._ancestors() if node.kind == UnitKind.TOWN), None)

    def clean(self):
        super().clean()
        self.aliases = "\n".join(dict.fromkeys(self.alias_list))
        errors = formula_errors({"name": [self.name], "aliases": self.alias_list, "liaison_name": [self.liaison_name]})
        if self.liaison_phone and not self.liaison_name:
            errors["liaison_name"] = gettext("填写联系电话时请同时填写联系人。")
        if self.kind in ALLOWED_PARENT_KINDS:
            parent_error = self._parent_error()
            if parent_error:
                errors["parent"] = parent_error
            else:
                # The check constraints compare ``town`` with ``parent``; keep it current for them.
                self.town = self.nearest_town()
                kind_error = self._children_error() if self.pk else None
                if kind_error:
                    errors["kind"] = kind_error
        if errors:
            raise ValidationError(errors)

    def _parent_error(self):
        allowed = ALLOWED_PARENT_KINDS[self.kind]
        parent = self.parent
        kind_label = _kind_label(self.kind)
        if parent is None:
            if allowed:
                return gettext("请选择上级单位：%(kind)s必须属于%(parents)s。") % {
                    "kind": kind_label,
                    "parents": _join_kinds(allowed),
                }
            return None
        if self.pk and parent.pk == self.pk:
            return gettext("单位不能以自己为上级单位。")
        if self.pk and any(node.pk == self.pk for node in parent._ancestors()):
            return gettext("上级单位不能是本单位的下级单位。")
        if not allowed:
            return gettext("%(kind)s是最上级单位，不能有上级单位。") % {"kind": kind_label}
        if parent.kind not in allowed:
            return gettext("%(kind)s的上级单位必须是%(parents)s，“%(parent)s”是%(parent_kind)s。") % {
                "kind": kind_label,
                "parents": _join_kinds(allowed),
                "parent": parent.name,
                "parent_kind": _kind_label(parent.kind),
            }
        return None

    def _children_error(self):
        """A unit that has children cannot become a kind those children may not belong to."""
        for child_kind in self.children.values_list("kind", flat=True).distinct():
            if self.kind not in ALLOWED_PARENT_KINDS[child_kind]:
                return gettext("该单位下有%(child_kind)s，不能改为%(kind)s。") % {
                    "child_kind": _kind_label(child_kind),
                    "kind": _kind_label(self.kind),
                }
        return None


def _kind_label(kind):
    return f"“{UnitKind(kind).label}”"


def _join_kinds(kinds):
    return gettext("或").join(_kind_label(kind) for kind in kinds)


class AudienceGroup(models.TextChoices):
    """Who a headcount, a contest sheet or an event entry counts: the one vocabulary that
    participation compares across apps."""

    STUDENTS = "students", _("学生")
    STAFF = "staff", _("职工")
    RESIDENTS = "residents", _("居民")
    OFFICIALS = "officials", _("机关干部")


AUDIENCE_BY_UNIT_KIND = {
    UnitKind.SCHOOL: AudienceGroup.STUDENTS,
    UnitKind.ENTERPRISE: AudienceGroup.STAFF,
    UnitKind.GOVERNMENT: AudienceGroup.OFFICIALS,
}


def audience_for_unit_kind(kind) -> AudienceGroup:
    """The audience a unit of this kind brings: people who take part through a community, a town,
    the city or another body are counted as residents."""
    return AUDIENCE_BY_UNIT_KIND.get(kind, AudienceGroup.RESIDENTS)


MIN_CAMPAIGN_YEAR = 2000
MAX_CAMPAIGN_YEAR = 2100
DEFAULT_RETENTION_DAYS = 180
MAX_RETENTION_DAYS = 3650


class Campaign(models.Model):
    """A publicity campaign, e.g. 2026年安全生产月 (6月1日–6月30日): it groups contests, events,
    activities and the expected headcounts that participation is measured against."""

    name = models.CharField(_("名称"), max_length=60, unique=True)
    year = models.PositiveSmallIntegerField(
        _("年份"), validators=[MinValueValidator(MIN_CAMPAIGN_YEAR), MaxValueValidator(MAX_CAMPAIGN_YEAR)]
    )
    theme = models.CharField(_("主题"), max_length=100, blank=True)
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    public_report = models.BooleanField(
        _("公开参与情况"),
        default=False,
        help_text=_("开启后，公众可以看到按镇街和单位类型统计的参与率（不含个人信息）。"),
    )
    retention_days = models.PositiveSmallIntegerField(
        _("个人信息保留天数"),
        default=DEFAULT_RETENTION_DAYS,
        validators=[MaxValueValidator(MAX_RETENTION_DAYS)],
        help_text=_(
            "活动结束后保留参与者姓名、班级、手机号和 IP 地址的天数。期满后这些信息被匿名化，参与人数等统计不变。"
        ),
    )

    class Meta:
        ordering = ["-starts_on", "name"]
        verbose_name = _("宣传活动")
        verbose_name_plural = _("宣传活动")
        # On the campaign because a campaign is what personal data is collected for.
        permissions = [("manage_personal_data", _("可以查询、导出和删除个人信息"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")),
                name="organizations_campaign_ends_after_start",
                violation_error_message=_("结束日期不能早于开始日期。"),
            ),
            models.CheckConstraint(
                condition=Q(year__gte=MIN_CAMPAIGN_YEAR, year__lte=MAX_CAMPAIGN_YEAR),
                name="organizations_campaign_year_range",
                violation_error_message=_("年份应在2000年到2100年之间。"),
            ),
            models.CheckConstraint(
                condition=Q(retention_days__lte=MAX_RETENTION_DAYS),
                name="organizations_campaign_retention_range",
                violation_error_message=_("个人信息最多保留3650天。"),
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def personal_data_kept_until(self) -> datetime.date:
        """The last day personal data of this campaign is kept; it is anonymised the day after."""
        return self.ends_on + datetime.timedelta(days=self.retention_days)

    def clean(self):
        super().clean()
        # The name is the 活动 column of headcount files, and both appear in exports.
        errors = formula_errors({"name": [self.name], "theme": [self.theme]})
        if errors:
            raise ValidationError(errors)


class Headcount(models.Model):
    """How many people of one audience a unit is expected to bring to a campaign: the denominator
    of its participation rate."""

    unit = models.ForeignKey(Unit, verbose_name=_("单位"), on_delete=models.CASCADE, related_name="headcounts")
    campaign = models.ForeignKey(
        Campaign, verbose_name=_("宣传活动"), on_delete=models.PROTECT, related_name="headcounts"
    )
    audience = models.CharField(_("对象"), max_length=20, choices=AudienceGroup)
    expected = models.PositiveIntegerField(_("应参与人数"))

    class Meta:
        ordering = ["-campaign__starts_on", "unit__name", "audience"]
        verbose_name = _("应参与人数")
        verbose_name_plural = _("应参与人数")
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "campaign", "audience"],
                name="organizations_headcount_unique_per_campaign",
                violation_error_message=_("这个单位在该宣传活动中已有该对象的应参与人数。"),
            ),
        ]

    def __str__(self):
        return f"{self.unit}（{self.campaign}，{self.get_audience_display()}）"


class StaffScope(models.Model):
    """Limits a staff account to one unit's subtree: a school liaison sees that school, a town
    official that town and every unit under it. Accounts without one (and superusers) see the
    whole city. Read through ``organizations.scopes``."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("账号"), on_delete=models.CASCADE, related_name="staff_scope"
    )
    unit = models.ForeignKey(Unit, verbose_name=_("负责单位"), on_delete=models.PROTECT, related_name="staff_scopes")

    class Meta:
        ordering = ["unit__name", "user__username"]
        verbose_name = _("联络员账号")
        verbose_name_plural = _("联络员账号")

    def __str__(self):
        return f"{self.user.get_username()}（{self.unit}）"
