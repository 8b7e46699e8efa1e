"""Removing what a contest walk made (run in a worker thread, like the creating): the walks commit
their data, since the live server answers from its own connections."""


def delete_contest_data(*, contest_id, school_id, topic_id):
    """The contest with its sheets and their ledger entries, the school's participants, the
    questions of the topic, the topic and the school."""
    from home.models import Topic
    from organizations.models import Unit
    from participation.models import ParticipationEntry
    from participation.receivers import SHEET_SOURCE
    from quizzes.models import AnswerSheet, ContestPage, Participant, Question, QuestionVersion

    sheets = AnswerSheet.objects.filter(contest_id=contest_id)
    ParticipationEntry.objects.filter(source__in=[SHEET_SOURCE.format(s.public_id) for s in sheets]).delete()
    sheets.delete()
    Participant.objects.filter(unit_id=school_id).delete()
    ContestPage.objects.filter(pk=contest_id).delete()
    questions = Question.objects.filter(topic_id=topic_id)
    QuestionVersion.objects.filter(question__in=questions).delete()
    questions.delete()
    Topic.objects.filter(pk=topic_id).delete()
    Unit.objects.filter(pk=school_id).delete()
