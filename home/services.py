"""Writes for the column that are more than a page save: editorial groups and the approval workflow."""

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.utils.translation import gettext as _
from wagtail.models import (
    Collection,
    GroupApprovalTask,
    GroupCollectionPermission,
    GroupPagePermission,
    Page,
    Task,
    Workflow,
    WorkflowPage,
    WorkflowTask,
)

EDITOR_GROUP = "编辑"
REVIEWER_GROUP = "审核"
ADMIN_GROUP = "管理员"
WORKFLOW_NAME = "专栏两级审核"
# Wagtail's initial data names its default groups, workflow and task in English; staff see them in
# 用户组 and in the workflow panel of pages outside the column.
WAGTAIL_DEFAULT_NAMES = {
    Group: {"Editors": "编辑（Wagtail 默认）", "Moderators": "审核（Wagtail 默认）"},
    Workflow: {"Moderators approval": "默认审核"},
    Task: {"Moderators approval": "默认审核"},
}

# Page permissions per group on the site's home page (inherited by everything below it).
PAGE_PERMISSIONS = {
    EDITOR_GROUP: ["add_page", "change_page"],
    REVIEWER_GROUP: ["add_page", "change_page"],
    ADMIN_GROUP: ["add_page", "change_page", "publish_page", "bulk_delete_page", "lock_page", "unlock_page"],
}
COLLECTION_PERMISSIONS = {
    EDITOR_GROUP: ["add_image", "choose_image", "add_document", "choose_document"],
    REVIEWER_GROUP: ["add_image", "change_image", "choose_image", "add_document", "change_document", "choose_document"],
    ADMIN_GROUP: [
        "add_image",
        "change_image",
        "delete_image",
        "choose_image",
        "add_document",
        "change_document",
        "delete_document",
        "choose_document",
    ],
}
ADMIN_MODEL_PERMISSIONS = [
    "add_topic",
    "change_topic",
    "delete_topic",
    "add_audience",
    "change_audience",
    "delete_audience",
    "change_siteidentity",
    # The question bank and the contests' results (quizzes).
    "add_question",
    "change_question",
    "delete_question",
    "view_answersheet",
    # Confirming a sheet held out of the rankings, one extra attempt, the schools' class rosters.
    "change_answersheet",
    "add_extraattempt",
    "view_extraattempt",
    "add_rosterentry",
    "change_rosterentry",
    "delete_rosterentry",
    "view_rosterentry",
    # Units and their expected headcounts (organizations), including spreadsheet import.
    "add_unit",
    "change_unit",
    "view_unit",
    "add_headcount",
    "change_headcount",
    "view_headcount",
    "add_campaign",
    "change_campaign",
    "view_campaign",
    # Liaison accounts: which unit a staff account is limited to.
    "add_staffscope",
    "change_staffscope",
    "delete_staffscope",
    "view_staffscope",
    # Event registrations: the check-in page and attendance (events).
    "view_registration",
    "change_registration",
    # Participation: the dashboard and staff-entered activity numbers (participation).
    "view_report",
    "add_activityreport",
    "change_activityreport",
    "delete_activityreport",
    "view_activityreport",
]
# Reviewers check the question bank; participants' names and results are not theirs to see.
REVIEWER_MODEL_PERMISSIONS = ["add_question", "change_question"]


def _permission(codename):
    return Permission.objects.get(codename=codename)


@transaction.atomic
def setup_editorial_workflow(*, home_page: Page, column: Page) -> Workflow:
    """Create (or bring up to date) the groups 编辑 / 审核 / 管理员 and the two-step approval
    初审 (审核) → 终审 (管理员) on ``column``. Safe to run again."""
    for model, names in WAGTAIL_DEFAULT_NAMES.items():
        for english, chinese in names.items():
            model.objects.filter(name=english).update(name=chinese)
    access_admin = _permission("access_admin")
    groups = {}
    for name in (EDITOR_GROUP, REVIEWER_GROUP, ADMIN_GROUP):
        group, _created = Group.objects.get_or_create(name=name)
        group.permissions.add(access_admin)
        for codename in PAGE_PERMISSIONS[name]:
            GroupPagePermission.objects.get_or_create(group=group, page=home_page, permission=_permission(codename))
        for codename in COLLECTION_PERMISSIONS[name]:
            GroupCollectionPermission.objects.get_or_create(
                group=group, collection=Collection.get_first_root_node(), permission=_permission(codename)
            )
        groups[name] = group
    groups[ADMIN_GROUP].permissions.add(*Permission.objects.filter(codename__in=ADMIN_MODEL_PERMISSIONS))
    groups[REVIEWER_GROUP].permissions.add(*Permission.objects.filter(codename__in=REVIEWER_MODEL_PERMISSIONS))

    workflow, _created = Workflow.objects.get_or_create(name=WORKFLOW_NAME, defaults={"active": True})
    for order, (task_name, group_name) in enumerate(((_("初审"), REVIEWER_GROUP), (_("终审"), ADMIN_GROUP))):
        task = GroupApprovalTask.objects.filter(name=task_name).first()
        if task is None:
            task = GroupApprovalTask.objects.create(name=task_name)
        task.groups.set([groups[group_name]])
        WorkflowTask.objects.update_or_create(workflow=workflow, task=task.task_ptr, defaults={"sort_order": order})
    WorkflowPage.objects.update_or_create(page=column, defaults={"workflow": workflow})
    return workflow
