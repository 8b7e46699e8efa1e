"""Demo units for 莱西市: the city, its towns, streets and development zone, and under them
communities and villages, schools, enterprises and government bodies, with the campaign
2026年安全生产月, its expected headcounts and the liaisons of a few units. Safe to run repeatedly:
units are looked up by parent and name, the campaign by name, headcounts by unit, campaign and
audience, and a liaison is filled in only where a unit has none.

Town and street names are real places; community and school names are generic; enterprise
names carry 示范 to make plain they are made up.
"""

import datetime
import random

from django.contrib.auth import get_user_model
from django.db import transaction

from .factories import CampaignFactory, HeadcountFactory, UnitFactory
from .models import StaffScope, UnitKind, audience_for_unit_kind
from .scopes import assign_scope
from .services import save_unit

CAMPAIGN_YEAR = 2026
CAMPAIGN = {
    "name": "2026年安全生产月",
    "year": CAMPAIGN_YEAR,
    "theme": "人人讲安全、个个会应急",
    "starts_on": datetime.date(2026, 6, 1),
    "ends_on": datetime.date(2026, 6, 30),
}
CITY = {"name": "莱西市", "code": "370285", "aliases": "莱西"}

# town: {kind: [(name, aliases), ...]}
TOWNS = {
    "水集街道": {
        UnitKind.COMMUNITY: [("水集社区", ""), ("东关社区", ""), ("西关社区", "")],
        UnitKind.SCHOOL: [("莱西市实验小学", "实验小学\n莱西实小"), ("水集中心小学", "水集小学")],
        UnitKind.ENTERPRISE: [("水集示范商贸有限公司", "")],
    },
    "望城街道": {
        UnitKind.COMMUNITY: [("望城社区", ""), ("龙口社区", "")],
        UnitKind.SCHOOL: [("莱西市第二中学", "二中\n莱西二中"), ("望城中心小学", "")],
        UnitKind.ENTERPRISE: [("望城示范建筑工程有限公司", "")],
    },
    "沽河街道": {
        UnitKind.COMMUNITY: [("沽河社区", ""), ("产芝村", "")],
        UnitKind.SCHOOL: [("沽河中心小学", "")],
        UnitKind.ENTERPRISE: [("沽河示范机械制造有限公司", "")],
    },
    "姜山镇": {
        UnitKind.COMMUNITY: [("姜山社区", ""), ("前庄村", ""), ("后庄村", "")],
        UnitKind.SCHOOL: [("姜山镇中心小学", ""), ("姜山中学", "")],
        UnitKind.ENTERPRISE: [("姜山镇示范建材厂", "示范建材厂")],
    },
    "夏格庄镇": {
        UnitKind.COMMUNITY: [("夏格庄社区", ""), ("大泊村", "")],
        UnitKind.SCHOOL: [("夏格庄镇中学", "")],
        UnitKind.ENTERPRISE: [("夏格庄示范石材厂", "")],
    },
    "院上镇": {
        UnitKind.COMMUNITY: [("院上社区", ""), ("七岭村", "")],
        UnitKind.SCHOOL: [("院上镇中心小学", "")],
        UnitKind.ENTERPRISE: [("院上示范食品有限公司", "")],
    },
    "日庄镇": {
        UnitKind.COMMUNITY: [("日庄社区", ""), ("沟东村", "")],
        UnitKind.SCHOOL: [("日庄镇中心小学", "")],
        UnitKind.ENTERPRISE: [("日庄示范燃气供应站", "")],
    },
    "南墅镇": {
        UnitKind.COMMUNITY: [("南墅社区", ""), ("青山村", "")],
        UnitKind.SCHOOL: [("南墅镇中学", "")],
        UnitKind.ENTERPRISE: [("南墅示范矿业有限公司", "")],
    },
    "河头店镇": {
        UnitKind.COMMUNITY: [("河头店社区", ""), ("小河村", "")],
        UnitKind.SCHOOL: [("河头店镇中心小学", "")],
        UnitKind.ENTERPRISE: [("河头店示范物流有限公司", "")],
    },
    "店埠镇": {
        UnitKind.COMMUNITY: [("店埠社区", ""), ("东庄村", "")],
        UnitKind.SCHOOL: [("店埠镇中学", "")],
        UnitKind.ENTERPRISE: [("店埠示范花生制品厂", "")],
    },
    "马连庄镇": {
        UnitKind.COMMUNITY: [("马连庄社区", ""), ("北岭村", "")],
        UnitKind.SCHOOL: [("马连庄镇中心小学", "")],
    },
    "莱西经济开发区": {
        UnitKind.COMMUNITY: [("开发区社区", "")],
        UnitKind.SCHOOL: [("莱西经济开发区实验学校", "开发区实验学校")],
        UnitKind.ENTERPRISE: [("莱西示范化工有限公司", "示范化工"), ("莱西示范新能源科技有限公司", "")],
        UnitKind.GOVERNMENT: [("莱西经济开发区安全生产监督管理办公室", "开发区安监办")],
    },
}
CITY_BODIES = [("莱西市应急管理局", "应急局"), ("莱西市教育体育局", "教体局")]

# A plausible range of how many people each kind of unit brings (its audience_for_unit_kind).
HEADCOUNT_RANGE_BY_KIND = {
    UnitKind.COMMUNITY: (800, 6000),
    UnitKind.SCHOOL: (300, 2400),
    UnitKind.ENTERPRISE: (40, 600),
    UnitKind.GOVERNMENT: (20, 120),
}
# Made-up numbers (138 0000 …, 0532-8000 …) that are plainly not anyone's.
LIAISONS = {
    "莱西市实验小学": ("王老师", "13800000001"),
    "莱西市第二中学": ("李老师", "13800000002"),
    "水集社区": ("张主任", "13800000003"),
    "姜山镇": ("刘干事", "0532-80000004"),
    "莱西示范化工有限公司": ("赵经理", "0532-80000005-801"),
}

# The demo's liaison accounts (created with the other demo logins by home.demo.loader) and the
# unit each is limited to: one school, one town.
LIAISON_ACCOUNTS = {"xuexiao": "莱西市实验小学", "jiedao": "水集街道"}


def _unit(*, name, kind, parent, aliases="", code=""):
    return UnitFactory(name=name, kind=kind, parent=parent, aliases=aliases, code=code)


def demo_campaign():
    """2026年安全生产月, which every app's demo names (looked up by name, created when missing)."""
    return CampaignFactory(**CAMPAIGN)


def _headcount(unit, campaign):
    low, high = HEADCOUNT_RANGE_BY_KIND[unit.kind]
    # Seeded by the name, so every run (and every test database) gets the same numbers.
    expected = random.Random(f"{unit.name}-{CAMPAIGN_YEAR}").randrange(low, high, 10)
    HeadcountFactory(unit=unit, campaign=campaign, audience=audience_for_unit_kind(unit.kind), expected=expected)


def _give_liaison(unit):
    if unit.name in LIAISONS and not unit.liaison_name:
        unit.liaison_name, unit.liaison_phone = LIAISONS[unit.name]
        unit.full_clean()
        save_unit(unit=unit)


@transaction.atomic
def load_demo_units():
    city = _unit(kind=UnitKind.CITY, parent=None, **CITY)
    members = [
        _unit(name=name, kind=UnitKind.GOVERNMENT, parent=city, aliases=aliases) for name, aliases in CITY_BODIES
    ]
    enterprise_number = 0
    towns = []
    for town_name, kinds in TOWNS.items():
        town = _unit(name=town_name, kind=UnitKind.TOWN, parent=city)
        towns.append(town)
        for kind, units in kinds.items():
            for name, aliases in units:
                code = ""
                if kind == UnitKind.ENTERPRISE:
                    # Shaped like a 统一社会信用代码 but marked DEMO, so it cannot be a real one.
                    enterprise_number += 1
                    code = f"91370285DEMO{enterprise_number:05d}X"
                members.append(_unit(name=name, kind=kind, parent=town, aliases=aliases, code=code))
    campaign = demo_campaign()
    # Once loaded, the campaign's headcounts are staff's (and the participation demo's) to change:
    # loading again neither restores a removed one nor resets a number.
    if not campaign.headcounts.exists():
        for unit in members:
            _headcount(unit, campaign)
    for unit in towns + members:
        _give_liaison(unit)
    _scope_liaison_accounts({unit.name: unit for unit in towns + members})


def _scope_liaison_accounts(units_by_name):
    """Limit each demo liaison account to its unit, unless staff have given it a scope already."""
    for user in get_user_model().objects.filter(username__in=LIAISON_ACCOUNTS):
        if not StaffScope.objects.filter(user=user).exists():
            assign_scope(user=user, unit=units_by_name[LIAISON_ACCOUNTS[user.username]])
