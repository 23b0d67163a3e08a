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

# Y08A02 fleksjob, around 370-390 full-time persons, slowly rising
v3_table("Y08A02", "Fuldtidspersoner i fleksjob", total_dim("_fleksjobtype", "Fleksjobtype", "Fleksjobtype i alt"),
         {"Herlev": std_rows(path_of(371, 388, 24, 2.5), herlev_lf)})
# Y38A02 uddannelseshjælp, ~120 drifting down to ~100
v3_table("Y38A02", "Fuldtidspersoner på uddannelseshjælp",
         total_dim("_viskat_2udh", "Visitationskategori", "Visitationskategori i alt"),
         {"Herlev": std_rows(path_of(121, 101, 24, 3), herlev_lf)}, bom=True)
# Y07A02 sygedagpenge: Herlev and Hele landet; seasonal, 2024 a little below 2023
season = [1.06, 1.05, 1.02, 0.99, 0.97, 0.94, 0.90, 0.95, 1.00, 1.03, 1.04, 1.05]
herlev_syg = [round(520 * season[i % 12] * (1 - 0.035 * (i // 12)) + rnd.uniform(-6, 6), 1) for i in range(24)]
land_syg = [round(80500 * season[i % 12] * (1 - 0.02 * (i // 12)) + rnd.uniform(-400, 400), 1) for i in range(24)]
v3_table("Y07A02", "Sygedagpenge", total_dim("_sagsart", "Status før sygedagpenge", "Status i alt"),
         {"Herlev": std_rows(herlev_syg, herlev_lf), "Hele landet": std_rows(land_syg, 2950000.0)})
# Y01A02 A-dagpenge
v3_table("Y01A02", "A-dagpenge", kon, {"Herlev": std_rows(path_of(262, 248, 24, 9), herlev_lf)})
# Y35A02 selvforsørgelses-/hjemrejse-/overgangsydelse
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
         "values": vals([("TOT", "I alt"), ("M", "Mænd"), ("K", "Kvinder")])},
        {"id": "ALDER", "text": "alder", "elimination": True, "time": False,
         "values": vals([("TOT", "Alder i alt"), ("16-29", "16-29 år"), ("30-49", "30-49 år"), ("50-66", "50-66 år")])},
        {"id": "Tid", "text": "tid", "elimination": False, "time": True, "values": vals([(q, q) for q in quarters_k])}]}
write("statbank/v1/tableinfo/AUK01.json", json.dumps(tableinfo, ensure_ascii=False, indent=1) + "\n")
lines = ["OMRÅDE;YDELSESTYPE;TID;INDHOLD"]
for q, v in zip(quarters_k, path_of(374, 386, 8, 1.5)):
    lines.append("163;FLEKS;%s;%s" % (q, dk(v)))
write("statbank/v1/data/AUK01.csv", "\r\n".join(lines) + "\r\n")

# Internal CSV files (documented layout, tests/data/README-csv.md)
lines = ["periode;ordrer;matchede"]
for p in MONTHS:
    o = rnd.randint(11, 20)
    lines.append("%s;%d;%d" % (p, o, round(o * rnd.uniform(0.42, 0.66))))
write("intern/rekruttering.csv", "\n".join(lines) + "\n")
lines = ["periode;personer"]
for i, p in enumerate(MONTHS):
    lines.append("%s;%d" % (p, 38 + i + rnd.randint(-3, 3)))
write("intern/smaajob.csv", "\n".join(lines) + "\n")
lines = ["periode;jobparate;selvforsoergende"]
for i, p in enumerate(MONTHS):
    j = rnd.randint(78, 86)
    lines.append("%s;%d;%d" % (p, j, round(j * (0.66 + 0.004 * i + rnd.uniform(-0.02, 0.02)))))
write("intern/flygtninge.csv", "\n".join(lines) + "\n")
write("intern/kurser.csv", "periode;kurser\n2019;45\n2023;58\n2024;64\n")
lines = ["periode;virksomhedsrettede"]
for i, p in enumerate(MONTHS):
    lines.append("%s;%d" % (p, 152 + i + rnd.randint(-8, 8)))
write("intern/tilbud.csv", "\n".join(lines) + "\n")
