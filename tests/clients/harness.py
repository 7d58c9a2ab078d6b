"""Shared plumbing for the client tests: a demo workspace made by the real CLI, `coldspot serve` on a
free port, and the workspace's contents read independently of Coldspot (sqlite3 for attributes, GDAL's
ogr2ogr for coordinates).

Every test script takes `--cli PATH --work DIR` and exits 0 (pass), 1 (fail) or 77 (skipped: a client
is not installed). Under CI=true a missing client is a failure, never a skip.

JavaScript runs on Debian 12's Node.js 18 through tools/node (NODE); npm packages are installed once
by tools/js-deps before ctest, and require_npm() fails a test at once when they are not.
"""

import argparse
import hashlib
import json
import os
import re
import shutil
import signal
import sqlite3
import struct
import subprocess
import sys
import time
import traceback
import zlib

SKIP = 77
REPO = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
NODE = os.path.join(REPO, "tools", "node")


def running_in_ci():
    """The one CI rule, as tests/support/test_support.hpp has it: CI=true, in any letter case."""
    return os.environ.get("CI", "").lower() == "true"


class TestFailure(Exception):
    pass


def check(condition, message):
    if not condition:
        raise TestFailure(message)


def check_close(actual, expected, tolerance, what):
    check(abs(actual - expected) <= tolerance, f"{what}: {actual!r} differs from {expected!r} by more than {tolerance}")


def require(condition, what):
    """A missing client: skip locally, fail under CI (where tools/deps/test.txt installs it)."""
    if condition:
        return
    if running_in_ci():
        print(f"FAIL: {what} (CI=true: the test's packages must be installed)")
        sys.exit(1)
    print(f"SKIP: {what}")
    sys.exit(SKIP)


def require_npm(folder):
    """Fails at once (CI or not) unless tools/js-deps installed the npm packages of `folder` (relative
    to the repository) from its current package-lock.json and set up Debian's Node.js 18."""
    root = os.path.join(REPO, folder)
    with open(os.path.join(root, "package-lock.json"), "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    stamp = os.path.join(root, "node_modules", ".coldspot-lock-sha256")
    if not os.path.exists(stamp):
        print(f"FAIL: npm packages of {folder} are not installed: run tools/js-deps (tools/test does, before ctest)")
        sys.exit(1)
    if open(stamp).read().strip() != digest:
        print(f"FAIL: npm packages of {folder} are older than its package-lock.json: run tools/js-deps")
        sys.exit(1)
    node = subprocess.run([NODE, "--version"], capture_output=True, text=True)
    if node.returncode != 0:
        print(f"FAIL: {node.stderr.strip()}")
        sys.exit(1)


def parse_args(extra=None):
    parser = argparse.ArgumentParser()
    parser.add_argument("--cli", required=True, help="the coldspot executable")
    parser.add_argument("--work", required=True, help="a folder for this test's files (emptied first)")
    parser.add_argument("--workspace", help="an analysed demo workspace to serve (default: make one in --work)")
    for name, kwargs in (extra or {}).items():
        parser.add_argument(name, **kwargs)
    args = parser.parse_args()
    shutil.rmtree(args.work, ignore_errors=True)
    os.makedirs(args.work)
    return args


def run_main(body, qgis=False):
    """Runs body(); prints PASS, or FAIL with the reason, and exits 0 or 1. SIGTERM (ctest's timeout)
    unwinds like an exception so that servers are stopped.

    With qgis=True, body runs inside a QgsApplication. QGIS objects still referenced when it exits (a
    failing test's traceback keeps the frames with its layers alive) crash the interpreter's own exit,
    so the outcome is printed first, references are dropped, QGIS exits and the process ends at once."""
    def on_sigterm(signum, frame):
        raise TestFailure(f"terminated by signal {signum}")
    signal.signal(signal.SIGTERM, on_sigterm)
    app = None
    if qgis:
        from qgis.core import QgsApplication
        app = QgsApplication([], False)
        app.initQgis()
    code = 1
    try:
        body()
        print("PASS")
        code = 0
    except TestFailure as e:
        print(f"FAIL: {e}")
        e.__traceback__ = None
    except SystemExit as e:  # require(): skipped (77) or a missing client under CI (1)
        code = e.code
    except BaseException as e:
        traceback.print_exc()
        print("FAIL: unexpected exception")
        e.__traceback__ = None
    if app is not None:
        import gc
        gc.collect()
        app.exitQgis()
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    sys.exit(code)


def workspace(args):
    """The workspace to serve: --workspace (the ctest fixture clients.workspace), or a new one."""
    if args.workspace:
        check(os.path.exists(args.workspace), f"{args.workspace} does not exist (run the clients.workspace test first)")
        return args.workspace
    return make_demo_workspace(args.cli, args.work)


def make_demo_workspace(cli, work):
    """The demo workspace with the analysis results, as tools/demo makes it."""
    ws_dir = os.path.join(work, "demo")
    gpkg = os.path.join(ws_dir, "demo.gpkg")
    pbf = os.path.join(ws_dir, "demo.osm.pbf")
    steps = [["demo", "-o", gpkg], ["remits", gpkg], ["access", gpkg, "--roads", pbf], ["coldspots", gpkg]]
    for step in steps:
        done = subprocess.run([cli, *step], capture_output=True, text=True, timeout=300)
        check(done.returncode == 0, f"coldspot {' '.join(step)} exited {done.returncode}:\n{done.stdout}{done.stderr}")
    return gpkg


class Server:
    """`coldspot serve` on a free port, stopped with SIGTERM on exit even when the test fails.

    The request log goes to a file so that tests can see which requests the clients made."""

    def __init__(self, cli, gpkg, work, extra_args=()):
        self.log_path = os.path.join(work, "access.log")
        self.out_path = os.path.join(work, "serve.out")
        self._out = open(self.out_path, "w+")
        self.process = subprocess.Popen(
            [cli, "serve", gpkg, "--port", "0", "--access-log", self.log_path, *extra_args],
            stdout=self._out, stderr=subprocess.STDOUT, text=True)
        self.port = None
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            with open(self.out_path) as f:
                m = re.search(r"listening on http://127\.0\.0\.1:(\d+)/", f.read())
            if m:
                self.port = int(m.group(1))
                break
            if self.process.poll() is not None:
                break
            time.sleep(0.1)
        if self.port is None:
            self.stop()
            raise TestFailure(f"coldspot serve did not print its port:\n{self.output()}")
        self.url = f"http://127.0.0.1:{self.port}"

    def output(self):
        with open(self.out_path) as f:
            return f.read()

    def request_log(self):
        try:
            with open(self.log_path) as f:
                return f.read().splitlines()
        except FileNotFoundError:
            return []

    def stop(self):
        """SIGTERM, and the exit code (0 for a clean shutdown)."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
                raise TestFailure("coldspot serve did not stop within 20 s of SIGTERM")
        self._out.close()
        return self.process.returncode

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        code = self.stop()
        if exc_type is None:
            check(code == 0, f"coldspot serve exited {code} after SIGTERM:\n{self.output()}")


def metrics(url):
    """Prometheus text from /metrics as {(name, frozenset(labels)): value}."""
    import urllib.request
    with urllib.request.urlopen(url + "/metrics", timeout=30) as r:
        text = r.read().decode()
    out = {}
    for line in text.splitlines():
        m = re.match(r'^([a-zA-Z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)$', line)
        if not m:
            continue
        labels = frozenset(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', m.group(2) or ""))
        out[(m.group(1), labels)] = float(m.group(3))
    return out


def metric_sum(samples, name, **labels):
    want = set(labels.items())
    return sum(v for (n, l), v in samples.items() if n == name and want <= set(l))


# --- the workspace read without Coldspot -----------------------------------------------------------

def table_rows(gpkg, table, key):
    """Attribute rows of a GeoPackage table keyed by `key`, through Python's sqlite3 (not Coldspot)."""
    con = sqlite3.connect(f"file:{gpkg}?mode=ro", uri=True)
    con.row_factory = sqlite3.Row
    try:
        geom = con.execute("SELECT column_name FROM gpkg_geometry_columns WHERE table_name = ?", (table,)).fetchone()
        rows = con.execute(f'SELECT * FROM "{table}"').fetchall()
    finally:
        con.close()
    skip = {geom[0]} if geom else set()
    return {row[key]: {k: row[k] for k in row.keys() if k not in skip} for row in rows}


def gdal_features(gpkg, table, *options):
    """The layer's features as GeoJSON through GDAL's ogr2ogr, in the stored CRS unless options say."""
    out = subprocess.run(["ogr2ogr", "-f", "GeoJSON", *options, "-lco", "COORDINATE_PRECISION=9",
                          "/vsistdout/", gpkg, table], capture_output=True, text=True, timeout=120)
    check(out.returncode == 0, f"ogr2ogr {table} failed: {out.stderr}")
    return json.loads(out.stdout)["features"]


def gdal_features_crs84(gpkg, table):
    """The layer's features in CRS84, transformed by GDAL (a second implementation of the 27700 -> CRS84
    transform the server does)."""
    return gdal_features(gpkg, table, "-t_srs", "OGC:CRS84")


def tile_x(lon, z):
    """XYZ tile column holding a longitude (Web Mercator)."""
    return int((lon + 180) / 360 * 2 ** z)


def tile_y(lat, z):
    """XYZ tile row holding a latitude (Web Mercator, row 0 at the north)."""
    import math
    r = math.radians(lat)
    return int((1 - math.log(math.tan(r) + 1 / math.cos(r)) / math.pi) / 2 * 2 ** z)


def bbox_of(features):
    xs, ys = [], []

    def walk(c):
        if isinstance(c[0], (int, float)):
            xs.append(c[0])
            ys.append(c[1])
        else:
            for p in c:
                walk(p)
    for f in features:
        walk(f["geometry"]["coordinates"])
    return min(xs), min(ys), max(xs), max(ys)


def inside(lon, lat, ring):
    """Ray casting: is the point inside the ring (a representative point must be, for a colour check)."""
    hit = False
    for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1]):
        if (y1 > lat) != (y2 > lat) and lon < x1 + (lat - y1) * (x2 - x1) / (y2 - y1):
            hit = not hit
    return hit


def clear_point(ring, points):
    """A point inside the ring (CRS84, not closed) as far from every one of `points` as it can be: a
    school dot drawn over a polygon's centre hides its fill. Among the vertex mean and the points halfway
    from it to each vertex, those inside; None when none is."""
    centre = (sum(q[0] for q in ring) / len(ring), sum(q[1] for q in ring) / len(ring))
    candidates = [c for c in [centre] + [((centre[0] + q[0]) / 2, (centre[1] + q[1]) / 2) for q in ring] if inside(*c, ring)]
    # Degrees of longitude are about 0.6 of a degree of latitude in England.
    return max(candidates, key=lambda c: min(((c[0] - s[0]) * 0.6) ** 2 + (c[1] - s[1]) ** 2 for s in points), default=None)


def column_types(gpkg, table):
    """Declared SQLite column types (INTEGER, REAL, TEXT, ...) of a GeoPackage table."""
    con = sqlite3.connect(f"file:{gpkg}?mode=ro", uri=True)
    try:
        return {name: decl.upper() for _, name, decl, *_ in con.execute(f'PRAGMA table_info("{table}")')}
    finally:
        con.close()


if __name__ == "__main__":
    # `harness.py --cli COLDSPOT --work DIR`: makes DIR/demo/demo.gpkg once for all client tests.
    def make():
        args = parse_args()
        print(make_demo_workspace(args.cli, args.work))
    run_main(make)


def png_rgb(path):
    """All pixels of an 8-bit RGB(A) non-interlaced PNG (what Chromium writes), decoded once: [row][x] -> (r, g, b)."""
    with open(path, "rb") as f:
        data = f.read()
    check(data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG")
    pos, idat = 8, b""
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour_type, _, _, interlace = struct.unpack(">IIBBBBB", body)
            check(depth == 8 and colour_type in (2, 6) and interlace == 0, f"{path}: unsupported PNG layout")
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    bpp = 3 if colour_type == 2 else 4
    raw, stride, rows = zlib.decompress(idat), width * bpp, []
    previous = bytearray(stride)
    for row in range(height):
        kind, line = raw[row * (stride + 1)], bytearray(raw[row * (stride + 1) + 1:(row + 1) * (stride + 1)])
        if kind == 1:
            for i in range(bpp, stride):
                line[i] = (line[i] + line[i - bpp]) & 0xFF
        elif kind == 2:
            line = bytearray((a + b) & 0xFF for a, b in zip(line, previous))
        elif kind == 3:
            for i in range(stride):
                line[i] = (line[i] + ((line[i - bpp] if i >= bpp else 0) + previous[i]) // 2) & 0xFF
        elif kind == 4:
            for i in range(stride):
                a, b, c = (line[i - bpp] if i >= bpp else 0), previous[i], (previous[i - bpp] if i >= bpp else 0)
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 0xFF
        rows.append(line)
        previous = line
    return lambda x, y: tuple(rows[y][x * bpp:x * bpp + 3])
