#!/usr/bin/env python3
"""The partnership map page (tools/web/app) in headless Chromium against `coldspot serve --assets`.

Builds the page's assets (tools/web/build.mjs), serves the analysed demo workspace with them, and lets
map_page.mjs use the page as a hub lead would (open the address, switch layers, search a school, open a
hub, download its list, share a link, bad input, a phone). This script checks what the page showed
against answers found without the page: the JSON API, the `coldspot target` CLI, the workspace read with
sqlite3/GDAL, and the palette file; axe-core must find no serious or critical violation.

usage: map_page_test.py --cli COLDSPOT --work DIR [--workspace GPKG] [--region demo|east_of_england]
  --region east_of_england: imports data/manifests/east_of_england.json from ../shared/data and runs remits,
  access and coldspots (about 15 s), and opens Saffron Teaching School Hub.
"""

import csv
import io
import json
import math
import os
import re
import socket
import sqlite3
import statistics
import subprocess
import sys
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import check  # noqa: E402
from maplibre_chromium_test import CHROMIUM, WEB_DIR  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, "..", ".."))
SHARED_DATA = os.path.normpath(os.path.join(REPO, "..", "shared", "data"))
REAL_HUB = "Saffron Teaching School Hub"


def get_json(url):
    with urllib.request.urlopen(urllib.request.Request(url, headers={"Accept": "application/json"}), timeout=30) as r:
        return json.load(r)


def api_paths(server):
    return set(get_json(server.url + "/api")["paths"])


def cli(args, *rest):
    done = subprocess.run([args.cli, *rest], capture_output=True, text=True, timeout=120)
    check(done.returncode == 0, f"coldspot {' '.join(rest)} exited {done.returncode}: {done.stderr[-1500:]}")
    return done.stdout


def build_assets(work):
    out = os.path.join(work, "web")
    done = subprocess.run([harness.NODE, os.path.join(WEB_DIR, "build.mjs"), out], capture_output=True, text=True, timeout=300)
    check(done.returncode == 0, f"tools/web/build.mjs failed:\n{done.stderr[-2000:]}")
    return out


def real_workspace(args):
    """The East of England workspace, analysed as `tools/demo` analyses the demo (no road file: the
    workspace's roads layer)."""
    if not os.path.isdir(SHARED_DATA):
        check(os.environ.get("CI", "").lower() != "true", f"{SHARED_DATA} is missing (CI=true: the real data must be there)")
        print(f"SKIP: {SHARED_DATA} is missing")
        sys.exit(harness.SKIP)
    gpkg = os.path.join(args.work, "east_of_england.gpkg")
    cli(args, "import", os.path.join(REPO, "data", "manifests", "east_of_england.json"), "-o", gpkg, "--quiet")
    for verb in ("remits", "access", "coldspots"):
        cli(args, verb, gpkg)
    return gpkg


def non_local_trusts(gpkg, max_authorities=3, max_median_km=50):
    """docs/remits.md's rule worked out here from the schools layer: a trust whose located schools lie in
    more than 3 upper-tier authorities, or whose median distance over all pairs of its schools exceeds
    50 km, is not local."""
    by_trust = {}
    for f in harness.gdal_features(gpkg, "schools"):
        p = f["properties"]
        if p.get("trust_uid") and f["geometry"]:
            by_trust.setdefault(p["trust_uid"], []).append((f["geometry"]["coordinates"], p["remit_utla_code"]))
    out = set()
    for trust, schools in by_trust.items():
        pairs = sorted(math.dist(a[0], b[0]) for i, a in enumerate(schools) for b in schools[i + 1:])
        median_km = statistics.median(pairs) / 1000 if pairs else 0
        if len({u for _, u in schools if u}) > max_authorities or median_km > max_median_km:
            out.add(trust)
    return out


def check_partnership(server, gpkg, pid, members):
    """A real partnership's joint list and its cut-off list, against the workspace read with SQL/GDAL."""
    def rows(url):
        with urllib.request.urlopen(url, timeout=120) as r:
            return list(csv.DictReader(io.StringIO(r.read().decode("utf-8-sig"))))
    joint = rows(f"{server.url}/partnerships/{pid}/targets?f=csv")
    cut = rows(f"{server.url}/partnerships/{pid}/cut-off?f=csv")
    targets = harness.table_rows(gpkg, "targets", "urn")
    want = {u for u, r in targets.items() if members & set((r["hub_ids"] or "").split(";"))}
    urns = [int(r["urn"]) for r in joint]
    check(len(urns) == len(set(urns)), f"{pid}: a school is listed twice")
    check(set(urns) == want, f"{pid}: {len(urns)} schools listed, the targets layer has {len(want)} in the partnership's hubs "
          f"(missing {sorted(want - set(urns))[:5]}, extra {sorted(set(urns) - want)[:5]})")
    own = {}
    for r in harness.table_rows(gpkg, "school_access", "fid").values():
        if r["role"] == "own_hub" and r["method"] != "none" and r["minutes"] is not None:
            own[(r["urn"], r["hub_id"])] = r["minutes"]
    shared = 0
    for r in joint:
        hubs = members & set(r["partnership_hub_ids"].split(";"))
        check(r["lead_hub_id"] in hubs, f"{pid}: URN {r['urn']} led by {r['lead_hub_id']}, not one of its hubs {hubs}")
        if len(hubs) > 1:
            shared += 1
            times = {h: own.get((int(r["urn"]), h)) for h in hubs}
            best = min(t for t in times.values() if t is not None)
            check(times[r["lead_hub_id"]] == best, f"{pid}: URN {r['urn']} led by {r['lead_hub_id']} ({times}), not the shortest drive")
    trusts = non_local_trusts(gpkg)
    schools = harness.table_rows(gpkg, "schools", "urn")
    want_cut = {u for u in urns if schools[u]["trust_uid"] in trusts}
    got_cut = {int(r["urn"]) for r in cut}
    check(got_cut == want_cut, f"{pid}: cut-off list {len(got_cut)} schools, the rule gives {len(want_cut)} "
          f"(missing {sorted(want_cut - got_cut)[:5]}, extra {sorted(got_cut - want_cut)[:5]})")
    check(all(r["cut_off_trust"] == "1" for r in cut) and {int(r["urn"]) for r in joint if r["cut_off_trust"] == "1"} == got_cut,
          f"{pid}: the joint list's cut_off_trust flags differ from the cut-off list")
    check(want_cut, f"{pid}: no school in a non-local trust: the check proves nothing")
    print(f"partnership {pid}: {len(urns)} schools once each ({shared} in two or more of its hubs, led by the shorter drive); "
          f"{len(got_cut)} in {len({schools[u]['trust_uid'] for u in got_cut})} non-local trusts = the documented rule")


def check_sites(args, gpkg, hub_id, hub_type, st):
    """The page's suggestion among the places a lead picked equals `coldspot target --candidates`."""
    check(st and not st["problem"] and st["result"], f"the suggestion among picked places did not run: {st}")
    sites = st["sent"]
    check(len(sites) == 3 and st["listed"] == 3, f"3 places picked (2 clicks, 1 from the keyboard), the page has {st['listed']}: {sites}")
    path = os.path.join(args.work, "sites.csv")
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["name", "lon", "lat"])
        for i, (lon, lat) in enumerate(sites):
            w.writerow([f"site {i + 1}", repr(lon), repr(lat)])
    out = subprocess.run([args.cli, "target", gpkg, "--hub", hub_id, "--suggest", "3", "--hub-type", hub_type, "--candidates", path],
                         capture_output=True, text=True, timeout=300)
    check(out.returncode == 0, f"coldspot target --candidates: {out.stdout}{out.stderr}")
    picks = [re.match(r"\s+(\d+)\. (candidate \d+) at (\d+) (\d+): \+(\S+)", line) for line in out.stdout.splitlines()]
    picks = [(m.group(2), float(m.group(5))) for m in picks if m]
    page = [(p["name"], p["gain"]) for p in st["result"]["picks"]]
    check([n for n, _ in page] == [n for n, _ in picks] and all(abs(a - b) <= 1e-5 * max(1, abs(b)) for (_, a), (_, b) in zip(page, picks)),
          f"suggestion among picked places: page {page}, CLI {picks}\n{out.stdout}")
    check(len(st["shown"]) == len(page), f"the page lists {st['shown']} for {page}")
    check(page and st["result"]["covered_after"] > st["result"]["covered_before"], f"no picked place adds coverage: the check proves little: {st['result']}")
    print(f"suggestion among 3 picked places for {hub_type}: {page}: page = CLI (`target --candidates`)")


def fmt_whole(v):
    return f"{round(v):,}"


def main():
    args = harness.parse_args({"--region": {"default": "demo", "choices": ["demo", "east_of_england"]}})
    real = args.region == "east_of_england"
    harness.require(os.access(CHROMIUM, os.X_OK), f"{CHROMIUM} is missing: apt-get install chromium")
    harness.require_npm("tools/web")
    os.makedirs(args.work, exist_ok=True)
    assets = build_assets(args.work)
    gpkg = real_workspace(args) if real else harness.workspace(args)

    # Independent answers: the workspace (sqlite3 / GDAL) and the CLI.
    cold = harness.table_rows(gpkg, "coldspots_schools", "urn")
    schools = harness.table_rows(gpkg, "schools", "urn")
    # A school with every section: scored, with a name whose first two words find it.
    hub_rows = harness.table_rows(gpkg, "hub_dashboard", "hub_id")
    hub_id = next(h for h, r in sorted(hub_rows.items()) if r["name"] == REAL_HUB) if real else sorted(hub_rows)[0]
    # A school in the hub, in a cold spot, with a name its first three words find.
    urn = min(u for u, r in cold.items() if r["coldspot_index"] is not None and r["gi_bin"] and r["gi_bin"] > 0
              and hub_id in (r.get("hub_ids") or "").split(";") and len(schools[u]["name"].split()) >= 3)
    name = schools[urn]["name"]
    # Cold-spot LSOAs and a point inside each, away from school dots.
    points, cold_bins = [], {}
    school_points = [f["geometry"]["coordinates"] for f in harness.gdal_features_crs84(gpkg, "schools")]
    for f in harness.gdal_features_crs84(gpkg, "coldspots_areas"):
        p = f["properties"]
        if p["level"] == "lsoa" and p["gi_bin"] and p["gi_bin"] > 0:
            ring = f["geometry"]["coordinates"][0][0][:-1]
            point = harness.clear_point(ring, school_points)
            if f["geometry"]["type"] == "MultiPolygon" and len(f["geometry"]["coordinates"]) == 1 and len(f["geometry"]["coordinates"][0]) == 1 \
                    and point:
                cold_bins[p["code"]] = p["gi_bin"]
                points.append({"id": p["code"], "lon": point[0], "lat": point[1]})
    check(points, "the demo analysis found no cold-spot LSOA: the colour check needs one")
    cli(args, "target", gpkg, "--csv", os.path.join(args.work, "all_targets.csv"))
    with open(os.path.join(args.work, "all_targets.csv"), encoding="utf-8") as f:
        target_csv = f.read()
    cli_targets = {int(r["urn"]): r for r in csv.DictReader(io.StringIO(target_csv))}
    palette_file = os.environ.get("COLDSPOT_PALETTE", os.path.join(HERE, "..", "..", "data", "style", "palette.json"))
    with open(palette_file, encoding="utf-8") as f:
        palette = json.load(f)
    gi_theme = next(t for t in palette["themes"] if t["id"] == "gi_bin")
    gi_colour = {c["value"]: c["color"] for c in gi_theme["classes"]}

    # The what-if venue: at the school farthest (by its nearest-venue time) from a venue of the hub's type.
    hub_type = hub_rows[hub_id]["hub_type"]
    access = [r for r in harness.table_rows(gpkg, "school_access", "fid").values()
              if r["role"] == "nearest" and r["hub_type"] == hub_type and r["minutes"] is not None]
    far = max(access, key=lambda r: (r["minutes"], -r["urn"]))
    far_point = next(f["geometry"]["coordinates"] for f in harness.gdal_features_crs84(gpkg, "schools") if f["properties"]["urn"] == far["urn"])
    # Candidate sites for a suggestion among picked places: at the hub's three schools farthest from a
    # venue of its type (the suggestion serves the hub's schools).
    in_hub = {u for u, r in harness.table_rows(gpkg, "targets", "urn").items() if hub_id in (r["hub_ids"] or "").split(";")}
    far_urns = [r["urn"] for r in sorted(access, key=lambda r: (-r["minutes"], r["urn"])) if r["urn"] in in_hub][:3]
    far_points = [next(f["geometry"]["coordinates"] for f in harness.gdal_features_crs84(gpkg, "schools") if f["properties"]["urn"] == u) for u in far_urns]
    with socket.socket() as s:  # a port nothing listens on, for the unreachable-server case
        s.bind(("127.0.0.1", 0))
        dead_port = s.getsockname()[1]
    plan = {"dead_port": dead_port, "school": {"urn": urn, "name": name, "query": " ".join(name.split()[:3])}, "hub": {"id": hub_id}, "points": points,
            "whatif": {"lon": far_point[0], "lat": far_point[1], "hub_type": hub_type},
            "sites": [{"lon": p[0], "lat": p[1]} for p in far_points]}
    with harness.Server(args.cli, gpkg, args.work, ["--assets", assets]) as server:
        paths = api_paths(server)
        plan["search"] = "/search" in paths
        record = get_json(f"{server.url}/schools/{urn}")
        dashboard = get_json(f"{server.url}/hubs/{urllib.request.quote(hub_id)}")
        done = subprocess.run([harness.NODE, os.path.join(HERE, "map_page.mjs"), server.url, args.work, json.dumps(plan)],
                              env={**os.environ, "COLDSPOT_WEB_DIR": WEB_DIR}, capture_output=True, text=True, timeout=400)
        check(done.returncode == 0, f"map_page.mjs exited {done.returncode}:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
        with open(os.path.join(args.work, "map_page_report.json"), encoding="utf-8") as f:
            report = json.load(f)
        plan_paths = paths
        if real and "/partnerships/{partnershipId}/targets" in paths:
            check_partnership(server, gpkg, "east-of-england-tsh", {f"teaching-school-hub:EE{i}" for i in range(1, 11)})
        hub_csv = None
        if "/hubs/{hubId}/targets" in paths or "/hubs/{id}/targets" in paths:
            cli(args, "target", gpkg, "--hub", hub_id, "--csv", os.path.join(args.work, "hub_targets.csv"))
            with open(os.path.join(args.work, "hub_targets.csv"), "rb") as f:
                hub_csv = f.read()

    check(not report.get("exception"), f"the browser run failed: {report.get('exception')}")
    # Deliberate failures (a tile answered 500, a server that is not there) are not the page's errors.
    expected = {"failing-tile", "unreachable", "bad-input"}
    check(not report["pageErrors"], f"JavaScript errors: {report['pageErrors']}")
    # Chromium asks every page without an icon link for /favicon.ico by itself; that 404 is not the page's.
    errors = [c for c in report["console"] if c["type"] == "error" and c["tag"] not in expected and not (c.get("url") or "").endswith("/favicon.ico")]
    check(not errors, f"console errors: {errors[:5]}")
    failed = [r for r in report["failedRequests"] if r["tag"] not in expected and not r["error"].endswith("ERR_ABORTED")]
    check(not failed, f"failed requests: {failed[:5]}")
    bad = [r for r in report["responses"] if r["tag"] not in expected and r["status"] >= 400]
    check(not bad, f"answers >= 400 to the page: {bad[:5]}")

    # The address the server prints opens the map, with the synthetic-data banner on the demo.
    o = report["steps"]["open"]
    check(o["url"].startswith(server.url + "/map/"), f"/ in a browser ended at {o['url']}, not the map page")
    if real:
        check(o["banner"] is None, f"a real-data workspace shows a banner: {o['banner']!r}")
    else:
        check(o["banner"] and "Synthetic" in o["banner"], f"demo banner: {o['banner']!r}")
    # The licences: OGL always; ODbL once the OpenStreetMap roads are on screen (close up).
    check("Open Government Licence" in o["attribution"], f"attribution: {o['attribution']!r}")
    check("OpenStreetMap" in report["steps"]["closeAttribution"], f"attribution close up: {report['steps']['closeAttribution']!r}")
    visible = [g["id"] for g in o["groups"] if g["visible"]]
    check("coldspots-lsoa" in visible and "hubs" in visible, f"default layers: {visible}")
    for item in o["legend"]:
        check(item["checked"] == (item["group"] in visible), f"layer box {item['group']} checked={item['checked']}")
        check(bool(item["key"]) == item["checked"], f"legend of {item['group']}: {item['key']} (checked={item['checked']})")
    lsoa_key = next(i["key"] for i in o["legend"] if i["group"] == "coldspots-lsoa")
    check([k["text"] for k in lsoa_key] == [c["label"] for c in gi_theme["classes"]], f"cold-spot legend: {lsoa_key}")

    # Every layer on: every tileset of the style answered, no tile failed, the legend lists them all.
    a = report["steps"]["allLayers"]
    check(set(a["visible"]) == {g["id"] for g in o["groups"]}, f"not every layer could be switched on: {a['visible']}")
    check(set(a["legendGroups"]) == set(a["visible"]), f"legend lists {a['legendGroups']}, visible {a['visible']}")
    check(a["tileErrors"] == 0, f"{a['tileErrors']} tile errors")
    tiles = [r for r in report["responses"] if r["tag"] == "main" and "/tiles/" in r["url"] and r["url"].endswith(".mvt")]
    sources = {s for s in o["style"]["sources"]}
    served = {r["url"].split("/tiles/")[1].split("/")[0] for r in tiles if r["status"] == 200}
    check(sources <= served, f"tilesets with no tile drawn: {sorted(sources - served)}")
    empty = [lid for lid, n in a["renderedBySource"].items() if n == 0 and lid not in ("coldspots-hex",)]
    print(f"layers drawn (features on screen): {a['renderedBySource']}")
    must_draw = ("coldspots-lsoa", "hubs", "schools", "venues", "deprivation", "districts")
    # Place names where the workspace has towns (the demo has; the East of England import has none).
    has_towns = sqlite3.connect(gpkg).execute("SELECT count(*) FROM gpkg_contents WHERE table_name = 'towns'").fetchone()[0] > 0
    must_draw += ("town-labels",) if has_towns else ()
    check(not [lid for lid in empty if lid in must_draw] and (not has_towns or "town-labels" in a["renderedBySource"]),
          f"layers with nothing drawn: {empty} (towns in the workspace: {has_towns})")

    # The school: searched by part of its name, picked with the keyboard; figures equal the API's and the CLI's.
    s = report["steps"]["school"]
    if plan["search"]:
        check(s["picked"] >= 0, f"searching {plan['school']['query']!r} did not offer {name!r}: {s['options']}")
        check(s["focus"] == "panel-title", f"after picking, focus is on {s['focus']!r}, not the panel title")
    else:
        print("NOTE: this server has no /search: the school was opened from its URL")
    p = s["panel"]
    check(p["title"] == name, f"school panel title {p['title']!r}, expected {name!r}")
    check(p["facts"]["URN"] == str(urn) and p["facts"]["Pupils"] == fmt_whole(record["school"]["pupils"]), f"school facts: {p['facts']}")
    if real:
        check("postcode centroid" in p["facts"]["Map position"], f"a real school's position is not marked as a postcode centroid: {p['facts']}")
    nearest = {r["hub_type"]: r for r in record["access"] if r["role"] == "nearest"}
    check({v["type"] for v in p["venues"]} == set(nearest), f"venue rows {p['venues']} vs access {sorted(nearest)}")
    for v in p["venues"]:
        r = nearest[v["type"]]
        shown = v["cells"][2]
        check(shown.startswith(f"{round(r['minutes'])} min"), f"{v['type']}: panel says {shown!r}, API {r['minutes']} min")
        check(("estimate" in shown) == (r["method"] != "road"), f"{v['type']}: estimate marking {shown!r} for method {r['method']}")
    cs = record["coldspot"][0]
    index = float(cli_targets[urn]["coldspot_index"])
    check(abs(index - cs["coldspot_index"]) < 1e-6, f"API index {cs['coldspot_index']} vs CLI {index}")
    check(f"Index {index:.1f} out of 100" in p["indexSentence"], f"index sentence {p['indexSentence']!r}, CLI index {index}")
    for c in p["components"]:
        check(c["points"] == f"{cs['contrib_' + c['component']]:.1f}".rstrip("0").rstrip(".") or c["points"] == f"{cs['contrib_' + c['component']]:.1f}",
              f"component {c['component']}: panel {c['points']}, API {cs['contrib_' + c['component']]}")
    label = next(c["label"] for c in gi_theme["classes"] if c["value"] == cs["gi_bin"])
    check(label in p["gi"], f"Gi* class: panel {p['gi']!r}, expected {label!r}")
    for t in (record["school"].get("multi_hub_types") or "").split(";"):
        if t:
            check(any(t in f for f in p["flags"]), f"flag for two {t}s missing: {p['flags']}")
    print(f"school {urn} ({name}): found by {plan['school']['query']!r}, panel in {s['panelMs']:.0f} ms; index {index:.1f}, "
          f"{len(p['venues'])} venue times, {len(p['components'])} components, Gi* {label}")

    # The shared address reopens the same view.
    sh = report["steps"]["shared"]
    check(sh["reopened"] == sh["original"], f"shared URL {sh['url']} reopened {sh['reopened']}, was {sh['original']}")

    # The hub panel.
    h = report["steps"]["hub"]["panel"]
    check(h["title"] == dashboard["name"], f"hub panel title {h['title']!r}, API name {dashboard['name']!r}")
    check(h["facts"].get("Schools") == fmt_whole(dashboard["schools"]) and h["facts"].get("Pupils") == fmt_whole(dashboard["pupils"]), f"hub figures: {h['facts']}")
    # The hub's median drive time, from the workspace: its schools (school_remits) and their nearest venue
    # of the hub's type (school_access).
    members = {r["urn"] for r in harness.table_rows(gpkg, "school_remits", "fid").values() if r["hub_id"] == hub_id}
    times = sorted(r["minutes"] for r in access if r["urn"] in members)
    median = (times[(len(times) - 1) // 2] + times[len(times) // 2]) / 2
    shown = h["facts"].get(f"Median drive to the nearest {hub_type} venue")
    check(shown == f"{round(median)} min", f"hub median drive: page {shown!r}, workspace {median:.2f} min over {len(times)} schools")
    if hub_csv is not None:
        rows = list(csv.DictReader(io.StringIO(hub_csv.decode("utf-8-sig"))))
        check(h["targets"] and [t["cells"][3] for t in h["targets"]] == [r["reasons"] for r in rows[:len(h["targets"])]], "hub target reasons differ from the CLI's")
        check([t["urn"] for t in h["targets"]] == [int(r["urn"]) for r in rows[:len(h["targets"])]] and h["targets"],
              f"hub targets in the page {[t['urn'] for t in h['targets']][:10]} vs CLI {[r['urn'] for r in rows[:10]]}")
        got = open(report["steps"]["hub"]["download"]["file"], "rb").read()
        check(got == hub_csv, f"downloaded CSV ({len(got)} bytes) differs from `coldspot target --hub {hub_id} --csv` ({len(hub_csv)} bytes)")
        print(f"hub {hub_id}: {len(h['targets'])} targets equal the CLI's, downloaded CSV byte-identical ({len(got)} bytes)")
    else:
        print("NOTE: this server has no /hubs/{id}/targets: the target list and download are not checked")

    # What if: the page's counts equal those of `coldspot coldspots --add-venue` at the same place (the
    # place the page sent, turned into British National Grid by GDAL here), counted from the CLI's output.
    w = report["steps"].get("whatif")
    if "/scenarios" in plan_paths:
        check(w and not w["error"] and w["result"], f"the what-if did not run: {w}")
        sent = w["sent"]["add_venues"][0]
        done = subprocess.run(["gdaltransform", "-s_srs", "OGC:CRS84", "-t_srs", "EPSG:27700", "-output_xy"], input=f"{sent['lon']} {sent['lat']}\n",
                              capture_output=True, text=True, check=True)
        e, n = (float(v) for v in done.stdout.split())
        echo = w["echo"]["add_venues"][0]
        harness.check_close(echo["easting"], e, 0.01, "the server's easting of the what-if venue")
        harness.check_close(echo["northing"], n, 0.01, "the server's northing of the what-if venue")
        out = os.path.join(args.work, "scenario.gpkg")
        cli(args, "coldspots", gpkg, "--add-venue", f"{hub_type}:{sent['name']}:{e}:{n}", "--output", out, "--quiet")

        def within(ws):
            rows = [r for r in harness.table_rows(ws, "school_access", "fid").values()
                    if r["role"] == "nearest" and r["hub_type"] == hub_type and r["method"] != "none" and r["minutes"] is not None]
            return {m: sum(1 for r in rows if r["minutes"] <= m) for m in (15, 30, 45)}
        before, after = within(gpkg), within(out)
        shown = {r["minutes"]: r["cells"] for r in w["rows"] if r["type"] == hub_type}
        for m in (15, 30, 45):
            check(shown[m][2] == fmt_whole(before[m]) and shown[m][3] == fmt_whole(after[m]),
                  f"within {m} min: the page shows {shown[m][2]} -> {shown[m][3]}, the CLI's workspaces {before[m]} -> {after[m]}")
        cold_after = sum(1 for r in harness.table_rows(out, "coldspots_schools", "urn").values() if r["cold_spot"] == 1)
        cold_before = sum(1 for r in cold.values() if r["cold_spot"] == 1)
        check(f"{fmt_whole(cold_before)} now, {fmt_whole(cold_after)} with the change" in (w["coldspotCount"] or ""),
              f"cold-spot schools: page {w['coldspotCount']!r}, CLI {cold_before} -> {cold_after}")
        check(after != before, f"the what-if venue changed nothing ({before}): the test needs a place that matters")
        print(f"what-if {hub_type} venue at ({e:.1f}, {n:.1f}): within 15/30/45 min {before} -> {after}, cold-spot schools {cold_before} -> {cold_after}: page = CLI")
    else:
        print("NOTE: this server has no /scenarios: the what-if is not checked")

    # Suggestion among picked places: the sites the page sent, written to a CSV, give the CLI's answer.
    if "/suggestions" in plan_paths:
        check_sites(args, gpkg, hub_id, hub_type, report["steps"].get("sites"))

    # The briefing: its printed PDF (Chromium's page.pdf) holds the hub's name and figures as text
    # (pdftotext, poppler-utils, reads it back).
    if "/briefings/hubs/{hubId}" in plan_paths:
        check("briefing" in report["steps"], "the hub panel has no briefing link")
        pdf = os.path.join(args.work, "briefing.pdf")
        text = subprocess.run(["pdftotext", "-layout", pdf, "-"], capture_output=True, text=True, check=True).stdout
        flat = " ".join(text.split())
        figures = dashboard.get("figures", dashboard)
        for needle in (dashboard["name"], f"Schools {figures['schools']}", f"Pupils {figures['pupils']}"):
            check(needle in flat or needle.replace(" ", "") in flat.replace(" ", ""), f"the briefing PDF lacks {needle!r}: {flat[:600]}")
        first = f"URN {rows[0]['urn']}" if hub_csv is not None and rows else None
        check(first is None or first in flat, f"the briefing PDF lacks the first target ({first})")
        print(f"briefing PDF: {os.path.getsize(pdf):,} bytes with {dashboard['name']!r}, its figures and the first target")
    else:
        print("NOTE: this server has no briefings: the PDF is not checked")

    # Bad input.
    check("no hub" in report["steps"]["unknownHub"]["message"].lower() and report["steps"]["unknownHub"]["panel"] is None,
          f"unknown hub message: {report['steps']['unknownHub']}")
    for q in report["steps"]["oddSearch"]:
        check(q["injected"] is None and q["scripts"] == 0, f"search text {q['query']!r} injected markup: {q}")
    if "/scenarios" in plan_paths:
        words = {401: "Not allowed", 429: "busy", 200: "time limit"}
        for r in report["steps"]["refused"]:
            check(r["message"] and words[r["status"]] in r["message"] and r["usable"], f"what-if refused with {r['status']}: {r}")
    check("could not be loaded" in report["steps"]["failingTile"]["message"] and report["steps"]["failingTile"]["usable"],
          f"failing tile: {report['steps']['failingTile']}")
    check("cannot be reached" in report["steps"]["unreachable"]["message"], f"unreachable server: {report['steps']['unreachable']}")

    # A phone's opening view says where it is: boundaries, hubs and schools, and the authorities' names,
    # each name once (one label point per area; a polygon label repeated itself in every tile it crossed).
    po = report["steps"]["phoneOpening"]
    utla_names = {r[0] for r in sqlite3.connect(gpkg).execute("SELECT name FROM upper_tier_authorities")}
    names = po["labels"]["authority-labels"]
    print(f"phone opening view at zoom {po['zoom']:.2f}: {po['counts']}; authority names {sorted(names)}")
    check(all(po["counts"][k] > 0 for k in ("authorities", "hubs", "schools")), f"phone opening view lacks boundaries, hubs or schools: {po['counts']}")
    check(len(names) >= 1 and set(names) <= utla_names, f"phone opening view: authority names {names} (workspace has {sorted(utla_names)[:10]}...)")
    check(len(names) == len(set(names)), f"an authority's name is drawn more than once: {sorted(names)}")

    # Phone width: readable, no sideways scrolling.
    ph = report["steps"]["phone"]
    check(ph["panel"]["title"] == name and not ph["overflowX"] and ph["smallestFont"] >= 12, f"phone: {ph['panel']['title']}, overflow {ph['overflowX']}, font {ph['smallestFont']}")

    # Accessibility.
    serious = [v for v in report["axe"] if v["impact"] in ("serious", "critical")]
    check(not serious, f"axe-core: {json.dumps(serious, indent=1)[:3000]}")

    # Screenshots: the cold-spot LSOAs show their class colour (fill 80 % over the white background) at
    # their centres, at 1280x720 and 390x844 (a dot or line may cover a centre: most, not all).
    for shot, pixels, canvas in (("map_1280x720.png", o["pixels"], o["canvas"]), ("map_390x844.png", ph["pixels"], ph["canvas"])):
        hits, seen = 0, 0
        pixel = harness.png_rgb(os.path.join(args.work, shot))
        for px in pixels:
            x, y = round(px["x"]), round(px["y"])
            # Off the map, or under a panel drawn over it (the layer list), the fill cannot be seen.
            if not (0 <= x < canvas["width"] and 0 <= y < canvas["height"]) or px.get("covered"):
                continue
            seen += 1
            want = tuple(round(0.8 * int(gi_colour[cold_bins[px["id"]]][i:i + 2], 16) + 0.2 * 255) for i in (1, 3, 5))
            got = pixel(x + round(canvas["left"]), y + round(canvas["top"]))
            hits += all(abs(g - w) <= 14 for g, w in zip(got, want))
        print(f"{shot}: {hits} of {seen} cold-spot LSOA centres on screen show their class colour")
        check(seen > 0 and 2 * hits >= seen, f"{shot}: only {hits} of {seen} cold-spot centres in their colour")
    print(f"screenshots kept in {args.work}: map_1280x720.png, map_all_layers.png, school_panel_1280x720.png, hub_panel_1280x720.png, school_panel_390x844.png")


if __name__ == "__main__":
    harness.run_main(main)
