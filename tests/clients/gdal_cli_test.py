#!/usr/bin/python3
"""GDAL's command-line tools against `coldspot serve`, with the exact commands docs/clients.md gives:

  ogrinfo -ro OAPIF:URL                                     list the collections
  ogr2ogr -f GPKG out.gpkg OAPIF:URL schools coldspots_areas download collections (all pages)
  ogr2ogr -f GPKG -a_srs EPSG:27700 bng.gpkg "URL/collections/schools/items?crs=...27700&limit=10000"
  ogrinfo -ro -al MVT:/vsicurl/URL/tiles/schools/Z/X/Y.mvt  read one vector tile

Expected values come from the workspace read without Coldspot (sqlite3; ogr2ogr on the GeoPackage).

usage: /usr/bin/python3 gdal_cli_test.py --cli COLDSPOT --work DIR
"""

import os
import re
import shutil
import sqlite3
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import check, check_close  # noqa: E402

BNG = "http://www.opengis.net/def/crs/EPSG/0/27700"
GDAL_TYPE_NAMES = {"POINT": "Point", "MULTIPOINT": "Multi Point", "LINESTRING": "Line String",
                   "MULTILINESTRING": "Multi Line String", "POLYGON": "Polygon", "MULTIPOLYGON": "Multi Polygon"}


def run(*command):
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    check(done.returncode == 0, f"{' '.join(command)} exited {done.returncode}:\n{done.stderr[-2000:]}")
    return done.stdout


def same(a, b):
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, float) or isinstance(b, float):
        return abs(a - b) <= 1e-9 * max(1.0, abs(b))
    return a == b


def gpkg_layers(gpkg):
    """{table: geometry type name or None} from gpkg_contents / gpkg_geometry_columns."""
    con = sqlite3.connect(f"file:{gpkg}?mode=ro", uri=True)
    try:
        tables = [r[0] for r in con.execute("SELECT table_name FROM gpkg_contents WHERE data_type IN ('features', 'attributes')")]
        types = dict(con.execute("SELECT table_name, geometry_type_name FROM gpkg_geometry_columns"))
        counts = {t: con.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}
    finally:
        con.close()
    return {t: (types.get(t), counts[t]) for t in tables}


def main():
    args = harness.parse_args()
    harness.require(shutil.which("ogrinfo") and shutil.which("ogr2ogr"), "GDAL's ogrinfo/ogr2ogr are missing: apt-get install gdal-bin")
    gpkg = harness.workspace(args)
    with harness.Server(args.cli, gpkg, args.work) as server:
        # 1. Listing: one collection per workspace table, with the geometry type GDAL reads from the
        #    features (a table without features has none for GDAL to see).
        listing = run("ogrinfo", "-ro", f"OAPIF:{server.url}")
        listed = {m.group(1): m.group(2) for m in re.finditer(r"^\d+: (\w+) \(title: [^)]*\)(?: \(([^)]*)\))?$", listing, re.M)}
        layers = gpkg_layers(gpkg)
        check(set(listed) == set(layers), f"ogrinfo lists {sorted(set(listed) ^ set(layers))} differently from the workspace")
        for table, (geometry, count) in layers.items():
            want = GDAL_TYPE_NAMES.get(geometry) if geometry and count else None
            check(listed[table] == want, f"ogrinfo: {table} is {listed[table]!r}, the workspace says {want!r} ({count} rows)")
        print(f"ogrinfo OAPIF: {len(listed)} collections, geometry types as declared")

        # 2. British National Grid: items with crs=EPSG:27700 through GDAL's GeoJSON driver. GeoJSON has no
        #    CRS member (RFC 7946; OGC API Part 2 sends it as the Content-Crs header), so -a_srs says it.
        bng_path = os.path.join(args.work, "schools_bng.gpkg")
        run("ogr2ogr", "-f", "GPKG", "-a_srs", "EPSG:27700", bng_path,
            f"{server.url}/collections/schools/items?crs={BNG}&limit=10000", "-nln", "schools")
        stored = {f["properties"]["urn"]: f["geometry"]["coordinates"] for f in harness.gdal_features(gpkg, "schools")}
        served = {f["properties"]["urn"]: f["geometry"]["coordinates"] for f in harness.gdal_features(bng_path, "schools")}
        check(set(served) == set(stored), f"{len(served)} schools in EPSG:27700 from the service, workspace has {len(stored)}")
        for urn, (x, y) in stored.items():
            check_close(served[urn][0], x, 0.005, f"school {urn} easting")
            check_close(served[urn][1], y, 0.005, f"school {urn} northing")
        print(f"ogr2ogr items?crs=EPSG:27700: {len(served)} schools at their stored coordinates (to the served 1 cm)")

        # 3. One vector tile through GDAL's MVT driver (/vsicurl): the schools whose Web Mercator position
        #    falls in the tile, by id (URN) and attributes.
        rows = harness.table_rows(gpkg, "schools", "urn")
        crs84 = {f["properties"]["urn"]: f["geometry"]["coordinates"] for f in harness.gdal_features_crs84(gpkg, "schools")}
        z = 14
        lon, lat = crs84[min(crs84)]
        x, y = harness.tile_x(lon, z), harness.tile_y(lat, z)

        expected = {u for u, (px, py) in crs84.items() if harness.tile_x(px, z) == x and harness.tile_y(py, z) == y}
        tile = run("ogrinfo", "-ro", "-al", f"MVT:/vsicurl/{server.url}/tiles/schools/{z}/{x}/{y}.mvt")
        ids = {int(m) for m in re.findall(r"^\s*mvt_id \(Integer64\) = (\d+)$", tile, re.M)}
        # The tile's buffer may add schools just outside it; every school inside must be there.
        check(expected and expected <= ids, f"tile {z}/{x}/{y}: GDAL reads ids {sorted(ids)}, expected at least {sorted(expected)}")
        for urn in expected:
            check(f"name (String) = {rows[urn]['name']}" in tile, f"tile {z}/{x}/{y}: {rows[urn]['name']} not decoded by GDAL")
        print(f"MVT {z}/{x}/{y}: GDAL decodes {len(ids)} schools with their URNs as ids")

        # 4. Download collections with every page and compare every value. GDAL, like QGIS, types fields
        #    from the first page, so this also checks that the service writes REAL 0.0 as `0.0`, not `0`
        #    (see clients.qgis_oapif_field_types).
        out = os.path.join(args.work, "downloaded.gpkg")
        run("ogr2ogr", "-f", "GPKG", out, f"OAPIF:{server.url}", "schools", "coldspots_areas")
        problems = []
        for table, key in (("schools", "urn"), ("coldspots_areas", "code")):
            want = harness.table_rows(gpkg, table, key)
            got = harness.table_rows(out, table, key)
            check(set(got) == set(want), f"ogr2ogr {table}: {len(got)} features, workspace has {len(want)}")
            for k, row in want.items():
                for column, value in row.items():
                    if column != "fid" and not same(got[k].get(column), value):
                        problems.append(f"{table} {k}: {column} = {got[k].get(column)!r}, workspace has {value!r}")
        check(not problems, f"ogr2ogr OAPIF download: {len(problems)} values differ, e.g.\n  " + "\n  ".join(problems[:6]))
        print("ogr2ogr OAPIF download: every value of schools and coldspots_areas as in the workspace")


if __name__ == "__main__":
    harness.run_main(main)
