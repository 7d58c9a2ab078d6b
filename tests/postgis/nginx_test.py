#!/usr/bin/env python3
"""Two `coldspot serve` on one PostGIS workspace behind nginx (round robin on loopback), a bounded
load through nginx while analyses are published through either server: every answer must be 200,
carry Coldspot-Snapshot, and have the body of that version's reference answer (issue 16; docs/deployment.md).

    nginx_test.py CLUSTER_DIR COLDSPOT_CLI WORK_DIR [--seconds 20] [--connections 16]
    nginx_test.py CLUSTER_DIR COLDSPOT_CLI WORK_DIR --bench [--seconds 20] [--connections 64] [--json OUT]

Test (default):
1. A fresh database holding the demo workspace; two servers on it (tiles on, a token for POST
   /analysis), nginx (Debian nginx-light) in front with an upstream of both, config written here.
2. References: two analysis parameter sets (alpha 0.1 and 0.05) published in turn A, B, A through the
   two servers; after each, both servers must serve the new version and answer every path of the
   mix (tools/bench/load: tiles, items pages, school records, TileJSON) byte for byte alike; A's
   two fetches must agree and some answers must differ between A and B.
3. Load: wrk (tools/bench/load.lua) through nginx for --seconds while a publisher alternates B, A, ...
   through server 1, then 2, then 1, ... Checked: no non-200, no socket error, no answer without a
   version, every body equal to the reference of its version's parameter set, at least two versions
   answered under load, and nginx spread the requests over both servers.

--bench: no publishing; wrk through nginx with one upstream, then two, for an items-pages-only and a
cached-tiles-only mix (each path fetched once first), figures printed (and written to --json).
Needs postgresql-15-postgis-3, nginx-light and wrk (tools/deps/test.txt); fails without them.
"""
import argparse
import importlib.machinery
import importlib.util
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))


def load_module(name, path):
    spec = importlib.util.spec_from_loader(name, importlib.machinery.SourceFileLoader(name, path))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# The mix, references and body checks of the single-server load benchmark (docs/reliability.md).
load = load_module("coldspot_bench_load", os.path.join(REPO, "tools", "bench", "load"))


PUBLIC_URL = "http://coldspot.test"


def fail(message):
    print(f"FAIL: {message}", file=sys.stderr)
    sys.exit(1)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def psql(port, database, *commands):
    args = ["psql", "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "-d", database, "-q", "-v", "ON_ERROR_STOP=1"]
    for c in commands:
        args += ["-c", c]
    done = subprocess.run(args, capture_output=True, text=True)
    if done.returncode != 0:
        fail(f"psql {commands}: {done.stderr}")


def fresh_workspace(cluster, cli, name, work):
    """A new database `name` with PostGIS and the demo workspace in it; its connection string."""
    with open(os.path.join(cluster, "port")) as f:
        port = int(f.read())
    psql(port, "postgres", "SET client_min_messages = warning", f"DROP DATABASE IF EXISTS {name} WITH (FORCE)", f"CREATE DATABASE {name}")
    psql(port, name, "CREATE EXTENSION postgis")
    ws = f"PG:host=127.0.0.1 port={port} dbname={name} user=postgres"
    done = subprocess.run([cli, "demo", "-o", ws], capture_output=True, text=True,
                          env=dict(os.environ, COLDSPOT_CACHE_DIR=os.path.join(work, "cache")))
    if done.returncode != 0:
        fail("coldspot demo into PostGIS failed:\n" + done.stderr)
    return ws


def nginx_config(folder, port, upstreams=(), root=None):
    """nginx.conf: a round-robin proxy to `upstreams` at /, or a static file server of `root` (with
    HTTP range requests, as nginx serves files) at /."""
    os.makedirs(folder, exist_ok=True)
    user = "user root;\n" if os.geteuid() == 0 else ""  # the workers read files under /work and /tmp
    if upstreams:
        servers = "".join(f"    server {u};\n" for u in upstreams)
        upstream = f"  upstream coldspot {{\n{servers}    keepalive 32;\n  }}\n"
        location = """    location / {
      proxy_pass http://coldspot;
      proxy_http_version 1.1;
      proxy_set_header Connection "keep-alive";
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-For $remote_addr;
      proxy_next_upstream off;
    }
"""
    else:
        upstream = ""
        location = f"""    location / {{
      root {root};
      add_header Access-Control-Allow-Origin *;
      add_header Cache-Control "public, max-age=3600";
    }}
"""
    text = f"""{user}worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
events {{ worker_connections 1024; }}
http {{
  client_body_temp_path {folder}/client_body;
  proxy_temp_path {folder}/proxy;
  fastcgi_temp_path {folder}/fastcgi;
  uwsgi_temp_path {folder}/uwsgi;
  scgi_temp_path {folder}/scgi;
  types {{ text/html html; text/css css; text/javascript js mjs; application/json json map; application/octet-stream pmtiles; }}
  log_format test '$upstream_addr $status "$http_range" $request_uri';
  access_log {folder}/access.log test;
{upstream}  server {{
    listen 127.0.0.1:{port};
{location}  }}
}}
"""
    path = os.path.join(folder, "nginx.conf")
    with open(path, "w") as f:
        f.write(text)
    return path


class Nginx:
    def __init__(self, folder, upstreams=(), root=None):
        if not shutil.which("nginx") and not os.path.exists("/usr/sbin/nginx"):
            fail("needs nginx (apt-get install nginx-light; tools/deps/test.txt)")
        self.folder = folder
        self.port = free_port()
        conf = nginx_config(folder, self.port, upstreams, root)
        self.process = subprocess.Popen([shutil.which("nginx") or "/usr/sbin/nginx", "-p", folder, "-c", conf, "-g", "daemon off;"],
                                        stdout=subprocess.DEVNULL, stderr=open(os.path.join(folder, "stderr"), "w"))
        self.url = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                fail("nginx did not start: " + open(os.path.join(folder, "stderr")).read() + open(os.path.join(folder, "error.log")).read())
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                time.sleep(0.05)
        fail("nginx did not listen")

    def upstream_counts(self):
        counts = {}
        with open(os.path.join(self.folder, "access.log")) as f:
            for line in f:
                addr = line.split(" ", 1)[0]
                counts[addr] = counts.get(addr, 0) + 1
        return counts

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def served_version(server):
    with urllib.request.urlopen(server.url + "/healthz", timeout=30) as r:
        return json.load(r)["snapshot_version"]


def wait_for_version(servers, version, seconds=10):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if all(served_version(s) == version for s in servers):
            return
        time.sleep(0.05)
    fail(f"not every server serves version {version} {seconds} s after it was published: {[served_version(s) for s in servers]}")


def start_servers(cli, ws, work, n):
    servers = []
    for i in range(n):
        folder = os.path.join(work, f"server{i + 1}")
        os.makedirs(folder, exist_ok=True)
        # One public URL for all: the answers (links) do not depend on which server or address was asked.
        servers.append(load.Server(cli, ws, folder, ["--public-url", PUBLIC_URL]))
    return servers


def run_wrk(url, paths, work, name, seconds, connections, threads=2):
    """wrk with tools/bench/load.lua over `paths`; (wrk stdout, counts, distinct bodies)."""
    paths_file = os.path.join(work, f"{name}.paths")
    with open(paths_file, "w") as f:
        f.write("\n".join(paths) + "\n")
    prefix = os.path.join(work, f"{name}.bodies")
    counts_file = os.path.join(work, f"{name}.counts")
    done = subprocess.run(["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout=10s", "--latency",
                           "-s", os.path.join(REPO, "tools", "bench", "load.lua"), url, "--", paths_file, prefix],
                          capture_output=True, text=True, env=dict(os.environ, COLDSPOT_LOAD_COUNTS=counts_file), timeout=seconds + 120)
    if done.returncode != 0:
        fail(f"wrk failed ({done.returncode}):\n{done.stdout}{done.stderr}")
    lines = open(counts_file).read().splitlines()
    threads_ = [dict(zip(l.split()[0::2], map(int, l.split()[1::2]))) for l in lines if l.startswith("thread")]
    counts = {k: sum(t[k] for t in threads_) for k in ("responses", "failures", "unversioned", "mismatched")}
    counts["latency_ms"] = {k: int(v) / 1000 for k, v in zip(*[iter(lines[-1].split()[1:])] * 2)}
    counts.update(load.wrk_stats(done.stdout))
    return done.stdout, counts, load.parse_bodies(prefix)


def test(args, ws, work):
    servers = start_servers(args.cli, ws, work, 2)
    nginx = None
    try:
        nginx = Nginx(os.path.join(work, "nginx"), [s.url.replace("http://", "") for s in servers])
        # References: A through server 1, B through server 2, A through server 1; both servers alike.
        version_params, refs, paths = {}, [], None
        for k, i in enumerate((0, 1, 0)):
            v = servers[k % 2].publish(load.PARAMETERS[i])
            wait_for_version(servers, v)
            version_params[v] = i
            paths = paths or load.mix(servers[0].url)
            per_server = [load.references(s.url, paths, v) for s in servers]
            differ = [p for p in paths if per_server[0][p] != per_server[1][p]]
            if differ:
                fail(f"the two servers answer version {v} differently for {len(differ)} paths, e.g. {differ[:3]}")
            refs.append((i, per_server[0]))
        if refs[0][1] != refs[2][1]:
            fail("the same parameters gave different answers: " + str([p for p in paths if refs[0][1][p] != refs[2][1][p]][:5]))
        ref = {0: refs[0][1], 1: refs[1][1]}
        changing = [p for p in paths if ref[0][p] != ref[1][p]]
        if not changing:
            fail("no answer differs between the two parameter sets: a stale answer could not be seen")
        ref_bodies = {i: set(ref[i].values()) for i in ref}
        before = nginx.upstream_counts()

        published, stop = [], threading.Event()
        errors = []

        def publisher():
            i, k = 1, 0
            try:
                while not stop.is_set():
                    v = servers[k % 2].publish(load.PARAMETERS[i])
                    version_params[v] = i
                    published.append((v, k % 2 + 1))
                    i, k = 1 - i, k + 1
                    stop.wait(args.every)
            except Exception as e:  # noqa: BLE001 - reported as a failure below
                errors.append(repr(e))

        thread = threading.Thread(target=publisher, daemon=True)
        thread.start()
        out, counts, bodies = run_wrk(nginx.url, paths, work, "load", args.seconds, args.connections)
        stop.set()
        thread.join(timeout=600)
        for s in servers:
            if s.process.poll() is not None:
                fail("a server died under load:\n" + open(s.out.name).read())
        after = nginx.upstream_counts()
        if published:  # both end on the last version published, whichever server published it
            wait_for_version(servers, published[-1][0], seconds=30)
    finally:
        if nginx:
            nginx.stop()
        for s in servers:
            s.stop()

    print(out.strip())
    if errors:
        fail(f"publishing failed: {errors}")
    wrong, seen = [], {}
    for kind, a, body in bodies:
        if kind == "F":
            wrong.append(f"status {a}: {body[:300]!r}")
            continue
        v = int(a)
        seen[v] = seen.get(v, 0) + 1
        if v not in version_params:
            wrong.append(f"version {v} was never published here")
        elif body not in ref_bodies[version_params[v]]:
            other = "the other version's" if body in ref_bodies[1 - version_params[v]] else "no reference's"
            wrong.append(f"version {v}: a {len(body)}-byte body matching {other} answer")
    spread = {u: after.get(u, 0) - before.get(u, 0) for u in after}
    print(f"mix: {len(paths)} paths, {len(changing)} differ between the parameter sets")
    print(f"published under load (version, through server): {published}; versions answered: {sorted(seen)}")
    print(f"responses {counts['responses']} ({counts['rate']:.0f}/s), non-200 {counts['failures']}, socket errors {counts['socket_errors']}, "
          f"unversioned {counts['unversioned']}, record/header version mismatches {counts['mismatched']}, wrong bodies {len(wrong)}")
    print(f"requests per upstream (nginx access log): {spread}")
    for w in wrong[:10]:
        print("WRONG:", w)
    problems = []
    if counts["failures"] or counts["socket_errors"] or counts["non_2xx"] or counts["unversioned"]:
        problems.append("errors")
    if wrong or counts["mismatched"]:
        problems.append("wrong answers")
    # At least one swap under load (an analysis takes seconds on a loaded 2-core machine: how many
    # finish within the load depends on the machine).
    if len(seen) < 2:
        problems.append(f"{len(published)} publications and versions {sorted(seen)} under load: no swap was exercised")
    if counts["responses"] < 1000 or counts["responses"] < counts.get("requests", 0):
        problems.append(f"{counts['responses']} responses checked of {counts.get('requests')}")
    served = [n for n in spread.values() if n > 0]
    if len(served) != 2 or min(served) < 0.3 * sum(served):
        problems.append(f"nginx did not spread the load over both servers: {spread}")
    if problems:
        fail("; ".join(problems))
    print("PASS: two servers behind nginx, every answer one whole published version")


def bench(args, ws, work):
    """Items pages and cached tiles per second through nginx, one upstream and two."""
    servers = start_servers(args.cli, ws, work, 2)
    figures = {"seconds": args.seconds, "connections": args.connections, "cores": os.cpu_count(), "runs": []}
    try:
        v = servers[0].publish(load.PARAMETERS[0])
        wait_for_version(servers, v)
        paths = load.mix(servers[0].url)
        mixes = {"items": [p for p in paths if "/items" in p], "tiles": [p for p in paths if load.is_tile(p)]}
        for n in (1, 2):
            nginx = Nginx(os.path.join(work, f"nginx{n}"), [s.url.replace("http://", "") for s in servers[:n]])
            try:
                for name, mix in mixes.items():
                    for s in servers[:n]:  # fill the caches
                        load.references(s.url, mix, v)
                    load_before = os.getloadavg()[0]
                    _, counts, _ = run_wrk(nginx.url, mix, work, f"{name}{n}", args.seconds, args.connections)
                    if counts["failures"] or counts["socket_errors"] or counts["unversioned"]:
                        fail(f"errors under the {name} load with {n} servers: {counts}")
                    run = {"servers": n, "mix": name, "paths": len(mix), "rate": counts["rate"], "responses": counts["responses"],
                           "latency_ms": counts["latency_ms"], "loadavg_before": load_before}
                    figures["runs"].append(run)
                    print(f"{n} server(s), {name} ({len(mix)} paths): {counts['rate']:.0f} requests/s, p50 {counts['latency_ms'].get('p50')} ms, "
                          f"p99 {counts['latency_ms'].get('p99')} ms (load average before {load_before:.1f})", flush=True)
            finally:
                nginx.stop()
    finally:
        for s in servers:
            s.stop()
    if args.json:
        with open(args.json, "w") as f:
            json.dump(figures, f, indent=1)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("cluster")
    ap.add_argument("cli")
    ap.add_argument("work")
    ap.add_argument("--seconds", type=int, default=20)
    ap.add_argument("--connections", type=int, default=16)
    ap.add_argument("--every", type=float, default=1.0, help="seconds between one publication and the next")
    ap.add_argument("--bench", action="store_true")
    ap.add_argument("--json")
    args = ap.parse_args()
    if not shutil.which("wrk"):
        fail("needs wrk (tools/deps/test.txt)")
    shutil.rmtree(args.work, ignore_errors=True)
    os.makedirs(args.work)
    work = os.path.abspath(args.work)
    ws = fresh_workspace(args.cluster, args.cli, "behind_nginx", work)
    os.environ["COLDSPOT_CACHE_DIR"] = os.path.join(work, "cache")
    (bench if args.bench else test)(args, ws, work)


if __name__ == "__main__":
    main()
