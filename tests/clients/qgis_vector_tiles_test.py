#!/usr/bin/python3
"""QGIS 3.22 draws `coldspot serve`'s vector tiles (Layer > Add Layer > Add Vector Tile Layer, XYZ):
two QgsVectorTileLayers, cold-spot areas and schools, rendered offscreen to PNG with
QgsMapRendererSequentialJob in EPSG:3857.

The images are checked where the answer is known independently: school positions come from GDAL's
transform of the stored points (ogr2ogr), area interiors from GDAL's transform of the stored polygons;
the pixel under a school drawn at zoom 14 must have the schools' style colour, a cold-spot area's
interior the cold-spot fill. The server's /metrics and request log must show the tiles it served.

usage: /usr/bin/python3 qgis_vector_tiles_test.py --cli COLDSPOT --work DIR   (QT_QPA_PLATFORM=offscreen)
"""

import json
import math
import os
import re
import sys
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import check  # noqa: E402

try:
    from qgis.core import (QgsCoordinateReferenceSystem, QgsFillSymbol, QgsMapRendererSequentialJob,
                           QgsMapSettings, QgsMarkerSymbol, QgsPointXY, QgsRectangle, QgsVectorTileBasicRenderer,
                           QgsVectorTileBasicRendererStyle, QgsVectorTileLayer, QgsWkbTypes)
    from qgis.PyQt.QtCore import QSize
    from qgis.PyQt.QtGui import QColor, QImage
    import numpy
except ImportError as e:
    harness.require(False, f"pyqgis is not importable ({e}): apt-get install python3-qgis qgis-providers")

SCHOOL_COLOUR = QColor(220, 20, 60)      # crimson dots
COLD_COLOUR = QColor(30, 90, 200)        # areas with gi_bin > 0 (cold spots)
HEX_COLOUR = QColor(120, 60, 160)        # purple hexagons (combined tileset)
OTHER_AREA_COLOUR = QColor(190, 200, 140)  # khaki: far from the white background
BACKGROUND = QColor(255, 255, 255)
WIDTH, HEIGHT = 800, 600


def to_3857(lon, lat):
    """Spherical Web Mercator, the formula EPSG:3857 defines (independent of PROJ)."""
    r = 6378137.0
    return r * math.radians(lon), r * math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))


def mercator_area(geometry):
    """Area in square Web Mercator metres of a (multi)polygon given in CRS84 (shoelace, holes subtracted)."""
    polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]

    def ring_area(ring):
        pts = [to_3857(*p[:2]) for p in ring]
        return abs(sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(pts, pts[1:] + pts[:1]))) / 2
    return sum(ring_area(p[0]) - sum(ring_area(h) for h in p[1:]) for p in polygons)


def close_colour(a, b, tolerance=24):
    return abs(a.red() - b.red()) <= tolerance and abs(a.green() - b.green()) <= tolerance and abs(a.blue() - b.blue()) <= tolerance


def tile_layer(server, tileset, styles):
    tilejson = json.load(urllib.request.urlopen(f"{server.url}/tiles/{tileset}.json", timeout=30))
    url = tilejson["tiles"][0].replace("localhost", "127.0.0.1")
    uri = f"type=xyz&url={url}&zmin={tilejson['minzoom']}&zmax={tilejson['maxzoom']}"
    layer = QgsVectorTileLayer(uri, tileset)
    check(layer.isValid(), f"QGIS could not open the vector tile layer {uri}")
    check(layer.crs().authid() == "EPSG:3857", f"vector tile layer CRS {layer.crs().authid()}")
    renderer = QgsVectorTileBasicRenderer()
    renderer.setStyles(styles)
    layer.setRenderer(renderer)
    return layer


def style(name, source_layer, geometry_type, symbol, filter_expression=""):
    s = QgsVectorTileBasicRendererStyle(name, source_layer, geometry_type)
    s.setSymbol(symbol)
    if filter_expression:
        s.setFilterExpression(filter_expression)
    s.setEnabled(True)
    return s


def render(layers, extent_3857, path):
    settings = QgsMapSettings()
    settings.setLayers(layers)
    settings.setDestinationCrs(QgsCoordinateReferenceSystem("EPSG:3857"))
    settings.setOutputSize(QSize(WIDTH, HEIGHT))
    settings.setOutputDpi(96)
    settings.setBackgroundColor(BACKGROUND)
    settings.setExtent(extent_3857)
    job = QgsMapRendererSequentialJob(settings)
    job.start()
    job.waitForFinished()
    image = job.renderedImage()
    check(image.save(path, "PNG"), f"could not write {path}")
    # setExtent keeps the aspect ratio by widening one side: use the settings' own transform.
    return image, settings.mapToPixel()


def pixel_at(image, m2p, x, y):
    p = m2p.transform(QgsPointXY(x, y))
    return image.pixelColor(int(round(p.x())), int(round(p.y()))), p


def count_colour(image, colour, tolerance=24):
    """Pixels within `tolerance` of `colour` on each channel (numpy over the ARGB32 buffer)."""
    image = image.convertToFormat(QImage.Format_ARGB32)
    buf = image.constBits()
    buf.setsize(image.sizeInBytes())
    bgra = numpy.frombuffer(buf, dtype=numpy.uint8).reshape(image.height(), image.bytesPerLine() // 4, 4)[:, :image.width(), :3]
    want = numpy.array([colour.blue(), colour.green(), colour.red()], dtype=numpy.int16)
    return int((numpy.abs(bgra.astype(numpy.int16) - want) <= tolerance).all(axis=2).sum())


def main():
    args = harness.parse_args()
    gpkg = harness.workspace(args)
    schools = {f["properties"]["urn"]: f for f in harness.gdal_features_crs84(gpkg, "schools")}
    areas = harness.gdal_features_crs84(gpkg, "coldspots_areas")
    with harness.Server(args.cli, gpkg, args.work) as server:
        school_symbol = QgsMarkerSymbol.createSimple({"name": "circle", "color": SCHOOL_COLOUR.name(), "outline_style": "no", "size": "2.5"})
        cold_symbol = QgsFillSymbol.createSimple({"color": COLD_COLOUR.name(), "outline_style": "no"})
        other_symbol = QgsFillSymbol.createSimple({"color": OTHER_AREA_COLOUR.name(), "outline_style": "no"})
        school_layer = tile_layer(server, "schools", [style("schools", "schools", QgsWkbTypes.PointGeometry, school_symbol)])
        area_layer = tile_layer(server, "coldspots_areas", [
            style("cold spots", "coldspots_areas", QgsWkbTypes.PolygonGeometry, cold_symbol, '"gi_bin" > 0 AND "level" = \'lsoa\''),
            style("other areas", "coldspots_areas", QgsWkbTypes.PolygonGeometry, other_symbol, '"gi_bin" <= 0 AND "level" = \'lsoa\''),
        ])

        # 1. The whole region: areas and (clustered or single) schools are drawn.
        xs, ys = zip(*(to_3857(*f["geometry"]["coordinates"]) for f in schools.values()))
        margin = 2000
        overview_extent = QgsRectangle(min(xs) - margin, min(ys) - margin, max(xs) + margin, max(ys) + margin)
        overview, m2p = render([school_layer, area_layer], overview_extent, os.path.join(args.work, "qgis_overview.png"))
        areas_only, _ = render([area_layer], overview_extent, os.path.join(args.work, "qgis_overview_areas.png"))
        red = count_colour(overview, SCHOOL_COLOUR)
        blue = count_colour(areas_only, COLD_COLOUR)
        grey = count_colour(areas_only, OTHER_AREA_COLOUR)
        print(f"overview: {red} school pixels; areas alone: {blue} cold-spot pixels, {grey} other-area pixels of {WIDTH * HEIGHT}")
        check(red > 500, f"only {red} pixels in the school colour: schools not drawn")
        # With the areas drawn alone, the filled pixels match the polygons' own area in Web Mercator
        # (shoelace on GDAL's coordinates) within anti-aliased edges.
        px_area = m2p.mapUnitsPerPixel() ** 2
        lsoa = [a for a in areas if a["properties"]["level"] == "lsoa"]
        want_cold = sum(mercator_area(a["geometry"]) for a in lsoa if a["properties"]["gi_bin"] > 0) / px_area
        want_grey = sum(mercator_area(a["geometry"]) for a in lsoa if a["properties"]["gi_bin"] <= 0) / px_area
        print(f"expected from the polygons: {want_cold:.0f} cold-spot pixels, {want_grey:.0f} other-area pixels")
        check(0.92 * want_grey <= grey <= 1.03 * want_grey, f"{grey} other-area pixels, the polygons cover {want_grey:.0f}")
        check(0.92 * want_cold <= blue <= 1.03 * want_cold, f"{blue} cold-spot pixels, the polygons cover {want_cold:.0f}")

        # A cold-spot LSOA (gi_bin > 0) is filled with the cold colour at an interior point (the areas drawn
        # alone: with the demo's inputs most cold-spot LSOAs are towns, a few pixels under school dots).
        cold = [a for a in areas if a["properties"]["gi_bin"] > 0 and a["properties"]["level"] == "lsoa"]
        check(cold, "the demo analysis found no cold-spot LSOA: the test needs one")
        hits = 0
        for a in cold:
            ring = a["geometry"]["coordinates"][0][0]
            cx = sum(p[0] for p in ring[:-1]) / (len(ring) - 1)
            cy = sum(p[1] for p in ring[:-1]) / (len(ring) - 1)
            colour, p = pixel_at(areas_only, m2p, *to_3857(cx, cy))
            if close_colour(colour, COLD_COLOUR):
                hits += 1
        check(hits == len(cold), f"only {hits} of {len(cold)} cold-spot areas show the cold colour at their centre")

        # 2. Close-ups at zoom-14 pixel size (single points, no clusters) around three named schools: the pixel under
        # each school is the school colour, and a pixel 25 px away (300 m) that holds no school is not.
        m_per_px = 2 * math.pi * 6378137 / 256 / 2 ** 14
        for urn in (min(schools), sorted(schools)[len(schools) // 2], max(schools)):
            x, y = to_3857(*schools[urn]["geometry"]["coordinates"])
            half_w, half_h = WIDTH / 2 * m_per_px, HEIGHT / 2 * m_per_px
            close, m2p = render([school_layer, area_layer], QgsRectangle(x - half_w, y - half_h, x + half_w, y + half_h),
                                os.path.join(args.work, f"qgis_school_{urn}.png"))
            colour, p = pixel_at(close, m2p, x, y)
            check(close_colour(colour, SCHOOL_COLOUR),
                  f"school {urn} ({schools[urn]['properties']['name']}): pixel ({p.x():.0f}, {p.y():.0f}) is {colour.name()}, not the school colour")
            others = [to_3857(*f["geometry"]["coordinates"]) for u, f in schools.items() if u != urn]
            for dx, dy in ((25, 0), (-25, 0), (0, 25), (0, -25)):
                ox, oy = x + dx * m_per_px, y - dy * m_per_px
                if all(math.hypot(ox - sx, oy - sy) > 40 * m_per_px for sx, sy in others):
                    colour, _ = pixel_at(close, m2p, ox, oy)
                    check(not close_colour(colour, SCHOOL_COLOUR), f"school colour 25 px from school {urn} where there is no school")
                    break
            print(f"school {urn}: drawn at pixel ({p.x():.0f}, {p.y():.0f}) of its zoom-14 close-up")

        # 3. A tileset combining layers (`coldspots`: areas, hexagons, schools): QGIS styles each source
        # layer on its own. Hexagons alone in one colour cover their own Web Mercator area; the schools'
        # result points in another colour are drawn too; the areas, not styled, are not.
        hexes = harness.gdal_features_crs84(gpkg, "coldspots_hex")
        combined = tile_layer(server, "coldspots", [
            style("hexagons", "coldspots_hex", QgsWkbTypes.PolygonGeometry, QgsFillSymbol.createSimple({"color": HEX_COLOUR.name(), "outline_style": "no"})),
            style("results", "coldspots_schools", QgsWkbTypes.PointGeometry,
                  QgsMarkerSymbol.createSimple({"name": "circle", "color": SCHOOL_COLOUR.name(), "outline_style": "no", "size": "2.5"})),
        ])
        hx, hy = zip(*(to_3857(*p[:2]) for f in hexes for p in f["geometry"]["coordinates"][0][0]))
        hex_extent = QgsRectangle(min(hx) - margin, min(hy) - margin, max(hx) + margin, max(hy) + margin)
        image, m2p = render([combined], hex_extent, os.path.join(args.work, "qgis_coldspots_tileset.png"))
        want_hex = sum(mercator_area(f["geometry"]) for f in hexes) / m2p.mapUnitsPerPixel() ** 2
        got_hex, got_points, got_areas = (count_colour(image, c) for c in (HEX_COLOUR, SCHOOL_COLOUR, COLD_COLOUR))
        print(f"coldspots tileset: {got_hex} hexagon pixels (polygons cover {want_hex:.0f} less the dots), {got_points} school-result pixels")
        check(got_points > 500, f"only {got_points} pixels of coldspots_schools points from the combined tileset")
        check(0.85 * want_hex <= got_hex <= 1.03 * want_hex, f"{got_hex} hexagon pixels, the hexagons cover {want_hex:.0f}")
        check(got_areas == 0, "unstyled coldspots_areas drawn in the cold colour")

        # 4. The server saw the tile requests: metrics count 200s on the tile route, and the log shows
        # the tilesets at several zooms.
        samples = harness.metrics(server.url)
        served = harness.metric_sum(samples, "coldspot_http_requests_total", route="/tiles/{tileset}/{z}/{x}/{y}", status="200")
        tile_lines = [m.groups() for line in server.request_log()
                      if (m := re.search(r'"GET /tiles/(\w+)/(\d+)/\d+/\d+\.mvt" (\d+)', line))]
        check(served > 0 and served == sum(1 for _, _, status in tile_lines if status == "200"),
              f"/metrics counts {served} tiles served with 200, the request log {len(tile_lines)} tile requests")
        check({t for t, _, _ in tile_lines} == {"schools", "coldspots_areas", "coldspots"}, f"tilesets requested: {set(t for t, _, _ in tile_lines)}")
        zooms = sorted({int(z) for _, z, _ in tile_lines})
        # QGIS picks the tile zoom from the map scale: the overview sits at a clustering zoom (<= 10), the
        # close-ups past it (QGIS takes z13 for a zoom-14 pixel size at 96 dpi).
        check(min(zooms) <= 10 < max(zooms), f"zooms requested: {zooms}")
        check(all(status in ("200", "204") for _, _, status in tile_lines), f"tile errors: {[l for l in tile_lines if l[2] not in ('200', '204')]}")
        print(f"server: {int(served)} tiles served with 200 ({len(tile_lines)} tile requests) at zooms {zooms}")


if __name__ == "__main__":
    harness.run_main(main, qgis=True)
