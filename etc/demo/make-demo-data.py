#!/usr/bin/python3
# Writes etc/demo/data/: demo response bodies for Herlev (municipality 163), 2023-2024, in the real
# providers' formats (see tests/data/providers/README.md and data-sources.md). The numbers are
# invented (deterministic: fixed seed). Run from anywhere: /usr/bin/python3 etc/demo/make-demo-data.py
import json, os, random

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")
rnd = random.Random(163)
MONTHS = ["%dM%02d" % (y, m) for y in (2023, 2024) for m in range(1, 13)]
QUARTERS_Q = ["%dQ%d" % (y, q) for y in (2023, 2024) for q in range(1, 5)]
QMAT = ["%dQMAT%02d" % (y, q) for y in (2023, 2024) for q in range(1, 5)]
KOM = [("101", "København"), ("147", "Frederiksberg"), ("151", "Ballerup"), ("153", "Brøndby"),
       ("157", "Gentofte"), ("159", "Gladsaxe"), ("163", "Herlev"), ("165", "Albertslund"),
       ("173", "Lyngby-Taarbæk"), ("607", "Fredericia")]


def write(rel, text, newline=""):
    path = os.path.join(ROOT, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8", newline=newline) as f:
        f.write(text)


def dk(x, nd=1):
    return ("%.*f" % (nd, x)).replace(".", ",")


def path_of(start, end, n, noise):
    """start -> end over n steps with noise, rounded to 1 decimal."""
    return [round(start + (end - start) * i / (n - 1) + rnd.uniform(-noise, noise), 1) for i in range(n)]


def v3_meta(tid, name, extra_dims, measures, periods):
    dims = [{"dimension_id": "_omrade", "dimension_name": "Område", "hierarchies": [
        {"hierarchy_id": "_hele_landet", "hierarchy_name": "Hele landet",
         "levels": [{"level_id": "land", "values": [{"value_id": "000", "value_name": "Hele landet"}]}]},
        {"hierarchy_id": "_nykom", "hierarchy_name": "Kommuner",
         "levels": [{"level_id": "kom", "values": [{"value_id": a, "value_name": b} for a, b in KOM]}]}]}]
    dims += extra_dims
    return {"table_id": tid.lower(), "table_name": name,
            "periods": [{"periodtype_id": t, "values": [{"period_id": p, "period_name": p} for p in ps]}
                        for t, ps in periods],
            "dimensions": dims,
            "mgroups": [{"mgroup_id": "mgrp%s_1" % tid.lower(), "mgroup_name": name,
                         "measures": [{"measure_id": "meas%s_%d" % (tid.lower(), i + 1), "measure_name": m}
                                      for i, m in enumerate(measures)]}]}


def total_dim(did, dname, total):
    return {"dimension_id": did, "dimension_name": dname, "hierarchies": [
        {"hierarchy_id": did, "levels": [{"level_id": "0", "values": [{"value_id": "_i_alt", "value_name": total}]}]}]}


STD = ["Antal personer", "Antal fuldtidspersoner", "Fuldtidspersoner i pct. af arbejdsstyrken 16-66 år"]


def v3_table(tid, name, extra_dim, series_by_area, periods=(("M", MONTHS),), bom=False):
    """series_by_area: {area name: [(personer, fuldtid, pct) per month]}"""
    write("jobindsats/v3/table/%s.json" % tid,
          json.dumps(v3_meta(tid, name, [extra_dim], STD, list(periods) + [("Q", QUARTERS_Q)]),
                     ensure_ascii=False, indent=1) + "\n")
    rows = []
    for area, vals in series_by_area.items():
        for p, (pers, ftp, pct) in zip(MONTHS, vals):
            rows.append([p, area, extra_dim["hierarchies"][0]["levels"][0]["values"][0]["value_name"],
                         str(pers), dk(ftp), dk(pct)])
    rnd.shuffle(rows)  # "rows are not sorted by period" [V, v2]
    body = json.dumps({"columns": ["Periode", "Område", extra_dim["dimension_name"]] + STD, "rows": rows},
                      ensure_ascii=False)
    write("jobindsats/v3/data/%s.json" % tid, ("\ufeff" if bom else "") + body)


def std_rows(ftp, labour_force):
    return [(int(round(f * rnd.uniform(1.02, 1.06))), f, f / labour_force * 100) for f in ftp]


herlev_lf = 15200.0
kon = total_dim("_kon", "Køn", "Køn i alt")

# The story of the demo, as the goals in etc/goals.d see it (README.md has the table): in July 2024
# most goals are on track, three are at risk and one is off track; when the year is complete,
# eight are achieved and two missed.

# Y08A02 fleksjob, rising from ~374 to ~393 full-time persons: 2024 averages ~388 (goal: at least
# 380) - on track, achieved
v3_table("Y08A02", "Fuldtidspersoner i fleksjob", total_dim("_fleksjobtype", "Fleksjobtype", "Fleksjobtype i alt"),
         {"Herlev": std_rows(path_of(374, 393, 24, 1.5), herlev_lf)})
# Y38A02 uddannelseshjælp, ~121 drifting down to ~101: 2024 averages ~106 (goal: at most 95) - off
# track, missed
v3_table("Y38A02", "Fuldtidspersoner på uddannelseshjælp",
         total_dim("_viskat_2udh", "Visitationskategori", "Visitationskategori i alt"),
         {"Herlev": std_rows(path_of(121, 101, 24, 1.5), herlev_lf)}, bom=True)
# Y07A02 sygedagpenge: Herlev and Hele landet; seasonal; Herlev 3.5 % below 2023, the country 2 % -
# both goals on track, achieved
season = [1.06, 1.05, 1.02, 0.99, 0.97, 0.94, 0.90, 0.95, 1.00, 1.03, 1.04, 1.05]
herlev_syg = [round(520 * season[i % 12] * (1 - 0.035 * (i // 12)) + rnd.uniform(-2, 2), 1) for i in range(24)]
land_syg = [round(80500 * season[i % 12] * (1 - 0.02 * (i // 12)) + rnd.uniform(-150, 150), 1) for i in range(24)]
v3_table("Y07A02", "Sygedagpenge", total_dim("_sagsart", "Status før sygedagpenge", "Status i alt"),
         {"Herlev": std_rows(herlev_syg, herlev_lf), "Hele landet": std_rows(land_syg, 2950000.0)})
# Y01A02 A-dagpenge (no goal; shown by "labourwatch series")
v3_table("Y01A02", "A-dagpenge", kon, {"Herlev": std_rows(path_of(262, 248, 24, 9), herlev_lf)})
# Y35A02 selvforsørgelses-/hjemrejse-/overgangsydelse (no goal)
v3_table("Y35A02", "Selvforsørgelses- og hjemrejseydelse samt overgangsydelse",
         total_dim("_ydelse_y35", "Ydelse", "Ydelser i alt"), {"Herlev": std_rows(path_of(74, 63, 24, 2), herlev_lf)})

# Y30R21 benchmark: QMAT periods, grouped labels, rank around 8
g1 = "Forventet og faktisk antal fuldtidspersoner på offentlig forsørgelse"
g2 = "Forventet og faktisk andel fuldtidspersoner på offentlig forsørgelse"
cols30 = ["Periode", "Område", "Ydelsesgrupper", g1 + ": Forventet antal", g1 + ": Faktisk antal",
          g1 + ": Forskel mellem forventet og faktisk antal", g2 + ": Forventet andel (pct.)",
          g2 + ": Faktisk andel (pct.)", g2 + ": Forskel mellem forventet og faktisk andel (pct. point)",
          "Placering på benchmarkranglisten"]
ranks = [11, 10, 9, 9, 8, 7, 8, 8]
rows = []
for p, rank in zip(QMAT, ranks):
    exp = round(rnd.uniform(2980, 3020), 1)
    act = round(exp - (20 - rank) * rnd.uniform(4, 6), 1)
    rows.append([p, "Herlev", "Ydelsesgrupper i alt", dk(exp), dk(act), dk(act - exp), dk(exp / 190.0),
                 dk(act / 190.0), dk((act - exp) / 190.0, 2), str(rank)])
write("jobindsats/v3/table/Y30R21.json", json.dumps(v3_meta(
    "Y30R21", "Forventet og faktisk antal og andel fuldtidspersoner på offentlig forsørgelse",
    [total_dim("_ygrp_y30r21", "Ydelsesgrupper", "Ydelsesgrupper i alt")], cols30[3:], [("QMAT", QMAT)]),
    ensure_ascii=False, indent=1) + "\n")
write("jobindsats/v3/data/Y30R21.json", json.dumps({"columns": cols30, "rows": rows}, ensure_ascii=False))

# Statistikbank AUK01: tableinfo + quarterly CSV (valuePresentation=Code, lang=da)
quarters_k = ["%dK%d" % (y, q) for y in (2023, 2024) for q in range(1, 5)]
vals = lambda texts: [{"id": a, "text": b} for a, b in texts]
tableinfo = {
    "id": "AUK01",
    "text": "Offentligt forsørgede (fuldtidsmodtagere) efter område, ydelsestype, køn, alder og tid",
    "description": "Offentligt forsørgede (fuldtidsmodtagere) efter område, ydelsestype, køn, alder og tid",
    "unit": "Antal", "suppressedDataValue": "0", "updated": "2025-03-18T08:00:00", "active": True,
    "contacts": [{"name": "Demo", "phone": "+45 00 00 00 00", "mail": "demo@example.invalid"}],
    "documentation": None, "footnote": None,
    "variables": [
        {"id": "OMRÅDE", "text": "område", "elimination": True, "time": False, "map": "denmark_municipality_07",
         "values": vals([("000", "Hele landet")] + KOM)},
        {"id": "YDELSESTYPE", "text": "ydelsestype", "elimination": True, "time": False,
         "values": vals([("TOT", "Fuldtidsmodtagere i alt"), ("DAG", "A-dagpenge"), ("UDD", "Uddannelseshjælp"),
                         ("SYG", "Sygedagpenge"), ("FLEKS", "Fleksjob"), ("LED", "Ledighedsydelse"),
                         ("RES", "Ressourceforløb"), ("FØP", "Førtidspension")])},
        {"id": "KØN", "text": "køn", "elimination": True, "time": False,
         "values": vals([("TOT", "Køn i alt"), ("M", "Mænd"), ("K", "Kvinder")])},
        {"id": "ALDER", "text": "alder", "elimination": True, "time": False,
         "values": vals([("TOT", "Alder i alt"), ("16-29", "16-29 år"), ("30-49", "30-49 år"), ("50-66", "50-66 år")])},
        {"id": "Tid", "text": "tid", "elimination": False, "time": True, "values": vals([(q, q) for q in quarters_k])}]}
write("statbank/v1/tableinfo/AUK01.json", json.dumps(tableinfo, ensure_ascii=False, indent=1) + "\n")
lines = ["OMRÅDE;YDELSESTYPE;KØN;ALDER;TID;INDHOLD"]
for q, v in zip(quarters_k, path_of(374, 386, 8, 1.5)):
    lines.append("163;FLEKS;TOT;TOT;%s;%s" % (q, dk(v)))
write("statbank/v1/data/AUK01.csv", "\r\n".join(lines) + "\r\n")

# Internal CSV files (documented layout, tests/data/README-csv.md), as etc/labourwatch.yaml and
# etc/goals.d/20-virksomheder.yaml name them: file, columns and frequency.


def csv_write(name, header, rows):
    write("intern/" + name, "\n".join([header] + [";".join(str(x) for x in r) for r in rows]) + "\n")


# rekruttering.csv, monthly: orders from local firms and how many were filled; 2024 ~56 % matched
# (goal: at least 50 %) - on track, achieved
rows = []
for p in MONTHS:
    o = rnd.randint(12, 20)
    rows.append((p, o, round(o * rnd.uniform(0.50, 0.62))))
csv_write("rekruttering.csv", "periode;ordrer;matchede", rows)

# smaajob.csv, monthly: citizens who STARTED a småjob that month (a flow: the goal counts the year's
# sum), more in summer. 2024: 35 by June, 67 in the year (goal: 60) - on track, achieved
smaajob = {2023: [3, 3, 4, 4, 5, 6, 7, 6, 5, 4, 3, 3], 2024: [5, 5, 6, 6, 6, 7, 7, 6, 6, 5, 4, 4]}
csv_write("smaajob.csv", "periode;personer",
          [("%dM%02d" % (y, m + 1), v) for y in (2023, 2024) for m, v in enumerate(smaajob[y])])

# flygtninge.csv, quarterly: job-ready refugees and how many of them support themselves; the share
# climbs from 66 % to ~73 % but not to 75 % - at risk in July, missed
jobparate = [82, 80, 81, 79, 80, 82, 81, 80]
share = [0.66, 0.68, 0.70, 0.71, 0.72, 0.73, 0.735, 0.74]
csv_write("flygtninge.csv", "periode;jobparate;selvforsoergende",
          [("%dK%d" % (2023 + i // 4, i % 4 + 1), j, round(j * s)) for i, (j, s) in enumerate(zip(jobparate, share))])

# kurser.csv, monthly: persons who started an up- or re-skilling course, in 2019 (the baseline), 2023
# and 2024. 2019: 120; 2024: +18.75 % by June, +21.7 % in the year (goal: +20 %) - at risk, achieved
kurser = {2019: [11, 12, 12, 11, 10, 8, 4, 9, 11, 12, 11, 9],
          2023: [12, 13, 13, 12, 11, 9, 5, 10, 12, 13, 12, 10],
          2024: [13, 14, 14, 13, 12, 10, 6, 11, 14, 14, 14, 11]}
csv_write("kurser.csv", "periode;deltagere",
          [("%dM%02d" % (y, m + 1), v) for y in (2019, 2023, 2024) for m, v in enumerate(kurser[y])])

# virksomhedsrettede.csv, monthly: company-oriented offers started (virksomhedspraktik, løntilskud,
# ...). 2024 is 1 % above 2023 by June, 2.3 % in the year (goal: more than in 2023, tolerance 2) -
# at risk, achieved
base = [148, 152, 160, 150, 155, 140, 95, 138, 158, 162, 157, 130]
up = [1.01, 1.005, 1.01, 1.015, 1.005, 1.01, 1.04, 1.035, 1.04, 1.035, 1.04, 1.035]
csv_write("virksomhedsrettede.csv", "periode;tilbud",
          [("2023M%02d" % (m + 1), v) for m, v in enumerate(base)] +
          [("2024M%02d" % (m + 1), round(v * u)) for m, (v, u) in enumerate(zip(base, up))])

# Eurostat une_rt_m (JSON-stat 2.0, as the dissemination API answers): unemployment rate, seasonally
# adjusted, % of the labour force, Denmark and Sweden (no goal; shows the JSON-stat reader)
ym = ["%d-%02d" % (y, m) for y in (2023, 2024) for m in range(1, 13)]
dk_rate = path_of(4.9, 5.6, 24, 0.1)
se_rate = path_of(7.6, 8.5, 24, 0.1)
cat = lambda ids, labels: {"index": {k: i for i, k in enumerate(ids)}, "label": dict(zip(ids, labels))}
one = lambda k, label: {"index": {k: 0}, "label": {k: label}}
dataset = {
    "version": "2.0", "class": "dataset", "label": "Unemployment by sex and age – monthly data",
    "source": "ESTAT", "updated": "2025-02-03T23:00:00+0100",
    "id": ["freq", "s_adj", "age", "unit", "sex", "geo", "time"], "size": [1, 1, 1, 1, 1, 2, 24],
    "dimension": {
        "freq": {"label": "Time frequency", "category": one("M", "Monthly")},
        "s_adj": {"label": "Seasonal adjustment",
                  "category": one("SA", "Seasonally adjusted data, not calendar adjusted data")},
        "age": {"label": "Age class", "category": one("TOTAL", "Total")},
        "unit": {"label": "Unit of measure",
                 "category": one("PC_ACT", "Percentage of population in the labour force")},
        "sex": {"label": "Sex", "category": one("T", "Total")},
        "geo": {"label": "Geopolitical entity (reporting)", "category": cat(["DK", "SE"], ["Denmark", "Sweden"])},
        "time": {"label": "Time", "category": cat(ym, ym)}},
    # sparse, as Eurostat sends it; the last two Danish months are provisional
    "value": {str(i): v for i, v in enumerate(dk_rate + se_rate)},
    "status": {"22": "p", "23": "p", "46": "p", "47": "p"},
    "extension": {"lang": "EN", "datasetId": "une_rt_m", "status": {"label": {"p": "provisional"}}}}
write("eurostat/data/une_rt_m.json", json.dumps(dataset, ensure_ascii=False) + "\n")
