"""Faults (issue 17): kill -9 of every writer at several moments, a full disk, a read-only workspace, and
corrupt inputs at start-up, each against the real `coldspot` CLI and server.

After every kill the workspace (or archive) must be the previous version, intact, checked with GDAL
(ogrinfo: the feature count and a SHA-256 of the features of every layer), or, when the kill came after
the rename, the new version whole; the next run must succeed and report the leftover it removed. A full
disk and a read-only folder must give an error naming the file, leave the previous version, and no
temporary file. Corrupt files at start-up: a clear error or a rebuild, never a crash (a signal).

usage: faults_test.py --cli coldspot --work DIR [--workspace demo.gpkg] [--section NAME]
"""
import glob
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "clients"))
import harness  # noqa: E402
from harness import check  # noqa: E402


def layer_digests(gpkg):
    """{layer: (feature count, sha256 of its ogrinfo text)} read by GDAL, not Coldspot."""
    out = subprocess.run(["ogrinfo", "-ro", "-al", gpkg], capture_output=True, text=True, timeout=120)
    check(out.returncode == 0, f"ogrinfo cannot open {gpkg}: {out.stderr}")
    digests = {}
    for section in out.stdout.split("\nLayer name: ")[1:]:
        name = section.split("\n", 1)[0].strip()
        count = len(re.findall(r"^OGRFeature\(", section, re.M))
        declared = re.search(r"^Feature Count: (\d+)", section, re.M)
        check(declared and int(declared.group(1)) == count, f"{gpkg} layer {name}: GDAL counts disagree")
        digests[name] = (count, hashlib.sha256(section.encode()).hexdigest())
    check(digests, f"{gpkg}: no layers")
    return digests


def integrity_ok(path):
    out = subprocess.run(["sqlite3", path, "PRAGMA integrity_check;"], capture_output=True, text=True, timeout=60)
    return out.returncode == 0 and out.stdout.strip() == "ok"


def leftovers(folder):
    return sorted(os.path.basename(p) for p in glob.glob(os.path.join(folder, ".*.tmp-*")))


def run(cli, *args, timeout=300, env=None):
    return subprocess.run([cli, *args], capture_output=True, text=True, timeout=timeout, env=env)


def not_a_crash(done, what):
    check(done.returncode >= 0, f"{what} died of signal {-done.returncode}:\n{done.stdout}{done.stderr}")
    check("Segmentation" not in done.stderr and "Aborted" not in done.stderr, f"{what} crashed:\n{done.stderr}")


def kill_during(cli, args, folder, target_name, delay):
    """Starts `coldspot ARGS`, waits until its temporary file for `target_name` exists, waits `delay`
    seconds more and kills it with SIGKILL. Returns (killed before its rename, process output)."""
    p = subprocess.Popen([cli, *args], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    pattern = os.path.join(folder, "." + target_name + ".tmp-" + str(p.pid) + "*")
    deadline = time.monotonic() + 240
    while not glob.glob(pattern) and p.poll() is None and time.monotonic() < deadline:
        time.sleep(0.001)
    time.sleep(delay)
    mid_write = bool(glob.glob(pattern)) and p.poll() is None
    p.kill()
    out = p.communicate()[0]
    # The writer may rename its file between the look above and the kill (seen on a loaded machine):
    # a killed writer cannot remove its temporary file, so the kill landed mid-write only if the file
    # of this process is still there.
    return mid_write and bool(glob.glob(pattern)), out


def write_window(cli, args, folder, target_name):
    """How long a whole run keeps its temporary file for `target_name` (seconds, polled every ms)."""
    p = subprocess.Popen([cli, *args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    pattern = os.path.join(folder, "." + target_name + ".tmp-" + str(p.pid) + "*")
    first = last = None
    while p.poll() is None:
        if glob.glob(pattern):
            last = time.monotonic()
            first = first or last
        time.sleep(0.001)
    check(p.returncode == 0 and first, f"{' '.join(args)}: a whole run failed or wrote no temporary file")
    return last - first


def check_kills(cli, args, folder, target, delays, verify, what):
    """kill -9 at each delay (None: moments within and after the write, measured on this machine, whose
    speed varies); after each, `verify(target)` must hold on the previous version (or the whole new one),
    then one run to the end must report the leftovers it removed."""
    if delays is None:
        window = write_window(cli, args, folder, os.path.basename(target))
        delays = [0.0, 0.3 * window, 0.6 * window, 2 * window + 0.05]
        print(f"  {what}: the temporary file lives {window:.3f} s")
    killed_mid = 0
    for delay in delays:
        before = verify(target)
        mid, out = kill_during(cli, args, folder, os.path.basename(target), delay)
        after = verify(target)
        left = leftovers(folder)
        if mid:
            killed_mid += 1
            check(after == before, f"{what}: killed {delay} s into its write, the previous version changed")
            check(left, f"{what}: killed mid-write but no temporary file was left (was it written elsewhere?)")
        print(f"  {what}: kill at +{delay:.3f} s {'mid-write' if mid else 'after the write'}; leftovers {left}")
    check(killed_mid >= 2, f"{what}: only {killed_mid} kills landed mid-write; the moments need adjusting")
    left = leftovers(folder)
    done = run(cli, *args)
    check(done.returncode == 0, f"{what}: the next run failed:\n{done.stdout}{done.stderr}")
    if left:
        check("removed" in done.stderr and "left behind by a writer" in done.stderr,
              f"{what}: the next run did not report removing {left}:\n{done.stderr}")
    check(not leftovers(folder), f"{what}: leftovers remain after the next run: {leftovers(folder)}")
    verify(target)
    return killed_mid


def section_kills(args, gpkg):
    work = os.path.join(args.work, "kills")
    os.makedirs(work)
    ws = os.path.join(work, "demo.gpkg")
    shutil.copy(gpkg, ws)
    for side in (".roadgraph",):
        if os.path.exists(gpkg + side):
            shutil.copy(gpkg + side, ws + side)
    pbf = os.path.join(os.path.dirname(gpkg), "demo.osm.pbf")
    delays = None
    # Import: the demo writes a whole workspace through the same WorkspaceWriter as `coldspot import`.
    fresh = os.path.join(work, "fresh.gpkg")
    check(run(args.cli, "demo", "-o", fresh).returncode == 0, "demo failed")
    n = check_kills(args.cli, ["demo", "-o", fresh], work, fresh, delays, layer_digests, "import (demo -o)")
    # Each analysis write.
    n += check_kills(args.cli, ["remits", ws], work, ws, delays, layer_digests, "remits")
    n += check_kills(args.cli, ["access", ws, "--roads", pbf, "--no-cache"], work, ws, delays, layer_digests, "access")
    n += check_kills(args.cli, ["coldspots", ws], work, ws, delays, layer_digests, "coldspots")
    # The road-graph cache.
    def cache_ok(path):
        check(os.path.getsize(path) > 0, "road graph cache empty")
        return hashlib.sha256(open(path, "rb").read()).hexdigest()
    check(run(args.cli, "access", ws, "--roads", pbf, "--no-write").returncode == 0, "access --no-write failed")
    # Tile export (MBTiles).
    mb = os.path.join(work, "t.mbtiles")
    check(run(args.cli, "tiles", ws, "--tileset", "schools", "-o", mb, "--quiet").returncode == 0, "tiles export failed")

    def archive(path):
        check(integrity_ok(path), f"{path} is not an intact SQLite file")
        out = subprocess.run(["sqlite3", path, "SELECT count(*), sum(length(tile_data)) FROM tiles;"], capture_output=True, text=True)
        return out.stdout.strip()
    # The tiles are rendered before the archive is written, and writing takes milliseconds: the
    # largest of the demo's tilesets (1.8 MB), so that the write lasts long enough to be killed in.
    n += check_kills(args.cli, ["tiles", ws, "--tileset", "coldspots", "-o", mb, "--quiet"], work, mb, None, archive, "tiles export")
    print(f"kills mid-write: {n}")


# Parameters whose results differ from the fixture's (default alpha 0.05): the previous and the new
# version of the cold-spot layers can then be told apart after a kill.
SWAP_PARAMETERS = {"statistics": {"alpha": 0.1}}
# Every run adds a row (its id, times, parameters): not compared between runs.
VOLATILE_LAYERS = {"analysis_runs"}


def same_version(a, b):
    """Two GDAL digests hold the same results: every layer but the run log equal."""
    return a.keys() == b.keys() and all(a[k] == b[k] for k in a if k not in VOLATILE_LAYERS)


def post_analysis(url, token, parameters):
    r = urllib.request.Request(url + "/analysis", data=json.dumps(parameters).encode(), method="POST",
                               headers={"Authorization": "Bearer " + token, "Content-Type": "application/json"})
    with urllib.request.urlopen(r, timeout=30) as resp:
        check(resp.status == 202, "analysis not accepted")
        return json.load(resp)["id"]


def snapshot_version(url):
    with urllib.request.urlopen(url + "/healthz", timeout=30) as resp:
        return json.load(resp)["snapshot_version"]


def wait_job(url, job, timeout=300):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with urllib.request.urlopen(url + "/analysis/" + job, timeout=30) as resp:
            state = json.load(resp)
        if state["state"] not in ("queued", "running"):
            return state
        time.sleep(0.1)
    raise harness.TestFailure(f"analysis job {job} did not finish in {timeout} s")


def gdal_features(gpkg, layer):
    """The features of `layer` as GDAL reads them from the file: sorted canonical property texts."""
    out = subprocess.run(["ogr2ogr", "-f", "GeoJSON", "/vsistdout/", gpkg, layer], capture_output=True, text=True, timeout=120)
    check(out.returncode == 0, f"ogr2ogr {gpkg} {layer}: {out.stderr}")
    return [f["properties"] for f in json.loads(out.stdout)["features"]]


def served_features(url, layer):
    with urllib.request.urlopen(f"{url}/collections/{layer}/items?limit=10000", timeout=60) as resp:
        doc = json.load(resp)
    check(doc.get("numberMatched", len(doc["features"])) == len(doc["features"]), f"{layer}: more than one page")
    return [f["properties"] for f in doc["features"]]


def canonical(rows):
    """Property rows as sorted texts, numbers to 9 significant digits, on the keys every row shares
    (GDAL adds none; the server may add a link or an id): a checksum of a layer's contents."""
    if not rows:
        return []
    keys = sorted(set.intersection(*(set(r) for r in rows)))
    def value(v):
        return f"{v:.9g}" if isinstance(v, float) else repr(v)
    return sorted("|".join(f"{k}={value(r[k])}" for k in keys) for r in rows)


def check_served(url, ws, digests, layers):
    """The restarted server serves the file: GDAL's feature count of every collection, and for
    `layers` (the results), the same properties, feature by feature, as GDAL reads from the file."""
    with urllib.request.urlopen(url + "/collections", timeout=30) as resp:
        counts = {c["id"]: c.get("numberOfFeatures") for c in json.load(resp)["collections"]}
    compared = 0
    for name, (count, _) in digests.items():
        if counts.get(name) is not None:
            check(counts[name] == count, f"the server says {name} has {counts[name]} features, GDAL counts {count}")
            compared += 1
    check(compared >= len(layers), f"only {compared} collections give numberOfFeatures")
    for layer in layers:
        served, read = served_features(url, layer), gdal_features(ws, layer)
        check(len(served) == len(read) == digests[layer][0], f"{layer}: served {len(served)}, GDAL reads {len(read)}")
        a, b = canonical(served), canonical(read)
        check(a == b, f"{layer}: the served features differ from GDAL's reading of {ws}")
        check(len(a[0].split("|")) >= 3 if a else True, f"{layer}: too few shared properties to compare")


def section_swap(args, gpkg):
    """kill -9 of `coldspot serve` at moments of an analysis job: while it writes the new workspace,
    just after the rename, during the snapshot swap (the new snapshot being loaded, the old one still
    served) and after it. Afterwards the file is the previous version (killed before the rename) or the
    whole new one (after), checked with GDAL layer by layer; a restart reports the leftover it removed,
    serves what GDAL reads from the file (feature counts of every collection, the results feature by
    feature) and runs the next analysis to the end."""
    work = os.path.join(args.work, "swap")
    os.makedirs(work)
    ws = os.path.join(work, "demo.gpkg")
    token = os.path.join(work, "token")
    open(token, "w").write("swap-token\n")
    serve_args = ["--token-file", token]
    tmp_pattern = os.path.join(work, ".demo.gpkg.tmp-*")
    before = layer_digests(gpkg)

    # One run watched to the end: when the temporary file appears, when it is renamed, when the
    # new snapshot is served (/healthz), and the new version's digests.
    shutil.copy(gpkg, ws)
    with harness.Server(args.cli, ws, work, serve_args) as server:
        t0 = time.monotonic()
        job = post_analysis(server.url, "swap-token", SWAP_PARAMETERS)
        tmp_seen = renamed = swapped = None
        while swapped is None and time.monotonic() - t0 < 300:
            now = time.monotonic() - t0
            exists = bool(glob.glob(tmp_pattern))
            if exists and tmp_seen is None:
                tmp_seen = now
            if tmp_seen is not None and not exists and renamed is None:
                renamed = now
            if snapshot_version(server.url) != 1:
                swapped = now
            time.sleep(0.001)
        check(wait_job(server.url, job)["state"] == "succeeded", "the watched analysis failed")
    check(tmp_seen is not None and renamed is not None and swapped is not None,
          f"could not watch the analysis: temporary file {tmp_seen}, renamed {renamed}, swapped {swapped}")
    new = layer_digests(ws)
    results = sorted(k for k in new if k not in VOLATILE_LAYERS and new[k] != before.get(k))
    check({"coldspots_schools", "targets"} <= set(results), f"the new parameters changed only {results}")
    reload_s = swapped - renamed
    print(f"  serve: temporary file at +{tmp_seen:.3f} s, renamed at +{renamed:.3f} s, swapped at +{swapped:.3f} s; "
          f"the new results differ in {results}")

    # (name, anchor, seconds after it): the anchor is the temporary file appearing, the rename (the
    # file gone), or the new version served.
    moments = [("writing", "tmp", 0.0), ("just renamed", "renamed", 0.0), ("swapping", "renamed", 0.3 * reload_s),
               ("swapping", "renamed", 0.7 * reload_s), ("after the swap", "swapped", 0.0)]
    phases = []
    for name, anchor, offset in moments:
        shutil.copy(gpkg, ws)
        server = harness.Server(args.cli, ws, work, serve_args)
        try:
            post_analysis(server.url, "swap-token", SWAP_PARAMETERS)
            deadline = time.monotonic() + 300
            seen = False
            while time.monotonic() < deadline:
                exists = bool(glob.glob(tmp_pattern))
                seen = seen or exists
                if (anchor == "tmp" and exists) or (anchor == "renamed" and seen and not exists) or \
                        (anchor == "swapped" and snapshot_version(server.url) != 1):
                    break
                time.sleep(0.0005 if anchor != "swapped" else 0.005)
            time.sleep(offset)
            # Where the kill lands, seen from outside: the file written but not renamed, renamed but
            # the old snapshot still served, or the new one served.
            writing = bool(glob.glob(tmp_pattern))
            served = snapshot_version(server.url)
            server.process.kill()
        finally:
            server.process.kill()
            server.process.wait()
            server._out.close()
        phase = "writing" if writing else ("swapping" if served == 1 else "swapped")
        phases.append(phase)
        after = layer_digests(ws)
        check(integrity_ok(ws), f"killed {name}: {ws} fails SQLite's integrity check")
        if phase == "writing":
            check(after == before, f"killed while writing: the workspace changed")
        else:
            check(same_version(after, new), f"killed {phase} (after the rename): the workspace is not the whole new version")
        left = leftovers(work)
        print(f"  serve: kill -9 {name} (+{offset:.3f} s): landed {phase}; workspace is the "
              f"{'previous' if same_version(after, before) else 'new'} version; leftovers {left}")
        with harness.Server(args.cli, ws, work, serve_args) as again:
            if left:
                check("removed" in again.output() and "left behind by a writer" in again.output(),
                      f"restart did not report removing {left}:\n{again.output()}")
            check(not leftovers(work), f"leftovers after restart: {leftovers(work)}")
            check_served(again.url, ws, after, results)
            # The next run succeeds, and its results are the new version.
            state = wait_job(again.url, post_analysis(again.url, "swap-token", SWAP_PARAMETERS))
            check(state["state"] == "succeeded", f"the next analysis failed: {state}")
            check(snapshot_version(again.url) == 2, "the next analysis was not swapped in")
            nxt = layer_digests(ws)
            check(same_version(nxt, new), f"the next analysis wrote other results: {[k for k in new if nxt.get(k) != new[k]]}")
            check_served(again.url, ws, layer_digests(ws), results)
    check(phases.count("writing") >= 1 and phases.count("swapping") >= 2,
          f"the kills landed {phases}: need one while writing and two during the swap")


def mount_tmpfs(path, size_kb):
    os.makedirs(path, exist_ok=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_kb}k", "tmpfs", path], capture_output=True, text=True)
    return done.returncode == 0


def section_disk(args, gpkg):
    """A full disk (a small tmpfs this test mounts) during an analysis and an import, and a read-only
    workspace: an error naming the file, the previous version intact, no temporary file left."""
    work = os.path.join(args.work, "disk")
    os.makedirs(work)
    mnt = os.path.join(work, "mnt")
    size_kb = os.path.getsize(gpkg) * 3 // 2 // 1024
    if not mount_tmpfs(mnt, size_kb):
        harness.require(False, "mounting a tmpfs needs root (CAP_SYS_ADMIN)")
    try:
        ws = os.path.join(mnt, "demo.gpkg")
        shutil.copy(gpkg, ws)
        before = layer_digests(ws)
        for verb in (["coldspots", ws], ["remits", ws]):
            done = run(args.cli, *verb)
            not_a_crash(done, verb[0])
            check(done.returncode != 0, f"{verb[0]} succeeded on a full disk?")
            check(mnt in done.stderr and ("No space left" in done.stderr or "full" in done.stderr or "bytes free on its disk" in done.stderr),
                  f"{verb[0]}: the error does not name the file and the full disk:\n{done.stderr}")
            check(layer_digests(ws) == before, f"{verb[0]}: the workspace changed on a full disk")
            check(not leftovers(mnt), f"{verb[0]}: temporary files left on the full disk: {leftovers(mnt)}")
            print(f"  full disk, {verb[0]}: {done.stderr.strip().splitlines()[-1]}")
        # Fill what is left but 64 KB, so a new workspace cannot fit.
        free = os.statvfs(mnt).f_bavail * os.statvfs(mnt).f_frsize
        with open(os.path.join(mnt, "filler"), "wb") as f:
            f.write(b"\0" * max(0, free - 65536))
        done = run(args.cli, "demo", "-o", os.path.join(mnt, "second.gpkg"))
        not_a_crash(done, "demo")
        check(done.returncode != 0 and mnt in done.stderr, f"import on a full disk:\n{done.stderr}")
        check(not os.path.exists(os.path.join(mnt, "second.gpkg")) and not leftovers(mnt), "import left files on a full disk")
        print(f"  full disk, import: {done.stderr.strip().splitlines()[-1]}")
        os.remove(os.path.join(mnt, "filler"))
        # Read-only: the same file system remounted read-only.
        check(subprocess.run(["mount", "-o", "remount,ro", mnt]).returncode == 0, "remount read-only failed")
        done = run(args.cli, "coldspots", ws)
        not_a_crash(done, "coldspots (read-only)")
        check(done.returncode != 0 and mnt in done.stderr, f"read-only workspace:\n{done.stderr}")
        check(layer_digests(ws) == before, "read-only: workspace changed")
        print(f"  read-only, coldspots: {done.stderr.strip().splitlines()[-1]}")
        with harness.Server(args.cli, ws, work) as server:  # still served as it is
            with urllib.request.urlopen(server.url + "/collections", timeout=30) as resp:
                check(resp.status == 200, "read-only workspace not served")
    finally:
        subprocess.run(["umount", "-l", mnt])


def section_corrupt(args, gpkg):
    """Truncated and damaged GeoPackage, PBF and road-graph cache at start-up."""
    work = os.path.join(args.work, "corrupt")
    os.makedirs(work)
    size = os.path.getsize(gpkg)
    data = open(gpkg, "rb").read()
    cases = {
        "truncated-half.gpkg": data[: size // 2],
        "truncated-header.gpkg": data[:50],
        "empty.gpkg": b"",
        "zeroed-middle.gpkg": data[:4096] + b"\0" * (size // 2) + data[4096 + size // 2:],
        "not-sqlite.gpkg": b"PK\x03\x04 this is a zip, not a GeoPackage" * 100,
    }
    for name, content in cases.items():
        path = os.path.join(work, name)
        open(path, "wb").write(content)
        p = subprocess.Popen([args.cli, "serve", path, "--port", "0"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        try:
            out = p.communicate(timeout=60)[0]
        except subprocess.TimeoutExpired:
            # It started: it must answer, not crash, on what it could read.
            m = None
            p.send_signal(signal.SIGTERM)
            out = p.communicate(timeout=30)[0]
            m = re.search(r"listening on (http://\S+/)", out)
            check(m is not None, f"serve {name}: neither started nor refused:\n{out}")
        check(p.returncode >= 0, f"serve {name}: died of signal {-p.returncode}:\n{out}")
        if p.returncode != 0:
            check(name in out, f"serve {name}: the error does not name the file:\n{out}")
        print(f"  serve {name}: exit {p.returncode}: {out.strip().splitlines()[-1] if out.strip() else ''}")
    # PBF: truncated and damaged road files.
    pbf = os.path.join(os.path.dirname(gpkg), "demo.osm.pbf")
    raw = open(pbf, "rb").read()
    ws = os.path.join(work, "demo.gpkg")
    shutil.copy(gpkg, ws)
    for name, content in {"truncated.osm.pbf": raw[: len(raw) // 2], "flipped.osm.pbf": raw[:40] + bytes(b ^ 0x55 for b in raw[40:200]) + raw[200:],
                          "empty.osm.pbf": b""}.items():
        path = os.path.join(work, name)
        open(path, "wb").write(content)
        done = run(args.cli, "access", ws, "--roads", path, "--no-write", "--no-cache")
        not_a_crash(done, f"access --roads {name}")
        check(done.returncode != 0 and name in done.stderr, f"access --roads {name}: no clear error:\n{done.stderr}")
        print(f"  access --roads {name}: {done.stderr.strip().splitlines()[-1]}")
    # Road-graph cache: built once, then truncated / damaged: rebuilt, said so.
    done = run(args.cli, "access", ws, "--roads", pbf)
    check(done.returncode == 0 and os.path.exists(ws + ".roadgraph"), f"access did not build its cache:\n{done.stderr}")
    good = open(ws + ".roadgraph", "rb").read()
    for label, content in {"truncated": good[: len(good) // 2], "flipped": good[:100] + bytes([good[100] ^ 1]) + good[101:],
                           "garbage": os.urandom(len(good))}.items():
        open(ws + ".roadgraph", "wb").write(content)
        done = run(args.cli, "access", ws, "--roads", pbf)
        not_a_crash(done, f"access with a {label} cache")
        check(done.returncode == 0, f"access with a {label} cache failed:\n{done.stderr}")
        text = done.stdout + done.stderr
        check(re.search(r"truncated|checksum|not a Coldspot|version|invalid|built and cached", text),
              f"access with a {label} cache did not say it rebuilt:\n{text}")
        check(open(ws + ".roadgraph", "rb").read() == good, f"the rebuilt cache ({label}) differs from the original")
        print(f"  road graph cache {label}: rebuilt")


SECTIONS = {"kills": section_kills, "swap": section_swap, "disk": section_disk, "corrupt": section_corrupt}


def main():
    args = harness.parse_args({"--section": {"choices": sorted(SECTIONS), "required": True}})
    gpkg = harness.workspace(args)
    SECTIONS[args.section](args, gpkg)


if __name__ == "__main__":
    harness.run_main(main)
