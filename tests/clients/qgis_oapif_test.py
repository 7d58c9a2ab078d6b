#!/usr/bin/python3
"""QGIS 3.22 reads `coldspot serve` as an OGC API - Features server, as an analyst's QGIS does (the
"OAPIF" provider behind the Data Source Manager's "WFS / OGC API - Features" tab).

The server runs with `--max-limit 100`, so QGIS must read the limit's maximum from /api (it asks for
1,000 per page otherwise) and follow `next` links through three pages of the demo's 269 schools.
Expected values come from the workspace itself, read without Coldspot: attributes with sqlite3,
coordinates as stored (EPSG:27700) and transformed to CRS84 by GDAL's ogr2ogr.

usage: /usr/bin/python3 qgis_oapif_test.py --cli COLDSPOT --work DIR   (QT_QPA_PLATFORM=offscreen)
"""

import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import check, check_close  # noqa: E402

try:
    from qgis.core import (QgsCoordinateReferenceSystem, QgsCoordinateTransform, QgsFeatureRequest,
                           QgsJsonUtils, QgsProject, QgsRectangle, QgsVectorLayer, QgsWkbTypes)
    from qgis.PyQt.QtCore import QTextCodec
except ImportError as e:
    harness.require(False, f"pyqgis is not importable ({e}): apt-get install python3-qgis qgis-providers")

# Schools whose every attribute is compared: the first and last URN, a 16-plus college (NULL
# fsm_percent) and an academy (trust fields set).
NAMED_SCHOOL_COUNT = 4
# Coordinates are served with 7 decimals (about 1 cm); GDAL and the server both use PROJ's default
# 27700 -> CRS84 pipeline, so they agree to the rounding.
DEGREE_TOLERANCE = 1.5e-7
METRE_TOLERANCE = 0.02


def is_null(v):
    return v is None or (hasattr(v, "isNull") and v.isNull())


def same_value(qgis_value, expected):
    if expected is None:
        return is_null(qgis_value)
    if is_null(qgis_value):
        return False
    if isinstance(expected, float) or isinstance(qgis_value, float):
        return abs(float(qgis_value) - float(expected)) <= 1e-9 * max(1.0, abs(float(expected)))
    return qgis_value == expected


def load(uri, name):
    layer = QgsVectorLayer(uri, name, "OAPIF")
    # pyqgis 3.22 can crash in layer.error() on an invalid OAPIF layer: read the message log instead.
    check(layer.isValid(), f"QGIS could not open {uri} as an OAPIF layer")
    return layer


def mistyped_fields(layer, gpkg, table):
    """Columns whose QGIS field type differs from the workspace's declared type: {column: (declared, QGIS)}.
    QGIS converts their values to its type, so their values are compared in test_field_types only."""
    declared = harness.column_types(gpkg, table)
    qgis_types = {f.name(): f.typeName() for f in layer.fields()}
    expected_type = {"REAL": "Real", "INTEGER": "Integer", "TEXT": "String"}
    return {c: (t, qgis_types.get(c)) for c, t in declared.items()
            if t in expected_type and c in qgis_types and qgis_types[c] != expected_type[t]}


def compare_attributes(layer, gpkg, table, rows, features_by_key, keys):
    """Every workspace column of the chosen features equals QGIS's value, except columns QGIS typed
    differently (test_field_types covers those); returns those columns."""
    mistyped = mistyped_fields(layer, gpkg, table)
    for key in keys:
        for column, expected in rows[key].items():
            if column == "fid" or column in mistyped:
                continue
            got = features_by_key[key][column]
            check(same_value(got, expected), f"{table} {key}: {column} = {got!r}, workspace has {expected!r}")
    return mistyped


def check_extent(layer, bbox):
    """The layer's extent (from the collection document) equals `bbox` (west, south, east, north)."""
    ext = layer.extent()
    for got, want, side in zip((ext.xMinimum(), ext.yMinimum(), ext.xMaximum(), ext.yMaximum()), bbox,
                               ("west", "south", "east", "north")):
        check_close(got, want, DEGREE_TOLERANCE, f"{layer.name()} layer extent, {side}")


def items_requests(server, collection):
    pattern = re.compile(rf'"GET /collections/{collection}/items\?([^"]*)" (\d+)')
    return [(m.group(1), int(m.group(2))) for line in server.request_log() if (m := pattern.search(line))]


def test_schools(server, gpkg):
    rows = harness.table_rows(gpkg, "schools", "urn")
    gdal = {f["properties"]["urn"]: f["geometry"]["coordinates"] for f in harness.gdal_features_crs84(gpkg, "schools")}
    stored = {f["properties"]["urn"]: f["geometry"]["coordinates"] for f in harness.gdal_features(gpkg, "schools")}
    check(len(rows) > 200, f"the demo workspace has {len(rows)} schools: too few to need paging")

    layer = load(f"url='{server.url}' typename='schools'", "schools")
    check(layer.crs().authid() == "EPSG:4326", f"layer CRS {layer.crs().authid()}, expected CRS84 (EPSG:4326 in QGIS)")
    check(QgsWkbTypes.geometryType(layer.wkbType()) == QgsWkbTypes.PointGeometry, f"schools layer type {layer.wkbType()}")
    features = list(layer.getFeatures())
    check(layer.featureCount() == len(rows), f"QGIS featureCount {layer.featureCount()}, workspace has {len(rows)}")
    urns = [f["urn"] for f in features]
    check(len(urns) == len(set(urns)), "QGIS received some schools twice (paging overlap)")
    check(set(urns) == set(rows), f"QGIS schools differ from the workspace: missing {sorted(set(rows) - set(urns))[:5]}, "
                                  f"extra {sorted(set(urns) - set(rows))[:5]}")

    # QGIS's way in, as docs/clients.md describes it: landing page, the service-desc document, the
    # collection, then items; all answered 200.
    opened = [m.groups() for line in server.request_log() if (m := re.search(r'"GET ([^"?]*)[^"]*" (\d+)', line))]
    order = [path for path, _ in opened]
    for path in ("/", "/api", "/collections/schools", "/collections/schools/items"):
        check(path in order, f"QGIS never requested {path}: {order}")
    check(order.index("/") < order.index("/api") < order.index("/collections/schools") < order.index("/collections/schools/items"),
          f"QGIS's request order: {order}")
    check(all(status == "200" for _, status in opened), f"answers QGIS got: {opened}")

    # Paging: QGIS read maximum = 100 from /api and followed next links (offset 100 and 200).
    requests = items_requests(server, "schools")
    full_pages = [q for q, status in requests if "limit=100" in q and status == 200]
    check(any("offset=100" in q for q in full_pages) and any("offset=200" in q for q in full_pages),
          f"QGIS did not page through the schools with limit=100: requests {requests}")
    check(not any("limit=1000" in q for q, _ in requests), f"QGIS ignored the maximum limit in /api: {requests}")

    # Every attribute column of the workspace arrives, with its values, for the named schools.
    field_names = set(layer.fields().names())
    missing = [c for c in next(iter(rows.values())) if c not in field_names and c != "fid"]
    check(not missing, f"columns missing from the QGIS layer: {missing}")
    by_urn = {f["urn"]: f for f in features}
    sixteen_plus = next(u for u, r in sorted(rows.items()) if r["phase"] == "16 plus")
    academy = next(u for u, r in sorted(rows.items()) if r["trust_uid"] is not None)
    named = [min(rows), max(rows), sixteen_plus, academy]
    check(len(set(named)) == NAMED_SCHOOL_COUNT, f"named schools not distinct: {named}")
    check(rows[sixteen_plus]["fsm_percent"] is None, "the 16-plus college should have a NULL fsm_percent")
    mistyped = compare_attributes(layer, gpkg, "schools", rows, by_urn, named)

    # Geometry of every school against GDAL's transform, and against the stored British National Grid
    # coordinates after QGIS reprojects it (what a QGIS project in EPSG:27700 shows).
    to_bng = QgsCoordinateTransform(layer.crs(), QgsCoordinateReferenceSystem("EPSG:27700"), QgsProject.instance())
    for urn, f in by_urn.items():
        p = f.geometry().asPoint()
        check_close(p.x(), gdal[urn][0], DEGREE_TOLERANCE, f"school {urn} longitude")
        check_close(p.y(), gdal[urn][1], DEGREE_TOLERANCE, f"school {urn} latitude")
        bng = to_bng.transform(p)
        check_close(bng.x(), stored[urn][0], METRE_TOLERANCE, f"school {urn} easting after QGIS reprojects it")
        check_close(bng.y(), stored[urn][1], METRE_TOLERANCE, f"school {urn} northing after QGIS reprojects it")

    # Extent: from the collection document, and equal to the schools' own extent per GDAL.
    check_extent(layer, harness.bbox_of([{"geometry": {"coordinates": c}} for c in gdal.values()]))
    print(f"schools: {len(features)} features in {len(full_pages)} pages of 100, {len(named)} schools compared field by field"
          f"{f' (not {sorted(mistyped)}: see the field_types test)' if mistyped else ''}")

    # A fresh layer whose first request is a map window gets exactly the schools GDAL puts inside it.
    # (QGIS 3.22 downloads a collection this small whole and filters it itself, so no bbox= reaches the
    # server; bbox is tested at the HTTP level in tests/service.)
    window = QgsRectangle(-1.30, 52.25, -1.20, 52.35)
    inside = {u for u, (x, y) in gdal.items() if window.xMinimum() <= x <= window.xMaximum() and window.yMinimum() <= y <= window.yMaximum()}
    check(0 < len(inside) < len(rows), f"test window holds {len(inside)} schools: choose another")
    before = len(items_requests(server, "schools"))
    windowed = load(f"url='{server.url}' typename='schools'", "schools in a window")
    got = {f["urn"] for f in windowed.getFeatures(QgsFeatureRequest().setFilterRect(window))}
    check(got == inside, f"QGIS window query: {len(got)} schools, GDAL has {len(inside)} in the window")
    bbox_requests = [q for q, _ in items_requests(server, "schools")[before:] if "bbox=" in q]
    print(f"window: {len(got)} schools; QGIS requests with bbox=: {bbox_requests or 'none'}")



def test_areas(server, gpkg):
    """A polygon result collection: cold-spot statistics per LSOA."""
    rows = harness.table_rows(gpkg, "coldspots_areas", "code")
    gdal_features = harness.gdal_features_crs84(gpkg, "coldspots_areas")
    gdal_json = json.dumps({"type": "FeatureCollection", "features": gdal_features})
    utf8 = QTextCodec.codecForName("UTF-8")
    gdal = {f["code"]: f.geometry()
            for f in QgsJsonUtils.stringToFeatureList(gdal_json, QgsJsonUtils.stringToFields(gdal_json, utf8), utf8)}
    check(set(gdal) == set(rows), "GDAL and sqlite3 disagree on the areas: the test cannot go on")

    layer = load(f"url='{server.url}' typename='coldspots_areas'", "cold-spot areas")
    check(QgsWkbTypes.geometryType(layer.wkbType()) == QgsWkbTypes.PolygonGeometry, f"areas layer type {layer.wkbType()}")
    features = list(layer.getFeatures())
    check(layer.featureCount() == len(rows), f"QGIS featureCount {layer.featureCount()}, workspace has {len(rows)} areas")
    by_code = {f["code"]: f for f in features}
    check(len(by_code) == len(features) and set(by_code) == set(rows), "QGIS areas differ from the workspace's")

    # Each polygon is valid for GEOS as QGIS holds it, and covers the same ground as GDAL's transform of
    # the stored polygon: rounding to 7 decimals moves a vertex by at most 5e-8 degrees per axis, so the
    # symmetric difference fits in a band of that half-width along the boundary (perimeter * 1e-7).
    for code, f in by_code.items():
        g = f.geometry()
        check(g.isGeosValid(), f"area {code} is not a valid polygon in QGIS")
        diff = g.symDifference(gdal[code]).area()
        bound = gdal[code].length() * 2 * 5e-8 * 1.5
        check(diff <= bound, f"area {code}: QGIS polygon differs from GDAL's by {diff:.3g} square degrees "
                             f"(rounding allows {bound:.3g}; the polygon has {gdal[code].area():.3g})")

    check_extent(layer, harness.bbox_of(gdal_features))


    cold = sorted(c for c, r in rows.items() if r["gi_bin"] > 0)
    named = [min(rows), max(rows)] + cold[:2]
    mistyped = compare_attributes(layer, gpkg, "coldspots_areas", rows, by_code, named)

    print(f"coldspots_areas: {len(features)} polygons, {len(cold)} in cold-spot bins, {len(named)} compared field by field"
          f"{f' (not {sorted(mistyped)}: see the field_types test)' if mistyped else ''}")


def test_crs_choice(server, gpkg):
    """OGC API Features Part 2 (crs=EPSG:27700) from QGIS: its 3.22 OAPIF provider has no CRS choice and
    ignores `srsname` (the layer stays CRS84). If a newer QGIS honours it, the coordinates must be the
    stored British National Grid ones."""
    stored = {f["properties"]["urn"]: f["geometry"]["coordinates"] for f in harness.gdal_features(gpkg, "schools")}
    crs84 = {f["properties"]["urn"]: f["geometry"]["coordinates"] for f in harness.gdal_features_crs84(gpkg, "schools")}
    layer = load(f"url='{server.url}' typename='schools' srsname='EPSG:27700'", "schools 27700")
    features = list(layer.getFeatures())
    check(len(features) == len(stored), f"{len(features)} schools with srsname, workspace has {len(stored)}")
    authid = layer.crs().authid()
    check(authid in ("EPSG:27700", "EPSG:4326"), f"srsname='EPSG:27700' layer has CRS {authid}")
    expected, tolerance = (stored, METRE_TOLERANCE) if authid == "EPSG:27700" else (crs84, DEGREE_TOLERANCE)
    for f in features:
        p = f.geometry().asPoint()
        check_close(p.x(), expected[f["urn"]][0], tolerance, f"school {f['urn']} x in {authid}")
        check_close(p.y(), expected[f["urn"]][1], tolerance, f"school {f['urn']} y in {authid}")
    crs_requests = [q for q, _ in items_requests(server, "schools") if "crs=" in q]
    print(f"srsname='EPSG:27700': QGIS layer CRS {authid}; requests with crs=: {crs_requests or 'none (QGIS 3.22 has no OAPIF CRS choice)'}")


def test_field_types(server, gpkg):
    """Every column keeps its declared type in QGIS, and so its values.

    QGIS 3.22 types OAPIF fields from the values of a first 10-feature request (`limit=10`), not from
    /queryables. A REAL column must therefore be served as JSON reals (0.0, as GDAL writes it), or a
    column whose first ten values happen to be whole (cold_spot_share = 0) becomes an Integer field and
    every later fractional value (0.0833) arrives in QGIS as NULL: silent data loss for the analyst.
    This test found the service writing REAL 0.0 as `0` (2026-11-23); service/geojson_writer.cpp now keeps
    the decimal point, and this test keeps it that way.
    """
    problems = []
    for table, key in (("schools", "urn"), ("coldspots_areas", "code"), ("coldspots_schools", "urn")):
        layer = load(f"url='{server.url}' typename='{table}'", table)
        rows = harness.table_rows(gpkg, table, key)
        # A column NULL in every row has no values to type it by: QGIS makes it String, nothing is lost.
        wrong = {c: t for c, t in mistyped_fields(layer, gpkg, table).items()
                 if any(r[c] is not None for r in rows.values())}
        if not wrong:
            continue
        lost = [(k, c, rows[k][c], f[c]) for f in layer.getFeatures() for k in [f[key]] for c in wrong
                if isinstance(rows[k][c], float) and rows[k][c] != int(rows[k][c]) and not same_value(f[c], rows[k][c])]
        problems.append(f"{table}: {wrong}; {len(lost)} fractional values lost, e.g. {lost[:2]} ({key}, column, workspace, QGIS)")
    check(not problems, "QGIS field types differ from the workspace's declared types (column: (declared, QGIS)); "
                        "REAL values must be served as JSON reals (0.0, not 0):\n  " + "\n  ".join(problems))


SECTIONS = {"schools": test_schools, "areas": test_areas, "crs": test_crs_choice, "field_types": test_field_types}


def main():
    args = harness.parse_args({"--section": {"choices": sorted(SECTIONS), "action": "append",
                                             "help": "run only these checks (default all)"}})
    gpkg = harness.workspace(args)
    with harness.Server(args.cli, gpkg, args.work, ["--max-limit", "100"]) as server:
        for name in args.section or SECTIONS:
            SECTIONS[name](server, gpkg)


if __name__ == "__main__":
    harness.run_main(main, qgis=True)
