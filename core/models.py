"""A spreadsheet export that runs as a background task (core.exports): who asked for which table in
which scope, how far the task has got, and the finished file. Apps say what the table holds; the
job only knows its label, its parameters and its rows written so far."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from . import outlets


class ExportFormat(models.TextChoices):
    XLSX = "xlsx", _("Excel（.xlsx）")
    CSV = "csv", _("CSV（UTF-8）")


class ExportStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("正在导出")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")


class ExportJob(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("账号"), on_delete=models.CASCADE, related_name="export_jobs"
    )
    # What the table is (its key in the app that builds it) and how a person reads it.
    table = models.CharField(_("表格"), max_length=40)
    label = models.CharField(_("名称"), max_length=100)
    scope = models.CharField(_("范围"), max_length=200, blank=True)
    params = models.JSONField(_("参数"), default=dict, blank=True)
    format = models.CharField(_("格式"), max_length=10, choices=ExportFormat)
    status = models.CharField(_("状态"), max_length=10, choices=ExportStatus, default=ExportStatus.QUEUED)
    rows_done = models.PositiveIntegerField(_("已写行数"), default=0)
    rows_total = models.PositiveIntegerField(_("总行数"), null=True, blank=True)
    # Stored under a random name (an export may be reachable where MEDIA_ROOT is served);
    # ``filename`` is the Chinese name the download is given.
    file = models.FileField(_("文件"), upload_to="exports/", blank=True)
    filename = models.CharField(_("文件名"), max_length=200)
    error = models.CharField(_("错误信息"), max_length=300, blank=True)
    task_id = models.CharField(_("后台任务编号"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("导出任务")
        verbose_name_plural = _("导出任务")
        indexes = [models.Index(fields=["user", "-created_at"], name="core_export_user_recent")]
        constraints = [
            models.CheckConstraint(condition=Q(format__in=ExportFormat.values), name="core_export_format_valid"),
            models.CheckConstraint(
                condition=Q(rows_total__isnull=True) | Q(rows_done__lte=F("rows_total")),
                name="core_export_progress_at_most_total",
            ),
            models.CheckConstraint(
                condition=~Q(status=ExportStatus.DONE) | ~Q(file=""),
                name="core_export_done_has_file",
            ),
        ]

    def __str__(self):
        return f"{self.label}（{self.scope}）"

    @property
    def is_finished(self):
        return self.status in (ExportStatus.DONE, ExportStatus.FAILED)

    @property
    def percent(self):
        if self.status == ExportStatus.DONE:
            return 100
        if not self.rows_total:
            return 0
        return min(100, 100 * self.rows_done // self.rows_total)


class MediaOutlet(models.Model):
    """A news site or app allowed to frame our embed pages: the origins its pages are served from
    go into ``Content-Security-Policy: frame-ancestors`` on the embed routes while it is active."""

    name = models.CharField(_("名称"), max_length=100, unique=True)
    # One normalised origin per line (``core.embedding.normalise_origins``), never a path or "*".
    allowed_origins = models.TextField(
        _("允许嵌入的来源"),
        blank=True,
        help_text=_("每行一个，例如 https://news.example.cn 或 http://127.0.0.1:8080，不要带路径。"),
    )
    contact_name = models.CharField(_("联系人"), max_length=50, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=40, blank=True)
    contact_email = models.EmailField(_("联系邮箱"), blank=True)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("合作媒体")
        verbose_name_plural = _("合作媒体")
        constraints = [models.CheckConstraint(condition=~Q(name=""), name="core_mediaoutlet_name_not_blank")]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        self.allowed_origins = "\n".join(outlets.normalise_origins(self.allowed_origins))

    @property
    def origins(self):
        return [line for line in self.allowed_origins.splitlines() if line]


class OutletPageView(models.Model):
    """How many times an outlet's embed showed a page on one local day: one row per outlet, page
    and day, incremented in place (core.attribution), so the table grows by day, not by view."""

    outlet = models.ForeignKey(
        MediaOutlet, verbose_name=_("合作媒体"), on_delete=models.CASCADE, related_name="page_views"
    )
    page = models.ForeignKey("wagtailcore.Page", verbose_name=_("页面"), on_delete=models.CASCADE, related_name="+")
    day = models.DateField(_("日期"))
    views = models.PositiveIntegerField(_("浏览次数"), default=0)

    class Meta:
        ordering = ["-day", "outlet", "page"]
        verbose_name = _("合作媒体浏览量")
        verbose_name_plural = _("合作媒体浏览量")
        constraints = [
            models.UniqueConstraint(fields=["outlet", "page", "day"], name="core_outletpageview_one_row_a_day"),
            models.CheckConstraint(condition=Q(views__gte=0), name="core_outletpageview_views_not_negative"),
        ]

    def __str__(self):
        return f"{self.outlet} · {self.page_id} · {self.day}"
