"""The text of each document in a sample dossier, written from one ``SampleCase``.

Layouts follow the forms in use (公安机关刑事法律文书式样, 人民检察院刑事诉讼
法律文书格式, 法院刑事诉讼文书样式) closely enough that a reader — or a
classifier — recognises each document; wording varies with the seed so that
no two dossiers read the same.
"""

# Template text: Chinese characters count two columns each, so sentences run past 100.
# ruff: noqa: E501

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

import cn2an

from dossier.samples.case_facts import CRIMINAL_LAW, SampleCase
from dossier.samples.fictitious import FakePerson

_DIGIT_CN = "〇一二三四五六七八九"


@dataclass
class DocumentText:
    """One document before pagination: its type, the title printed on its first page, its body."""

    type: str
    title: str
    body: str
    page_footer: bool = False  # 笔录 carry 第 x 页 共 y 页 at the foot of every page


def ymd(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def ymd_cn(day: dt.date) -> str:
    """二〇一八年七月十六日, as documents are signed."""
    year = "".join(_DIGIT_CN[int(c)] for c in str(day.year))
    return f"{year}年{cn2an.an2cn(day.month)}月{cn2an.an2cn(day.day)}日"


def term_cn(months: int) -> str:
    """42 → 三年六个月, 6 → 六个月, 24 → 二年."""
    years, rest = divmod(months, 12)
    out = f"{cn2an.an2cn(years)}年" if years else ""
    if rest:
        out += f"{cn2an.an2cn(rest)}个月"
    return out


def yuan_cn(amount: int) -> str:
    return f"人民币{cn2an.an2cn(amount)}元"


def article_cn(article: int, sub: int | None, paragraph: int | None, item: int | None) -> str:
    out = f"第{cn2an.an2cn(article)}条"
    if sub:
        out += f"之{cn2an.an2cn(sub)}"
    if paragraph:
        out += f"第{cn2an.an2cn(paragraph)}款"
    if item:
        out += f"第（{cn2an.an2cn(item)}）项"
    return out


def _profile(p: FakePerson, *, with_id: bool) -> str:
    out = f"{p.name}，{p.gender}，{ymd(p.birth_date)}出生，{p.ethnicity}，{p.education}文化，{p.occupation}"
    if with_id:
        out += f"，公民身份号码{p.id_number}"
    return out + f"，户籍地{p.birth_place}"


def facts(case: SampleCase, rng: random.Random) -> str:
    """The account of the offence shared by 起诉意见书, 起诉书 and 判决书."""
    names = "、".join(d.person.name for d in case.defendants)
    who = f"犯罪嫌疑人{names}" if len(case.defendants) == 1 else f"犯罪嫌疑人{names}经事先预谋"
    day = ymd(case.offence_date)
    hour = rng.randint(8, 23)
    victim = case.victims[0].name if case.victims else ""
    amount = case.amount_yuan or 0
    charge = case.scenario.charge
    if charge == "盗窃罪":
        text = (
            f"{day}{hour}时许，{who}在{case.place}，趁被害人{victim}不备，窃得其放置于店内的"
            f"手机、现金等财物，经认定价值共计人民币{amount}元。"
        )
    elif charge == "诈骗罪":
        text = (
            f"{day}起，{who}以帮助办理贷款为由，虚构事实、隐瞒真相，先后骗取被害人{victim}"
            f"人民币{amount}元，所得钱款用于个人挥霍。"
        )
    elif charge == "危险驾驶罪":
        alcohol = rng.randint(81, 260)
        alcohol = case.alcohol_mg if case.alcohol_mg is not None else alcohol
        text = (
            f"{day}{hour}时许，{who}酒后驾驶小型轿车行驶至{case.place}附近路段时被执勤民警查获。"
            f"经鉴定，其血液中乙醇含量为{alcohol}mg/100ml，属醉酒驾驶机动车。"
        )
    elif charge == "故意伤害罪":
        text = (
            f"{day}{hour}时许，{who}在{case.place}因琐事与被害人{victim}发生争执，继而持拳殴打"
            f"{victim}头面部，致其鼻骨骨折。经鉴定，被害人{victim}的损伤程度为轻伤二级。"
        )
    elif charge == "开设赌场罪":
        text = (
            f"{day}至案发期间，{who}在{case.place}内设置赌台，组织他人以“牌九”方式进行赌博，"
            f"抽头渔利，赌资累计人民币{amount}元。"
        )
    elif charge == "容留他人吸毒罪":
        text = (
            f"{day}{hour}时许，{who}在其租住的{case.place}内，先后两次容留他人吸食甲基苯丙胺"
            f"（冰毒）。经检验，现场查获的白色晶体检出甲基苯丙胺成分。"
        )
    elif charge == "帮助信息网络犯罪活动罪":
        text = (
            f"{day}起，{who}明知他人利用信息网络实施犯罪，仍将本人名下银行卡提供给他人使用，"
            f"该卡被用于接收电信诈骗资金，流水累计人民币{amount}元。"
        )
    elif charge == "贩卖毒品罪":
        text = (
            f"{day}{hour}时许，{who}在{case.place}以人民币{amount}元的价格向吸毒人员贩卖甲基苯丙胺"
            f"（冰毒）一包。经称量，查获的甲基苯丙胺净重{case.drug_grams}克；经鉴定，检出甲基苯丙胺成分。"
        )
    else:
        text = (
            f"{day}{hour}时许，{who}在{case.place}酒后随意殴打被害人{victim}，致其面部受伤，"
            f"并损毁店内财物，情节恶劣。"
        )
    return text


def _defendant_words(case: SampleCase, suspect: bool) -> str:
    role = "犯罪嫌疑人" if suspect else "被告人"
    return f"{role}{'、'.join(d.person.name for d in case.defendants)}"


def cover(case: SampleCase, title: str, volume_pages: int) -> DocumentText:
    names = "、".join(d.person.name for d in case.defendants)
    lines = [
        case.police,
        f"案件名称：{names}涉嫌{case.scenario.charge[:-1]}案",
        f"案由：{case.scenario.charge}",
        f"犯罪嫌疑人：{names}",
        f"立案时间：{ymd(case.filed)}",
        f"立案编号：{case.police_case_no}",
        f"本卷共{volume_pages}页",
        f"立卷单位：{case.police}",
        f"立卷人：{case.officers[0]}",
        "第1卷 共1卷",
    ]
    return DocumentText("卷宗封面", title, "\n".join(lines))


def contents(entries: list[tuple[str, int]]) -> DocumentText:
    lines = ["序号 文书名称 页号"]
    lines += [f"{i} {title} {page}" for i, (title, page) in enumerate(entries, 1)]
    return DocumentText("卷内目录", "卷内文书目录", "\n".join(lines))


def acceptance(case: SampleCase, rng: random.Random) -> DocumentText:
    victim = case.victims[0] if case.victims else case.witnesses[0]
    lines = [
        f"受案单位：{case.police}",
        f"受案编号：{case.acceptance_no}",
        f"报案人：{victim.name}",
        f"性别：{victim.gender}  出生日期：{ymd(victim.birth_date)}",
        f"身份证件号码：{victim.id_number}",
        f"接报时间：{ymd(case.accepted)}{rng.randint(8, 22)}时{rng.randint(0, 59)}分",
        f"接报地点：{case.place}",
        f"简要案情：{ymd(case.offence_date)}，报案人{victim.name}来我所报称：在{case.place}发生一起"
        f"{case.scenario.charge[:-1]}案件，请求公安机关依法处理。",
        "受案意见：属本单位管辖的刑事案件，建议及时立案侦查。",
        f"受案民警：{case.officers[0]}、{case.officers[1]}",
        ymd(case.accepted),
    ]
    return DocumentText("受案登记表", f"{case.police}受案登记表", "\n".join(lines))


def filing(case: SampleCase) -> DocumentText:
    lines = [
        case.police_case_no,
        f"根据《中华人民共和国刑事诉讼法》第一百零九条之规定，决定对{ymd(case.offence_date)}"
        f"发生在{case.place}的{case.scenario.charge[:-1]}案立案侦查。",
        "公安局（印）",
        ymd(case.filed),
    ]
    return DocumentText("立案决定书", "立案决定书", "\n".join(lines))


def detention_warrant(case: SampleCase, index: int) -> DocumentText:
    d = case.defendants[index]
    p = d.person
    lines = [
        f"{case.jurisdiction.short}公（刑）拘字〔{d.detained.year}〕{1000 + index * 7 + case.seed % 900}号",
        f"根据《中华人民共和国刑事诉讼法》第八十二条之规定，兹决定对涉嫌{case.scenario.charge}的"
        f"{p.name}（性别{p.gender}，出生日期{ymd(p.birth_date)}，身份证件号码{p.id_number}，住址{p.birth_place}）"
        f"执行拘留，送{case.jurisdiction.detention_centre}羁押。",
        f"{case.police}（印）",
        ymd(d.detained),
        f"本证已于{ymd(d.detained)}向我宣布。被拘留人：{p.name}",
    ]
    return DocumentText("拘留证", "拘留证", "\n".join(lines))


def arrest_warrant(case: SampleCase, index: int) -> DocumentText:
    d = case.defendants[index]
    p = d.person
    assert d.arrested is not None
    lines = [
        f"{case.jurisdiction.short}公（刑）捕字〔{d.arrested.year}〕{500 + index * 3 + case.seed % 400}号",
        f"根据《中华人民共和国刑事诉讼法》第八十条之规定，经{case.procuratorate}批准，"
        f"兹由我局对涉嫌{case.scenario.charge}的{p.name}（性别{p.gender}，出生日期{ymd(p.birth_date)}，"
        f"住址{p.birth_place}）执行逮捕，送{case.jurisdiction.detention_centre}羁押。",
        f"{case.police}（印）",
        ymd(d.arrested),
        f"本证已于{ymd(d.arrested)}向我宣布。被逮捕人：{p.name}",
    ]
    return DocumentText("逮捕证", "逮捕证", "\n".join(lines))


def bail_decision(case: SampleCase, index: int) -> DocumentText:
    d = case.defendants[index]
    assert d.bail is not None
    lines = [
        f"{case.jurisdiction.short}公（刑）取保字〔{d.bail.year}〕{200 + index + case.seed % 300}号",
        f"犯罪嫌疑人{_profile(d.person, with_id=True)}。",
        f"我局正在侦查{case.scenario.charge[:-1]}案，因犯罪嫌疑人{d.person.name}不致发生社会危险性，"
        f"根据《中华人民共和国刑事诉讼法》第六十七条之规定，决定对其取保候审，期限从{ymd(d.bail)}起算。"
        f"犯罪嫌疑人应当接受保证人监督，遵守取保候审规定。",
        f"{case.police}（印）",
        ymd(d.bail),
    ]
    return DocumentText("取保候审决定书", "取保候审决定书", "\n".join(lines))


_QUESTIONS = (
    ("你的个人情况？", "{profile}。"),
    ("你以前是否受过法律处分？", "{record}"),
    ("你知道为什么被带到公安机关吗？", "知道，因为我{deed}。"),
    ("你把事情的经过详细讲一下。", "{facts}我当时一时糊涂，现在很后悔。"),
    ("还有谁和你一起？", "{accomplices}"),
    ("作案后你去了哪里？", "我回到住处，后来被民警找到，我没有反抗。"),
    ("你对自己的行为怎么看？", "我知道错了，愿意认罪认罚，也愿意赔偿对方的损失。"),
    ("你说的是否属实？", "我说的都是实话。"),
    ("你还有什么要补充的？", "没有了。"),
)


def interrogation(
    case: SampleCase, index: int, session: int, rng: random.Random, rounds: int
) -> DocumentText:
    """讯问笔录: heading block, rights notice, then question and answer."""
    d = case.defendants[index]
    day = d.detained + dt.timedelta(days=session * rng.randint(1, 5))
    others = [o.person.name for o in case.defendants if o is not d]
    values = {
        "profile": f"我叫{_profile(d.person, with_id=True)}",
        "record": "我以前没有受过法律处分。"
        if "累犯" not in d.circumstances
        else "我以前因犯盗窃罪被判过刑。",
        "deed": f"涉嫌{case.scenario.charge[:-1]}",
        "facts": facts(case, rng).replace("犯罪嫌疑人", ""),
        "accomplices": f"还有{'、'.join(others)}。" if others else "就我一个人。",
    }
    lines = [
        f"时间：{ymd(day)}{rng.randint(8, 15)}时{rng.randint(0, 59):02d}分至{ymd(day)}"
        f"{rng.randint(16, 21)}时{rng.randint(0, 59):02d}分",
        f"地点：{case.jurisdiction.detention_centre}讯问室",
        f"侦查员：{case.officers[0]}、{case.officers[1]}  记录员：{case.officers[1]}",
        f"犯罪嫌疑人：{d.person.name}",
        f"问：我们是{case.police}的侦查人员，现依法对你进行讯问，你要如实回答，对与本案无关的问题有拒绝回答的权利，听清楚了吗？",
        "答：听清楚了。",
    ]
    pool = list(_QUESTIONS)
    for turn in range(rounds):
        question, answer = pool[turn % len(pool)] if turn < len(pool) else rng.choice(pool[2:7])
        lines.append(f"问：{question}")
        lines.append(f"答：{answer.format(**values)}")
    lines.append("以上笔录我看过，和我说的相符。")
    lines.append(f"{d.person.name}（捺印）{ymd(day)}")
    return DocumentText("讯问笔录", "讯问笔录", "\n".join(lines), page_footer=True)


def inquiry(
    case: SampleCase, person: FakePerson, role: str, rng: random.Random, rounds: int
) -> DocumentText:
    """询问笔录 of a victim or witness."""
    day = case.accepted + dt.timedelta(days=rng.randint(0, 10))
    defendant = case.defendants[0].person.name
    lines = [
        f"时间：{ymd(day)}{rng.randint(8, 15)}时{rng.randint(0, 59):02d}分至{rng.randint(16, 21)}时"
        f"{rng.randint(0, 59):02d}分",
        f"地点：{case.police}办案区",
        f"询问人：{case.officers[0]}、{case.officers[1]}",
        f"被询问人：{person.name}  性别：{person.gender}  出生日期：{ymd(person.birth_date)}",
        f"身份证件号码：{person.id_number}",
        "问：我们是公安机关的工作人员，依法向你询问有关情况，你应当如实提供证据、证言，有意作伪证或者隐匿罪证要负法律责任，你听清楚了吗？",
        "答：听清楚了。",
    ]
    answers = (
        f"{ymd(case.offence_date)}我在{case.place}，看到{defendant}和别人在一起。",
        f"我认识{defendant}，平时来往不多。",
        "当时周围还有几个人，具体我记不清了。",
        "后来我就报了警，民警很快赶到了现场。",
        "我说的都是实话，以上情况属实。",
    )
    questions = (
        "你把看到的情况讲一下。",
        f"你认识{defendant}吗？",
        "当时还有谁在场？",
        "后来呢？",
        "你还有什么补充？",
    )
    if role == "被害人":
        answers = (
            f"我是{case.scenario.charge[:-1]}案的被害人，{ymd(case.offence_date)}在{case.place}被人侵害。",
            *answers[1:],
        )
    for turn in range(rounds):
        lines.append(f"问：{questions[turn % len(questions)]}")
        lines.append(f"答：{answers[turn % len(answers)]}")
    lines.append("以上笔录我看过，和我说的一样。")
    lines.append(f"{person.name}（捺印）{ymd(day)}")
    return DocumentText("询问笔录", "询问笔录", "\n".join(lines), page_footer=True)


def _alcohol(case: SampleCase, rng: random.Random) -> int:
    drawn = rng.randint(81, 260)
    return case.alcohol_mg if case.alcohol_mg is not None else drawn


def expert_opinion(case: SampleCase, rng: random.Random) -> DocumentText:
    day = case.filed + dt.timedelta(days=rng.randint(2, 15))
    title = case.scenario.expertise
    finding = {
        "价格认定结论书": f"涉案财物在价格认定基准日的价格为人民币{case.amount_yuan}元。",
        "司法会计鉴定意见书": f"经审查银行交易明细，涉案资金共计人民币{case.amount_yuan}元。",
        "血液酒精含量检验鉴定书": f"送检血样中检出乙醇成分，含量为{_alcohol(case, rng)}mg/100ml。",
        "法医学人体损伤程度鉴定书": "被鉴定人的损伤程度属轻伤二级。",
        "电子数据检验鉴定意见书": "检材手机中提取到涉案聊天记录及转账记录，已制作光盘附卷。",
        "毒品检验鉴定书": "送检白色晶体中检出甲基苯丙胺成分。"
        + (f"送检检材净重{case.drug_grams}克。" if case.drug_grams else ""),
    }[title]
    lines = [
        f"{case.police}物证鉴定所",
        f"委托单位：{case.police}",
        f"受理日期：{ymd(day)}",
        f"案件名称：{case.defendants[0].person.name}涉嫌{case.scenario.charge[:-1]}案",
        "检验方法：依照相关技术规范进行检验。",
        f"鉴定意见：{finding}",
        f"鉴定人：{case.officers[1]}（主检法医师）",
        ymd(day + dt.timedelta(days=3)),
    ]
    return DocumentText(_EXPERTISE_TYPES.get(title, "鉴定意见"), title, "\n".join(lines))


# The evidence type of each expertise title (the rest stay 鉴定意见).
_EXPERTISE_TYPES = {
    "价格认定结论书": "价格认定",
    "血液酒精含量检验鉴定书": "血液酒精含量鉴定",
    "法医学人体损伤程度鉴定书": "伤情鉴定",
    "毒品检验鉴定书": "毒品鉴定",
}
_OTHER_TYPES = {"户籍证明": "户籍证明", "扣押清单": "扣押清单", "辨认笔录": "辨认笔录"}


def other(case: SampleCase, rng: random.Random, kind: int) -> DocumentText:
    """Material that is none of the typed documents: 抓获经过, 户籍证明, 扣押清单, 辨认笔录."""
    d = case.defendants[kind % len(case.defendants)]
    titles = ("到案经过", "户籍证明", "扣押清单", "辨认笔录", "情况说明", "提请批准逮捕书")
    title = titles[kind % len(titles)]
    bodies = {
        "到案经过": f"{ymd(d.detained)}，民警在{case.place}附近将犯罪嫌疑人{d.person.name}抓获，"
        f"其到案后如实供述了主要犯罪事实。特此说明。",
        "户籍证明": f"经查，{_profile(d.person, with_id=True)}。以上情况与户籍底册记载一致。",
        "扣押清单": f"编号 名称 数量 特征\n1 手机 1部 黑色\n2 银行卡 {rng.randint(1, 4)}张 已扣押\n"
        f"持有人：{d.person.name}  见证人：{case.witnesses[0].name}",
        "辨认笔录": f"辨认人{case.witnesses[0].name}在十二张不同男子的照片中，指认出第{rng.randint(1, 12)}号"
        f"照片中的男子即为其所见之人。经核实，该男子为{d.person.name}。",
        "情况说明": f"犯罪嫌疑人{d.person.name}到案后，公安机关依法调取了监控录像及相关证据，"
        "上述证据已随案移送。",
        "提请批准逮捕书": f"犯罪嫌疑人{d.person.name}涉嫌{case.scenario.charge}，可能判处徒刑以上刑罚，"
        f"有逮捕必要，根据《中华人民共和国刑事诉讼法》第八十一条之规定，特提请批准逮捕。"
        f"此致\n{case.procuratorate}",
    }
    body = bodies[title] + f"\n{case.police}\n{ymd(d.detained + dt.timedelta(days=1))}"
    return DocumentText(_OTHER_TYPES.get(title, "其他"), title, body)


def _parties(case: SampleCase, *, role: str, with_lawyer: bool) -> list[str]:
    out = []
    for d in case.defendants:
        measure = f"因涉嫌犯{case.scenario.charge}于{ymd(d.detained)}被{case.police}刑事拘留"
        if d.arrested:
            measure += f"，{ymd(d.arrested)}经{case.procuratorate}批准，同日被逮捕。现羁押于{case.jurisdiction.detention_centre}。"
        else:
            measure += f"，{ymd(d.bail)}被取保候审。"
        record = (
            "曾因犯盗窃罪被判处有期徒刑一年，刑满释放后五年内再犯。"
            if "累犯" in d.circumstances
            else ""
        )
        if d.prior:
            record = (
                f"{ymd(d.prior.sentenced)}因犯{d.prior.charge}被判处有期徒刑{term_cn(d.prior.months)}，"
                f"{ymd(d.prior.released)}刑满释放。"
            )
        out.append(f"{role}{_profile(d.person, with_id=False)}。{record}{measure}")
        if with_lawyer:
            out.append(f"辩护人{d.lawyer}，{d.law_firm}律师。")
    return out


def _circumstance_words(case: SampleCase, role: str) -> str:
    words = {
        "自首": "案发后主动投案，如实供述自己的罪行，系自首",
        "坦白": "到案后如实供述自己的罪行，系坦白",
        "认罪认罚": "自愿认罪认罚",
        "退赃退赔": "已退赔被害人全部经济损失",
        "谅解": "已取得被害人谅解",
        "从犯": "在共同犯罪中起次要作用，系从犯",
        "未遂": "已经着手实行犯罪，由于意志以外的原因而未得逞，系犯罪未遂",
        "累犯": "系累犯，应当从重处罚",
    }
    parts = []
    for d in case.defendants:
        said = "，".join(words[c] for c in d.circumstances)
        parts.append(f"{role}{d.person.name}{said}")
    return "；".join(parts) + "。"


def recommendation(case: SampleCase, rng: random.Random) -> DocumentText:
    lines = [
        f"{case.jurisdiction.short}公（刑）诉字〔{case.recommended.year}〕{rng.randint(100, 999)}号",
        *_parties(case, role="犯罪嫌疑人", with_lawyer=False),
        f"犯罪嫌疑人{'、'.join(d.person.name for d in case.defendants)}涉嫌{case.scenario.charge}一案，"
        f"由被害人报案至我局。我局经过审查，于{ymd(case.filed)}立案侦查。",
        "经依法侦查查明：",
        facts(case, rng),
        "认定上述犯罪事实的证据如下：受案登记表、被害人陈述、证人证言、鉴定意见、犯罪嫌疑人的供述和辩解等。",
        _circumstance_words(case, "犯罪嫌疑人"),
        f"综上所述，{_defendant_words(case, True)}的行为已触犯《中华人民共和国刑法》"
        f"{article_cn(*case.scenario.article)}之规定，涉嫌{case.scenario.charge}。"
        f"依照《中华人民共和国刑事诉讼法》第一百六十二条之规定，现将此案移送审查起诉。",
        "此致",
        case.procuratorate,
        f"{case.police}（印）",
        ymd(case.recommended),
    ]
    return DocumentText("起诉意见书", f"{case.police}起诉意见书", "\n".join(lines))


def indictment(case: SampleCase, rng: random.Random) -> DocumentText:
    lines = [
        case.indictment_no,
        *_parties(case, role="被告人", with_lawyer=False),
        f"本案由{case.police}侦查终结，以被告人{'、'.join(d.person.name for d in case.defendants)}涉嫌"
        f"{case.scenario.charge}，于{ymd(case.recommended)}向本院移送审查起诉。本院受理后，已依法告知被告人"
        "有权委托辩护人，依法讯问了被告人，听取了辩护人的意见，审查了全部案件材料。",
        "经依法审查查明：",
        facts(case, rng).replace("犯罪嫌疑人", "被告人"),
        "认定上述事实的证据如下：书证、证人证言、被害人陈述、鉴定意见、被告人供述和辩解等。",
        _circumstance_words(case, "被告人"),
        f"本院认为，{_defendant_words(case, False)}的行为触犯了《中华人民共和国刑法》"
        f"{article_cn(*case.scenario.article)}，犯罪事实清楚，证据确实、充分，应当以{case.scenario.charge}"
        "追究其刑事责任。根据《中华人民共和国刑事诉讼法》第一百七十六条之规定，提起公诉，请依法判处。",
        "此致",
        case.court,
        f"检察官：{case.prosecutor}",
        ymd(case.indicted),
    ]
    return DocumentText("起诉书", f"{case.procuratorate}起诉书", "\n".join(lines))


def sentencing_suggestion(case: SampleCase) -> DocumentText:
    lines = [
        f"{case.indictment_no.replace('刑诉', '量建')}",
        f"被告人{'、'.join(d.person.name for d in case.defendants)}"
        f"涉嫌{case.scenario.charge}一案，经本院审查认为，根据案件事实、情节，提出如下量刑建议：",
    ]
    lines.append(
        f"被告人的行为触犯《中华人民共和国刑法》{article_cn(*case.scenario.article)}，"
        f"依法应当在该条规定的法定刑幅度内量刑。"
    )
    lines.append(_circumstance_words(case, "被告人").replace("。", "，") + "以上为本案的量刑情节。")
    lines.append("根据《中华人民共和国刑事诉讼法》第一百七十六条的规定，建议：")
    for d in case.defendants:
        low = max(1, d.months - 2)
        lines.append(
            f"对被告人{d.person.name}判处{case.scenario.penalty}{term_cn(low)}至{term_cn(d.months + 2)}"
            + (f"，并处罚金{yuan_cn(d.fine_yuan)}" if d.fine_yuan else "")
            + ("，可以宣告缓刑" if d.probation_months else "，不适用缓刑")
            + "。"
        )
    lines += ["此致", case.court, f"检察官：{case.prosecutor}", ymd(case.indicted)]
    return DocumentText("量刑建议书", f"{case.procuratorate}量刑建议书", "\n".join(lines))


def non_prosecution(case: SampleCase, rng: random.Random) -> DocumentText:
    lines = [
        case.indictment_no.replace("刑诉", "不诉"),
        *_parties(case, role="被不起诉人", with_lawyer=False),
        f"本案由{case.police}侦查终结，于{ymd(case.recommended)}移送本院审查起诉。",
        facts(case, rng).replace("犯罪嫌疑人", "被不起诉人"),
        f"本院认为，被不起诉人实施了《中华人民共和国刑法》{article_cn(*case.scenario.article)}规定的行为，"
        "但犯罪情节轻微，具有坦白情节，且已认罪认罚，根据《中华人民共和国刑法》第三十七条的规定，不需要判处刑罚。"
        "依据《中华人民共和国刑事诉讼法》第一百七十七条第二款的规定，决定对其不起诉。",
        f"{case.procuratorate}（印）",
        ymd(case.indicted),
    ]
    return DocumentText("不起诉决定书", f"{case.procuratorate}不起诉决定书", "\n".join(lines))


def verdict_line(case: SampleCase, index: int) -> str:
    d = case.defendants[index]
    out = f"被告人{d.person.name}犯{case.scenario.charge}，判处{case.scenario.penalty}{term_cn(d.months)}"
    if d.probation_months:
        out += f"，缓刑{term_cn(d.probation_months)}"
    if d.fine_yuan:
        out += f"，并处罚金{yuan_cn(d.fine_yuan)}"
    return out + "。"


def judgment(case: SampleCase, rng: random.Random) -> DocumentText:
    procedure = rng.choice(
        ("简易程序，实行独任审判", "速裁程序，实行独任审判", "普通程序，组成合议庭")
    )
    cited = "、".join(
        f"《{law}》{article_cn(a, s, p, i)}"
        if law != CRIMINAL_LAW or n == 0
        else article_cn(a, s, p, i)
        for n, (law, a, s, p, i) in enumerate(case.statutes())
    )
    lines = [
        case.case_no,
        f"公诉机关{case.procuratorate}。",
        *_parties(case, role="被告人", with_lawyer=True),
        f"{case.procuratorate}以{case.indictment_no}起诉书指控被告人{'、'.join(d.person.name for d in case.defendants)}"
        f"犯{case.scenario.charge}，于{ymd(case.prosecuted)}向本院提起公诉。本院依法适用{procedure}，公开开庭审理了本案。"
        f"{case.procuratorate}指派检察员{case.prosecutor}出庭支持公诉，被告人及其辩护人到庭参加诉讼。现已审理终结。",
        f"{case.procuratorate}指控：",
        facts(case, rng).replace("犯罪嫌疑人", "被告人"),
        "上述事实，被告人在开庭审理过程中亦无异议，且有被害人陈述、证人证言、鉴定意见、受案登记表、到案经过等证据证实，足以认定。",
        f"本院认为，{_defendant_words(case, False)}的行为已构成{case.scenario.charge}。公诉机关指控的罪名成立。"
        + _circumstance_words(case, "被告人")
        + "依法可以从轻处罚。辩护人的相关辩护意见，本院予以采纳。"
        f"依照{cited}之规定，判决如下：",
    ]
    for i in range(len(case.defendants)):
        prefix = f"{cn2an.an2cn(i + 1)}、" if len(case.defendants) > 1 else ""
        lines.append(prefix + verdict_line(case, i))
    lines += [
        f"如不服本判决，可在接到判决书的第二日起十日内，通过本院或者直接向{case.jurisdiction.intermediate_court}提出上诉。",
        f"审判员 {case.judge}",
        ymd_cn(case.judged),
        f"书记员 {case.clerk}",
    ]
    return DocumentText("判决书", f"{case.court}刑事判决书", "\n".join(lines))


def ruling(case: SampleCase) -> DocumentText:
    """A 补正裁定: corrects a clerical error in the judgment, as courts do by 裁定书."""
    day = case.judged + dt.timedelta(days=7)
    lines = [
        case.case_no.replace("号", "号之一"),
        f"本院在审理被告人{case.defendants[0].person.name}犯{case.scenario.charge}一案中，于{ymd(case.judged)}"
        f"作出的{case.case_no}刑事判决书中存在笔误，应予补正。依照《最高人民法院关于适用〈中华人民共和国刑事诉讼法〉的解释》"
        "第二百四十五条之规定，裁定如下：",
        "将判决书第二页中的“公开开庭”补正为“依法公开开庭”。",
        f"审判员 {case.judge}",
        ymd_cn(day),
        f"书记员 {case.clerk}",
    ]
    return DocumentText("裁定书", f"{case.court}刑事裁定书", "\n".join(lines))


def evidence_document(case: SampleCase, kind: str, index: int = 0) -> DocumentText:
    """The evidence documents review dossiers hold besides the plain samples' (呼气酒精检测,
    扣押清单, 毒品称量, 户籍证明, 前科材料), dated within the investigation."""
    d = case.defendants[index % len(case.defendants)]
    day = d.detained
    police = case.police
    if kind == "呼气酒精检测":
        body = (f"被检测人：{d.person.name}\n检测时间：{ymd(case.offence_date)}\n"
                f"检测结果：呼气酒精含量{case.alcohol_mg}mg/100ml\n检测民警：{case.officers[0]}")
        return DocumentText("呼气酒精检测", "呼气酒精检测报告", body + f"\n{police}\n{ymd(case.offence_date)}")
    if kind == "扣押清单":
        item = "甲基苯丙胺 1包 白色晶体" if case.scenario.charge == "贩卖毒品罪" else "手机 1部 黑色"
        body = (f"编号 名称 数量 特征\n1 {item}\n2 现金 1宗 人民币\n"
                f"持有人：{d.person.name}  见证人：{case.witnesses[0].name}")
        return DocumentText("扣押清单", "扣押清单", body + f"\n{police}\n{ymd(day)}")
    if kind == "毒品称量":
        body = (f"称量对象：查获的白色晶体1包\n称量结果：净重{case.drug_grams}克\n"
                f"称量人：{case.officers[0]}、{case.officers[1]}  见证人：{case.witnesses[0].name}")
        return DocumentText("毒品称量", "称量笔录", body + f"\n{police}\n{ymd(day)}")
    if kind == "户籍证明":
        body = f"经查，{_profile(d.person, with_id=True)}。以上情况与户籍底册记载一致。"
        return DocumentText("户籍证明", "户籍证明", body + f"\n{police}\n{ymd(day)}")
    if kind == "前科材料":
        prior = d.prior
        said = (f"{ymd(prior.sentenced)}因犯{prior.charge}被判处有期徒刑{term_cn(prior.months)}，"
                f"{ymd(prior.released)}刑满释放") if prior else "曾因犯盗窃罪被判处有期徒刑一年，已刑满释放"
        body = f"经查，{d.person.name}{said}。特此证明。"
        return DocumentText("前科材料", "刑满释放证明", body + f"\n{police}\n{ymd(day)}")
    raise ValueError(f"no sample document for evidence kind {kind!r}")
