"""Editors, reviewers and administrators, and the two-step approval on the column."""

import pytest
from django.contrib.auth.models import Group
from wagtail.models import Workflow, WorkflowState

from home import services
from home.models import ArticlePage, ColumnIndexPage, HomePage
from outreach.demo import load_demo_content

pytestmark = pytest.mark.django_db


def test_column_has_the_two_step_approval(column):
    workflow = column.get_workflow()
    assert workflow is not None and workflow.active
    steps = [(task.name, [g.name for g in task.specific.groups.all()]) for task in workflow.tasks.all()]
    assert steps == [("初审", [services.REVIEWER_GROUP]), ("终审", [services.ADMIN_GROUP])]


def test_articles_inherit_the_column_workflow(article):
    assert article.get_workflow().name == services.WORKFLOW_NAME


def test_only_administrators_may_publish(article, django_user_model):
    def user_in(group_name):
        user = django_user_model.objects.create_user(username=f"u-{group_name}", password="x" * 12)
        user.groups.add(Group.objects.get(name=group_name))
        return user

    editor, reviewer, admin = (
        user_in(name) for name in (services.EDITOR_GROUP, services.REVIEWER_GROUP, services.ADMIN_GROUP)
    )
    assert article.permissions_for_user(editor).can_edit()
    assert not article.permissions_for_user(editor).can_publish()
    assert not article.permissions_for_user(reviewer).can_publish()
    assert article.permissions_for_user(admin).can_publish()


def test_an_editors_submission_goes_through_both_steps(article, django_user_model):
    editor = django_user_model.objects.get(username="bianji")
    reviewer = django_user_model.objects.get(username="shenhe")
    admin = django_user_model.objects.get(username="admin")
    article.title = "送审稿：燃气安全进社区"
    revision = article.save_revision(user=editor)
    workflow = article.get_workflow()
    state = workflow.start(article, editor)
    assert state.current_task_state.task.name == "初审"
    state.current_task_state.task.specific.on_action(state.current_task_state, reviewer, "approve")
    state.refresh_from_db()
    assert state.current_task_state.task.name == "终审"
    assert ArticlePage.objects.get(pk=article.pk).title != "送审稿：燃气安全进社区"  # not published yet
    state.current_task_state.task.specific.on_action(state.current_task_state, admin, "approve")
    state.refresh_from_db()
    assert state.status == WorkflowState.STATUS_APPROVED
    published = ArticlePage.objects.get(pk=article.pk)
    assert published.title == "送审稿：燃气安全进社区"
    assert published.live_revision_id == revision.pk


def test_setup_is_idempotent(home_page, column):
    services.setup_editorial_workflow(home_page=home_page, column=column)
    services.setup_editorial_workflow(home_page=home_page, column=column)
    assert Workflow.objects.filter(name=services.WORKFLOW_NAME).count() == 1
    assert column.get_workflow().tasks.count() == 2


def test_loading_demo_content_again_duplicates_nothing():
    counts = (HomePage.objects.count(), ColumnIndexPage.objects.count(), ArticlePage.objects.count())
    assert load_demo_content(admin_password="whatever-123", contest_sheets=0) == 0
    assert (HomePage.objects.count(), ColumnIndexPage.objects.count(), ArticlePage.objects.count()) == counts
    assert counts[2] >= 16


def test_administrators_manage_the_bank_units_and_results_reviewers_the_bank(django_user_model):
    def user_in(group_name):
        user = django_user_model.objects.create_user(username=f"p-{group_name}", password="x" * 12)
        user.groups.add(Group.objects.get(name=group_name))
        return user

    admin, reviewer, editor = (
        user_in(n) for n in (services.ADMIN_GROUP, services.REVIEWER_GROUP, services.EDITOR_GROUP)
    )
    for perm in (
        "quizzes.change_question",
        "quizzes.view_answersheet",
        "organizations.add_unit",
        "organizations.change_headcount",
        "events.change_registration",
        "organizations.change_campaign",
        "participation.view_report",
        "participation.add_activityreport",
        "organizations.add_staffscope",
    ):
        assert admin.has_perm(perm), perm
    assert reviewer.has_perm("quizzes.change_question")
    assert not reviewer.has_perm("organizations.change_unit")
    assert not editor.has_perm("quizzes.view_answersheet")
    assert not editor.has_perm("participation.view_report")
    assert not reviewer.has_perm("participation.view_report")
    assert not reviewer.has_perm("quizzes.view_answersheet")
