"""A hand-written feed batch: for every model, planted positives and near-miss negatives.

Record ids say what each row is: ``…POS…`` must be found by the model named in
:data:`EXPECTED`, ``…NEG…`` rows are the near misses beside them (a day inside
the limit, a yuan under the threshold, a term at its bound) and must not be.
As-of is 2026-06-30 throughout.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

from stdnum.cn import ric

from schemas.feeds import FEEDS

AS_OF = dt.date(2026, 6, 30)


def pid(n: int) -> str:
    body = f"110105{1960 + n % 40}0{1 + n % 9}1{n % 10}{n % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")  # it drops the last character


# (feed, record id) the model must find; every other POS/NEG row must stay unflagged by it.
EXPECTED: dict[str, set[tuple[str, ...]]] = {
    "penalty_instead_of_prosecution": {("admin_penalties:AP-POS-1",),
                                       ("admin_penalties:AP-POS-2",)},
    "unfiled_police_case": {("police_cases:PC-POS-1",), ("police_cases:PC-POS-2",)},
    "detention_overdue": {("measures:M-POS-D1",), ("measures:M-POS-D2",)},
    "custody_overdue": {("measures:M-POS-C1",), ("measures:M-POS-C2",), ("measures:M-POS-C3",),
                        ("measures:M-POS-C4",)},
    "bail_overdue": {("measures:M-POS-B1",), ("measures:M-POS-B2",)},
    "dui_no_licence_revocation": {("non_prosecutions:NP-POS-1",), ("non_prosecutions:NP-POS-2",)},
    "probation_ineligible": {("judgments:J-POS-PI1",), ("judgments:J-POS-PI2",),
                             ("judgments:J-POS-PI3",)},
    "probation_term_invalid": {("judgments:J-POS-PT1",), ("judgments:J-POS-PT2",),
                               ("judgments:J-POS-PT3",), ("judgments:J-POS-PT4",)},
    "fine_missing": {("judgments:J-POS-F1",), ("judgments:J-POS-F2",)},
    "sentence_out_of_range": {("judgments:J-POS-R1",), ("judgments:J-POS-R2",)},
    "article_charge_mismatch": {("judgments:J-POS-A1",)},
    "sentence_deviation": {("judgments:J-POS-DV1",), ("judgments:J-POS-DV2",)},
    "corrections_missed": {("corrections:CR-POS-1",), ("corrections:CR-POS-2",)},
    "pension_while_imprisoned": {("pensions:PN-POS-1", "prison:PR-1"),
                                 ("pensions:PN-POS-2", "prison:PR-1"),
                                 ("pensions:PN-POS-3", "prison:PR-1"),
                                 ("pensions:PN-POS-4", "prison:PR-2")},
    "fine_unenforced": {("judgments:J-POS-U1",)},
}


def _judgment(jid: str, n: int, charge: str, article: str, penalty: str, months: int | None,
              probation: int | None = None, fine: int | None = None, recidivist: bool = False,
              effective: str = "2026-06-01") -> dict:
    return {"judgment_id": jid, "case_no": f"（2026）京0105刑初{n}号", "person_id": pid(n),
            "court": "北京市朝阳区人民法院", "charge": charge, "article": article,
            "penalty": penalty, "months": "" if months is None else str(months),
            "probation_months": "" if probation is None else str(probation),
            "fine_yuan": "" if fine is None else str(fine),
            "recidivist": "true" if recidivist else "false", "effective_date": effective}


def rows() -> dict[str, list[dict]]:
    d = {name: [] for name in FEEDS}
    d["admin_penalties"] = [
        {"penalty_id": i, "person_id": pid(n), "agency": "北京市公安局朝阳分局", "offence": o,
         "amount_yuan": a, "penalty": "罚款", "decided_date": "2026-03-01", "transferred_date": t}
        for i, n, o, a, t in [
            ("AP-POS-1", 1, "盗窃", "1000", ""), ("AP-POS-2", 2, "诈骗", "5000", ""),
            ("AP-NEG-1", 3, "盗窃", "999", ""), ("AP-NEG-2", 4, "诈骗", "2999", ""),
            ("AP-NEG-3", 5, "盗窃", "5000", "2026-03-05"), ("AP-NEG-4", 6, "赌博", "90000", ""),
        ]]
    d["police_cases"] = [
        {"case_id": i, "person_id": pid(n), "offence": o, "amount_yuan": a, "received_date": r,
         "filed_date": f, "withdrawn_date": w}
        for i, n, o, a, r, f, w in [
            ("PC-POS-1", 11, "盗窃", "1000", "2026-05-30", "", ""),
            ("PC-NEG-1", 12, "盗窃", "1000", "2026-05-31", "", ""),
            ("PC-NEG-2", 13, "盗窃", "999", "2026-01-01", "", ""),
            ("PC-NEG-3", 14, "诈骗", "5000", "2026-01-01", "2026-01-02", ""),
            ("PC-NEG-4", 15, "诈骗", "5000", "2026-01-01", "", "2026-02-01"),
            ("PC-POS-2", 16, "诈骗", "3000", "2026-01-01", "", ""),
            ("PC-NEG-5", 17, "故意伤害", "", "2026-01-01", "", ""),
        ]]
    m = []

    def measure(i, n, case, kind, start, end="", ext=""):
        m.append({"measure_id": i, "person_id": pid(n), "case_id": case, "kind": kind,
                  "start_date": start, "end_date": end, "extension": ext})

    measure("M-POS-D1", 21, "C21", "拘留", "2026-06-01")
    measure("M-ASK-D1", 21, "C21", "提请逮捕", "2026-06-05")  # a day late
    measure("M-NEG-D1", 22, "C22", "拘留", "2026-06-01", "2026-06-04")
    measure("M-ASK-N1", 22, "C22", "提请逮捕", "2026-06-04")  # on the last day
    measure("M-POS-D2", 23, "C23", "拘留", "2026-06-01", "", "7")
    measure("M-NEG-D2", 24, "C24", "拘留", "2026-06-10", "", "30")
    measure("M-NEG-D3", 25, "C25", "拘留", "2026-06-27")  # deadline is as-of itself
    measure("M-NEG-D4", 26, "C26", "拘留", "2026-05-01", "2026-05-03")
    measure("M-REL-D4", 26, "C26", "释放", "2026-05-03")
    measure("M-POS-C1", 31, "C31", "逮捕", "2026-01-31", "2026-04-01")
    measure("M-NEG-C1", 32, "C32", "逮捕", "2026-01-31", "2026-03-31")
    measure("M-POS-C2", 33, "C33", "逮捕", "2025-12-31", "2026-03-01")  # limit 02-28 (clamped)
    measure("M-NEG-C2", 34, "C34", "逮捕", "2025-12-31", "2026-02-28")
    measure("M-POS-C3", 35, "C35", "逮捕", "2026-01-10", "2026-04-11")
    measure("M-EXT-C3", 35, "C35", "延长羁押", "2026-03-10", "", "1")
    measure("M-NEG-C3", 36, "C36", "逮捕", "2026-01-10", "2026-04-10")
    measure("M-EXT-N3", 36, "C36", "延长羁押", "2026-03-10", "", "1")
    measure("M-POS-C4", 37, "C37", "逮捕", "2026-04-01")  # still held, limit 06-01
    measure("M-NEG-C4", 38, "C38", "逮捕", "2026-05-01")  # still held, limit 07-01
    measure("M-POS-B1", 41, "C41", "取保候审", "2025-06-01", "2026-06-02")
    measure("M-NEG-B1", 42, "C42", "取保候审", "2025-06-01", "2026-06-01")
    measure("M-POS-B2", 43, "C43", "监视居住", "2025-12-01")
    measure("M-NEG-B2", 44, "C44", "监视居住", "2026-01-01")
    d["measures"] = m
    d["non_prosecutions"] = [
        {"decision_id": i, "person_id": pid(n), "charge": c, "blood_alcohol_mg": mg,
         "decided_date": day}
        for i, n, c, mg, day in [
            ("NP-POS-1", 51, "危险驾驶罪", "80", "2026-05-30"),
            ("NP-NEG-1", 52, "危险驾驶罪", "79", "2026-01-01"),
            ("NP-NEG-2", 53, "危险驾驶罪", "150", "2026-05-31"),
            ("NP-NEG-3", 54, "危险驾驶罪", "150", "2026-01-01"),
            ("NP-POS-2", 55, "危险驾驶", "150", "2026-01-10"),
            ("NP-NEG-4", 56, "盗窃罪", "", "2026-01-01"),
        ]]
    d["licence_revocations"] = [
        {"revocation_id": "LR-1", "person_id": pid(54), "revoked_date": "2026-01-01"},
        {"revocation_id": "LR-2", "person_id": pid(55), "revoked_date": "2026-01-09"},  # before
    ]
    j = [
        _judgment("J-POS-PI1", 61, "盗窃罪", "264", "有期徒刑", 12, 12, 2000, recidivist=True),
        _judgment("J-POS-PI2", 62, "盗窃罪", "264", "有期徒刑", 37, 48, 2000),
        _judgment("J-NEG-PI1", 63, "盗窃罪", "264", "有期徒刑", 36, 36, 2000),
        _judgment("J-POS-PI3", 64, "寻衅滋事罪", "293", "管制", 12, 12),
        _judgment("J-POS-PT1", 65, "危险驾驶罪", "133之一", "拘役", 3, 2, 2000),
        _judgment("J-NEG-PT1", 66, "危险驾驶罪", "133之一", "拘役", 2, 2, 2000),
        _judgment("J-NEG-PT2", 67, "危险驾驶罪", "133之一", "拘役", 6, 12, 2000),
        _judgment("J-POS-PT2", 68, "危险驾驶罪", "133之一", "拘役", 6, 13, 2000),
        _judgment("J-POS-PT3", 69, "盗窃罪", "264", "有期徒刑", 12, 11, 2000),
        _judgment("J-NEG-PT3", 70, "盗窃罪", "264", "有期徒刑", 6, 12, 2000),
        _judgment("J-POS-PT4", 71, "盗窃罪", "264", "有期徒刑", 24, 61, 2000),
        _judgment("J-POS-F1", 72, "盗窃罪", "264", "有期徒刑", 6),
        _judgment("J-NEG-F1", 73, "故意伤害罪", "234", "有期徒刑", 8),
        _judgment("J-NEG-F2", 74, "盗窃罪", "264", "有期徒刑", 6, None, 1000),
        _judgment("J-NEG-F3", 75, "盗窃罪", "264", "免予刑事处罚", None),
        _judgment("J-POS-F2", 76, "危险驾驶罪", "133之一", "拘役", 2),
        _judgment("J-POS-R1", 77, "危险驾驶罪", "133之一", "有期徒刑", 6, None, 3000),
        _judgment("J-NEG-R1", 78, "危险驾驶罪", "133之一", "拘役", 6, None, 3000),
        _judgment("J-POS-R2", 79, "寻衅滋事罪", "293", "有期徒刑", 121),
        _judgment("J-NEG-R2", 80, "寻衅滋事罪", "293", "有期徒刑", 120),
        _judgment("J-POS-A1", 81, "盗窃罪", "266", "有期徒刑", 6, None, 2000),
        _judgment("J-NEG-A1", 82, "贩卖毒品罪", "347", "有期徒刑", 8, None, 2000),
        _judgment("J-POS-U1", 83, "盗窃罪", "264", "有期徒刑", 6, None, 2000,
                  effective="2026-03-31"),
        _judgment("J-NEG-U1", 84, "盗窃罪", "264", "有期徒刑", 6, None, 2000,
                  effective="2026-04-01"),
        _judgment("J-NEG-U2", 85, "盗窃罪", "264", "有期徒刑", 6, None, 2000,
                  effective="2025-01-01"),
    ]
    # sentence_deviation: 故意伤害罪 without an amount, 26 cases: 12 ×10, 18 ×10, 24 ×4, one 60
    # (above p95 = 24) and one 6 (below p5 = 12); the 24s sit at p95 and stay.
    months = [12] * 10 + [18] * 10 + [24] * 4
    for k, value in enumerate(months):
        j.append(_judgment(f"J-NEG-DV{k}", 100 + k, "故意伤害罪", "234", "有期徒刑", value))
    j.append(_judgment("J-POS-DV1", 130, "故意伤害罪", "234", "有期徒刑", 60))
    j.append(_judgment("J-POS-DV2", 131, "故意伤害罪", "234", "有期徒刑", 6))
    d["judgments"] = j
    d["fine_enforcement"] = [
        {"enforcement_id": "FE-1", "case_no": "（2026）京0105刑初85号", "person_id": pid(85),
         "filed_date": "2025-02-01"},
    ]
    d["corrections"] = [
        {"correction_id": i, "person_id": pid(n), "case_no": f"（2026）京0105刑初{n}号",
         "kind": k, "effective_date": e, "checkin_date": c}
        for i, n, k, e, c in [
            ("CR-POS-1", 141, "缓刑", "2026-06-01", ""),
            ("CR-NEG-1", 142, "缓刑", "2026-06-20", ""),
            ("CR-NEG-2", 143, "假释", "2026-05-01", "2026-05-11"),
            ("CR-POS-2", 144, "管制", "2026-05-01", "2026-05-12"),
            ("CR-NEG-3", 145, "暂予监外执行", "2026-05-01", ""),
        ]]
    d["prison"] = [
        {"record_id": "PR-1", "person_id": pid(151), "admitted_date": "2026-01-01",
         "released_date": ""},
        {"record_id": "PR-2", "person_id": pid(152), "admitted_date": "2026-01-02",
         "released_date": "2026-03-30"},
    ]
    d["pensions"] = [
        {"payment_id": i, "person_id": pid(n), "month": month, "amount_yuan": "3000"}
        for i, n, month in [
            ("PN-NEG-1", 151, "2025-12"), ("PN-POS-1", 151, "2026-01"),
            ("PN-POS-2", 151, "2026-05"), ("PN-POS-3", 151, "2026-06"),
            ("PN-NEG-2", 152, "2026-01"), ("PN-POS-4", 152, "2026-02"),
            ("PN-NEG-3", 152, "2026-03"),
        ]]
    people = sorted({r["person_id"] for feed in d.values() for r in feed})
    d["people"] = [{"person_id": p, "name": "测试人", "birth_date": f"{p[6:10]}-{p[10:12]}-"
                    f"{p[12:14]}"} for p in people]
    return d


def write(folder: Path, data: dict[str, list[dict]] | None = None) -> Path:
    data = data if data is not None else rows()
    folder.mkdir(parents=True, exist_ok=True)
    for name, spec in FEEDS.items():
        with open(folder / spec.file, "w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=spec.header, lineterminator="\n")
            writer.writeheader()
            writer.writerows(data.get(name, []))
    return folder
