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
    return mid_write, out


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


def section_swap(args, gpkg):
    """kill -9 of `coldspot serve` while an analysis job writes and while its snapshot swaps: a restart
    serves the previous (or the new, whole) version and reports the leftover it removed."""
    work = os.path.join(args.work, "swap")
    os.makedirs(work)
    ws = os.path.join(work, "demo.gpkg")
    shutil.copy(gpkg, ws)
    token = os.path.join(work, "token")
    open(token, "w").write("swap-token\n")
    for delay in (0.0, 0.3, 1.0, 3.0):
        before = layer_digests(ws)
        server = harness.Server(args.cli, ws, work, ["--token-file", token])
        try:
            r = urllib.request.Request(server.url + "/analysis", data=b"{}", method="POST",
                                       headers={"Authorization": "Bearer swap-token", "Content-Type": "application/json"})
            with urllib.request.urlopen(r, timeout=30) as resp:
                check(resp.status == 202, "analysis not accepted")
            deadline = time.monotonic() + 120
            pattern = os.path.join(work, ".demo.gpkg.tmp-*")
            while not glob.glob(pattern) and time.monotonic() < deadline:
                time.sleep(0.01)
            time.sleep(delay)
            mid = bool(glob.glob(pattern))
        finally:
            server.process.kill()
            server.process.wait()
            server._out.close()
        after = layer_digests(ws)
        if mid:
            check(after == before, f"server killed {delay} s into an analysis write: the workspace changed")
        print(f"  serve: kill at +{delay:.3f} s {'mid-write' if mid else 'after the write (swap or later)'}; leftovers {leftovers(work)}")
        left = leftovers(work)
        with harness.Server(args.cli, ws, work, ["--token-file", token]) as again:
            with urllib.request.urlopen(again.url + "/collections", timeout=30) as resp:
                cols = json.load(resp)["collections"]
            counts = {c["id"]: c.get("numberOfFeatures") for c in cols}
            for name, (count, _) in after.items():
                if name in counts and counts[name] is not None:
                    check(counts[name] == count, f"restart serves {counts[name]} features of {name}, GDAL counts {count}")
            if left:
                check("removed" in again.output(), f"restart did not report removing {left}:\n{again.output()}")
        check(not leftovers(work), f"leftovers after restart: {leftovers(work)}")


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
