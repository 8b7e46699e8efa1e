from organizations.models import Headcount
from participation import selectors
from participation.demo import ACTIVITY_REPORTS, NO_HEADCOUNT_UNIT, load_demo_participation
from participation.models import ActivityReport, ParticipationEntry


def test_demo_is_repeatable_and_tells_its_story(db):
    campaign = load_demo_participation()
    reports = ActivityReport.objects.filter(campaign=campaign).count()
    entries = ParticipationEntry.objects.count()
    assert reports == len(ACTIVITY_REPORTS)
    assert load_demo_participation() == campaign
    assert (ActivityReport.objects.filter(campaign=campaign).count(), ParticipationEntry.objects.count()) == (
        reports,
        entries,
    )
    assert not Headcount.objects.filter(campaign=campaign, unit__name=NO_HEADCOUNT_UNIT).exists()
    report = selectors.campaign_report(campaign=campaign)
    assert report.city.activity_people == sum(row[3] for row in ACTIVITY_REPORTS)
    # The events demo's registrations and attendance reached the ledger through the receivers.
    assert report.city.registrations > 0 and report.city.attendance_people > 0
