"""Headcounts belong to a campaign instead of a bare year; units get a liaison contact.

Each year that has headcounts becomes the campaign "{year}年安全生产月" (June 1–30, the national
安全生产月), reused if a campaign of that name exists already. Reversible: going back puts each
campaign's year on its headcounts (which fails if two campaigns of one year both counted the same
unit and audience, as a year can hold only one of them).
"""

import datetime

import django.core.validators
import django.db.models.deletion
from django.db import migrations, models

import organizations.models


def link_headcounts_to_campaigns(apps, schema_editor):
    db = schema_editor.connection.alias
    campaigns = apps.get_model("organizations", "Campaign").objects.using(db)
    headcounts = apps.get_model("organizations", "Headcount").objects.using(db)
    years = headcounts.order_by().values_list("campaign_year", flat=True).distinct()
    for year in sorted(years):
        campaign, _created = campaigns.get_or_create(
            name=f"{year}年安全生产月",
            defaults={
                "year": year,
                "starts_on": datetime.date(year, 6, 1),
                "ends_on": datetime.date(year, 6, 30),
            },
        )
        headcounts.filter(campaign_year=year).update(campaign=campaign)


def put_campaign_years_back(apps, schema_editor):
    db = schema_editor.connection.alias
    campaigns = apps.get_model("organizations", "Campaign").objects.using(db)
    headcounts = apps.get_model("organizations", "Headcount").objects.using(db)
    for campaign in campaigns.filter(headcounts__isnull=False).distinct():
        headcounts.filter(campaign=campaign).update(campaign_year=campaign.year)


class Migration(migrations.Migration):
    dependencies = [
        ("organizations", "0003_campaign"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="headcount",
            name="organizations_headcount_unique_per_campaign",
        ),
        migrations.RemoveConstraint(
            model_name="headcount",
            name="organizations_headcount_year_range",
        ),
        migrations.AddField(
            model_name="headcount",
            name="campaign",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="headcounts",
                to="organizations.campaign",
                verbose_name="宣传活动",
            ),
        ),
        # Nullable for the way back, which adds the column again before filling it.
        migrations.AlterField(
            model_name="headcount",
            name="campaign_year",
            field=models.PositiveSmallIntegerField(
                null=True,
                validators=[
                    django.core.validators.MinValueValidator(2000),
                    django.core.validators.MaxValueValidator(2100),
                ],
                verbose_name="年份",
            ),
        ),
        migrations.RunPython(link_headcounts_to_campaigns, put_campaign_years_back),
        migrations.RemoveField(
            model_name="headcount",
            name="campaign_year",
        ),
        migrations.AlterField(
            model_name="headcount",
            name="campaign",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="headcounts",
                to="organizations.campaign",
                verbose_name="宣传活动",
            ),
        ),
        migrations.AlterModelOptions(
            name="headcount",
            options={
                "ordering": ["-campaign__starts_on", "unit__name", "audience"],
                "verbose_name": "应参与人数",
                "verbose_name_plural": "应参与人数",
            },
        ),
        migrations.AlterField(
            model_name="headcount",
            name="audience",
            field=models.CharField(
                choices=[("students", "学生"), ("staff", "职工"), ("residents", "居民"), ("officials", "机关干部")],
                max_length=20,
                verbose_name="对象",
            ),
        ),
        migrations.AddConstraint(
            model_name="headcount",
            constraint=models.UniqueConstraint(
                fields=("unit", "campaign", "audience"),
                name="organizations_headcount_unique_per_campaign",
                violation_error_message="这个单位在该宣传活动中已有该对象的应参与人数。",
            ),
        ),
        migrations.AddField(
            model_name="unit",
            name="liaison_name",
            field=models.CharField(
                blank=True,
                help_text="负责组织本单位参与的联络人，例如“王老师”。",
                max_length=40,
                verbose_name="联系人",
            ),
        ),
        migrations.AddField(
            model_name="unit",
            name="liaison_phone",
            field=models.CharField(
                blank=True,
                help_text="手机号，或带区号的固定电话，例如 0532-12345678。",
                max_length=24,
                validators=[organizations.models.validate_liaison_phone],
                verbose_name="联系电话",
            ),
        ),
        migrations.AddConstraint(
            model_name="unit",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("liaison_phone", ""),
                    models.Q(
                        models.Q(
                            ("liaison_phone__regex", "^1[3-9][0-9]{9}$"),
                            ("liaison_phone__regex", "^0[1-9][0-9]{1,2}-[1-9][0-9]{6,7}(-[0-9]{1,6})?$"),
                            _connector="OR",
                        ),
                        models.Q(("liaison_phone__regex", "[^0-9-]"), _negated=True),
                    ),
                    _connector="OR",
                ),
                name="organizations_unit_liaison_phone_format",
                violation_error_message="联系电话应为11位手机号，或带区号的固定电话，例如 0532-12345678。",
            ),
        ),
        migrations.AddConstraint(
            model_name="unit",
            constraint=models.CheckConstraint(
                condition=models.Q(("liaison_phone", ""), models.Q(("liaison_name", ""), _negated=True), _connector="OR"),
                name="organizations_unit_liaison_phone_has_name",
                violation_error_message="填写联系电话时请同时填写联系人。",
            ),
        ),
    ]
