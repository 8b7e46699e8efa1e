"""Exports of the 参与情况 tables and the ledger: started from the dashboard, queued for real on the
database task backend and run by the worker, then shown on the progress page and downloaded."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from wagtail.models import ModelLogEntry

from core.models import ExportJob, ExportStatus
from organizations.factories import UnitFactory
from organizations.models import UnitKind
from organizations.scopes import assign_scope
from participation.choices import Channel
from participation.factories import EntryFactory

from .conftest import headcount, staff_user
from .exporting import csv_rows, downloaded, latest_job, run_queued_exports, xlsx_cells, xlsx_rows

START_URL = reverse("participation_export_start")


def export(client, campaign, table, format="xlsx", **params):
    return client.post(START_URL, {"campaign": campaign.pk, "table": table, "format": format, **params})


def export_file(client, monkeypatch, campaign, table, format="xlsx", **params):
    """Start an export, run the worker, and return the downloaded file's bytes."""
    response = export(client, campaign, table, format, **params)
    assert response.status_code == 302, response.content.decode()
    run_queued_exports(monkeypatch)
    job = latest_job()
    assert job.status == ExportStatus.DONE, job.error
    download = client.get(reverse("participation_export_download", args=[job.pk]))
    assert download.status_code == 200
    return downloaded(download)


@pytest.fixture
def formula_school(campaign, tree):
    """A school in town 0 whose name a spreadsheet would run (the factory skips the model's check)."""
    school = UnitFactory(kind=UnitKind.SCHOOL, name='=HYPERLINK("http://x")学校', parent=tree.towns[0])
    headcount(school, campaign, 5)
    EntryFactory(campaign=campaign, unit=school)
    return school


def test_every_xlsx_cell_is_text_and_a_formula_name_stays_text(reporter, monkeypatch, campaign, tree, formula_school):
    data = export_file(reporter, monkeypatch, campaign, "children", unit=tree.towns[0].pk)
    cells = [cell for row in xlsx_cells(data) for cell in row if cell.value is not None]
    assert cells and {cell.data_type for cell in cells} == {"s"}
    rows = xlsx_rows(data)
    assert rows[0][:5] == ["单位", "类型", "参与人数", "应参与人数", "参与率（%）"]
    assert ['=HYPERLINK("http://x")学校', "学校", "1", "5", "20.0"] in [row[:5] for row in rows]


def test_csv_has_a_bom_and_formulas_are_neutralised(reporter, monkeypatch, campaign, tree, formula_school):
    for name in ("+1学校", "-1学校", "@SUM学校"):
        EntryFactory(campaign=campaign, unit=UnitFactory(kind=UnitKind.SCHOOL, name=name, parent=tree.towns[0]))
    data = export_file(reporter, monkeypatch, campaign, "ledger", "csv", unit=tree.towns[0].pk)
    assert data.startswith(b"\xef\xbb\xbf")
    units = {row[2] for row in csv_rows(data)[1:]}
    assert units == {'\'=HYPERLINK("http://x")学校', "'+1学校", "'-1学校", "'@SUM学校"}


def test_the_ledger_export_has_one_row_per_entry_and_no_person_keys(reporter, monkeypatch, campaign, tree):
    school = tree.units[0]
    moment = timezone.make_aware(datetime.datetime(2026, 6, 3, 9, 30))
    sheet = EntryFactory(campaign=campaign, unit=school, class_name="三年级二班", score=55, occurred_at=moment)
    EntryFactory(campaign=campaign, unit=tree.units[2], channel=Channel.ACTIVITY, person_key="", people=40)
    EntryFactory(campaign=campaign, unit=None, channel=Channel.EVENT_REGISTRATION)
    rows = xlsx_rows(export_file(reporter, monkeypatch, campaign, "ledger"))
    header, body = rows[0], rows[1:]
    assert header == [
        "序号",
        "时间",
        "单位",
        "所属镇街",
        "单位类型",
        "渠道",
        "对象",
        "班级",
        "人数",
        "得分",
        "满分",
        "及格",
    ]
    assert len(body) == 3
    assert body[0] == [
        "1",
        "2026-06-03 09:30:00",
        school.name,
        tree.towns[0].name,
        "学校",
        "答卷",
        "学生",
        "三年级二班",
        "1",
        "55",
        "100",
        "否",
    ]
    assert [row[5] for row in body[1:]] == ["宣传活动", "活动报名"]
    assert [row[2] for row in body] == [school.name, tree.units[2].name, "未填写单位"]
    text = repr(rows)
    assert sheet.person_key not in text and sheet.person_key[:12] not in text
    job = latest_job()
    assert (job.rows_done, job.rows_total, job.percent) == (3, 3, 100)


def test_the_ledger_follows_the_dashboard_filters(reporter, monkeypatch, campaign, tree):
    for day in (2, 8, 20):
        moment = timezone.make_aware(datetime.datetime(2026, 6, day, 10, 0))
        EntryFactory(campaign=campaign, unit=tree.units[0], occurred_at=moment)
    rows = xlsx_rows(
        export_file(reporter, monkeypatch, campaign, "ledger", **{"from": "2026-06-05", "to": "2026-06-10"})
    )
    assert [row[1][:10] for row in rows[1:]] == ["2026-06-08"]
    assert latest_job().scope == "全市，2026-06-05至2026-06-10"


def test_coverage_masks_the_liaisons(reporter, monkeypatch, campaign, tree):
    community = tree.units[2]  # town 0's community: nobody from it has taken part
    community.liaison_name, community.liaison_phone = "王小明", "13812341234"
    community.save()
    rows = xlsx_rows(export_file(reporter, monkeypatch, campaign, "coverage", unit=tree.towns[0].pk))
    assert rows[0] == ["单位", "类型", "所属镇街", "应参与人数", "联系人", "联系电话"]
    row = next(row for row in rows if row[0] == community.name)
    assert row[4:] == ["王*明", "138****1234"]
    assert "王小明" not in repr(rows) and "13812341234" not in repr(rows)


def test_every_dashboard_table_exports(reporter, monkeypatch, campaign, tree):
    EntryFactory(campaign=campaign, unit=tree.units[0], class_name="一年级一班")
    tables = {}
    for table, params in (
        ("audiences", {}),
        ("children", {}),
        ("towns", {}),
        ("kinds", {}),
        ("trend", {}),
        ("rankings", {}),
        ("coverage", {}),
        ("coverage_towns", {}),
        ("topics", {}),
        ("classes", {"unit": tree.units[0].pk}),
    ):
        tables[table] = csv_rows(export_file(reporter, monkeypatch, campaign, table, "csv", **params))
    assert ["一年级一班", "1", "1", "80.0", "100.0", "0"] in tables["classes"]
    assert {town.name for town in tree.towns} <= {row[0] for row in tables["towns"]}
    assert ["2026-06-10", "1", "0", "0", "0", "1"] in tables["trend"]
    assert ["学生", "1", "40", "2.5"] in tables["audiences"]


def test_a_liaison_exports_its_own_scope_only(client, django_user_model, monkeypatch, campaign, tree):
    liaison = staff_user(django_user_model, "view_report", username="liaison")
    town, other_town = tree.towns
    assign_scope(user=liaison, unit=town)
    client.force_login(liaison)
    for unit in tree.units:
        EntryFactory(campaign=campaign, unit=unit)
    rows = xlsx_rows(export_file(client, monkeypatch, campaign, "ledger"))  # no unit: its own town
    assert {row[3] for row in rows[1:]} == {town.name}
    assert latest_job().scope == town.name

    jobs = ExportJob.objects.count()
    for unit in (other_town, tree.units[3], tree.city):
        response = export(client, campaign, "ledger", unit=unit.pk)
        assert response.status_code == 403
        assert "不在您负责的范围内" in response.content.decode()
    assert ExportJob.objects.count() == jobs


def test_only_the_owner_sees_and_downloads_an_export(reporter, client, django_user_model, monkeypatch, campaign, tree):
    export_file(reporter, monkeypatch, campaign, "trend")
    job = latest_job()
    other = staff_user(django_user_model, "view_report", username="other-reporter")
    client.force_login(other)
    for name in ("participation_export", "participation_export_download"):
        response = client.get(reverse(name, args=[job.pk]))
        assert response.status_code == 404
        assert "没有找到这个导出" in response.content.decode()
    assert job.label not in client.get(reverse("participation_exports")).content.decode()


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"table": "units", "format": "xlsx"}, "没有这个表格"),
        ({"table": "", "format": "xlsx"}, "没有这个表格"),
        ({"table": "ledger", "format": "pdf"}, "导出格式只能是"),
        ({"table": "ledger", "format": ""}, "导出格式只能是"),
        ({"table": "classes", "format": "csv"}, "按班级统计只有学校才有"),
        ({"table": "ledger", "format": "csv", "from": "6月1日"}, "开始日期应写成"),
        ({"table": "ledger", "format": "csv", "kind": "moon"}, "单位类型无效"),
    ],
)
def test_bad_parameters_are_refused_in_chinese(reporter, campaign, tree, params, message):
    response = reporter.post(START_URL, {"campaign": campaign.pk, **params})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ExportJob.objects.exists()


def test_unknown_campaign_and_get_are_refused(reporter, campaign):
    response = reporter.post(START_URL, {"campaign": "999999", "table": "ledger", "format": "xlsx"})
    assert response.status_code == 404 and "没有找到这个宣传活动" in response.content.decode()
    assert reporter.get(START_URL, {"campaign": campaign.pk, "table": "ledger", "format": "xlsx"}).status_code == 405
    assert not ExportJob.objects.exists()


def test_without_the_report_permission(client, django_user_model, campaign):
    client.force_login(staff_user(django_user_model, username="no-report"))
    response = export(client, campaign, "ledger")
    assert response.status_code == 403
    assert not ExportJob.objects.exists()


def test_every_export_is_in_the_audit_log(reporter, monkeypatch, campaign, tree):
    export_file(reporter, monkeypatch, campaign, "coverage", "csv", unit=tree.towns[1].pk, audience="students")
    entry = ModelLogEntry.objects.get(action="participation.export", object_id=str(campaign.pk))
    assert entry.user.username == "staff"
    assert entry.data["table"] == "coverage" and entry.data["label"] == "未参与单位"
    assert entry.data["scope"] == f"{tree.towns[1].name}，学生"
    assert entry.data["format"] == "csv" and entry.data["unit"] == str(tree.towns[1].pk)
    assert entry.data["job"] == latest_job().pk
    assert "导出了“未参与单位”" in entry.message


def test_progress_page_then_download(reporter, monkeypatch, campaign, tree):
    EntryFactory(campaign=campaign, unit=tree.units[0])
    response = export(reporter, campaign, "ledger", unit=tree.towns[0].pk)
    job = latest_job()
    assert response["Location"] == reverse("participation_export", args=[job.pk])
    assert job.status == ExportStatus.QUEUED and job.task_id  # queued for the worker, not run in the request

    page = reporter.get(response["Location"]).content.decode()
    assert "排队中" in page and '<progress max="100" value="0">' in page
    assert '<meta http-equiv="refresh" content="2">' in page
    download_url = reverse("participation_export_download", args=[job.pk])
    assert download_url not in page
    early = reporter.get(download_url)
    assert early.status_code == 409 and "还没有完成" in early.content.decode()
    status = reporter.get(response["Location"], HTTP_ACCEPT="application/json").json()
    assert status == {
        "status": "queued",
        "rows_done": 0,
        "rows_total": None,
        "percent": 0,
        "error": "",
        "download_url": None,
    }

    run_queued_exports(monkeypatch)
    page = reporter.get(response["Location"]).content.decode()
    assert "已完成" in page and '<progress max="100" value="100">' in page and "已写 1 / 1 行" in page
    assert download_url in page and 'http-equiv="refresh"' not in page and "保留 7 天" in page
    status = reporter.get(response["Location"], HTTP_ACCEPT="application/json").json()
    assert (status["status"], status["percent"], status["download_url"]) == ("done", 100, download_url)

    download = reporter.get(download_url)
    assert download["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    disposition = download["Content-Disposition"]
    assert disposition.startswith("attachment; filename*=utf-8''")
    assert "%E5%8F%82%E4%B8%8E%E8%AE%B0%E5%BD%95%E6%98%8E%E7%BB%86" in disposition  # 参与记录明细
    assert job.filename.startswith(f"{campaign.name}_{tree.towns[0].name}_参与记录明细_")
    assert "private" in download["Cache-Control"]

    listing = reporter.get(reverse("participation_exports")).content.decode()
    assert "参与记录明细" in listing and download_url in listing


def test_a_failed_export_says_so(reporter, monkeypatch, campaign, tree):
    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("core.exports.write_export", broken)
    export(reporter, campaign, "trend")
    run_queued_exports(monkeypatch)
    job = latest_job()
    assert job.status == ExportStatus.FAILED and job.finished_at
    page = reporter.get(reverse("participation_export", args=[job.pk])).content.decode()
    assert "失败" in page and "导出失败，请稍后重试" in page and "disk full" not in page


def test_the_dashboard_has_export_buttons_beside_its_tables(reporter, campaign, tree):
    EntryFactory(campaign=campaign, unit=tree.units[0], topic_results={})
    html = reporter.get(reverse("participation_dashboard"), {"campaign": campaign.pk}).content.decode()
    assert html.count(f'action="{START_URL}"') >= 8
    for table in ("ledger", "children", "towns", "kinds", "trend", "rankings", "coverage", "coverage_towns"):
        assert f'name="table" value="{table}"' in html, table
    assert 'name="format" value="xlsx"' in html and 'name="format" value="csv"' in html
    assert "csrfmiddlewaretoken" in html
    school = reporter.get(reverse("participation_dashboard"), {"campaign": campaign.pk, "unit": tree.units[0].pk})
    assert 'name="table" value="classes"' in school.content.decode()


def test_exports_are_deleted_after_the_retention_period(reporter, monkeypatch, campaign, tree):
    EntryFactory(campaign=campaign, unit=tree.units[0])
    export_file(reporter, monkeypatch, campaign, "trend")
    old = latest_job()
    storage, name = old.file.storage, old.file.name
    assert storage.exists(name)
    ExportJob.objects.filter(pk=old.pk).update(created_at=timezone.now() - datetime.timedelta(days=8))

    export_file(reporter, monkeypatch, campaign, "kinds")  # the worker deletes what expired first
    assert not ExportJob.objects.filter(pk=old.pk).exists() and not storage.exists(name)
    assert reporter.get(reverse("participation_export_download", args=[old.pk])).status_code == 404
    assert ExportJob.objects.count() == 1

    ExportJob.objects.update(created_at=timezone.now() - datetime.timedelta(days=8))
    out = io.StringIO()
    call_command("purge_exports", stdout=out)
    assert "已删除 1 个" in out.getvalue() and not ExportJob.objects.exists()
