#!/usr/bin/python3
"""OGC API - Tiles of `coldspot serve` read by GDAL 3.6, on the analysed demo workspace:

  1. the documents, walked as a client does from /collections/schools: the `tilesets-vector` link, the
     tilesets list (a `vector` tileset in WebMercatorQuad), the tileset (`tiling-scheme` link, the
     `item` template for Mapbox vector tiles, tileMatrixSetLimits);
  2. the tile matrix set document parsed by GDAL's own TileMatrixSet parser (the COG driver's
     TILING_SCHEME=file): a raster tiled with it is aligned exactly as with GDAL's built-in
     GoogleMapsCompatible;
  3. every tile of zoom 11 within the limits, fetched from the item template and decoded by GDAL's MVT
     driver with that tileMatrix/tileCol/tileRow: each school of the workspace once, in the tile its
     position (transformed by GDAL) falls in, within the tile's resolution, with its attributes;
  4. GDAL's OGCAPI driver (`ogrinfo -oo API=TILES OGCAPI:.../collections/schools`). GDAL 3.6.2, Debian
     12's, has no code left that builds vector tile layers: its InitWithTilesAPI reads the tilesets,
     the tileset and the tile matrix set (parsed without error), then has only the raster branch, and
     OGCAPITiledLayer's constructor has no caller in libgdal.so.32 (docs/clients.md). So with 3.6 the
     test asserts that the driver walked every document of ours without an error and fetched the
     tile matrix set (a document it could not use would stop it earlier, with an error); with a GDAL
     whose driver opens the collection, that its layers hold the schools.

usage: /usr/bin/python3 ogc_tiles_gdal_test.py --cli COLDSPOT --work DIR [--workspace GPKG]
"""

import json
import os
import re
import shutil
import subprocess
import sys
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import check  # noqa: E402

TILES_VECTOR = "http://www.opengis.net/def/rel/ogc/1.0/tilesets-vector"
TILING_SCHEME = "http://www.opengis.net/def/rel/ogc/1.0/tiling-scheme"
MVT = "application/vnd.mapbox-vector-tile"
HALF = 20037508.342789244  # pi * 6378137


def get(url):
    with urllib.request.urlopen(url, timeout=60) as r:
        return r.status, r.read(), dict(r.headers)


def get_json(url):
    status, body, headers = get(url)
    check(status == 200 and headers["Content-Type"].startswith("application/json"), f"{url}: {status} {headers.get('Content-Type')}")
    return json.loads(body)


def link(doc, rel, type_=None, what=""):
    for l in doc.get("links", []):
        if l.get("rel") == rel and (type_ is None or l.get("type") == type_):
            return l
    raise harness.TestFailure(f"{what}: no link rel={rel} type={type_} in {json.dumps(doc.get('links'))[:800]}")


def run(*command, env=None):
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, env=env)
    check(done.returncode == 0, f"{' '.join(command)}: {done.stderr[-2000:]}")
    return done.stdout


def walk(base):
    """The client's walk from the collection to the tile template; returns (tileset, tms document)."""
    collection = get_json(f"{base}/collections/schools")
    tilesets = get_json(link(collection, TILES_VECTOR, "application/json", "collection")["href"])
    vector = [t for t in tilesets["tilesets"] if t.get("dataType") == "vector" and t.get("tileMatrixSetURI", "").endswith("/WebMercatorQuad")]
    check(len(vector) == 1, f"tilesets list: {len(vector)} vector WebMercatorQuad tilesets")
    tileset = get_json(link(vector[0], "self", "application/json", "tileset summary")["href"])
    tms = get_json(link(tileset, TILING_SCHEME, "application/json", "tileset")["href"])
    item = link(tileset, "item", MVT, "tileset")
    for needle in ("{tileMatrix}", "{tileRow}", "{tileCol}"):
        check(needle in item["href"], f"tile template {item['href']} lacks {needle}")
    check(tileset["tileMatrixSetLimits"], "tileset: no tileMatrixSetLimits")
    print(f"documents: collection -> tilesets-vector -> tileset -> tiling-scheme and item template {item['href']}")
    return tileset, tms, item["href"]


def check_tms_with_gdal(work, tms):
    """GDAL's TileMatrixSet parser reads the document as the WebMercatorQuad it names: two rasters at
    different resolutions, tiled by the COG driver with it and with GDAL's GoogleMapsCompatible, get the
    same zoom level, origin, pixel size and size."""
    path = os.path.join(work, "WebMercatorQuad.json")
    with open(path, "w") as f:
        json.dump(tms, f)
    for size, extent in ((50, 50000), (40, 2000)):
        src = os.path.join(work, f"in-{size}.tif")
        x0, y0 = -150000, 6900000
        run("gdal_create", "-q", "-of", "GTiff", "-outsize", str(size), str(size), "-bands", "1", "-a_srs", "EPSG:3857",
            "-a_ullr", str(x0), str(y0), str(x0 + extent), str(y0 - extent), src)
        info = {}
        for scheme in (path, "GoogleMapsCompatible"):
            out = os.path.join(work, f"cog-{size}-{os.path.basename(scheme)}.tif")
            run("gdal_translate", "-q", "-of", "COG", "-co", f"TILING_SCHEME={scheme}", src, out)
            d = json.loads(run("gdalinfo", "-json", out))
            info[scheme] = (d["geoTransform"], d["size"], d["metadata"].get("TILING_SCHEME", {}).get("ZOOM_LEVEL"))
        check(info[path] == info["GoogleMapsCompatible"], f"raster of {size} px tiled with the served TMS {info[path]} != GoogleMapsCompatible {info['GoogleMapsCompatible']}")
        print(f"TMS read by GDAL's TileMatrixSet parser: a {extent / size:g} m raster tiled as by GoogleMapsCompatible (zoom {info[path][2]})")


def check_tiles(base, work, gpkg, tileset, template, z=11):
    """Every tile of zoom z within the limits, decoded by GDAL's MVT driver: each school once, home tile
    and position as GDAL puts it, attributes as sqlite3 reads them."""
    limits = next(l for l in tileset["tileMatrixSetLimits"] if l["tileMatrix"] == str(z))
    rows = harness.table_rows(gpkg, "schools", "urn")
    merc = {f["properties"]["urn"]: f["geometry"]["coordinates"] for f in harness.gdal_features(gpkg, "schools", "-t_srs", "EPSG:3857")}
    span = 2 * HALF / 2 ** z
    seen, tiles = {}, 0
    for row in range(limits["minTileRow"], limits["maxTileRow"] + 1):
        for col in range(limits["minTileCol"], limits["maxTileCol"] + 1):
            url = template.replace("{tileMatrix}", str(z)).replace("{tileRow}", str(row)).replace("{tileCol}", str(col))
            status, body, _ = get(url)
            check(status in (200, 204), f"tile {z}/{row}/{col}: status {status}")
            if status == 204:
                continue
            tiles += 1
            path = os.path.join(work, f"tile-{z}-{row}-{col}.mvt")
            with open(path, "wb") as f:
                f.write(body)
            features = json.loads(run("ogr2ogr", "-f", "GeoJSON", "/vsistdout/", "-oo", f"Z={z}", "-oo", f"X={col}", "-oo", f"Y={row}",
                                      f"MVT:{path}", "schools"))["features"]
            x0, y1 = -HALF + col * span, HALF - row * span
            for f in features:
                urn = f["properties"]["urn"]
                px, py = f["geometry"]["coordinates"]
                if not (x0 <= px < x0 + span and y1 - span < py <= y1):
                    continue  # in the tile's buffer: its home is a neighbour
                check(urn not in seen, f"school {urn} in tiles {seen.get(urn)} and {(row, col)}")
                seen[urn] = (row, col)
                sx, sy = merc[urn]
                tolerance = span / 4096  # the tile's grid
                check(abs(px - sx) <= tolerance and abs(py - sy) <= tolerance,
                      f"school {urn} at {px:.1f},{py:.1f} in tile {z}/{row}/{col}, GDAL puts it at {sx:.1f},{sy:.1f}")
                for k in ("name", "phase", "pupils", "la_code"):
                    check(f["properties"].get(k) == rows[urn][k], f"school {urn} {k}: tile has {f['properties'].get(k)!r}, workspace {rows[urn][k]!r}")
    check(set(seen) == set(rows), f"zoom {z}: the tiles hold {len(seen)} schools, the workspace {len(rows)}; missing {sorted(set(rows) - set(seen))[:10]}")
    print(f"tiles: {tiles} of zoom {z} within the limits decoded by GDAL's MVT driver; all {len(seen)} schools once, in place, attributes equal")


def check_ogcapi_driver(base, rows):
    env = dict(os.environ, CPL_DEBUG="ON")
    url = f"OGCAPI:{base}/collections/schools"
    done = subprocess.run(["ogrinfo", "-ro", "-so", "-oo", "API=TILES", url], capture_output=True, text=True, timeout=300, env=env)
    version = run("gdalinfo", "--version").split()[1].rstrip(",")
    if done.returncode == 0:
        levels = [int(z) for z in re.findall(r"^\d+: Zoom level (\d+)", done.stdout, re.M)]
        check(levels, f"GDAL {version}'s OGCAPI driver opened the collection but lists no zoom level:\n{done.stdout[:2000]}")
        top = max(levels)
        features = run("ogrinfo", "-ro", "-al", "-q", "-oo", "API=TILES", url, f"Zoom level {top}")
        ids = {int(m) for m in re.findall(r"^\s*urn \(Integer64?\) = (\d+)$", features, re.M)}
        check(ids and ids <= set(rows), f"GDAL {version}: zoom level {top} holds {len(ids)} URNs, not all schools'")
        print(f"GDAL {version}'s OGCAPI driver: zoom levels {levels}, {len(ids)} schools at level {top}")
        return
    # GDAL 3.6: no vector layer can come out; it must have read every document without complaint.
    check(version.startswith("3.6."), f"GDAL {version}'s OGCAPI driver cannot open the tiles:\n{done.stderr[-3000:]}")
    fetched = re.findall(r"HTTP: Fetch\((\S+)\)", done.stderr)
    want = [f"{base}/collections/schools", f"{base}/collections/schools/tiles", f"{base}/collections/schools/tiles/WebMercatorQuad",
            f"{base}/tileMatrixSets/WebMercatorQuad"]
    check(fetched == want, f"GDAL {version}'s OGCAPI driver fetched {fetched}, expected the walk {want}")
    errors = [l for l in done.stderr.splitlines() if l.startswith("ERROR")]
    check(not errors, f"GDAL {version}'s OGCAPI driver reported {errors}")
    print(f"GDAL {version}'s OGCAPI driver: walked collection, tilesets, tileset and tile matrix set without an error "
          "(3.6 builds no vector tile layer: see docs/clients.md)")


def main():
    args = harness.parse_args()
    for tool in ("ogrinfo", "ogr2ogr", "gdalinfo", "gdal_translate", "gdal_create"):
        harness.require(shutil.which(tool), f"GDAL's {tool} is missing: apt-get install gdal-bin")
    gpkg = harness.workspace(args)
    with harness.Server(args.cli, gpkg, args.work) as server:
        tileset, tms, template = walk(server.url)
        check_tms_with_gdal(args.work, tms)
        check_tiles(server.url, args.work, gpkg, tileset, template)
        check_ogcapi_driver(server.url, harness.table_rows(gpkg, "schools", "urn"))


if __name__ == "__main__":
    harness.run_main(main)
