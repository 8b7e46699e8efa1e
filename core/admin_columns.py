"""Listing columns for the admin."""

from wagtail.admin.ui.tables import BooleanColumn


class YesNoColumn(BooleanColumn):
    """Wagtail's tick/cross column, read out as 是/否 rather than the Python words True/False."""

    cell_template_name = "core/admin/yes_no_cell.html"
