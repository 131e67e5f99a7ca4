"""Fictitious people and real jurisdictions for sample dossiers.

Names are drawn from common surnames and given-name characters, so they read
like names but belong to nobody on purpose; ID numbers (居民身份证号码) carry a
valid GB 11643 check digit and a region code that existed in the birth year
(python-stdnum's table), so validators treat them as real-looking numbers.
Courts, procuratorates and police are real institutions: a case number must
carry a real court code to be parsed the way real ones are.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from stdnum.cn import ric

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚"
)
GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍鹏辉建红晓燕飞宇浩凯峰亮春梅琳雪婷"
    "颖欣俊志文斌海波林东宁成龙云翔振国庆宏彬昊然子涵思雨梓萱博睿嘉怡佳琪晨阳家豪泽宇天佑若曦"
)
ETHNICITIES = ("汉族",) * 12 + ("回族", "壮族", "满族", "土家族", "苗族", "彝族")
EDUCATION = ("小学", "初中", "高中", "中专", "大专", "大学")
OCCUPATIONS = ("无业", "务工", "农民", "个体经营", "公司职员", "驾驶员", "销售人员")
# Region codes tried for a birth place; stdnum knows in which years each existed.
BIRTH_REGIONS = (
    "110105",
    "310104",
    "310105",
    "310112",
    "320106",
    "320102",
    "330106",
    "330381",
    "330702",
    "350102",
    "350203",
    "370102",
    "370202",
    "410102",
    "410105",
    "420102",
    "420106",
    "430102",
    "440104",
    "440106",
    "450102",
    "510104",
    "510107",
)


@dataclass(frozen=True)
class Jurisdiction:
    """One basic-level jurisdiction: the court, procuratorate and police that handle a case."""

    province: str
    district: str  # as courts write it: 上海市奉贤区, 浙江省乐清市
    court_code: str  # 沪0120
    short: str  # 奉 in 沪奉检刑诉〔2017〕700号
    police: str
    intermediate_court: str

    @property
    def court(self) -> str:
        return f"{self.district}人民法院"

    @property
    def procuratorate(self) -> str:
        return f"{self.district}人民检察院"

    @property
    def detention_centre(self) -> str:
        return f"{self.district.removeprefix(self.province)}看守所"


JURISDICTIONS = (
    Jurisdiction(
        "上海市", "上海市奉贤区", "沪0120", "奉", "上海市公安局奉贤分局", "上海市第一中级人民法院"
    ),
    Jurisdiction(
        "上海市", "上海市长宁区", "沪0105", "长", "上海市公安局长宁分局", "上海市第一中级人民法院"
    ),
    Jurisdiction(
        "上海市", "上海市闵行区", "沪0112", "闵", "上海市公安局闵行分局", "上海市第一中级人民法院"
    ),
    Jurisdiction(
        "浙江省", "浙江省乐清市", "浙0382", "乐", "乐清市公安局", "浙江省温州市中级人民法院"
    ),
    Jurisdiction(
        "浙江省",
        "浙江省金华市婺城区",
        "浙0702",
        "婺",
        "金华市公安局婺城分局",
        "浙江省金华市中级人民法院",
    ),
    Jurisdiction(
        "湖南省",
        "湖南省长沙市雨花区",
        "湘0111",
        "雨",
        "长沙市公安局雨花分局",
        "湖南省长沙市中级人民法院",
    ),
    Jurisdiction(
        "江苏省",
        "江苏省南京市鼓楼区",
        "苏0106",
        "鼓",
        "南京市公安局鼓楼分局",
        "江苏省南京市中级人民法院",
    ),
    Jurisdiction(
        "广东省",
        "广东省广州市天河区",
        "粤0106",
        "天",
        "广州市公安局天河区分局",
        "广东省广州市中级人民法院",
    ),
    Jurisdiction(
        "四川省",
        "四川省成都市锦江区",
        "川0104",
        "锦",
        "成都市公安局锦江区分局",
        "四川省成都市中级人民法院",
    ),
    Jurisdiction(
        "河南省",
        "河南省郑州市金水区",
        "豫0105",
        "金",
        "郑州市公安局金水分局",
        "河南省郑州市中级人民法院",
    ),
    Jurisdiction(
        "福建省",
        "福建省厦门市思明区",
        "闽0203",
        "思",
        "厦门市公安局思明分局",
        "福建省厦门市中级人民法院",
    ),
    Jurisdiction(
        "湖北省",
        "湖北省武汉市武昌区",
        "鄂0106",
        "武",
        "武汉市公安局武昌区分局",
        "湖北省武汉市中级人民法院",
    ),
)
PROVINCE_ABBR = {
    "上海市": "沪",
    "浙江省": "浙",
    "湖南省": "湘",
    "江苏省": "苏",
    "广东省": "粤",
    "四川省": "川",
    "河南省": "豫",
    "福建省": "闽",
    "湖北省": "鄂",
}


@dataclass(frozen=True)
class FakePerson:
    name: str
    gender: str
    birth_date: dt.date
    ethnicity: str
    id_number: str
    birth_place: str  # 浙江省瑞安市, from the ID's region code
    education: str
    occupation: str


def fake_name(rng: random.Random, taken: set[str] | None = None) -> str:
    """A two- or three-character name not in ``taken`` (names in one case must differ)."""
    taken = taken if taken is not None else set()
    while True:
        given = "".join(rng.choice(GIVEN) for _ in range(1 if rng.random() < 0.3 else 2))
        name = rng.choice(SURNAMES) + given
        if name not in taken:
            taken.add(name)
            return name


def fake_id_number(rng: random.Random, birth_date: dt.date, gender: str) -> tuple[str, str]:
    """An 18-digit number valid for stdnum.cn.ric and its birth place (province + county).

    The 17th digit is odd for men, even for women, as GB 11643 has it.
    """
    for _ in range(200):
        region = rng.choice(BIRTH_REGIONS)
        serial = rng.randrange(0, 100) * 10 + rng.choice(
            (1, 3, 5, 7, 9) if gender == "男" else (0, 2, 4, 6, 8)
        )
        body = f"{region}{birth_date:%Y%m%d}{serial:03d}"
        number = body + ric.calc_check_digit(body + "0")
        if ric.is_valid(number):
            place = ric.get_birth_place(number)
            return number, f"{place['province']}{place['county']}"
    raise RuntimeError("no region code valid for this birth year")  # pragma: no cover


def fake_person(
    rng: random.Random, *, taken: set[str], on: dt.date, adult: bool = True
) -> FakePerson:
    gender = "男" if rng.random() < 0.8 else "女"
    age = rng.randint(19, 58) if adult else rng.randint(16, 17)
    birth = on.replace(year=on.year - age, month=1, day=1) + dt.timedelta(
        days=rng.randrange(0, 364)
    )
    number, place = fake_id_number(rng, birth, gender)
    return FakePerson(
        name=fake_name(rng, taken),
        gender=gender,
        birth_date=birth,
        ethnicity=rng.choice(ETHNICITIES),
        id_number=number,
        birth_place=place,
        education=rng.choice(EDUCATION),
        occupation=rng.choice(OCCUPATIONS),
    )
