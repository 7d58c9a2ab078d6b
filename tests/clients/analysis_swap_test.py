#!/usr/bin/python3
"""A rerun of the analysis through POST /analysis, seen by clients that were already connected: QGIS
(OAPIF) and a tile client revalidating with its ETag must get the new results, not cached old ones.

The analysis reruns with a different hexagon size, so the result is easy to tell apart: the number of
`coldspots_hex` cells changes. The expected new cells are read from the workspace file with sqlite3
once the job reports success.

usage: /usr/bin/python3 analysis_swap_test.py --cli COLDSPOT --work DIR [--workspace GPKG]
  (the workspace is copied: the analysis rewrites it)
"""

import json
import os
import shutil
import sys
import time
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import check  # noqa: E402

try:
    from qgis.core import QgsVectorLayer
except ImportError as e:
    harness.require(False, f"pyqgis is not importable ({e}): apt-get install python3-qgis qgis-providers")

TOKEN = "clients-test-token"


def http(url, data=None, headers=None, method=None):
    """(status, headers, body) without raising on 4xx/5xx."""
    request = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(request, timeout=60) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


def hex_cells(layer):
    return {(f["q"], f["r"]) for f in layer.getFeatures()}


def main():
    args = harness.parse_args()
    gpkg = os.path.join(args.work, "swap.gpkg")
    shutil.copy(harness.workspace(args), gpkg)
    token_file = os.path.join(args.work, "token.txt")
    with open(token_file, "w") as f:
        f.write(TOKEN + "\n")

    before_rows = harness.table_rows(gpkg, "coldspots_hex", "fid")
    before_cells = {(r["q"], r["r"]) for r in before_rows.values()}
    with harness.Server(args.cli, gpkg, args.work, ["--token-file", token_file]) as server:
        # Before: QGIS sees the workspace's cells; a tile client holds a tile and its ETag.
        layer = QgsVectorLayer(f"url='{server.url}' typename='coldspots_hex'", "hex before", "OAPIF")
        check(layer.isValid(), "QGIS could not open coldspots_hex")
        check(hex_cells(layer) == before_cells, f"QGIS shows {layer.featureCount()} hexagons, the workspace has {len(before_cells)}")
        tilejson = json.loads(http(f"{server.url}/tiles/coldspots_hex.json")[2])
        z = 8
        lon, lat = tilejson["center"][:2]
        tile_url = f"{server.url}/tiles/coldspots_hex/{z}/{harness.tile_x(lon, z)}/{harness.tile_y(lat, z)}.mvt"
        status, headers, body = http(tile_url)
        check(status == 200 and headers.get("ETag"), f"tile {tile_url}: {status} {headers}")
        old_etag = headers["ETag"]
        check(http(tile_url, headers={"If-None-Match": old_etag})[0] == 304, "revalidating an unchanged tile must give 304")

        # The rerun: bigger hexagons (the demo's default is smaller), bearer token, poll the job.
        cell_km2 = 40
        status, headers, body = http(f"{server.url}/analysis", data=json.dumps({"hex": {"cell_area_km2": cell_km2}}).encode(),
                                     headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}, method="POST")
        check(status == 202 and headers.get("Location"), f"POST /analysis: {status} {body[:300]!r}")
        job_url = headers["Location"].replace("localhost", "127.0.0.1")
        deadline = time.monotonic() + 180
        while True:
            job = json.loads(http(job_url)[2])
            if job["state"] in ("succeeded", "failed", "cancelled") or time.monotonic() > deadline:
                break
            time.sleep(0.3)
        check(job["state"] == "succeeded", f"analysis job: {job}")

        after_rows = harness.table_rows(gpkg, "coldspots_hex", "fid")
        after_cells = {(r["q"], r["r"]) for r in after_rows.values()}
        check(after_cells != before_cells, f"{cell_km2} km2 hexagons gave the same {len(after_cells)} cells: choose another size")
        check(all(abs(r["cell_km2"] - cell_km2) < 1e-6 for r in after_rows.values()), "the workspace's hexagons do not have the new size")

        # After: a new QGIS layer in the same QGIS session sees the new cells (no stale HTTP cache)...
        fresh = QgsVectorLayer(f"url='{server.url}' typename='coldspots_hex'", "hex after", "OAPIF")
        check(fresh.isValid(), "QGIS could not reopen coldspots_hex after the swap")
        got = hex_cells(fresh)
        check(got == after_cells, f"after the swap QGIS shows {len(got)} hexagons ({len(got & before_cells)} old), the workspace has {len(after_cells)}")
        sizes = {round(f["cell_km2"], 6) for f in fresh.getFeatures()}
        check(sizes == {cell_km2}, f"QGIS hexagon sizes after the swap: {sizes}")
        # ...and the tile client's revalidation gets the new tile (200, new ETag), not 304.
        status, headers, body = http(tile_url, headers={"If-None-Match": old_etag})
        check(status in (200, 204) and headers.get("ETag") != old_etag,
              f"tile revalidation after the swap: {status}, ETag {headers.get('ETag')} (before {old_etag})")
        print(f"before: {len(before_cells)} hexagons; after a {cell_km2} km2 rerun: {len(after_cells)}, seen by a new QGIS layer; "
              f"tile {z}/{tile_url.rsplit('/', 2)[-2]}/... ETag {old_etag} -> {headers.get('ETag')} ({status})")


if __name__ == "__main__":
    harness.run_main(main, qgis=True)
