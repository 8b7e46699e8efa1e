"""The admin's permission policy for activity reports: model permissions, and a scoped account
(organizations.scopes) has them only for its own units' reports."""

from wagtail.permissions import register_permission_policy

from organizations.permissions import ScopedRowsPermissionPolicy

from .models import ActivityReport

activity_report_policy = ScopedRowsPermissionPolicy(ActivityReport, unit_of=lambda report: report.unit)
register_permission_policy(ActivityReport, activity_report_policy, exact_class=True)
