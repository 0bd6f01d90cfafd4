"""A realistic audit round for fictional asylum homes, generated from the questionnaire.

``scripts/make_samples.py`` writes ``sample_audits/`` with this; benchmarks make N varied workbooks.
Every service, provider and identifier here is invented.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from auditkit.excel.fill import fill
from auditkit.excel.template import build_template
from auditkit.fsutil import atomic_write
from auditkit.lang import Lang
from auditkit.questionnaire.kinds import kind_of
from auditkit.questionnaire.models import Questionnaire


@dataclass
class Profile:
    slug: str
    name: str
    provider: str
    service_id: str
    audit_date: dt.date
    quality: dict[str, float]  # area id → how good practice is there, 0..1
    facts: dict[str, Any]  # fixed answers by question ID (option ids, numbers)
    social_workers: list[float]  # FTE of each social worker
    care_workers: list[tuple[float, float]]  # (FTE, reception hours per week) of each PSS
    departures: dict[str, int]
    files: int = 8
    housing_goal_rate: float = 0.8
    comments: dict[str, str] = field(default_factory=dict)
    auditors: str = "Mgr. Jana Pokorná, Bc. Petr Holý"
    round: str = "2023"
    limitations: str = ""


_GOOD = [
    "Doloženo ve vzorku spisů (K02, K05, K09) a v metodice služby.",
    "Ověřeno rozhovorem s vedoucí a se dvěma pracovníky; praxe odpovídá metodice.",
    "Doloženo zápisy z porad a individuálními plány.",
    "Postup je písemně upraven a pracovníci ho popsali shodně.",
]
_PARTLY = [
    "Doloženo jen u části spisů; v K04 a K08 chybí.",
    "Metodika existuje, ale pracovníci ji popisují různě.",
    "Praxe se zlepšuje, písemný postup je teprve v přípravě.",
]
_BAD = [
    "Nedoloženo; pracovníci uvedli, že postup není stanoven.",
    "Ve vzorku spisů se nepodařilo najít žádný doklad.",
    "Vedoucí potvrdila, že tuto oblast služba zatím neřeší.",
]


def answers_for(q: Questionnaire, p: Profile, rng: random.Random) -> tuple[dict[str, Any], dict[str, str]]:
    by_role: dict[str, Any] = {
        "service_name": p.name,
        "provider": p.provider,
        "service_id": p.service_id,
        "audit_date": p.audit_date,
        "auditors": p.auditors,
        "audit_round": p.round,
        "files_sampled": p.files,
        "interviews": 4 + p.files // 2,
        "documents": "Metodiky služby, vzor smlouvy, vnitřní pravidla, ceník, zápisy z porad a supervizí, "
                     "evidence odmítnutých žadatelů.",
        "limitations": p.limitations,
    }
    # the cover sheet by the roles its fields declare: the field ids are the questionnaire's
    answers: dict[str, Any] = {x.id: by_role[x.role] for x in q.identification if x.role in by_role}
    for x in q.identification:  # a field of the questionnaire's own, without a role: its sample, else by kind
        if x.id not in answers and x.required:
            answers[x.id] = x.sample if x.sample is not None else kind_of(x).sample(q, x, 0.7, rng, p.audit_date)
    comments: dict[str, str] = {}
    for area in q.areas:
        level = p.quality.get(area.id, 0.7)
        for item in area.questions:
            if item.id in p.facts:
                answers[item.id] = p.facts[item.id]
            elif item.sample is not None:  # the definition's own sample answer
                answers[item.id] = item.sample
            else:
                answers[item.id] = kind_of(item).sample(q, item, level, rng, p.audit_date)
            if item.id in p.comments:
                comments[item.id] = p.comments[item.id]
            elif item.effective_weight > 0 and kind_of(item).one_option:
                option = next(o for o in q.options_for(item) if o.id == answers[item.id])
                score = option.score if option.score is not None else 1
                pool = _GOOD if score >= 0.75 else _PARTLY if score >= 0.4 else _BAD
                comments[item.id] = rng.choice(pool)
    return answers, comments


def records_for(p: Profile, rng: random.Random) -> dict[str, list[dict[str, Any]]]:
    """Record sheets that agree with the profile's answers: training with C08 (the legal rule: 24 h per
    calendar year for SP and PSS, 2 h per month under the duty), stays with F06 and F03."""
    staff: list[dict[str, Any]] = [
        {"role": "manager", "fte": 1.0, "qualification": "meets", "reception_hours": 0, "training_hours": 32}
    ]
    for fte in p.social_workers:
        staff.append({"role": "sw", "fte": fte, "qualification": "meets", "reception_hours": 0,
                      "training_hours": rng.choice([24, 26, 30, 36, 40])})
    for fte, hours in p.care_workers:
        staff.append({"role": "pss", "fte": fte, "qualification": rng.choice(["meets", "meets", "in_progress"]),
                      "reception_hours": hours, "training_hours": rng.choice([24, 24, 28, 32])})
    care = [row for row in staff if row["role"] == "pss"] or [row for row in staff if row["role"] == "sw"]
    if p.facts.get("C08") == "no" and care:
        care[-1]["training_hours"] = 16  # a full year under the duty and 8 hours short
    elif len(care) > 1:
        care[-1].update(training_hours=14, duty_months=7)  # joined in June: 14 h due, lawful
    files: list[dict[str, Any]] = []
    median = float(p.facts.get("F06", 8.0))
    long_files = round(p.files * float(p.facts.get("F03", 15)) / 100)
    for i in range(p.files):
        good = rng.random() < p.housing_goal_rate
        months = rng.uniform(12.5, 20) if i < long_files else min(12, max(1.5, median * rng.uniform(0.6, 1.4)))
        files.append({
            "code": f"K{rng.randint(1, 60):02d}",
            "months_of_stay": round(months, 1),
            "contract_individualised": "yes" if rng.random() < p.quality.get("contract", 0.7) else "no",
            "plan_reviewed": "yes" if rng.random() < p.quality.get("basic", 0.7) else "no",
            "housing_goal": "yes" if good else "no",
        })
    seen: set[str] = set()
    for row in files:  # pseudonymous codes are unique within a sample
        while row["code"] in seen:
            row["code"] = f"K{rng.randint(1, 99):02d}"
        seen.add(row["code"])
    departures = [{"destination": k, "count": v} for k, v in p.departures.items()]
    return {"staff": staff, "files": files, "departures": departures}


def _facts(q: Questionnaire, p: Profile) -> dict[str, Any]:
    """The profile's fixed answers plus every answer a record table's check sums (``checks`` in the record
    files: e.g. the social workers' FTE on the staff sheet), so the typed figures agree with the sheets."""
    facts = dict(p.facts)
    rows = records_for(p, random.Random(0))  # the columns the checks sum do not depend on the draw
    for table in q.records:
        for chk in table.checks:
            facts[chk.question] = round(chk.total(rows.get(table.id, [])), 2)
    return facts


def write_audit(q: Questionnaire, p: Profile, out: Path, lang: Lang = "cs", seed: int = 0) -> Path:
    rng = random.Random(f"{p.slug}:{seed}")
    p = Profile(**{**p.__dict__, "facts": _facts(q, p)})
    answers, comments = answers_for(q, p, rng)
    tables = {t.id for t in q.records}  # the sample network's sheets that this questionnaire has
    records = {k: v for k, v in records_for(p, rng).items() if k in tables}
    wb = fill(build_template(q, lang), q, lang, answers, comments, records)
    with atomic_write(out) as tmp:
        wb.save(tmp)
    return out


def _d(y: int, m: int, d: int) -> dt.date:
    return dt.date(y, m, d)


ROUND: list[Profile] = [
    Profile(
        slug="ad_jasmin", name="Azylový dům Jasmín", provider="Jasmín – rodinné centrum, z. ú.",
        service_id="4827163", audit_date=_d(2023, 2, 14),
        quality={"contract": 0.92, "basic": 0.95, "staffing": 0.95, "aid": 0.9, "supervision": 0.95,
                 "outcomes": 0.9, "children": 0.9, "cooperation": 0.9, "premises": 0.95},
        facts={"C01": 48, "C02": 20, "C05": "non_care", "C06": "non_care", "C07": "yes", "C08": "yes", "C09": "yes",
               "C10": 0, "D02": "separate", "D06": "never", "D08": 4, "E01": "yes", "E02": 11, "E03": 24,
               "E08": 4, "F02": 52, "F03": 8, "F04": 1, "F05": 1, "F06": 6.5, "H01": 24, "H04": 9,
               "I01": "separate", "B05": 62, "B06": 8, "A05": 85},
        social_workers=[1.0, 1.0, 1.0, 0.8], care_workers=[(1.0, 0), (1.0, 0), (0.5, 0)],
        departures={"own_rental": 13, "social_flat": 12, "family": 5, "partner": 0, "hostel": 2, "other_asylum": 0,
                    "street": 0, "unknown": 1},
        files=10, housing_goal_rate=0.95,
        comments={"C05": "Recepci zajišťuje externí vrátný (DPP) jen v pracovní dny 7–15 h."},
    ),
    Profile(
        slug="ad_modry_kruh", name="Azylový dům Modrý kruh", provider="Modrý kruh, z. s.",
        service_id="6190482", audit_date=_d(2023, 3, 7),
        quality={"contract": 0.6, "basic": 0.55, "staffing": 0.35, "aid": 0.6, "supervision": 0.3,
                 "outcomes": 0.45, "children": 0.55, "cooperation": 0.6, "premises": 0.7},
        facts={"C01": 60, "C02": 24, "C05": "pss", "C06": "pss", "C07": "yes", "C08": "yes", "C09": "no",
               "C10": 2, "D02": "team", "D06": "sometimes", "D08": 12, "E01": "yes", "E02": 4, "E03": 8,
               "E08": 1, "F02": 47, "F03": 34, "F04": 4, "F05": 5, "F06": 11.5, "H01": 6, "H04": 0,
               "I01": "separate", "B05": 31, "B06": 26, "A05": 40},
        social_workers=[1.0, 0.5], care_workers=[(1.0, 30), (1.0, 30), (1.0, 25), (1.0, 30), (0.5, 15)],
        departures={"own_rental": 3, "social_flat": 2, "family": 3, "partner": 1, "hostel": 7, "other_asylum": 3,
                    "street": 2, "unknown": 2},
        files=8, housing_goal_rate=0.45,
        comments={"C05": "Pracovnice v sociálních službách se střídají na vrátnici nepřetržitě, i ve dne.",
                  "E02": "Týmová supervize 4× ročně, individuální jen na žádost."},
    ),
    Profile(
        slug="ad_lipova", name="Azylový dům Lipová", provider="Lipová – sociální služby, o. p. s.",
        service_id="7305518", audit_date=_d(2023, 3, 21),
        quality={"contract": 0.75, "basic": 0.7, "staffing": 0.65, "aid": 0.7, "supervision": 0.7,
                 "outcomes": 0.6, "children": 0.65, "cooperation": 0.7, "premises": 0.3},
        facts={"C01": 32, "C02": 14, "C05": "mixed", "C06": "mixed", "C07": "yes", "C08": "yes", "C09": "yes",
               "C10": 1, "D02": "team", "D06": "never", "D08": 8, "E01": "yes", "E02": 8, "E03": 14,
               "E08": 2, "F02": 30, "F03": 18, "F04": 2, "F05": 2, "F06": 8.0, "H01": 10, "H04": 3,
               "I01": "shares_building", "B05": 48, "B06": 12, "A05": 60},
        social_workers=[1.0, 1.0], care_workers=[(1.0, 10), (1.0, 10), (0.75, 5)],
        departures={"own_rental": 4, "social_flat": 5, "family": 3, "partner": 0, "hostel": 3, "other_asylum": 1,
                    "street": 1, "unknown": 0},
        files=8, housing_goal_rate=0.7,
        comments={"I01": "Společný vchod a jídelna s noclehárnou téhož poskytovatele; večer se prostory potkávají."},
    ),
    Profile(
        slug="ad_slunecnice", name="Azylový dům Slunečnice", provider="Slunečnice pro rodiny, z. s.",
        service_id="5518270", audit_date=_d(2023, 4, 4),
        quality={"contract": 0.7, "basic": 0.6, "staffing": 0.6, "aid": 0.25, "supervision": 0.65,
                 "outcomes": 0.55, "children": 0.7, "cooperation": 0.6, "premises": 0.75},
        facts={"C01": 40, "C02": 16, "C05": "non_care", "C06": "on_call", "C07": "yes", "C08": "yes", "C09": "no",
               "C10": 1, "D02": "key_worker", "D06": "as_rule", "D08": 22, "E01": "yes", "E02": 6, "E03": 10,
               "E08": 2, "F02": 35, "F03": 22, "F04": 3, "F05": 2, "F06": 9.0, "H01": 8, "H04": 4,
               "I01": "separate", "B05": 35, "B06": 12, "A05": 55},
        social_workers=[1.0, 1.0], care_workers=[(1.0, 0), (1.0, 0), (0.5, 0)],
        departures={"own_rental": 4, "social_flat": 4, "family": 3, "partner": 1, "hostel": 4, "other_asylum": 1,
                    "street": 0, "unknown": 1},
        files=8, housing_goal_rate=0.65,
        comments={"D02": "Potravinovou pomoc vydává klíčová pracovnice své domácnosti podle vlastního uvážení.",
                  "D06": "Pomoc je vydána jen klientkám, které „spolupracují“ na plánu."},
    ),
    Profile(
        slug="ad_pristav", name="Azylový dům Přístav", provider="Přístav Nové Pole, o. p. s.",
        service_id="3962041", audit_date=_d(2023, 4, 18),
        quality={"contract": 0.85, "basic": 0.8, "staffing": 0.75, "aid": 0.8, "supervision": 0.85,
                 "outcomes": 0.75, "children": 0.8, "cooperation": 0.85, "premises": 0.8},
        facts={"C01": 36, "C02": 15, "C05": "no_reception", "C06": "on_call", "C07": "yes", "C08": "yes",
               "C09": "yes", "C10": 1, "D02": "separate", "D06": "never", "D08": 6, "E01": "yes", "E02": 10,
               "E03": 22, "E08": 3, "F02": 38, "F03": 12, "F04": 1, "F05": 1, "F06": 7.0, "H01": 15, "H04": 5,
               "I01": "separate", "B05": 55, "B06": 10, "A05": 75},
        social_workers=[1.0, 1.0, 0.6], care_workers=[(1.0, 0), (1.0, 0)],
        departures={"own_rental": 7, "social_flat": 6, "family": 3, "partner": 0, "hostel": 2, "other_asylum": 0,
                    "street": 0, "unknown": 1},
        files=9, housing_goal_rate=0.85,
    ),
    Profile(
        slug="ad_kotva", name="Azylový dům Kotva", provider="Kotva – pomoc v nouzi, z. s.",
        service_id="8041977", audit_date=_d(2023, 5, 2),
        quality={"contract": 0.35, "basic": 0.5, "staffing": 0.55, "aid": 0.55, "supervision": 0.5,
                 "outcomes": 0.35, "children": 0.45, "cooperation": 0.4, "premises": 0.6},
        facts={"C01": 22, "C02": 9, "C05": "sw", "C06": "on_call", "C07": "yes", "C08": "no", "C09": "no",
               "C10": 2, "D02": "team", "D06": "sometimes", "D08": 15, "E01": "yes", "E02": 3, "E03": 4.5,
               "E08": 1, "F02": 20, "F03": 40, "F04": 3, "F05": 3, "F06": 13.0, "H01": 3, "H04": 0,
               "I01": "separate", "B05": 38, "B06": 26, "A02": "no", "A05": 20},
        social_workers=[1.0], care_workers=[(1.0, 8), (0.5, 4)],
        departures={"own_rental": 1, "social_flat": 1, "family": 2, "partner": 1, "hostel": 3, "other_asylum": 2,
                    "street": 1, "unknown": 1},
        files=6, housing_goal_rate=0.35,
        limitations="Sociální pracovnice byla v době auditu nemocná; její spisy byly prostudovány bez rozhovoru "
                    "s ní. Zápisy ze supervizí za rok 2022 nebyly k dispozici.",
        comments={"A02": "Smlouvy jsou stejné pro všechny; rozsah podpory se nedohaduje.",
                  "C05": "Vrátnici odpoledne a večer drží sociální pracovnice."},
    ),
]


def write_round(q: Questionnaire, folder: Path, lang: Lang = "cs") -> list[Path]:
    return [write_audit(q, p, folder / f"{p.slug}.xlsx", lang) for p in ROUND]


def varied_profile(index: int) -> Profile:
    """A new fictional service derived from the round: for benchmarks at scale."""
    rng = random.Random(index)
    base = ROUND[index % len(ROUND)]
    quality = {k: min(1.0, max(0.0, v + rng.uniform(-0.15, 0.15))) for k, v in base.quality.items()}
    return Profile(**{
        **base.__dict__,
        "slug": f"ad_{index:05d}",
        "name": f"Azylový dům č. {index}",
        "provider": f"Poskytovatel {index}, z. s.",
        "service_id": f"{9000000 + index:07d}",
        "quality": quality,
    })


# -- the previous round (2022) of the same network, for the audit cycle ------------------------------------
# What changed between the rounds, per service: area quality and fixed answers in 2022. Slunečnice joined the
# network in 2023 (not audited in 2022); Na Vyhlídce was audited in 2022 and has closed since.
_EARLIER: dict[str, tuple[dict[str, float], dict[str, Any]]] = {
    "ad_jasmin": ({"contract": 0.85, "children": 0.8}, {}),
    "ad_modry_kruh": ({"supervision": 0.2, "staffing": 0.3}, {"E02": 2, "E03": 8, "C09": "no"}),
    "ad_lipova": ({"contract": 0.6, "staffing": 0.45}, {"C05": "pss", "C06": "pss", "A05": 35}),
    "ad_pristav": ({"contract": 0.9, "cooperation": 0.7}, {"H01": 6}),
    "ad_kotva": ({"contract": 0.4, "supervision": 0.3}, {"E02": 2, "E03": 6, "C08": "yes", "A05": 25}),
}


def previous_round() -> list[Profile]:
    """The 2022 round: five of the six services a year earlier, and one service that has closed since."""
    earlier = []
    for p in ROUND:
        if p.slug not in _EARLIER:
            continue
        quality, facts = _EARLIER[p.slug]
        earlier.append(Profile(**{
            **p.__dict__,
            "audit_date": p.audit_date.replace(year=p.audit_date.year - 1),
            "round": "2022",
            "quality": {**p.quality, **quality},
            "facts": {**p.facts, **facts},
            "comments": {k: v for k, v in p.comments.items() if k not in facts},
        }))
    closed = ROUND[1]
    earlier.append(Profile(**{
        **closed.__dict__,
        "slug": "ad_na_vyhlidce", "name": "Azylový dům Na Vyhlídce", "provider": "Vyhlídka, z. s.",
        "service_id": "2740315", "audit_date": _d(2022, 5, 17), "round": "2022", "comments": {},
    }))
    return earlier


def write_previous_round(q: Questionnaire, folder: Path, lang: Lang = "cs") -> list[Path]:
    return [write_audit(q, p, folder / f"{p.slug}.xlsx", lang) for p in previous_round()]


# -- returned plans: how three providers answered their 2023 reports --------------------------------------
# Per service: (row number in the plan → reply). Rows are the plan's findings in priority order.
_REPLIES: dict[str, dict[int, dict[str, Any]]] = {
    "8041977": {  # Kotva: agrees with most, objects to two findings
        1: {"response": "souhlasím", "measure": "Přepracujeme vzor smlouvy a projednáme ho s každou domácností.",
            "role": "vedoucí služby", "deadline": _d(2023, 12, 31), "status": "probíhá"},
        2: {"response": "nesouhlasím", "reasons": "Doklady o vzdělávání za rok 2023 jsme předložili dodatečně "
            "(osvědčení ve složce personalistiky).", "decision": "zamítnuto",
            "decision_reason": "Osvědčení pokrývají jen část pracovníků."},
        3: {"response": "částečně", "reasons": "Supervize probíhá, jen nebyla zapsána do plánu vzdělávání.",
            "measure": "Uzavřeme smlouvu s externím supervizorem.", "role": "vedoucí služby",
            "deadline": _d(2024, 3, 31), "status": "plánováno", "decision": "uznáno částečně"},
        4: {"response": "souhlasím", "measure": "Zrušíme vrátnici v denních hodinách.",
            "role": "ředitel organizace", "deadline": _d(2024, 6, 30), "status": "plánováno"},
    },
    "6190482": {  # Modrý kruh: agrees, measures with deadlines
        1: {"response": "souhlasím", "measure": "Navýšíme úvazky sociálních pracovníků o 1,0.",
            "role": "ředitel organizace", "deadline": _d(2024, 1, 31), "status": "plánováno"},
        2: {"response": "souhlasím", "measure": "Týmová supervize jednou měsíčně od září.",
            "role": "vedoucí služby", "deadline": _d(2023, 9, 30), "status": "probíhá"},
    },
    "7305518": {  # Lipová: one objection the auditor has not decided yet
        1: {"response": "nesouhlasím", "reasons": "Noclehárna má samostatný vchod od ledna 2023; doložíme "
            "stavebním povolením."},
        2: {"response": "souhlasím", "measure": "Upravíme vnitřní pravidla.", "role": "vedoucí služby",
            "deadline": _d(2023, 10, 31), "status": "splněno"},
    },
}
_AGREED = {"response": "souhlasím", "measure": "Postup podle doporučení zapracujeme do metodiky služby.",
           "role": "vedoucí služby", "deadline": _d(2024, 3, 31), "status": "plánováno"}  # every other row
REPLIES_REPORT_DATE = _d(2023, 6, 15)  # the date of the sample round's reports


def write_sample_replies(q: Questionnaire, scored: list[Any], folder: Path) -> list[Path]:
    """The returned plans of three sample services: their plan workbooks filled as providers would."""
    import openpyxl

    from auditkit.excel.layout import PLAN_COLUMNS
    from auditkit.plan import write_service_plan

    written = []
    cols = {cid: j for j, (cid, _, _) in enumerate(PLAN_COLUMNS, start=1)}
    for s in scored:
        replies = _REPLIES.get(s.service.service_id)
        if not replies:
            continue
        out = folder / f"{s.service.service_id}_plan.xlsx"
        write_service_plan(q, s, "cs", out, REPLIES_REPORT_DATE, REPLIES_REPORT_DATE + dt.timedelta(days=15))
        wb = openpyxl.load_workbook(out)
        ws = wb.worksheets[1]
        for number in range(1, ws.max_row):
            reply = replies.get(number, _AGREED)
            for cid, value in reply.items():
                ws.cell(row=number + 1, column=cols[cid], value=value)
        with atomic_write(out) as tmp:
            wb.save(tmp)
        written.append(out)
    return written
