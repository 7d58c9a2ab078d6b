#!/usr/bin/env python3
"""Independent expectations for the East of England import, computed straight from the source
files with Python's csv/json modules (no Coldspot code). Prints one JSON object."""
import csv, gzip, json, sys

data = sys.argv[1]
manifest = json.load(open(sys.argv[2]))
s = manifest["schools"]
las = set(s["filters"]["gias_la_name"])
status = set(s["filters"]["status"])

rows = list(csv.DictReader(open(f"{data}/{s['path']}", newline="", encoding="utf-8")))
selected = [r for r in rows if r["status"] in status and r["gias_la_name"] in las]
with_coords = [r for r in selected if r["easting"] or r["lon"]]
out = {
    "rows_read": len(rows),
    "selected": len(selected),
    "no_coordinates": len(selected) - len(with_coords),
    "with_coordinates": len(with_coords),
    # R/sf point-in-polygon against LSOA 2021 BSC, done by the data's compiler: a second opinion
    # on which schools are in the region.
    "sf_in_region_urns": sorted(int(r["urn"]) for r in with_coords if r["region24_name"] == "East of England"),
}
census_urns = {r["URN"] for r in csv.DictReader(open(f"{data}/schools/school_census_jan2024_england_census.csv", newline=""))}
out["census_urns"] = sorted(int(u) for u in census_urns if u.isdigit())
pp50 = {r["URN"] for r in csv.DictReader(open(f"{data}/npq_eligibility/npq_pp50_schools_autumn2025.csv", newline="", encoding="utf-8"))}
out["pp50_urns"] = sorted(int(u) for u in pp50 if u.isdigit())

areas = json.load(open(f"{data}/{manifest['areas']['boundaries']['path']}"))
codes = [f["properties"]["lsoa21_code"] for f in areas["features"]]
imd = {r["lsoa21_code"] for r in csv.DictReader(open(f"{data}/deprivation/imd2025_england_lsoa21.csv", newline=""))}
out["areas"] = len(codes)
out["areas_with_imd"] = sum(1 for c in codes if c in imd)

lads = json.load(open(f"{data}/boundaries/lad24_buc/lad24_england_buc.geojson"))
out["lads_east"] = sum(1 for f in lads["features"] if f["properties"]["region24_name"] == "East of England")

hub_rows = [r for r in csv.DictReader(open(f"{data}/hubs/teaching_school_hubs_2025_area_lad24.csv", newline=""))
            if r["tsh_area_code"].startswith("EE")]
out["hub_areas"] = len({r["tsh_area_code"] for r in hub_rows})
out["hub_district_rows"] = len(hub_rows)
out["hub_partial"] = sorted({r["lad24_code"] for r in hub_rows if r["lad_part"] != "whole"})
out["hub_districts"] = {a: sorted(r["lad24_code"] for r in hub_rows if r["tsh_area_code"] == a) for a in {r["tsh_area_code"] for r in hub_rows}}
json.dump(out, sys.stdout)
