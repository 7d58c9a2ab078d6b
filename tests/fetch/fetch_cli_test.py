#!/usr/bin/env python3
"""`coldspot fetch` as a user runs it, against a loopback mirror of the publishers.

The mirror folder has one directory per publisher host of tests/fetch/fixture_sources.json (plus
`shared`), each a link to ../shared/data, served by mirror_server.py on 127.0.0.1. Expected values
come from the source CSVs read here with Python's csv module, not from Coldspot.

Sections (one ctest each): region (Potters Bar, hubs, import, access without roads, index),
cache (a second run downloads nothing; a changed file is fetched again; no network uses the cache),
roads (Rutland with its OSM extract: drive times), bad_input (unknown names, changed columns,
disk full mid-download, 404).
"""
import argparse
import csv
import gzip
import hashlib
import json
import os
import resource
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mirror_server  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURE = os.path.join(HERE, "fixture_sources.json")
HOSTS = ["ons.test", "dfe.test", "mhclg.test", "geofabrik.test", "shared"]
POTTERS_BAR_ELSEWHERE = {131033: "Shropshire", 131171: "Shropshire", 140273: "Walsall"}


class Failure(Exception):
    pass


def check(cond, message):
    if not cond:
        raise Failure(message)


def run(cli, *args, expect=0, limit_fsize=None):
    def limit():
        if limit_fsize:
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit_fsize, limit_fsize))
    p = subprocess.run([cli, *args], capture_output=True, text=True, preexec_fn=limit)
    out = p.stdout + p.stderr
    if expect is not None and p.returncode != expect:
        raise Failure("coldspot %s: exit %d, expected %d\n%s" % (" ".join(args), p.returncode, expect, out))
    return p.returncode, out


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def rows(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def query(gpkg, sql):
    con = sqlite3.connect(gpkg)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def located_in(shared, composite, lad_code):
    """Open schools whose point lies in the district's polygon (LAD 2024 BUC), by GDAL's Python
    bindings (GEOS), independently of Coldspot's importer."""
    from osgeo import ogr
    ds = ogr.Open(os.path.join(shared, "boundaries/lad24_buc/lad24_england_buc.geojson"))
    polygon = next(f.GetGeometryRef().Clone() for f in ds.GetLayer() if f.GetField("ltla24_code") == lad_code)
    out = set()
    for r in composite:
        if r["status"] in ("Open", "Open, but proposed to close") and r["lon"]:
            if polygon.Contains(ogr.CreateGeometryFromWkt("POINT (%s %s)" % (r["lon"], r["lat"]))):
                out.add(int(r["urn"]))
    return out


class Mirror:
    def __init__(self, shared, work):
        self.root = os.path.join(work, "mirror")
        os.makedirs(self.root)
        # one folder per host with a link per file, so that a test can replace one file
        for host in HOSTS:
            for folder, _, files in os.walk(shared):
                rel = os.path.relpath(folder, shared)
                os.makedirs(os.path.join(self.root, host, rel), exist_ok=True)
                for name in files:
                    os.symlink(os.path.join(folder, name), os.path.join(self.root, host, rel, name))
        self.server = mirror_server.start(self.root)
        self.url = "http://127.0.0.1:%d" % self.server.server_address[1]

    def control(self, faults):
        with self.server.lock:
            self.server.faults.update(faults)

    def log(self):
        with self.server.lock:
            return list(self.server.log)

    def reset(self):
        with self.server.lock:
            self.server.log.clear()
            self.server.faults.clear()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


def fetch(cli, mirror, out, *args, expect=0, sources=FIXTURE, limit_fsize=None):
    return run(cli, "fetch", *args, "-o", out, "--sources", sources, "--mirror", mirror.url, "--retries", "1",
               "--backoff", "0.05", "--stall-timeout", "2", "--quiet", expect=expect, limit_fsize=limit_fsize)


# ---------------------------------------------------------------------------------------------
def section_region(cli, shared, work, mirror):
    out = os.path.join(work, "hertsmere")
    _, text = fetch(cli, mirror, out, "--la", "Hertsmere", "--no-roads")
    check("fetched Hertsmere: 1 districts, 1 upper-tier" in text, text)
    manifest = json.load(open(os.path.join(out, "manifest.json")))
    check(manifest["local_authorities"]["filters"] == {"ltla24_code": ["E07000098"]}, manifest["local_authorities"])
    check(manifest["areas"]["clip_to_authorities"] is True, "areas are chosen by location")
    # every file: provenance with the publisher's URL, the bytes' SHA-256 and the licence
    sources = json.load(open(FIXTURE))
    for d in sources["datasets"]:
        local = os.path.join(out, d["file"])
        prov = json.load(open(local + ".provenance.json"))
        rel = d["url"].split("://", 1)[1].split("/", 1)[1] if "://" in d["url"] else d["url"][7:]
        check(prov["sha256"] == sha256(os.path.join(shared, rel)), "sha256 of " + d["id"])
        check(prov["size"] == os.path.getsize(os.path.join(shared, rel)), "size of " + d["id"])
        check(prov["url"] == d["url"] and prov["licence"] == d["licence"], prov)
        check(prov["retrieved_from"].startswith(mirror.url), prov)
    # import: schools by location, so the three Potters Bar schools registered elsewhere are in
    ws = os.path.join(work, "hertsmere.gpkg")
    run(cli, "import", os.path.join(out, "manifest.json"), "-o", ws)
    urns = {r[0] for r in query(ws, "SELECT urn FROM schools")}
    composite = rows(os.path.join(shared, "schools/schools_gias2024_composite_geocoded.csv"))
    expected = located_in(shared, composite, "E07000098")
    check(urns == expected, "schools: %d imported, %d open in Hertsmere by location: %s" % (len(urns), len(expected), urns ^ expected))
    for urn, la in POTTERS_BAR_ELSEWHERE.items():
        row = next(r for r in composite if int(r["urn"]) == urn)
        check(row["gias_la_name"] == la and urn in urns, "Potters Bar school %d (registered to %s)" % (urn, la))
    # areas: the LSOAs of Hertsmere (ONS lookup), out of the national file
    lsoas = {r["lsoa21_code"] for r in rows(os.path.join(shared, "lookups/lsoa21_ward24_lad24_ew.csv"))
             if r["ltla24_code"] == "E07000098"}
    areas = {r[0] for r in query(ws, "SELECT code FROM areas")}
    check(areas == lsoas, "areas: %d imported, %d LSOAs in Hertsmere" % (len(areas), len(lsoas)))
    # hubs: the TSH area listing Hertsmere, and the Maths Hubs listing Hertfordshire (E10000015)
    tsh = {r["tsh_area_code"] for r in rows(os.path.join(shared, "hubs/teaching_school_hubs_2025_area_lad24.csv"))
           if r["lad24_code"] == "E07000098"}
    maths = {r["hub_name"] for r in rows(os.path.join(shared, "hubs/maths_hubs_fragments_east_of_england.csv"))
             if r["utla23_code"] == "E10000015"}
    hubs = query(ws, "SELECT hub_type, area_code FROM hubs")
    check({a for t, a in hubs if t == "teaching school hub"} == tsh, hubs)
    check({a for t, a in hubs if t == "maths hub"} == maths, hubs)
    # access without roads: one warning, every school a marked estimate; the index uses it
    _, text = run(cli, "access", ws)
    check(text.count("warning:") == 1, text)
    methods = query(ws, "SELECT DISTINCT method FROM school_access")
    check(methods == [("straight_line",)], methods)
    run(cli, "coldspots", ws)
    scored = query(ws, "SELECT COUNT(*), SUM(access_method = 'straight_line') FROM coldspots_schools")[0]
    check(scored[0] > 0 and scored[0] == scored[1], "index: %s" % (scored,))
    est = query(ws, "SELECT schools, access_estimated_schools FROM coldspots_areas WHERE level = 'la'")
    check(est and all(a == b for a, b in est), est)
    _, text = run(cli, "info", ws)
    check("road coverage: 0 of %d schools (0.0 %%)" % len(urns) in text, text)


def section_region_name(cli, shared, work, mirror):
    """--region: the East of England by name, districts from the ONS lookup, schools by location."""
    out = os.path.join(work, "eoe")
    fetch(cli, mirror, out, "--region", "east of england", "--no-roads")
    manifest = json.load(open(os.path.join(out, "manifest.json")))
    districts = {r["ltla24_code"] for r in rows(os.path.join(shared, "lookups/lad24_region24_en.csv"))
                 if r["region24_name"] == "East of England"}
    check(set(manifest["local_authorities"]["filters"]["ltla24_code"]) == districts, "45 EoE districts")
    check(manifest["name"] == "East of England", manifest["name"])


def section_cache(cli, shared, work, mirror):
    out = os.path.join(work, "rutland")
    fetch(cli, mirror, out, "--la", "Rutland")
    first = {e["path"] for e in mirror.log() if e["status"] == 200}
    check(len(first) == 14, "13 datasets and 1 road extract downloaded: %s" % sorted(first))
    mirror.reset()
    _, text = fetch(cli, mirror, out, "--la", "Rutland")
    log = mirror.log()
    check(all(e["status"] == 304 and e["bytes"] == 0 for e in log), "second run: %s" % log)
    check(len(log) == 14 and "0 B transferred" in text, text)
    # the publisher replaces one file: only that one comes again
    pp50 = os.path.join(mirror.root, "dfe.test/npq_eligibility/npq_pp50_schools_autumn2025.csv")
    content = open(os.path.realpath(pp50), "rb").read()
    os.remove(pp50)
    with open(pp50, "wb") as f:
        f.write(content + b"999999,Nowhere,New School,Academy converter,Nowhere\n")
    mirror.reset()
    fetch(cli, mirror, out, "--la", "Rutland")
    again = [e["path"] for e in mirror.log() if e["status"] == 200]
    check(again == ["/dfe.test/npq_eligibility/npq_pp50_schools_autumn2025.csv"], again)
    prov = json.load(open(os.path.join(out, "npq/npq_pp50_schools_autumn2025.csv.provenance.json")))
    check(prov["sha256"] == sha256(pp50), prov)
    # no network: the copies from the last run are used, with a clear message
    dead = Mirror.__new__(Mirror)
    dead.url = "http://127.0.0.1:9"  # discard port: connection refused
    code, text = run(cli, "fetch", "--la", "Rutland", "-o", out, "--sources", FIXTURE, "--mirror", dead.url,
                     "--retries", "0", "--connect-timeout", "2")
    check("cannot reach the publisher" in text and "using the copy retrieved at" in text, text)
    empty = os.path.join(work, "empty")
    code, text = run(cli, "fetch", "--la", "Rutland", "-o", empty, "--sources", FIXTURE, "--mirror", dead.url,
                     "--retries", "0", "--connect-timeout", "2", expect=1)
    check("is there a network" in text, text)
    check(not os.path.exists(os.path.join(empty, "manifest.json")), "no manifest without the data")


def section_roads(cli, shared, work, mirror):
    out = os.path.join(work, "rutland")
    fetch(cli, mirror, out, "--la", "Rutland")
    manifest = json.load(open(os.path.join(out, "manifest.json")))
    check(manifest["roads"]["path"] == "osm/rutland-latest.osm.pbf", manifest.get("roads"))
    ws = os.path.join(work, "rutland.gpkg")
    run(cli, "import", os.path.join(out, "manifest.json"), "-o", ws)
    lines = query(ws, "SELECT COUNT(*) FROM roads")[0][0]
    check(lines > 4000, "roads from the fetched extract: %d lines" % lines)
    _, text = run(cli, "access", ws)
    check("warning:" not in text and "road graph:" in text, text)
    # Every Rutland school is on the fetched network; its hub's lead school (the venue) is outside
    # Rutland, beyond the extract, so the times themselves are estimates, marked as such.
    schools = query(ws, "SELECT COUNT(*) FROM schools")[0][0]
    expected = located_in(shared, rows(os.path.join(shared, "schools/schools_gias2024_composite_geocoded.csv")), "E06000017")
    check(schools == len(expected), "%d schools imported, %d open in Rutland" % (schools, len(expected)))
    on_road = query(ws, "SELECT COUNT(DISTINCT urn) FROM school_access WHERE snap_flag <> 'no_road'")[0][0]
    check(on_road == schools, "%d of %d schools on the road network" % (on_road, schools))
    run(cli, "coldspots", ws)
    _, text = run(cli, "info", ws)
    check("road coverage: %d of %d schools (100.0 %%)" % (schools, schools) in text and "snaps of the last access run" in text, text)


def section_bad_input(cli, shared, work, mirror):
    out = os.path.join(work, "bad")
    code, text = fetch(cli, mirror, out, "--region", "East of Englund", expect=2)
    check("no region called 'East of Englund'; nearest: East of England" in text, text)
    code, text = fetch(cli, mirror, out, "--la", "Hertsmear", expect=2)
    check("nearest: Hertsmere" in text, text)
    # a publisher's file whose columns changed: name the file and every missing column
    changed = json.load(open(FIXTURE))
    census = next(d for d in changed["datasets"] if d["id"] == "census")
    census["columns"] += ["PNUMFSM_NEW", "NOR_2025"]
    changed_path = os.path.join(work, "changed_sources.json")
    json.dump(changed, open(changed_path, "w"))
    code, text = fetch(cli, mirror, os.path.join(work, "changed"), "--la", "Rutland", "--no-roads",
                       sources=changed_path, expect=3)
    check("school_census_jan2024_england_census.csv" in text and "'PNUMFSM_NEW', 'NOR_2025'" in text, text)
    check(not os.path.exists(os.path.join(work, "changed", "manifest.json")), "no manifest after a changed file")
    # 404: the dataset and URL named, nothing written for it
    mirror.control({"/dfe.test/schools/school_workforce_2021-22_england_swf.csv": {"status": 404}})
    code, text = fetch(cli, mirror, os.path.join(work, "gone"), "--la", "Rutland", "--no-roads", expect=1)
    check("HTTP 404" in text and "school_workforce_2021-22_england_swf.csv" in text, text)
    mirror.reset()
    # a disk that fills mid-download: the partial is kept for a resume and never imported
    full = os.path.join(work, "full")
    code, text = fetch(cli, mirror, full, "--la", "Rutland", "--no-roads", limit_fsize=3_000_000, expect=1)
    part = os.path.join(full, "schools/schools_gias2024_composite_geocoded.csv.part")
    check("kept" in text and "for a resume" in text and os.path.exists(part), text)
    check(not os.path.exists(os.path.join(full, "manifest.json")), "no manifest names a partial file")
    kept = os.path.getsize(part)
    time.sleep(1)  # the server records the aborted request when its own send ends
    mirror.reset()
    fetch(cli, mirror, full, "--la", "Rutland", "--no-roads")
    ranges = [e["range"] for e in mirror.log() if e["path"].endswith("schools_gias2024_composite_geocoded.csv")]
    check(ranges == ["bytes=%d-" % kept], "resumed at the kept bytes: %s (kept %d)" % (ranges, kept))
    prov = json.load(open(os.path.join(full, "schools/schools_gias2024_composite_geocoded.csv.provenance.json")))
    check(prov["sha256"] == sha256(os.path.join(shared, "schools/schools_gias2024_composite_geocoded.csv")), prov)


def section_england(cli, shared, work, mirror):
    """--england: no district filters, the road extract left out of the workspace for `access --roads`."""
    out = os.path.join(work, "england")
    _, text = fetch(cli, mirror, out, "--england")
    check("fetched England: 296 districts" in text and "--roads" in text, text)
    manifest = json.load(open(os.path.join(out, "manifest.json")))
    check("filters" not in manifest["local_authorities"] and "roads" not in manifest, manifest.keys())
    check("clip_to_authorities" not in manifest["areas"] and not manifest["hubs"][0].get("study_area_only"), manifest["hubs"][0])
    spec = json.load(open(os.path.join(out, "roads.json")))
    check(spec["roads"]["path"] == "osm/england-latest.osm.pbf", spec)
    ws = os.path.join(work, "england.gpkg")
    run(cli, "import", os.path.join(out, "manifest.json"), "-o", ws, "--quiet")
    _, text = run(cli, "access", ws, "--roads", os.path.join(out, "roads.json"), "--matrix-cutoff", "0", "--bands", "15")
    check("warning:" not in text and "road graph:" in text, text)
    on_road, total = query(ws, "SELECT SUM(snap_flag <> 'no_road'), COUNT(*) FROM school_access WHERE role = 'nearest' "
                               "AND hub_type = 'teaching school hub'")[0]
    check(total > 20000 and 0 < on_road < 100, "England schools on the (Rutland) network: %s of %s" % (on_road, total))
    _, text = run(cli, "info", ws)
    check("road coverage: %d of %d schools" % (on_road, total) in text, text)


SECTIONS = {"region": section_region, "region_name": section_region_name, "cache": section_cache,
            "roads": section_roads, "bad_input": section_bad_input, "england": section_england}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cli", required=True)
    ap.add_argument("--shared", required=True)
    ap.add_argument("--section", required=True, choices=sorted(SECTIONS))
    a = ap.parse_args()
    if not os.path.exists(os.path.join(a.shared, "schools/schools_gias2024_composite_geocoded.csv")):
        print("shared data missing: " + a.shared)
        return 1 if os.environ.get("CI") == "true" else 77
    work = tempfile.mkdtemp(prefix="coldspot-fetch-")
    mirror = Mirror(os.path.abspath(a.shared), work)
    try:
        SECTIONS[a.section](a.cli, os.path.abspath(a.shared), work, mirror)
    except Failure as e:
        print("FAIL: %s" % e)
        return 1
    finally:
        mirror.stop()
        shutil.rmtree(work, ignore_errors=True)
    print("ok: " + a.section)
    return 0


if __name__ == "__main__":
    sys.exit(main())
