#!/usr/bin/env python3
"""The example web map (tools/web: MapLibre GL JS) in headless Chromium against `coldspot serve`.

The page is served by a static server on another port than coldspot serve, so every request to the
service is cross-origin and works only through its CORS headers. The page loads the cold-spot areas
and schools as vector tiles through their TileJSON, and the schools as GeoJSON from the OGC API items
endpoint (following `next` links). maplibre_page.mjs drives it with playwright-core and reports what
was rendered; this script checks that against the workspace read without Coldspot (sqlite3, ogr2ogr).

usage: maplibre_chromium_test.py --cli COLDSPOT --work DIR
"""

import functools
import http.server
import json
import os
import re
import subprocess
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import check  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
WEB_DIR = os.path.normpath(os.path.join(HERE, "..", "..", "tools", "web"))
CHROMIUM = os.environ.get("COLDSPOT_CHROMIUM", "/usr/bin/chromium")
SCHOOL_TILE_COLOUR = (0xd7, 0x30, 0x1f)  # 'schools-tiles' circle-color in tools/web/map.mjs


class StaticHandler(http.server.SimpleHTTPRequestHandler):
    # MapLibre 6 is ES modules only: browsers refuse a module served as anything but JavaScript.
    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map, ".mjs": "text/javascript",
                      ".js": "text/javascript", ".css": "text/css", ".map": "application/json"}

    def log_message(self, format, *args):
        pass


def static_server(root):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(StaticHandler, directory=root))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def png_pixel(path, x, y):
    """(r, g, b) of one pixel of a PNG Chromium wrote."""
    return harness.png_rgb(path)(x, y)


def main():
    args = harness.parse_args()
    harness.require(os.access(CHROMIUM, os.X_OK), f"{CHROMIUM} is missing: apt-get install chromium")
    harness.require_npm("tools/web")

    gpkg = harness.workspace(args)
    rows = harness.table_rows(gpkg, "schools", "urn")
    positions = {f["properties"]["urn"]: f["geometry"]["coordinates"] for f in harness.gdal_features_crs84(gpkg, "schools")}
    area_rows = harness.table_rows(gpkg, "coldspots_areas", "code")
    area_codes = {c for c, r in area_rows.items() if r["level"] == "lsoa"}
    # Cold-spot LSOAs (gi_bin > 0) and a point inside each, as far from every school as it can be.
    cold_bins, cold_centres = {}, {}
    school_points = list(positions.values())
    for f in harness.gdal_features_crs84(gpkg, "coldspots_areas"):
        p = f["properties"]
        if p["level"] == "lsoa" and p["gi_bin"] > 0:
            ring = f["geometry"]["coordinates"][0][0][:-1]
            cold_bins[p["code"]] = p["gi_bin"]
            cold_centres[p["code"]] = harness.clear_point(ring, school_points)
    check(cold_centres, "the demo analysis found no cold-spot LSOA: the test needs one")
    urns = sorted(rows)
    named = [urns[0], urns[len(urns) // 2], urns[-1]]
    check(len(rows) > 200, f"{len(rows)} schools: too few for three pages of the default limit")

    web = static_server(WEB_DIR)
    try:
        with harness.Server(args.cli, gpkg, args.work) as server:
            page_url = f"http://127.0.0.1:{web.server_address[1]}/index.html?server={server.url}"
            places = json.dumps({"schools": [{"urn": u, "lon": positions[u][0], "lat": positions[u][1]} for u in named],
                                 "points": [{"id": c, "lon": p[0], "lat": p[1]} for c, p in cold_centres.items()]})
            done = subprocess.run([harness.NODE, os.path.join(HERE, "maplibre_page.mjs"), page_url, server.url, args.work, places],
                                  env={**os.environ, "COLDSPOT_WEB_DIR": WEB_DIR}, capture_output=True, text=True, timeout=240)
            check(done.returncode == 0, f"maplibre_page.mjs exited {done.returncode}:\n{done.stdout[-3000:]}{done.stderr[-3000:]}")
            report = json.loads(done.stdout.strip().splitlines()[-1])
            log = server.request_log()
    finally:
        web.shutdown()

    check("exception" not in report, f"the browser run failed: {report.get('exception')}\nconsole: {report['console']}")
    check(report["ready"] is True, f"the page did not finish loading: {report['pageState']}\nconsole: {report['console']}")
    check(not report["pageErrors"], f"JavaScript errors: {report['pageErrors']}")
    check(not report["pageState"]["errors"], f"map errors: {report['pageState']['errors']}")
    # net::ERR_ABORTED is MapLibre cancelling tiles it no longer needs after a jump, not a failure.
    failed = [r for r in report["failedRequests"] if not r.endswith("net::ERR_ABORTED")]
    check(not failed, f"failed requests: {failed}")
    check(not [c for c in report["console"] if c.startswith("error")], f"browser console errors: {report['console']}")

    # CORS: the page is on another origin; every answer carried Access-Control-Allow-Origin and the
    # browser let the page read it (the map would have no data otherwise).
    check(report["pageState"]["origin"] != server.url, "the page must be on another origin than the server")
    responses = report["serverResponses"]
    check(responses and all(r["allowOrigin"] in ("*", report["pageState"]["origin"]) for r in responses),
          f"answers without CORS: {[r['url'] for r in responses if r['allowOrigin'] is None]}")
    kinds = {re.sub(r"\?.*", "", r["url"][len(server.url):]) for r in responses}
    for needed in ("/tiles/coldspots_areas.json", "/tiles/schools.json", "/collections/schools/items"):
        check(needed in kinds, f"the page never requested {needed}: {sorted(kinds)[:20]}")
    tiles = [r for r in responses if r["url"].endswith(".mvt")]
    # 304 is the page's own revalidation below.
    check(tiles and all(r["status"] in (200, 204, 304) for r in tiles), f"tile answers: {[(r['url'], r['status']) for r in tiles if r['status'] not in (200, 204, 304)]}")
    check(any(r["status"] == 200 and r["contentEncoding"] == "gzip" and r["contentType"] == "application/vnd.mapbox-vector-tile" for r in tiles),
          "no gzip-encoded MVT tile reached the browser")

    # The browser asks for gzip: JSON documents and GeoJSON pages (all over the ~860-byte threshold here)
    # came compressed with their media types, and the browser decoded them (the page used them).
    documents = [r for r in responses if not r["url"].endswith(".mvt") and r["method"] == "GET"]
    check(documents and all(r["contentEncoding"] == "gzip" for r in documents),
          f"JSON answers not gzip-encoded: {[(r['url'], r['contentEncoding']) for r in documents if r['contentEncoding'] != 'gzip']}")
    check(all(r["contentType"] == ("application/geo+json" if "/items" in r["url"] else "application/json") for r in documents),
          f"media types: {[(r['url'], r['contentType']) for r in documents]}")

    # OGC API paging: the page followed next links through every page of the default limit (100).
    pages = report["pageState"]["itemPages"]
    check([p["numberReturned"] for p in pages] == [100, 100, len(rows) - 200] and all(p["numberMatched"] == len(rows) for p in pages),
          f"items pages: {pages}")
    check(report["pageState"]["schoolsLoaded"] == len(rows), f"{report['pageState']['schoolsLoaded']} schools loaded, workspace has {len(rows)}")

    # Overview (whole region): every school drawn from GeoJSON, and from the tiles once each, singly or
    # inside a cluster (the server clusters points up to z10, each point in exactly one cluster).
    overview = report["overview"]
    check(set(overview["geojsonUrns"]) == set(rows), f"{len(set(overview['geojsonUrns']))} GeoJSON schools rendered, workspace has {len(rows)}")
    counted = sum(f["point_count"] if f["cluster"] else 1 for f in overview["tileFeatures"])
    check(counted == len(rows), f"tile features on screen count {counted} schools (singles + cluster point_count), workspace has {len(rows)}")
    check(set(overview["areaCodes"]) == area_codes,
          f"rendered areas differ from the workspace's LSOA rows: missing {sorted(area_codes - set(overview['areaCodes']))[:5]}, "
          f"extra {sorted(set(overview['areaCodes']) - area_codes)[:5]}")

    # The cold-spot LSOAs are filled with their bin's colour (tools/web/map.mjs, 85 % opaque over the
    # background) in the overview screenshot. A town LSOA (0.2 km2) is a few pixels there, under school
    # dots and outlines, so every cold-spot LSOA of at least 1 km2 must show its colour, and at least
    # one overall.
    background = (0xdf, 0xe6, 0xe9)
    fills = {3: (0x08, 0x51, 0x9c), 2: (0x31, 0x82, 0xbd), 1: (0x6b, 0xae, 0xd6)}
    coloured = []
    for px in report["overviewPixels"]:
        want = tuple(round(0.85 * f + 0.15 * b) for f, b in zip(fills[cold_bins[px["id"]]], background))
        got = png_pixel(os.path.join(args.work, "maplibre_overview.png"), *(round(v) for v in px["pixel"]))
        if all(abs(a - b) <= 12 for a, b in zip(got, want)):
            coloured.append(px["id"])
    large = {c for c in cold_bins if harness.table_rows(gpkg, "areas", "code")[c]["area_km2"] >= 1.0}
    check(coloured and large <= set(coloured),
          f"cold-spot LSOAs of 1 km2 or more without their bin's colour in the screenshot: {sorted(large - set(coloured))} "
          f"({len(coloured)} of {len(cold_bins)} coloured)")

    # Each named school close up: the vector-tile feature under its pixel has its URN as id and its
    # attributes; the GeoJSON feature has every non-null attribute of the workspace row.
    for found in report["schools"]:
        urn, row = found["urn"], rows[found["urn"]]
        tile_hits = [f for f in found["tiles"] if f["id"] == urn]
        check(tile_hits, f"school {urn} ({row['name']}): no vector-tile feature with its URN at its pixel; found {[f['id'] for f in found['tiles']]}")
        props = tile_hits[0]["properties"]
        for column in ("name", "phase", "pupils", "la_name", "lsoa_code", "postcode"):
            check(props.get(column) == row[column], f"school {urn} tile attribute {column} = {props.get(column)!r}, workspace has {row[column]!r}")
        geo_hits = [f for f in found["geojson"] if f["properties"].get("urn") == urn]
        check(geo_hits, f"school {urn}: no GeoJSON feature at its pixel")
        received = [f for f in report["receivedSchools"] if f["properties"]["urn"] == urn]
        check(len(received) == 1, f"school {urn} arrived {len(received)} times in the page's GeoJSON")
        for column, expected in row.items():
            if column == "fid":
                continue
            for source, props in (("received GeoJSON", received[0]["properties"]), ("rendered GeoJSON", geo_hits[0]["properties"])):
                got = props.get(column)
                if expected is None:  # MapLibre drops null properties when it renders; the received JSON keeps them
                    check(got is None, f"school {urn} {source} attribute {column} = {got!r}, workspace has NULL")
                    continue
                same = abs(got - expected) <= 1e-9 * max(1, abs(expected)) if isinstance(expected, float) and isinstance(got, (int, float)) else got == expected
                check(same, f"school {urn} {source} attribute {column} = {got!r}, workspace has {expected!r}")
        # Served coordinates agree with GDAL's transform to the 7 decimals served; rendered ones (from
        # MapLibre's own tiling, and from the server's tiles) to within one tile unit at z14.
        lon, lat = received[0]["geometry"]["coordinates"]
        harness.check_close(lon, positions[urn][0], 1.5e-7, f"school {urn} GeoJSON longitude")
        harness.check_close(lat, positions[urn][1], 1.5e-7, f"school {urn} GeoJSON latitude")
        tile_unit = 360 / 2 ** 14 / 4096
        for source, f in (("GeoJSON layer", geo_hits[0]), ("tile layer", tile_hits[0])):
            harness.check_close(f["geometry"]["coordinates"][0], positions[urn][0], tile_unit, f"school {urn} {source} rendered longitude")
            harness.check_close(f["geometry"]["coordinates"][1], positions[urn][1], tile_unit, f"school {urn} {source} rendered latitude")
        # The screenshot shows the tile circle's colour at the school (the GeoJSON ring is hollow).
        x, y = (round(v) for v in found["pixel"])
        rgb = png_pixel(os.path.join(args.work, f"maplibre_school_{urn}.png"), x, y)
        check(all(abs(a - b) <= 30 for a, b in zip(rgb, SCHOOL_TILE_COLOUR)),
              f"school {urn}: screenshot pixel ({x}, {y}) is {rgb}, not the schools' colour {SCHOOL_TILE_COLOUR}")
        print(f"school {urn} ({row['name']}): tile id and attributes, GeoJSON attributes and position, pixel colour all match")

    # A request with If-None-Match needs a CORS preflight: the server answered OPTIONS, then 304.
    rv = report["revalidation"]
    check(rv["status"] == 200 and rv["contentType"] == "application/vnd.mapbox-vector-tile" and rv["etag"],
          f"tile fetch from the page: {rv} (the ETag must be readable: Access-Control-Expose-Headers)")
    check(rv["revalidatedStatus"] == 304, f"tile revalidation with If-None-Match from the page: {rv}")
    tile_path = rv["url"][len(server.url):]
    check(any(re.search(rf'"OPTIONS {re.escape(tile_path)}" 204', line) for line in log),
          f"no CORS preflight (OPTIONS {tile_path}) in the server's request log")
    # The landing page in a browser: HTML by content negotiation, with a link that opens the schools.
    landing = report["landing"]
    check(landing["status"] == 200 and landing["contentType"].startswith("text/html"), f"landing page in Chromium: {landing}")
    check("schoolItems" in landing, f"the HTML landing page has no link to the schools' items: {landing['links']}")
    # Followed in the browser, the link gives the HTML view of the schools, saying how many there are.
    check(landing["schoolItems"]["status"] == 200 and landing["schoolItems"]["contentType"].startswith("text/html")
          and f" of {len(rows)} matched" in landing["schoolItems"]["shown"],
          f"following the landing page's schools link: {landing['schoolItems']}")
    print(f"overview: zoom {report['pageState']['zoom']:.2f}, {len(overview['tileFeatures'])} tile features for {counted} schools, "
          f"{len(overview['areaCodes'])} areas, {len(coloured)} of {len(cold_bins)} cold spots in their colour; {len(tiles)} tiles fetched; preflight + 304 revalidation OK")
    print(f"screenshots: {args.work}/maplibre_overview.png and maplibre_school_*.png")


if __name__ == "__main__":
    harness.run_main(main)
