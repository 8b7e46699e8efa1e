"""Who may do what with units and headcounts, in the admin's terms (Django model permissions),
narrowed by the account's scope (``organizations.scopes``): a scoped account (a liaison) may only
view, and only the units of its own subtree; changing the tree and managing liaisons' scopes is
for city staff."""

from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from .models import Headcount, StaffScope, Unit
from .scopes import is_scoped, within_scope


class ScopedRowsPermissionPolicy(ModelPermissionPolicy):
    """Model permissions, for instances in the account's scope only. ``unit_of`` gives an
    instance's unit."""

    def __init__(self, model, *, unit_of):
        super().__init__(model)
        self.unit_of = unit_of

    def user_has_permission_for_instance(self, user, action, instance):
        return self.user_has_permission(user, action) and within_scope(user, self.unit_of(instance))

    def user_has_any_permission_for_instance(self, user, actions, instance):
        return any(self.user_has_permission_for_instance(user, action, instance) for action in actions)


class ScopedPermissionPolicy(ScopedRowsPermissionPolicy):
    """As ``ScopedRowsPermissionPolicy``, where a scoped account keeps only ``view``."""

    def user_has_permission(self, user, action):
        if action != "view" and is_scoped(user):
            return False
        return super().user_has_permission(user, action)


class CityStaffPermissionPolicy(ModelPermissionPolicy):
    """Model permissions, none of them for a scoped account (a liaison may not widen its scope)."""

    def user_has_permission(self, user, action):
        return not is_scoped(user) and super().user_has_permission(user, action)


unit_policy = ScopedPermissionPolicy(Unit, unit_of=lambda unit: unit)
headcount_policy = ScopedPermissionPolicy(Headcount, unit_of=lambda headcount: headcount.unit)
staff_scope_policy = CityStaffPermissionPolicy(StaffScope)

# The admin's snippet views (listing buttons, edit, delete, chooser permission checks) use these.
for _model, _policy in ((Unit, unit_policy), (Headcount, headcount_policy), (StaffScope, staff_scope_policy)):
    register_permission_policy(_model, _policy, exact_class=True)


# Finding, exporting and deleting one person's data (outreach.privacy_admin); superusers have it too.
PERSONAL_DATA_PERMISSION = "organizations.manage_personal_data"
