#!/usr/bin/env python3
"""A loopback HTTP server standing in for the data publishers in coldspot fetch tests.

Serves ROOT (files and symlinks) on 127.0.0.1 with the HTTP features a publisher's server has and
coldspot fetch relies on: ETag and Last-Modified validators, conditional GETs (304), byte ranges
with If-Range (206, or 200 when the validator no longer matches). Faults are switched on per path
through POST /__control with a JSON object {"/path": {...}}:

  {"status": 404}                         answer with this status
  {"redirect": "/other/path"}             302 to another path
  {"truncate_at": N, "times": K}          announce the full length, send N bytes, close (K times)
  {"stall_after": N, "seconds": S, "times": K}  send N bytes, then nothing for S seconds (K times)

GET /__log returns every request as [{"path", "range", "if_none_match", "status", "bytes"}];
POST /__reset forgets the log and the faults. Run as a program it prints "PORT n" and serves
until stdin closes (so the parent process dying stops it).
"""
import email.utils
import hashlib
import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class MirrorHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):  # quiet: the test reads /__log instead
        pass

    # -- helpers
    def _record(self, status, sent):
        with self.server.lock:
            self.server.log.append({"path": self.path, "range": self.headers.get("Range"),
                                    "if_none_match": self.headers.get("If-None-Match"),
                                    "if_range": self.headers.get("If-Range"), "status": status, "bytes": sent})

    def _simple(self, status, body=b"", headers=None, record=True):
        self.send_response(status)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body:
            self.wfile.write(body)
        if record:
            self._record(status, len(body))

    def _etag(self, path, st):
        key = (path, st.st_size, st.st_mtime_ns)
        with self.server.lock:
            tag = self.server.etags.get(key)
        if tag is None:
            h = hashlib.sha1()
            with open(path, "rb") as f:
                for chunk in iter(lambda: f.read(1 << 20), b""):
                    h.update(chunk)
            tag = '"' + h.hexdigest()[:16] + '"'
            with self.server.lock:
                self.server.etags[key] = tag
        return tag

    def _fault(self):
        with self.server.lock:
            fault = self.server.faults.get(self.path)
            if fault and "times" in fault:
                if fault["times"] <= 0:
                    return None
                fault["times"] -= 1
            return dict(fault) if fault else None

    # -- control
    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length) if length else b""
        if self.path == "/__control":
            with self.server.lock:
                self.server.faults.update(json.loads(body or b"{}"))
            return self._simple(204, record=False)
        if self.path == "/__reset":
            with self.server.lock:
                self.server.faults.clear()
                self.server.log.clear()
            return self._simple(204, record=False)
        return self._simple(404, record=False)

    def do_GET(self):
        if self.path == "/__log":
            with self.server.lock:
                body = json.dumps(self.server.log).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        fault = self._fault()
        if fault and "status" in fault:
            return self._simple(fault["status"], b"fault\n")
        if fault and "redirect" in fault:
            return self._simple(302, b"", {"Location": fault["redirect"]})
        local = os.path.join(self.server.root, self.path.lstrip("/").split("?")[0])
        if not os.path.isfile(local):
            return self._simple(404, b"not found\n")
        st = os.stat(local)
        etag = self._etag(local, st)
        last_modified = email.utils.formatdate(st.st_mtime, usegmt=True)
        validators = {"ETag": etag, "Last-Modified": last_modified, "Accept-Ranges": "bytes"}
        inm = self.headers.get("If-None-Match")
        ims = self.headers.get("If-Modified-Since")
        if (inm and inm == etag) or (not inm and ims and ims == last_modified):
            return self._simple(304, b"", validators)
        size = st.st_size
        start = 0
        rng = self.headers.get("Range")
        if_range = self.headers.get("If-Range")
        if rng and rng.startswith("bytes=") and (not if_range or if_range in (etag, last_modified)):
            start = int(rng[6:].split("-")[0])
            if start >= size:
                return self._simple(416, b"", {"Content-Range": "bytes */%d" % size})
        status = 206 if start > 0 else 200
        self.send_response(status)
        for k, v in validators.items():
            self.send_header(k, v)
        if status == 206:
            self.send_header("Content-Range", "bytes %d-%d/%d" % (start, size - 1, size))
        self.send_header("Content-Length", str(size - start))
        self.end_headers()
        sent = 0
        limit = size - start
        cut = fault.get("truncate_at") if fault else None
        stall = fault.get("stall_after") if fault else None
        try:
            with open(local, "rb") as f:
                f.seek(start)
                while sent < limit:
                    want = min(1 << 16, limit - sent)
                    if cut is not None:
                        want = min(want, cut - sent)
                    if stall is not None and sent >= stall:
                        time.sleep(fault.get("seconds", 30))
                        break
                    if stall is not None:
                        want = min(want, stall - sent)
                    if want <= 0:
                        break
                    chunk = f.read(want)
                    if not chunk:
                        break
                    self.wfile.write(chunk)
                    sent += len(chunk)
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass
        if sent < limit:
            self.close_connection = True
        self._record(status, sent)


def start(root, port=0):
    server = ThreadingHTTPServer(("127.0.0.1", port), MirrorHandler)
    server.daemon_threads = True
    server.root = root
    server.lock = threading.Lock()
    server.faults = {}
    server.log = []
    server.etags = {}
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


if __name__ == "__main__":
    srv = start(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 0)
    print("PORT %d" % srv.server_address[1], flush=True)
    sys.stdin.read()  # until the parent closes our stdin (or dies)
    srv.shutdown()
