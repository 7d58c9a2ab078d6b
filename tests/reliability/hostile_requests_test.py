"""The hostile-request matrix (issue 17) against a real `coldspot serve`: every case is raw bytes on a
socket with its expected status and a problem document (RFC 9457) for every refusal; the server stays
up through three passes and its memory does not grow from the second pass to the third. Then the
shapes that need time: slow writers and readers (bounded), a thousand idle connections, a pipelined
flood, and the bearer token by timing.

usage: hostile_requests_test.py --cli coldspot --work DIR [--workspace demo.gpkg] [--passes 3]
"""
import json
import os
import re
import resource
import socket
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "clients"))
import harness  # noqa: E402
from harness import check  # noqa: E402

TOKEN = "t0ken-Of-Thirty-Two-Characters!"


def exchange(port, data, timeout=10.0, read_all=True):
    """Sends `data` (bytes, or a list of bytes sent one after another) and reads until the server closes
    or stops sending for a moment after a complete answer. Returns the raw bytes received."""
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    try:
        for piece in data if isinstance(data, list) else [data]:
            try:
                s.sendall(piece)
            except (BrokenPipeError, ConnectionResetError):
                break  # refused early (413 before the body): read what was answered
        s.settimeout(timeout)
        out = b""
        while True:
            try:
                chunk = s.recv(65536)
            except socket.timeout:
                break
            except ConnectionResetError:
                break
            if not chunk:
                break
            out += chunk
            if not read_all and complete(out):
                break
            if complete(out):
                s.settimeout(0.3)  # a complete answer: wait briefly for a close or a pipelined rest
    finally:
        s.close()
    return out


def complete(raw):
    head_end = raw.find(b"\r\n\r\n")
    if head_end < 0:
        return False
    head = raw[:head_end].decode("latin-1").lower()
    m = re.search(r"\r\ncontent-length: *(\d+)", head)
    if m:
        return len(raw) - head_end - 4 >= int(m.group(1))
    if "transfer-encoding: chunked" in head:
        return raw.endswith(b"0\r\n\r\n")
    return True


def parse(raw):
    """(status, headers dict lower-case, body) of the first response in `raw`."""
    head_end = raw.find(b"\r\n\r\n")
    check(head_end > 0, f"no HTTP response, got {raw[:200]!r}")
    lines = raw[:head_end].decode("latin-1").split("\r\n")
    m = re.match(r"HTTP/1\.1 (\d{3}) ", lines[0])
    check(m is not None, f"bad status line {lines[0]!r}")
    headers = {}
    for line in lines[1:]:
        k, _, v = line.partition(":")
        headers[k.strip().lower()] = v.strip()
    body = raw[head_end + 4:]
    if "content-length" in headers:
        body = body[:int(headers["content-length"])]
    return int(m.group(1)), headers, body


def req(target, method="GET", headers=(), body=b"", version="HTTP/1.1"):
    lines = [f"{method} {target} {version}", "Host: 127.0.0.1"] + list(headers)
    if body:
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def analysis(body, token=TOKEN, ctype="application/json", extra=()):
    h = [f"Content-Type: {ctype}"] + ([f"Authorization: Bearer {token}"] if token else []) + list(extra)
    return req("/analysis", "POST", h, body.encode() if isinstance(body, str) else body)


def cases(tileset, collection):
    t = f"/tiles/{tileset}"
    items = f"/collections/{collection}/items"
    big = "a" * 5000
    c = [
        # -- numbers: huge, negative, NaN, infinity, out of range ------------------------------------
        ("z huge", req(f"{t}/99999999999999999999/0/0.mvt"), 400),
        ("z negative", req(f"{t}/-1/0/0.mvt"), 400),
        ("x negative", req(f"{t}/5/-1/0.mvt"), 400),
        ("x = 2^z", req(f"{t}/5/32/0.mvt"), 400),
        ("y = 2^z", req(f"{t}/5/0/32.mvt"), 400),
        ("z 23", req(f"{t}/23/0/0.mvt"), 400),
        ("z NaN", req(f"{t}/NaN/0/0.mvt"), 400),
        ("z inf", req(f"{t}/inf/0/0.mvt"), 400),
        ("z hex", req(f"{t}/0x1/0/0.mvt"), 400),
        ("z exponent", req(f"{t}/1e1/0/0.mvt"), 400),
        ("z plus sign", req(f"{t}/+1/0/0.mvt"), 400),
        ("y 2^32", req(f"{t}/22/0/4294967296.mvt"), 400),
        ("tile wrong suffix", req(f"{t}/1/0/0.png"), 404),
        ("limit negative", req(f"{items}?limit=-1"), 400),
        ("limit zero", req(f"{items}?limit=0"), 400),
        ("limit NaN", req(f"{items}?limit=NaN"), 400),
        ("limit exponent", req(f"{items}?limit=1e3"), 400),
        ("limit 10^23", req(f"{items}?limit=99999999999999999999999"), 400),
        ("offset negative", req(f"{items}?offset=-5"), 400),
        ("offset 10^20", req(f"{items}?offset=99999999999999999999"), 400),
        ("offset past the end", req(f"{items}?offset=1000000000&limit=1"), 200),
        ("bbox NaN", req(f"{items}?bbox=nan,nan,nan,nan"), 400),
        ("bbox infinite", req(f"{items}?bbox=-inf,-90,inf,90"), 400),
        ("bbox three numbers", req(f"{items}?bbox=1,2,3"), 400),
        ("bbox 1e400", req(f"{items}?bbox=1e400,0,0,0"), 400),
        ("bbox min above max", req(f"{items}?bbox=10,10,0,0"), 400),
        ("bbox across the antimeridian", req(f"{items}?bbox=170,0,-170,10"), 400),
        ("crs unknown", req(f"{items}?crs=EPSG:99999"), 400),
        ("crs with markup", req(f"{items}?crs=%3Cscript%3Ealert(1)%3C/script%3E"), 400),
        ("bbox-crs unknown", req(f"{items}?bbox=0,0,1,1&bbox-crs=foo"), 400),
        ("unknown parameter", req(f"{items}?colour=red"), 400),
        ("repeated parameter", req(f"{items}?limit=1&limit=2"), 400),
        ("33 parameters", req(items + "?" + "&".join(f"p{i}=1" for i in range(33))), 400),
        ("fid 10^23", req(f"/collections/{collection}/items/99999999999999999999999"), 404),
        ("fid negative", req(f"/collections/{collection}/items/-1"), 404),
        # -- paths that try to name a file ------------------------------------------------------------
        ("traversal plain", req("/../../../../etc/passwd"), 404),
        ("traversal in tileset", req("/tiles/../../../etc/passwd.json"), 404),
        ("traversal encoded", req("/tiles/..%2f..%2f..%2fetc%2fpasswd.json"), 404),
        ("traversal double-encoded", req("/tiles/%252e%252e%252f%252e%252e%252fetc%252fpasswd.json"), 404),
        ("traversal backslashes", req("/tiles/..\\..\\..\\etc\\passwd.json"), 404),
        ("traversal encoded backslashes", req("/collections/..%5c..%5cetc%5cpasswd"), 404),
        ("NUL in the path", req("/tiles/schools%00.json"), 404),
        ("NUL in a collection", req("/collections/schools%00/items"), 404),
        ("dot segments encoded", req("/%2e%2e/%2e%2e/etc/passwd"), 404),
        ("double slash", req("//etc/passwd"), 404),
        ("workspace file by name", req("/demo.gpkg"), 404),
        ("proc self", req("/collections/%2fproc%2fself%2fenviron/items"), 404),
        ("malformed escape", req("/collections/%ZZ"), 400),
        ("markup in the path", req("/%3Cscript%3Ealert(1)%3C/script%3E"), 404),
        ("markup in a parameter name", req(f"{items}?%3Cimg%20src=x%20onerror=alert(1)%3E=1"), 400),
        # -- sizes --------------------------------------------------------------------------------------
        ("request line 5000 bytes", req("/" + big), 414),
        ("query 5000 bytes", req(f"{items}?x={big}"), 414),
        ("one header of 20 KB", req("/", headers=["X-Big: " + "b" * 20000]), 431),
        ("4000 small headers", req("/", headers=[f"X-{i}: v" for i in range(4000)]), 431),
        ("declared body 10 MB", req("/analysis", "POST", ["Content-Type: application/json", "Content-Length: 10000000"]), 413),
        ("body 200 KB sent", analysis("[" + "1," * 100000 + "1]"), 413),
        ("chunked body 200 KB", b"POST /analysis HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\n"
         + b"".join(b"4000\r\n" + b"x" * 0x4000 + b"\r\n" for _ in range(13)) + b"0\r\n\r\n", 413),
        # -- methods and protocols ----------------------------------------------------------------------
        ("unknown method", req("/", "BREW"), 501),
        ("lower-case method", req("/", "get"), 501),
        ("PUT", req("/", "PUT"), 405),
        ("DELETE", req("/collections", "DELETE"), 405),
        ("PATCH", req("/collections", "PATCH"), 405),
        ("TRACE", req("/", "TRACE"), 405),
        # CONNECT is a method Pistache knows; its authority-form target names no resource here.
        ("CONNECT", b"CONNECT 127.0.0.1:443 HTTP/1.1\r\nHost: 127.0.0.1:443\r\n\r\n", 404),
        ("HTTP/0.9", b"GET /\r\n", 400),
        # PRI is refused as an unknown method before its version is looked at.
        ("HTTP/2 preface", b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 501),
        ("HTTP/1.2", req("/", version="HTTP/1.2"), 505),
        ("HTTP/9.9", req("/", version="HTTP/9.9"), 505),
        ("garbage line", b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n", 400),
        ("TLS client hello", b"\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03" + b"\x00" * 32 + b"\r\n\r\n", 400),
        # -- request smuggling shapes -------------------------------------------------------------------
        ("CL and TE", b"POST /analysis HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400),
        ("TE and CL", b"POST /analysis HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n0\r\n\r\n", 400),
        ("two different CLs", b"POST /analysis HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 5\r\n\r\n{}abc", 400),
        ("two equal CLs", b"POST /analysis HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\n{}", 400),
        ("CL negative", b"POST /analysis HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n", 400),
        ("CL not a number", b"POST /analysis HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n", 400),
        ("TE not chunked", b"POST /analysis HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n", 501),
        ("TE chunked, identity", b"POST /analysis HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n", 501),
        ("bad chunk size", b"POST /analysis HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 400),
        ("space before colon", b"GET / HTTP/1.1\r\nHost : x\r\n\r\n", 400),
        # -- the write token ----------------------------------------------------------------------------
        ("no token", analysis("{}", token=None), 401),
        ("wrong token", analysis("{}", token="wrong-" + TOKEN), 401),
        ("token with markup", analysis("{}", token="<script>x</script>"), 401),
        ("token as Basic", analysis("{}", token=None, extra=["Authorization: Basic " + TOKEN]), 401),
        ("right token, text body", analysis("{}", ctype="text/plain"), 415),
        ("right token, broken JSON", analysis("{\"statistics\":"), 400),
        ("right token, permutations -1", analysis('{"statistics":{"permutations":-1}}'), 422),
        ("right token, NaN weight", analysis('{"statistics":{"alpha":NaN}}'), 400),
        ("right token, 1e999", analysis('{"statistics":{"alpha":1e999}}'), 400),  # was a 500
        ("right token, unknown key with markup", analysis('{"<b>x</b>":1}'), 422),
    ]
    return c


def check_answer(name, raw, expected):
    status, headers, body = parse(raw)
    check(status == expected, f"{name}: expected {expected}, got {status}: {body[:300]!r}")
    check(headers.get("x-content-type-options") == "nosniff", f"{name}: no X-Content-Type-Options: nosniff")
    if status >= 400:
        check(headers.get("content-type") == "application/problem+json", f"{name}: {status} without a problem document")
        doc = json.loads(body)
        check(doc.get("status") == status and doc.get("title") and doc.get("detail"), f"{name}: problem members missing: {doc}")
        for ch in (b"<", b">"):
            check(ch not in body, f"{name}: the problem document carries markup: {body[:300]!r}")
        check(TOKEN.encode() not in body and b"wrong-" not in body, f"{name}: the problem repeats the token")
    return status


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        return int(re.search(r"VmRSS:\s+(\d+)", f.read()).group(1))


def run_matrix(port, matrix):
    for name, data, expected in matrix:
        check_answer(name, exchange(port, data), expected)


def slow_writer(port):
    """A request sent a byte at a time over ~1.5 s is answered; one that stalls mid-headers past the
    request timeout (2 s here) is closed without an answer."""
    data = req("/collections")
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    for i in range(len(data)):
        s.sendall(data[i:i + 1])
        time.sleep(1.5 / len(data))
    raw = b""
    while not complete(raw):
        chunk = s.recv(65536)
        if not chunk:
            break
        raw += chunk
    s.close()
    check(parse(raw)[0] == 200, "slow writer: not answered")
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    s.sendall(b"GET /collections HTTP/1.1\r\nHost: x\r\nX-Slow: ")
    start = time.monotonic()
    got = s.recv(65536)
    waited = time.monotonic() - start
    s.close()
    check(got == b"", f"stalled writer: expected a close without bytes, got {got[:100]!r}")
    check(waited < 8, f"stalled writer: closed only after {waited:.1f} s")


def slow_reader(port, collection):
    """A client that asks for a large page and does not read holds only its own connection: others are
    answered meanwhile, and the slow one gets the whole page when it reads."""
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.connect(("127.0.0.1", port))
    s.sendall(req(f"/collections/{collection}/items?limit=10000"))
    time.sleep(0.5)
    start = time.monotonic()
    status, _, _ = parse(exchange(port, req("/healthz")))
    check(status == 200 and time.monotonic() - start < 2, "a slow reader held up another client")
    s.settimeout(10)
    raw = b""
    while not complete(raw):
        chunk = s.recv(4096)
        if not chunk:
            break
        raw += chunk
        time.sleep(0.0005)
    s.close()
    status, _, body = parse(raw)
    check(status == 200 and json.loads(body)["type"] == "FeatureCollection", "slow reader: page incomplete")


def idle_connections(port, count):
    """`count` connections that send nothing: the server keeps answering others, and closes them at the
    keep-alive timeout (2 s here)."""
    socks = []
    for _ in range(count):
        s = socket.create_connection(("127.0.0.1", port), timeout=10)
        socks.append(s)
    start = time.monotonic()
    status, _, _ = parse(exchange(port, req("/healthz")))
    check(status == 200 and time.monotonic() - start < 2, f"with {count} idle connections the server did not answer in time")
    time.sleep(4)
    closed = 0
    for s in socks:
        s.settimeout(2)
        try:
            closed += s.recv(1) == b""
        except (socket.timeout, ConnectionResetError):
            pass
        s.close()
    check(closed == count, f"only {closed} of {count} idle connections were closed after the keep-alive timeout")


def pipelined_flood(port, n):
    """`n` requests in one write, answered in order, the last with Connection: close."""
    data = b"".join(req(f"/collections/x{i}") for i in range(n - 1)) + req("/healthz", headers=["Connection: close"])
    raw = exchange(port, data, timeout=30)
    statuses = re.findall(rb"HTTP/1\.1 (\d{3}) ", raw)
    check(len(statuses) == n, f"pipelined flood: {len(statuses)} answers to {n} requests")
    check(all(s == b"404" for s in statuses[:-1]) and statuses[-1] == b"200", "pipelined flood: wrong statuses")
    order = re.findall(rb'"instance":"/collections/x(\d+)"', raw)
    check([int(i) for i in order] == list(range(n - 1)), "pipelined flood: answers out of order")


def token_timing(port):
    """401s for a guess sharing no prefix with the token and for one right but for its last character take
    the same time (medians within 25% and 1 ms): the comparison does not stop at the first difference."""
    def median_ms(token, n=300):
        s = socket.create_connection(("127.0.0.1", port), timeout=10)
        times = []
        data = analysis("{}", token=token, extra=["Connection: keep-alive"])
        for _ in range(n):
            start = time.perf_counter()
            s.sendall(data)
            raw = b""
            while not complete(raw):
                raw += s.recv(65536)
            times.append((time.perf_counter() - start) * 1000)
            check(parse(raw)[0] == 401, "token timing: not a 401")
        s.close()
        return statistics.median(times)
    far = median_ms("X" * len(TOKEN))
    near = median_ms(TOKEN[:-1] + "X")
    check(abs(far - near) <= max(1.0, 0.25 * max(far, near)), f"token timing: {far:.3f} ms vs {near:.3f} ms")
    return far, near


def main():
    args = harness.parse_args({"--passes": {"type": int, "default": 3}, "--idle": {"type": int, "default": 2000}})
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 8192), hard))  # the server inherits it
    gpkg = harness.workspace(args)
    with open(os.path.join(args.work, "token.txt"), "w") as f:
        f.write(TOKEN + "\n")
    extra = ["--token-file", os.path.join(args.work, "token.txt"), "--keepalive-timeout", "2", "--request-timeout", "2"]
    with harness.Server(args.cli, gpkg, args.work, extra) as server:
        port = server.port
        tilesets = json.loads(parse(exchange(port, req("/tiles")))[2])["tilesets"]
        tileset = tilesets[0]["id"] if "id" in tilesets[0] else tilesets[0]["name"]
        collections = [c["id"] for c in json.loads(parse(exchange(port, req("/collections")))[2])["collections"]]
        collection = "schools" if "schools" in collections else collections[0]
        matrix = cases(tileset, collection)
        print(f"{len(matrix)} cases, tileset {tileset}, collection {collection}")
        check(len(matrix) >= 60, "the matrix has fewer than 60 cases")
        rss = []
        for p in range(args.passes):
            run_matrix(port, matrix)
            check(server.process.poll() is None, f"the server died in pass {p + 1}")
            rss.append(rss_kb(server.process.pid))
        print("RSS after each pass (KB):", rss)
        if len(rss) >= 3:
            growth = rss[-1] - rss[1]
            check(growth <= max(4096, rss[1] // 20), f"memory grew by {growth} KB from pass 2 to pass {len(rss)}")
        slow_writer(port)
        slow_reader(port, collection)
        idle_connections(port, args.idle)
        pipelined_flood(port, 1000)
        far, near = token_timing(port)
        print(f"token timing: median {far:.3f} ms (first byte wrong) vs {near:.3f} ms (last byte wrong)")
        run_matrix(port, matrix)  # still answering everything as before
        check(server.process.poll() is None, "the server died")
        print("RSS at the end (KB):", rss_kb(server.process.pid))
        log = open(server.log_path).read()
        check(TOKEN not in log and TOKEN not in server.output(), "the token appears in the server's log")


if __name__ == "__main__":
    harness.run_main(main)
