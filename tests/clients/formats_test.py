#!/usr/bin/python3
"""Downloads and filters of `coldspot serve` read back by independent clients, on the analysed demo
workspace:

  CSV  (items?f=csv)   Python's csv module: every value and coordinate equal to the GeoJSON's
  XLSX (items?f=xlsx)  GDAL's XLSX driver (ogr2ogr): typed columns, every value equal to the GeoJSON's
  FGB  (items?f=fgb)   GDAL's FlatGeobuf driver: CRS, geometry type, every value and coordinate
  filter (CQL2 text)   the same selections done in SQL (sqlite3, values bound) over the GeoPackage
  coldspot export --csv/--xlsx (offline): CSV byte-identical to f=csv (CRS84 and --crs EPSG:27700) and
                       read back by the csv module; the workbook's sheets, in --layers order, read by
                       GDAL's XLSX driver; unknown layers and misuse are errors naming them

usage: /usr/bin/python3 formats_test.py --cli COLDSPOT --work DIR [--workspace GPKG]
"""

import csv
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import check  # noqa: E402


def fetch(url):
    with urllib.request.urlopen(url, timeout=120) as r:
        return r.read(), dict(r.headers)


def geojson_all(base, collection):
    """Every feature of a collection as GeoJSON, following next links."""
    url, features = f"{base}/collections/{collection}/items?limit=10000", []
    while url:
        page = json.loads(fetch(url)[0])
        features += page["features"]
        url = next((l["href"] for l in page["links"] if l["rel"] == "next"), None)
    return {f["id"]: f for f in features}


def gdal_geojson(path, *options, layer=None):
    done = subprocess.run(["ogr2ogr", "-f", "GeoJSON", "/vsistdout/", *options, path, *([layer] if layer else [])], capture_output=True, text=True, timeout=120)
    check(done.returncode == 0, f"ogr2ogr {path}: {done.stderr[-2000:]}")
    return json.loads(done.stdout)


def ogrinfo(*args):
    done = subprocess.run(["ogrinfo", *args], capture_output=True, text=True, timeout=120)
    check(done.returncode == 0, f"ogrinfo {' '.join(args)}: {done.stderr[-2000:]}")
    return done.stdout


def coordinates(geometry):
    """Every position of a GeoJSON geometry, as a sorted list (rings' direction aside)."""
    out = []

    def walk(c):
        if isinstance(c[0], (int, float)):
            out.append((c[0], c[1]))
        else:
            for p in c:
                walk(p)
    walk(geometry["coordinates"])
    return sorted(out)


def same_value(served, expected, what, rel=0.0):
    """`rel`: for values read through GDAL's GeoJSON writer, which prints some doubles with 15
    significant digits (37.800000000000004 as 37.8) although the file holds them exactly."""
    if expected is None:
        check(served in (None, ""), f"{what}: {served!r} where the GeoJSON has null")
    elif isinstance(expected, float):
        check(served not in (None, "") and abs(float(served) - expected) <= rel * abs(expected), f"{what}: {served!r} != {expected!r}")
    elif isinstance(expected, int):
        check(served not in (None, "") and int(served) == expected and float(served) == expected, f"{what}: {served!r} != {expected!r}")
    else:
        check(served == expected, f"{what}: {served!r} != {expected!r}")


def check_csv(base, work, collection, reference):
    body, headers = fetch(f"{base}/collections/{collection}/items?f=csv")
    check(headers["Content-Type"].startswith("text/csv"), f"CSV content type {headers['Content-Type']}")
    rows = check_csv_body(body, collection, reference, "CSV")
    print(f"CSV {collection}: {rows} rows read by Python's csv module, every value equal to the GeoJSON")


def check_csv_body(body, collection, reference, what):
    """`body` (a CSV file's bytes) read by Python's csv module against the GeoJSON of the collection
    (in CRS84). Returns the number of rows."""
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8"), newline="")))
    check(len(rows) == len(reference), f"{what} {collection}: {len(rows)} rows, GeoJSON has {len(reference)}")
    first = next(iter(reference.values()))
    point = first["geometry"] and first["geometry"]["type"] == "Point"
    names = set(first["properties"])
    xcol, ycol = ("geometry_x", "geometry_y") if {"x", "y"} & names else ("x", "y")
    for row in rows:
        f = reference[int(row["id"])]
        for k, v in f["properties"].items():
            same_value(row[k], v, f"{what} {collection} {f['id']} {k}")
        if point:
            check(float(row[xcol]) == f["geometry"]["coordinates"][0] and float(row[ycol]) == f["geometry"]["coordinates"][1],
                  f"{what} {collection} {f['id']}: x/y {row[xcol]},{row[ycol]} != {f['geometry']['coordinates']}")
        elif f["geometry"]:
            numbers = [float(n) for n in re.findall(r"-?[\d.]+(?:e-?\d+)?", row["wkt"])]
            check(sorted(zip(numbers[0::2], numbers[1::2])) == coordinates(f["geometry"]), f"{what} {collection} {f['id']}: WKT positions differ from the GeoJSON")
    return len(rows)


def check_xlsx(base, work, collection, reference):
    path = os.path.join(work, f"{collection}.xlsx")
    with open(path, "wb") as f:
        f.write(fetch(f"{base}/collections/{collection}/items?f=xlsx")[0])
    rows = check_xlsx_sheet(path, collection, reference, "XLSX")
    print(f"XLSX {collection}: {rows} rows read by GDAL's XLSX driver, typed columns, every value equal to the GeoJSON")


def check_xlsx_sheet(path, collection, reference, what):
    """The sheet named after `collection` in the workbook `path`, read by GDAL's XLSX driver, against
    the GeoJSON: column types and every value. Returns the number of rows."""
    info = ogrinfo("-ro", "-so", "-oo", "HEADERS=FORCE", "-oo", "FIELD_TYPES=AUTO", path, collection[:31])
    first = next(iter(reference.values()))["properties"]
    for k, v in first.items():
        if v is None:
            continue
        want = "Integer" if isinstance(v, int) else "Real" if isinstance(v, float) else "String"
        m = re.search(rf"^{re.escape(k)}: (\w+)", info, re.M)
        check(m and m.group(1).startswith(want) or (want == "Real" and m and m.group(1).startswith("Integer")),
              f"{what} {collection}: column {k} is {m.group(1) if m else 'missing'}, expected {want}")
    got = gdal_geojson(path, "-oo", "HEADERS=FORCE", "-oo", "FIELD_TYPES=AUTO", layer=collection[:31])["features"]
    check(len(got) == len(reference), f"{what} {collection}: {len(got)} rows, GeoJSON has {len(reference)}")
    for g in got:
        p = g["properties"]  # GDAL leaves an empty cell unset: absent from its GeoJSON
        f = reference[p["id"]]
        for k, v in f["properties"].items():
            if v == "":
                # A spreadsheet cell cannot tell empty text from no value.
                check(p.get(k) in (None, ""), f"{what} {collection} {f['id']} {k}: {p.get(k)!r} where the GeoJSON has ''")
            else:
                same_value(p.get(k), v, f"{what} {collection} {f['id']} {k}", rel=1e-14)
        if f["geometry"] and f["geometry"]["type"] == "Point":
            xcol, ycol = ("geometry_x", "geometry_y") if {"x", "y"} & set(f["properties"]) else ("x", "y")
            check([p.get(xcol), p.get(ycol)] == f["geometry"]["coordinates"],
                  f"{what} {collection} {f['id']}: x/y {p.get(xcol)},{p.get(ycol)} != {f['geometry']['coordinates']}")
    return len(got)


def check_fgb(base, work, collection, reference):
    path = os.path.join(work, f"{collection}.fgb")
    with open(path, "wb") as f:
        f.write(fetch(f"{base}/collections/{collection}/items?f=fgb")[0])
    info = ogrinfo("-ro", "-so", path, collection)
    check("EPSG\",4326" in info or "ID[\"EPSG\",4326]" in info, f"FlatGeobuf {collection}: not in EPSG:4326:\n{info[:1500]}")
    got = gdal_geojson(path)["features"]
    check(len(got) == len(reference), f"FlatGeobuf {collection}: {len(got)} features, GeoJSON has {len(reference)}")
    for g in got:
        f = reference[g["properties"]["id"]]
        for k, v in f["properties"].items():
            same_value(g["properties"].get(k), v, f"FlatGeobuf {collection} {f['id']} {k}", rel=1e-14)
        check(coordinates(g["geometry"]) == coordinates(f["geometry"]), f"FlatGeobuf {collection} {f['id']}: coordinates differ from the GeoJSON")
    print(f"FlatGeobuf {collection}: {len(got)} features read by GDAL, every value and coordinate equal to the GeoJSON")


def export(cli, *args):
    return subprocess.run([cli, "export", *args], capture_output=True, text=True, timeout=300)


def check_offline_export(cli, gpkg, base, work, references):
    """`coldspot export --csv/--xlsx`: the same bytes as the server's f=csv, sheets GDAL reads with the
    GeoJSON's values, --layers order and --crs honoured, unknown layers and misuse named in errors."""
    names = list(references)
    out_csv, out_xlsx = os.path.join(work, "offline-csv"), os.path.join(work, "offline.xlsx")
    done = export(cli, gpkg, "--csv", out_csv, "--xlsx", out_xlsx, "--layers", ",".join(names))
    check(done.returncode == 0, f"coldspot export --csv --xlsx failed: {done.stderr}")
    check(sorted(os.listdir(out_csv)) == sorted(f"{n}.csv" for n in names), f"CSV folder holds {sorted(os.listdir(out_csv))}, expected one file per layer")
    for name, reference in references.items():
        with open(os.path.join(out_csv, f"{name}.csv"), "rb") as f:
            offline = f.read()
        served = fetch(f"{base}/collections/{name}/items?f=csv")[0]
        check(offline == served, f"offline CSV of {name} ({len(offline)} bytes) differs from the server's f=csv ({len(served)} bytes)")
        rows = check_csv_body(offline, name, reference, "offline CSV")
        print(f"offline CSV {name}: {rows} rows, byte-identical to items?f=csv, every value equal to the GeoJSON")
    # The workbook: one sheet per layer, in --layers order, each as the GeoJSON.
    listing = ogrinfo("-ro", "-q", out_xlsx)
    sheets = re.findall(r"^\d+: (\S+)", listing, re.M)
    check(sheets == [n[:31] for n in names], f"XLSX sheets {sheets}, expected {names} in --layers order")
    for name, reference in references.items():
        rows = check_xlsx_sheet(out_xlsx, name, reference, "offline XLSX")
        print(f"offline XLSX sheet {name}: {rows} rows read by GDAL's XLSX driver, every value equal to the GeoJSON")
    # --crs EPSG:27700 into one file: the server's crs=EPSG:27700 download, byte for byte.
    one = os.path.join(work, "schools-bng.csv")
    done = export(cli, gpkg, "--csv", one, "--layers", "schools", "--crs", "EPSG:27700")
    check(done.returncode == 0, f"coldspot export --csv FILE --crs EPSG:27700 failed: {done.stderr}")
    served = fetch(f"{base}/collections/schools/items?f=csv&crs={urllib.parse.quote('http://www.opengis.net/def/crs/EPSG/0/27700')}")[0]
    with open(one, "rb") as f:
        check(f.read() == served, "offline CSV in EPSG:27700 differs from the server's f=csv&crs=EPSG:27700")
    print("offline CSV --crs EPSG:27700 into one file: byte-identical to items?f=csv&crs=EPSG:27700")
    # Errors: an unknown layer is named and nothing is written; one .csv file cannot hold two layers.
    bad = os.path.join(work, "bad-csv")
    done = export(cli, gpkg, "--csv", bad, "--xlsx", bad + ".xlsx", "--layers", "schools,no_such_layer")
    check(done.returncode != 0 and "no_such_layer" in done.stderr and not os.path.exists(bad) and not os.path.exists(bad + ".xlsx"),
          f"unknown layer: exit {done.returncode}, stderr {done.stderr!r}, files written: {os.path.exists(bad) or os.path.exists(bad + '.xlsx')}")
    done = export(cli, gpkg, "--csv", os.path.join(work, "two.csv"), "--layers", "schools,coldspots_areas")
    check(done.returncode != 0 and "2 layers" in done.stderr and not os.path.exists(os.path.join(work, "two.csv")),
          f"two layers into one .csv: exit {done.returncode}, stderr {done.stderr!r}")
    done = export(cli, gpkg, "--csv", out_csv, "--crs", "EPSG:4277")
    check(done.returncode != 0 and "EPSG:4277" in done.stderr, f"unknown --crs: exit {done.returncode}, stderr {done.stderr!r}")
    print("offline export errors: unknown layer named (nothing written), two layers into one .csv refused, unknown --crs named")


def check_filters(base, gpkg):
    """CQL2 selections against the same selections in SQL over the GeoPackage, values bound."""
    con = sqlite3.connect(f"file:{gpkg}?mode=ro", uri=True)
    x0, y0, x1, y1 = con.execute("SELECT min(minx), min(miny), max(maxx), max(maxy) FROM rtree_schools_geom").fetchone()
    mx, my = (x0 + x1) / 2, (y0 + y1) / 2
    cases = [
        ("phase = 'Primary' AND pupils > 300", "phase = ? AND pupils > ?", ("Primary", 300)),
        ("pupils BETWEEN 200 AND 400 OR phase IN ('Secondary', 'Nursery')", "pupils BETWEEN ? AND ? OR phase IN (?, ?)", (200, 400, "Secondary", "Nursery")),
        ("NOT (phase = 'Primary') AND fsm_percent >= 20.5", "NOT (phase = ?) AND fsm_percent >= ?", ("Primary", 20.5)),
        ("name LIKE '%Academy%' OR name LIKE 'St _%'", "name GLOB ? OR name GLOB ?", ("*Academy*", "St ?*")),
        ("trust_name IS NULL AND pupils < 150", "trust_name IS NULL AND pupils < ?", (150,)),
        ("trust_uid IS NOT NULL AND NOT trust_uid IN (1, 2, 3)", "trust_uid IS NOT NULL AND NOT trust_uid IN (?, ?, ?)", (1, 2, 3)),
        ("fsm_percent < 10 OR NOT fsm_percent < 30", "fsm_percent < ? OR NOT fsm_percent < ?", (10, 30)),
    ]
    for cql, where, values in cases:
        want = {r[0] for r in con.execute(f"SELECT urn FROM schools WHERE {where}", values)}
        got = set(geojson_ids(base, "schools", cql))
        check(got == want, f"filter {cql!r}: server selects {len(got)}, SQL {len(want)}; differ on {sorted(got ^ want)[:10]}")
        print(f"filter {cql!r}: {len(got)} schools, as SQL selects")
    # A box in British National Grid: for points the GeoPackage's R-tree holds the exact positions.
    box = (x0, y0, mx, my)
    want = {r[0] for r in con.execute("SELECT id FROM rtree_schools_geom WHERE minx >= ? AND maxx <= ? AND miny >= ? AND maxy <= ?", (box[0], box[2], box[1], box[3]))}
    got = set(geojson_ids(base, "schools", "S_INTERSECTS(geometry, BBOX(%r, %r, %r, %r))" % box, "&filter-crs=EPSG:27700"))
    check(got == want and want, f"S_INTERSECTS BBOX in EPSG:27700: server {len(got)}, R-tree {len(want)}")
    print(f"filter S_INTERSECTS(geometry, BBOX(...)) in EPSG:27700: {len(got)} schools, as the GeoPackage R-tree selects")
    con.close()


def geojson_ids(base, collection, cql, extra=""):
    url = f"{base}/collections/{collection}/items?limit=10000&filter={urllib.parse.quote(cql)}{extra}"
    return [f["id"] for f in json.loads(fetch(url)[0])["features"]]


def main():
    args = harness.parse_args()
    harness.require(shutil.which("ogrinfo") and shutil.which("ogr2ogr"), "GDAL's ogrinfo/ogr2ogr are missing: apt-get install gdal-bin")
    gpkg = harness.workspace(args)
    with harness.Server(args.cli, gpkg, args.work) as server:
        references = {}
        for collection in ("schools", "coldspots_areas", "coldspots_schools"):
            reference = geojson_all(server.url, collection)
            check(reference, f"collection {collection} is empty")
            check_csv(server.url, args.work, collection, reference)
            check_xlsx(server.url, args.work, collection, reference)
            if next(iter(reference.values()))["geometry"]:
                check_fgb(server.url, args.work, collection, reference)
            references[collection] = reference
        check_offline_export(args.cli, gpkg, server.url, args.work, references)
        check_filters(server.url, gpkg)


if __name__ == "__main__":
    harness.run_main(main)
