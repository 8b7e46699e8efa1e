"""What the admin's views and forms share to keep a scoped account (a liaison) to its own units:
single-object views that refuse other units' rows, a form whose ``unit`` accepts only units in
scope, and the unit chooser listing only those."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.snippets.views.chooser import ChooseResultsView, ChooseView, SnippetChooserViewSet, SnippetChosenView

from .models import Unit
from .scopes import OUT_OF_SCOPE_MESSAGE, is_scoped, restrict_units, within_scope


def units_in_scope(user):
    """The units ``user`` may see, filtered by id where scoped: the admin's search (listing and
    chooser) can filter only on fields in Unit.search_fields, and ``id`` is one."""
    units = Unit.objects.select_related("parent", "town")
    if not is_scoped(user):
        return units
    return units.filter(pk__in=list(restrict_units(Unit.objects.all(), user).values_list("pk", flat=True)))


class ScopedObjectMixin:
    """For a view of one object: refuse (403, which the admin shows as a redirect with a message)
    an object the account has no permission for, which includes one whose unit is outside its scope
    (the viewset's ``permission_policy``, ``user_has_any_permission_for_instance``). With
    ``out_of_scope_not_found`` an object outside the scope is not found (404) instead."""

    out_of_scope_not_found = False

    def get_object(self, *args, **kwargs):
        instance = super().get_object(*args, **kwargs)
        policy = self.permission_policy
        if not policy.user_has_any_permission_for_instance(self.request.user, ["view", "change", "delete"], instance):
            if self.out_of_scope_not_found and not within_scope(self.request.user, policy.unit_of(instance)):
                raise Http404(OUT_OF_SCOPE_MESSAGE)
            raise PermissionDenied(OUT_OF_SCOPE_MESSAGE)
        return instance


def scoped_views(viewset_class=None, *, out_of_scope_not_found=False):
    """Each single-object view of the viewset refuses objects outside the scope. Rows of a unit (a
    report) are best ``out_of_scope_not_found``, as the listing never shows them; a unit is named
    as others' parent anyway."""

    def decorate(viewset_class):
        mixin = type("ScopedObjectMixin", (ScopedObjectMixin,), {"out_of_scope_not_found": out_of_scope_not_found})
        for name in ("edit", "delete", "usage", "history", "inspect", "copy"):
            attribute = f"{name}_view_class"
            view_class = getattr(viewset_class, attribute)
            setattr(viewset_class, attribute, type(view_class.__name__, (mixin, view_class), {}))
        return viewset_class

    return decorate if viewset_class is None else decorate(viewset_class)


class ScopedUnitForm(WagtailAdminModelForm):
    """A form whose ``unit`` accepts only the units in the account's scope: the chooser offers no
    others, and a posted id of another unit is a form error."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.for_user is not None and is_scoped(self.for_user):
            field = self.fields["unit"]
            field.queryset = restrict_units(field.queryset, self.for_user)
            field.error_messages = {**field.error_messages, "invalid_choice": OUT_OF_SCOPE_MESSAGE}


class _ScopedUnitList:
    def get_object_list(self):
        return units_in_scope(self.request.user)


class UnitChooseView(_ScopedUnitList, ChooseView):
    pass


class UnitChooseResultsView(_ScopedUnitList, ChooseResultsView):
    pass


class UnitChosenView(SnippetChosenView):
    def get_object(self, pk):
        return units_in_scope(self.request.user).get(pk=pk)


class UnitChooserViewSet(SnippetChooserViewSet):
    """The unit chooser (FieldPanel("unit") in 活动上报, 应参与人数 …) lists and returns only units in scope."""

    choose_view_class = UnitChooseView
    choose_results_view_class = UnitChooseResultsView
    chosen_view_class = UnitChosenView
