#!/usr/bin/python3
"""QGIS 3.22 opens `coldspot serve`'s one-step project (GET /qgis/project.qgs and .qgz) and
`coldspot export --gpkg`'s styled GeoPackage, as an analyst would.

Checked against what is known without Coldspot's word for it: the palette file (data/style/palette.json)
for classes, labels and colours; the workspace read with GDAL (ogr2ogr) for where cold-spot hexagons are;
QGIS itself for whether every layer is valid, which renderer it built and what it draws. The rendered PNGs
stay in the work folder (look at them).

usage: /usr/bin/python3 qgis_project_test.py --cli COLDSPOT --work DIR --workspace WS (QT_QPA_PLATFORM=offscreen)
"""

import http.client
import json
import os
import sqlite3
import subprocess
import sys
import urllib.request
import zipfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import check  # noqa: E402

try:
    from qgis.core import (QgsApplication, QgsCoordinateReferenceSystem, QgsMapRendererSequentialJob, QgsMapSettings,
                           QgsPointXY, QgsProject, QgsRectangle, QgsVectorLayer)
    from qgis.PyQt.QtCore import QSize
    from qgis.PyQt.QtGui import QColor
except ImportError as e:
    harness.require(False, f"pyqgis is not importable ({e}): apt-get install python3-qgis qgis-providers")

SOURCE = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
WIDTH, HEIGHT = 400, 400
GROUPS = ["Schools and venues", "Remits", "Travel times", "Cold spots", "Deprivation"]


def palette():
    with open(os.path.join(SOURCE, "data", "style", "palette.json")) as f:
        return {t["id"]: t for t in json.load(f)["themes"]}


def fetch(url, headers=None):
    req = urllib.request.Request(url, headers=headers or {})
    with urllib.request.urlopen(req, timeout=60) as r:
        return r.status, dict(r.headers), r.read()


def raw_get(port, path, headers):
    """A GET with exactly these headers (http.client sends Host only when told to skip it)."""
    con = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    con.putrequest("GET", path, skip_host=True, skip_accept_encoding=True)
    for k, v in headers:
        con.putheader(k, v)
    con.endheaders()
    r = con.getresponse()
    body = r.read()
    con.close()
    return r.status, r.getheader("Content-Type"), body


def load_project(path):
    project = QgsProject()
    check(project.read(path), f"QGIS could not read {path}")
    return project


def rgb(hex_colour):
    c = QColor(hex_colour)
    return c.red(), c.green(), c.blue()


def check_project(project, theme, base_url, where):
    check(project.crs().authid() == "EPSG:27700", f"{where}: project CRS {project.crs().authid()}")
    root = project.layerTreeRoot()
    groups = [g.name() for g in root.children()]
    check(groups and all(g in GROUPS for g in groups), f"{where}: groups {groups}")
    check({"Schools and venues", "Cold spots", "Remits"} <= set(groups), f"{where}: groups {groups}")
    layers = project.mapLayers().values()
    check(len(layers) >= 8, f"{where}: only {len(layers)} layers")
    invalid = [l.name() for l in layers if not l.isValid()]
    check(not invalid, f"{where}: invalid layers {invalid}")
    by_id = {l.id(): l for l in layers}
    for l in layers:
        check(base_url in l.source(), f"{where}: layer {l.name()} reads {l.source()}, not {base_url}")
    # Schools: categorised on cold_spot with the palette's classes, points only below 1:300,000.
    schools = by_id["coldspot_coldspots_schools"]
    r = schools.renderer()
    check(r.type() == "categorizedSymbol" and r.classAttribute() == "cold_spot", f"{where}: schools renderer {r.type()}")
    want = {str(c["value"]): (c["label"], rgb(c["color"])) for c in theme["school"]["classes"]}
    got = {c.value(): (c.label(), c.symbol().color().getRgb()[:3]) for c in r.categories()}
    check(got == want, f"{where}: schools classes {got}, palette {want}")
    check(schools.hasScaleBasedVisibility() and schools.minimumScale() == 300000, f"{where}: schools visibility")
    check(schools.labelsEnabled(), f"{where}: school labels off")
    venues = by_id["coldspot_hub_venues"]
    check(venues.renderer().type() == "categorizedSymbol" and venues.renderer().classAttribute() == "hub_type", f"{where}: venues")
    check(venues.hasScaleBasedVisibility(), f"{where}: venues shown at every scale")
    # Cold-spot hexagons: a vector tile layer whose styles are the 7 gi_bin classes in palette colours.
    hexes = by_id["coldspot_coldspots_hex"]
    check(hexes.providerType() == "vectortile", f"{where}: hexagons from {hexes.providerType()}")
    styles = hexes.renderer().styles()
    want_hex = {c["label"]: rgb(c["color"]) for c in theme["gi_bin"]["classes"]}
    got_hex = {s.styleName(): s.symbol().color().getRgb()[:3] for s in styles}
    check(got_hex == want_hex, f"{where}: hexagon styles {got_hex}")
    check(all(s.layerName() == "coldspots_hex" for s in styles), f"{where}: hexagon styles read other tile layers")
    lsoa = by_id["coldspot_coldspots_areas_lsoa"]
    check(all("\"level\" = 'lsoa'" in s.filterExpression() for s in lsoa.renderer().styles()), f"{where}: LSOA filter")
    print(f"{where}: {len(layers)} valid layers in groups {groups}")
    return by_id


def render(layers, extent, path):
    settings = QgsMapSettings()
    settings.setLayers(layers)
    settings.setDestinationCrs(QgsCoordinateReferenceSystem("EPSG:27700"))
    settings.setOutputSize(QSize(WIDTH, HEIGHT))
    settings.setOutputDpi(96)
    settings.setBackgroundColor(QColor(255, 255, 255))
    settings.setExtent(extent)
    job = QgsMapRendererSequentialJob(settings)
    job.start()
    job.waitForFinished()
    image = job.renderedImage()
    check(image.save(path, "PNG"), f"could not write {path}")
    return image, settings.mapToPixel()


def blended(hex_colour, opacity):
    """A fill of this colour and opacity over white."""
    return tuple(round(c * opacity + 255 * (1 - opacity)) for c in rgb(hex_colour))


def close(a, b, tolerance=6):
    return all(abs(x - y) <= tolerance for x, y in zip(a, b))


def check_class_colours(layer, opacity, features, theme, work, name):
    """Renders around a polygon of each gi_bin class present and reads the pixel at its centre; returns
    the classes seen."""
    colours = {c["value"]: c["color"] for c in theme["gi_bin"]["classes"]}
    seen = set()
    for f in features:
        b = f["properties"]["gi_bin"]
        if b in seen or b is None:
            continue
        seen.add(b)
        ring = f["geometry"]["coordinates"][0][0]
        cx = sum(p[0] for p in ring[:-1]) / (len(ring) - 1)
        cy = sum(p[1] for p in ring[:-1]) / (len(ring) - 1)
        image, m2p = render([layer], QgsRectangle(cx - 1500, cy - 1500, cx + 1500, cy + 1500), os.path.join(work, f"{name}_bin{b}.png"))
        p = m2p.transform(QgsPointXY(cx, cy))
        got = image.pixelColor(int(p.x()), int(p.y())).getRgb()[:3]
        want = blended(colours[b], opacity)
        check(close(got, want), f"{name}: polygon with gi_bin {b} drawn {got} at its centre, palette colour {colours[b]} -> {want}")
        print(f"{name}: gi_bin {b:+d} polygon centre {got} = palette {colours[b]} at opacity {opacity}")
    return seen


def check_cold_classes_seen(seen, name):
    # The demo's hexagons may hold no significant cold spot (its LSOAs do): a cold class must be among
    # those whose colour was read, or the check above proved nothing about cold spots.
    check(any(b > 0 for b in seen), f"{name}: no cold-spot polygon (gi_bin > 0) in the workspace to look at")


def main():
    args = harness.parse_args()
    gpkg = harness.workspace(args)
    theme = palette()
    hexes = harness.gdal_features(gpkg, "coldspots_hex")
    lsoas = [f for f in harness.gdal_features(gpkg, "coldspots_areas") if f["properties"]["level"] == "lsoa"]
    with harness.Server(args.cli, gpkg, args.work) as server:
        # 1. The project as served, saved and opened like a downloaded file.
        status, headers, body = fetch(server.url + "/qgis/project.qgs")
        check(status == 200 and headers["Content-Type"] == "application/x-qgis-project", f"project.qgs: {status} {headers}")
        qgs = os.path.join(args.work, "coldspot.qgs")
        with open(qgs, "wb") as f:
            f.write(body)
        project = load_project(qgs)
        by_id = check_project(project, theme, server.url, "project.qgs")
        # The cold-spot colours where the workspace has cold-spot hexagons, drawn from the server's tiles.
        seen = check_class_colours(by_id["coldspot_coldspots_hex"], 0.85, hexes, theme, args.work, "project_hex")
        seen |= check_class_colours(by_id["coldspot_coldspots_areas_lsoa"], 0.85, lsoas, theme, args.work, "project_lsoa")
        check_cold_classes_seen(seen, "project")

        # 2. The .qgz is a zip holding the same project; QGIS opens it.
        status, headers, body = fetch(server.url + "/qgis/project.qgz")
        qgz = os.path.join(args.work, "coldspot.qgz")
        with open(qgz, "wb") as f:
            f.write(body)
        check(zipfile.ZipFile(qgz).namelist() == ["coldspot.qgs"], "qgz contents")
        check_project(load_project(qgz), theme, server.url, "project.qgz")

        # 3. Behind a proxy: URLs follow Forwarded; odd headers are refused, never echoed.
        status, _, body = raw_get(server.port, "/qgis/project.qgs",
                                  [("Host", f"127.0.0.1:{server.port}"), ("Forwarded", 'for=10.0.0.1;proto=https;host="maps.example.org:8443"')])
        check(status == 200 and b"url='https://maps.example.org:8443'" in body.replace(b"&apos;", b"'"), "Forwarded host not followed")
        for headers in ([("Host", 'evil.example"><script>')], [("Host", "a b")], [],
                        [("Host", "127.0.0.1"), ("Forwarded", "host=evil.example:99999")],
                        [("Host", "127.0.0.1"), ("Forwarded", "proto=gopher")],
                        [("Host", "127.0.0.1"), ("Forwarded", 'host="unterminated')]):
            status, ctype, body = raw_get(server.port, "/qgis/project.qgs", headers)
            check(status == 400 and ctype == "application/problem+json", f"{headers}: {status} {ctype}")
            problem = json.loads(body)
            check("<script>" not in body.decode() and "99999" not in body.decode() and "gopher" not in body.decode(),
                  f"{headers}: the value is echoed: {problem}")
            print(f"{headers}: 400 {problem['detail']}")

        # 4. The styled GeoPackage: every layer opens with its default style, no server involved.
        out = os.path.join(args.work, "export.gpkg")
        done = subprocess.run([args.cli, "export", gpkg, "--gpkg", out], capture_output=True, text=True, timeout=300)
        check(done.returncode == 0, f"coldspot export: {done.stdout}{done.stderr}")
        print(done.stdout.strip())
        con = sqlite3.connect(out)
        styled = {t for (t,) in con.execute("SELECT f_table_name FROM layer_styles WHERE useAsDefault")}
        tables = {t for (t,) in con.execute("SELECT table_name FROM gpkg_contents")}
        params = con.execute("SELECT value FROM analysis_parameters WHERE parameter = '/statistics/permutations'").fetchall()
        con.close()
        check({"coldspots_schools", "coldspots_hex", "coldspots_areas", "targets"} <= styled, f"default styles for {styled}")
        check({"provenance", "analysis_runs", "analysis_parameters", "layer_styles"} <= tables, f"tables {tables}")
        check(params, "analysis_parameters has no /statistics/permutations")
        for table in sorted(styled):
            layer = QgsVectorLayer(f"{out}|layername={table}", table, "ogr")
            check(layer.isValid(), f"export: {table} invalid")
        school_layer = QgsVectorLayer(f"{out}|layername=coldspots_schools", "schools", "ogr")
        r = school_layer.renderer()
        check(r.type() == "categorizedSymbol" and r.classAttribute() == "cold_spot", f"export: schools renderer {r.type()} (default style not applied)")
        check(school_layer.minimumScale() == 300000, "export: schools scale visibility not applied")
        areas_layer = QgsVectorLayer(f"{out}|layername=coldspots_areas", "areas", "ogr")
        check(areas_layer.renderer().type() == "RuleRenderer", f"export: areas renderer {areas_layer.renderer().type()}")
        hex_layer = QgsVectorLayer(f"{out}|layername=coldspots_hex", "hex", "ogr")
        check(hex_layer.renderer().type() == "categorizedSymbol", f"export: hex renderer {hex_layer.renderer().type()}")
        seen = check_class_colours(hex_layer, 0.85, hexes, theme, args.work, "export_hex")
        lsoa_layer = QgsVectorLayer(f"{out}|layername=coldspots_areas", "areas", "ogr")
        seen |= check_class_colours(lsoa_layer, 0.85, lsoas, theme, args.work, "export_lsoa")
        check_cold_classes_seen(seen, "export")
        # Unknown layers: a clear error naming them.
        bad = subprocess.run([args.cli, "export", gpkg, "--gpkg", os.path.join(args.work, "bad.gpkg"), "--layers", "coldspots_hex,nope"],
                             capture_output=True, text=True, timeout=60)
        check(bad.returncode != 0 and "'nope'" in bad.stderr and not os.path.exists(os.path.join(args.work, "bad.gpkg")),
              f"unknown layer: exit {bad.returncode}: {bad.stderr}")


if __name__ == "__main__":
    harness.run_main(main, qgis=True)
