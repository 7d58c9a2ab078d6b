#!/usr/bin/env python3
"""Independent answers for the real-data change test, straight from the source CSVs.

Reads ../shared/data with Python's csv module only (no Coldspot code) and prints JSON:
  - East of England LSOA 2021 areas in the most deprived 20 % (decile 1-2) under IoD2019 carried
    through the ONS LSOA 2011 -> 2021 lookup and under IoD2025, and how many entered and left;
  - the East of England districts whose Teaching School Hub changed between the 2021 (partial)
    and the 2025 tables, and the districts the 2021 table does not list (unknown).
Rules (docs/methodology.md, "Change over time"): an LSOA 2021 with one 2011 parent takes its
published IoD2019 rank and decile; with several (merged, irregular) the unweighted mean of their
ranks, decile = ceil(10 * rank / 32844). Same hub: same name (lower case, '&' = 'and', leading
'the ' and punctuation dropped) or same lead school URN.
usage: expected_change.py SHARED_DATA_DIR
"""
import csv
import json
import math
import os
import re
import sys


def rows(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def main(data):
    region = {r["ltla24_code"] for r in rows(os.path.join(data, "lookups/lad24_region24_en.csv"))
              if r["region24_name"] == "East of England"}
    lsoa21 = {r["lsoa21_code"] for r in rows(os.path.join(data, "lookups/lsoa21_ward24_lad24_ew.csv"))
              if r["ltla24_code"] in region}
    imd19 = {r["lsoa11_code"]: (int(r["IMD_rank"]), int(r["IMD_decile"]))
             for r in rows(os.path.join(data, "deprivation/imd2019_england_lsoa11.csv"))}
    imd25 = {r["lsoa21_code"]: int(r["IMD_decile"])
             for r in rows(os.path.join(data, "deprivation/imd2025_england_lsoa21.csv"))}
    parents, codes = {}, {}
    for r in rows(os.path.join(data, "lookups/lsoa11_lsoa21_lad22_ew.csv")):
        if r["lsoa21_code"] in lsoa21:
            parents.setdefault(r["lsoa21_code"], []).append(r["lsoa11_code"])
            codes.setdefault(r["lsoa21_code"], set()).add(r["change_code"])
    old_decile = {}
    for code, ps in parents.items():
        if len(ps) == 1:
            old_decile[code] = imd19[ps[0]][1]
        else:
            mean = sum(imd19[p][0] for p in ps) / len(ps)
            old_decile[code] = math.ceil(10 * mean / 32844 - 1e-9)
    was = {c for c in lsoa21 if old_decile.get(c, 99) <= 2}
    now = {c for c in lsoa21 if imd25[c] <= 2}

    def key(name):
        name = name.lower().replace("&", " and ").strip()
        if name.startswith("the "):
            name = name[4:]
        return re.sub(r"[^a-z0-9]", "", name)

    def hubs(path, name_col, urn_col):
        out = {}
        for r in rows(os.path.join(data, path)):
            urn = r[urn_col] if r[urn_col].isdigit() else None
            out.setdefault(r["lad24_code"], []).append((key(r[name_col]), urn))
        return out

    h21 = hubs("hubs/teaching_school_hubs_2021_east_of_england_partial.csv", "hub_name", "lead_school_urn")
    h25 = hubs("hubs/teaching_school_hubs_2025_area_lad24.csv", "hub_name", "lead_school_urn")

    def same(a, b):
        return a[0] == b[0] or (a[1] is not None and a[1] == b[1])

    changed, unknown = [], []
    for lad in sorted(region):
        if lad not in h21:
            unknown.append(lad)
            continue
        old, new = h21[lad], h25.get(lad, [])
        if not (all(any(same(o, n) for n in new) for o in old) and all(any(same(n, o) for o in old) for n in new)):
            changed.append(lad)
    print(json.dumps({
        "areas": len(lsoa21),
        "deprived_old": len(was), "deprived_new": len(now),
        "entered": len(now - was), "left": len(was - now),
        "merged_or_irregular": sum(1 for c in codes.values() if c & {"M", "X"}),
        "hub_changed": changed, "hub_unknown": unknown,
    }))


if __name__ == "__main__":
    main(sys.argv[1])
