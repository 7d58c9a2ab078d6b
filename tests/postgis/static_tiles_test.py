#!/usr/bin/env python3
"""Static tiles (issue 16; docs/deployment.md): a PMTiles archive exported from a PostGIS workspace
(`coldspot tiles PG:... -o x.pmtiles`), put on a plain static web server (nginx-light, HTTP range
requests, no tile server), loads in MapLibre GL JS through the `pmtiles` npm protocol in headless
Chromium (tests/clients/chromium.mjs).

    static_tiles_test.py CLUSTER_DIR COLDSPOT_CLI WORK_DIR

Checked: the page has no errors and no failed requests; the archive's metadata names the exported
layers; the whole extent draws features of both layers; close up (zoom 14), the schools drawn at the
positions PostGIS gives three schools (ST_Transform to EPSG:4326) are those schools (urn); every
request for the archive was a range request answered 206 (never the whole file), both in the
browser and in nginx's log. npm packages: maplibre-gl + playwright-core (tools/web) and pmtiles
(tests/tiles/node), pinned by their lock files and installed by tools/js-deps.
"""
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(REPO, "tests", "clients"))
import harness  # noqa: E402  (tests/clients: Node.js 18 and the npm stamps)
from nginx_test import Nginx, fail, fresh_workspace  # noqa: E402

ARCHIVE = "demo.pmtiles"
LAYERS = ["areas", "schools"]
MAXZOOM = 14


def psql(port, database, sql):
    done = subprocess.run(["psql", "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "-d", database, "-v", "ON_ERROR_STOP=1",
                           "-q", "-t", "-A", "-F", "\t", "-c", sql], capture_output=True, text=True)
    if done.returncode != 0:
        fail(f"psql {sql}: {done.stderr}")
    return [line.split("\t") for line in done.stdout.splitlines() if line]


def main():
    cluster, cli, work = sys.argv[1:4]
    harness.require_npm("tools/web")
    harness.require_npm("tests/tiles/node")
    subprocess.run(["rm", "-rf", work], check=True)
    os.makedirs(work)
    work = os.path.abspath(work)
    os.environ["COLDSPOT_CACHE_DIR"] = os.path.join(work, "cache")
    ws = fresh_workspace(cluster, cli, "static_tiles", work)

    site = os.path.join(work, "site")
    os.makedirs(site)
    done = subprocess.run([cli, "tiles", ws, "--layers", ",".join(LAYERS), "--tileset", "demo", "--maxzoom", str(MAXZOOM),
                           "-o", os.path.join(site, ARCHIVE)], capture_output=True, text=True)
    if done.returncode != 0:
        fail("coldspot tiles from PostGIS failed:\n" + done.stderr)
    with open(os.path.join(HERE, "static_tiles_page.html")) as f:
        page = f.read()
    with open(os.path.join(site, "index.html"), "w") as f:
        f.write(page)
    os.symlink(os.path.join(REPO, "tools", "web", "node_modules", "maplibre-gl", "dist"), os.path.join(site, "maplibre"))
    os.symlink(os.path.join(REPO, "tests", "tiles", "node", "node_modules", "pmtiles", "dist"), os.path.join(site, "pmtiles"))

    # Three schools and where PostGIS puts them (the published version's schema).
    with open(os.path.join(cluster, "port")) as f:
        port = int(f.read())
    version = psql(port, "static_tiles", "SELECT version FROM coldspot.current_version")[0][0]
    rows = psql(port, "static_tiles", f"SELECT urn, ST_X(g), ST_Y(g) FROM (SELECT urn, ST_Transform(geom, 4326) AS g FROM coldspot_v{version}.schools "
                                      "ORDER BY urn LIMIT 3 OFFSET 7) s")
    points = [{"layer": "schools", "id": int(urn), "lon": float(x), "lat": float(y)} for urn, x, y in rows]
    if len(points) != 3:
        fail(f"expected three schools in PostGIS, got {rows}")

    nginx = Nginx(os.path.join(work, "nginx"), root=site)
    try:
        page_url = f"{nginx.url}/index.html?archive={ARCHIVE}"
        env = dict(os.environ, COLDSPOT_WEB_DIR=os.path.join(REPO, "tools", "web"))
        done = subprocess.run([harness.NODE, os.path.join(HERE, "static_tiles_page.mjs"), page_url, work, json.dumps(points)],
                              capture_output=True, text=True, env=env, timeout=240)
    finally:
        nginx.stop()
    if done.returncode != 0:
        fail(f"static_tiles_page.mjs exited {done.returncode}:\n{done.stdout[-3000:]}{done.stderr[-3000:]}")
    report = json.loads(done.stdout.strip().splitlines()[-1])

    problems = []
    for key in ("exception", "pageErrors", "failedRequests"):
        if report.get(key):
            problems.append(f"{key}: {report[key]}")
    state = report.get("state") or {}
    if state.get("errors"):
        problems.append(f"map errors: {state['errors']}")
    if sorted(state.get("layers", [])) != LAYERS:
        problems.append(f"the archive's vector_layers are {state.get('layers')}, expected {LAYERS}")
    header = state.get("header") or {}
    if header.get("tileType") != 1 or header.get("maxZoom") != MAXZOOM:
        problems.append(f"header: tile type {header.get('tileType')} (1 = MVT), max zoom {header.get('maxZoom')} (expected {MAXZOOM})")
    drawn = (report.get("overview") or {}).get("features", {})
    for layer in LAYERS:
        if not drawn.get(layer):
            problems.append(f"no {layer} features drawn over the whole extent: {drawn}")
    for p, got in zip(points, report.get("points", [])):
        urns = [q.get("urn") for q in got["properties"]]
        if p["id"] not in urns:
            problems.append(f"school {p['id']} at ({p['lon']:.5f}, {p['lat']:.5f}), zoom 14: drawn there {urns}")
    if len(report.get("points", [])) != len(points):
        problems.append(f"{len(report.get('points', []))} of {len(points)} close-ups done")
    archive = [r for r in report["requests"] if r["url"].split("?")[0].endswith("/" + ARCHIVE)]
    if len(archive) < 3 or any(r["status"] != 206 or not (r["range"] or "").startswith("bytes=") for r in archive):
        problems.append(f"the archive must be read with range requests answered 206: {archive[:10]}")
    with open(os.path.join(work, "nginx", "access.log")) as f:
        logged = [line.split() for line in f if f"/{ARCHIVE}" in line]
    # The browser may answer a repeated range from its cache: nginx sees at most as many.
    if not 3 <= len(logged) <= len(archive) or any(fields[1] != "206" for fields in logged):
        problems.append(f"nginx logged {len(logged)} archive requests (the browser saw {len(archive)}), statuses {sorted({l[1] for l in logged})}")
    print(f"archive requests: {len(archive)} (all 206 ranges: {not any(r['status'] != 206 for r in archive)}); "
          f"drawn over the extent: {drawn}; close-ups: {[(p['id'], [q.get('urn') for q in g['properties']]) for p, g in zip(points, report.get('points', []))]}")
    if problems:
        fail("; ".join(problems))
    print("PASS: PMTiles on a static server drawn by MapLibre through the pmtiles protocol")


if __name__ == "__main__":
    main()
