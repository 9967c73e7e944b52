#!/usr/bin/env python3
"""The agent soak (issue 15): one warm sandbox, many invocations, an intake that fails by kind on a schedule.

What runs, all real and on loopback:
  - `ddsls collect` (a fresh store): the intake that acknowledges, stores and is read back at the end;
  - a fault proxy in front of it (this script), DD_TRACE_AGENT_URL for the agent: in healthy windows it forwards each
    request to the collector and relays the answer; in fault windows it answers every request with one fault kind,
    the kinds taking turns: 500, reset (RST, no answer), refused (the port is closed: connects are refused), slow
    (forwarded after --slow-ms), silent (read, never answered, held until the agent hangs up), garbage (bytes that are
    no HTTP answer, then close);
  - `ddsls coldstart --runs 1 --invocations N`: one JVM with the agent jar (the layer's wrapper) under the real AWS
    runtime interface client, a cold start then N-1 warm invocations of example.HelloHandler, the events taken in
    turn (ASCII, non-ASCII, 4 KB, empty, a number), then SIGTERM (the agent's last flush).
  - the same with the agent off, 2 events' worth of invocations each: the expected responses.

Counted:
  - invocations: answered invocations of the agent run (any error or unanswered invocation is reported);
  - faults injected, per kind: requests answered with that fault (refused: connects refused are not seen by this
    script; the agent's own count of connect failures is given instead, with the seconds the port was closed);
  - responses changed: invocations whose response differs, byte for byte (UTF-8), from the agent-off response to the
    same event;
  - spans: every invocation makes one aws.lambda span with its request id. The agent accounts for every span it
    made as sent (a 2xx), dropped (given up after a second failed attempt, or pushed out of its bounded queue;
    counted and logged) or unsent (still queued at the end), in its line "uploads at shutdown". The collector's store
    is read back whole: stored = distinct aws.lambda request ids.
      spans lost = invocations - stored - (aws.lambda spans the agent reports dropped or unsent)
    where the agent's dropped/unsent counts are of all its spans (so the bound is generous to the agent only if it
    made other spans, which it does for the cold start alone); and separately "sent but not stored" = agent's sent -
    distinct spans stored of all kinds, which must be <= 0 (a 2xx means stored). Breaker drops are in "dropped".
  - agent heap: the sandbox JVM's heap after a full GC (jcmd GC.run, then GC.heap_info), every --heap-every seconds:
    first, largest, last. The handler keeps nothing, so growth would be the agent's (or the runtime client's).

Usage: bench/agent-soak.py [--invocations 20000] [--healthy-s 20] [--fault-s 10] [--slow-ms 3000] [--heap-every 30]
                           [--flush periodically,1000|default|...] [--env KEY=VALUE]... [--out DIR]
Prints a Markdown table and writes soak.json in --out.
"""
import argparse, http.client, json, os, random, re, socket, subprocess, sys, tempfile, threading, time, urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
JAR = os.path.join(ROOT, "cli/target/ddsls.jar")
EXAMPLES = os.path.join(ROOT, "cli/target/examples/ddsls-examples.jar")
KINDS = ["500", "reset", "refused", "slow", "silent", "garbage"]
EVENTS = [{"name": "a"}, {"name": "\u00fcn\u00efc\u00f6d\u00e9 \u2713 \U0001F600"}, {"name": "x" * 4000}, {}, {"name": 42}]


class Schedule:
    """Healthy for healthy_s, then one fault kind for fault_s, the kinds in turn, from start()."""

    def __init__(self, healthy_s, fault_s):
        self.healthy_s, self.fault_s, self.t0 = healthy_s, fault_s, None

    def start(self):
        self.t0 = time.monotonic()

    def now(self):
        if self.t0 is None:
            return None
        t = (time.monotonic() - self.t0) % ((self.healthy_s + self.fault_s) * len(KINDS))
        cycle = int(t // (self.healthy_s + self.fault_s))
        return KINDS[cycle] if t - cycle * (self.healthy_s + self.fault_s) >= self.healthy_s else None


class FaultProxy:
    def __init__(self, upstream_port, schedule, slow_ms):
        self.upstream_port, self.schedule, self.slow_ms = upstream_port, schedule, slow_ms
        self.injected = {k: 0 for k in KINDS}
        self.forwarded = 0
        self.refused_s = 0.0
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.listener = self._listen(0)
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self._run, daemon=True).start()

    def _listen(self, port):
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("127.0.0.1", port))
        s.listen(64)
        s.settimeout(0.2)
        return s

    def _run(self):
        while not self.stopping.is_set():
            if self.schedule.now() == "refused":
                # The port closed for the window: the agent's connects are refused.
                self.listener.close()
                began = time.monotonic()
                while self.schedule.now() == "refused" and not self.stopping.is_set():
                    time.sleep(0.05)
                self.refused_s += time.monotonic() - began
                self.listener = self._listen(self.port)
                continue
            try:
                c, _ = self.listener.accept()
            except socket.timeout:
                continue
            threading.Thread(target=self._serve, args=(c,), daemon=True).start()

    def _count(self, kind):
        with self.lock:
            self.injected[kind] += 1

    def _serve(self, c):
        c.settimeout(120)
        buf = b""
        try:
            while True:
                req, buf = read_request(c, buf)
                if req is None:
                    return
                kind = self.schedule.now()
                if kind in ("500", "reset", "silent", "garbage", "refused"):
                    # (a request on a connection opened before the port closed gets 500 as its fault)
                    kind = "500" if kind == "refused" else kind
                    self._count(kind)
                    if kind == "500":
                        c.sendall(b"HTTP/1.1 500 Internal Server Error\r\nContent-Type: text/plain\r\nContent-Length: 15\r\n\r\ninjected fault\n")
                        continue
                    if kind == "reset":
                        c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
                        return
                    if kind == "garbage":
                        c.sendall(bytes(random.getrandbits(8) for _ in range(random.randint(1, 300))) + b"\r\n\r\n")
                        return
                    # silent: hold until the agent hangs up (or 120 s)
                    while c.recv(65536):
                        pass
                    return
                if kind == "slow":
                    self._count("slow")
                    time.sleep(self.slow_ms / 1000)
                c.sendall(self._forward(req))
                with self.lock:
                    self.forwarded += 1
        except OSError:
            return
        finally:
            try:
                c.close()
            except OSError:
                pass

    def _forward(self, req):
        method, path, headers, body = req
        conn = http.client.HTTPConnection("127.0.0.1", self.upstream_port, timeout=60)
        keep = {k: v for k, v in headers.items() if k.lower() not in ("host", "connection", "content-length", "transfer-encoding")}
        conn.request(method, path, body=body, headers=keep)
        r = conn.getresponse()
        data = r.read()
        conn.close()
        head = "HTTP/1.1 %d %s\r\n" % (r.status, r.reason)
        for k, v in r.getheaders():
            if k.lower() not in ("connection", "content-length", "transfer-encoding"):
                head += "%s: %s\r\n" % (k, v)
        head += "Content-Length: %d\r\n\r\n" % len(data)
        return head.encode("latin-1") + data

    def stop(self):
        self.stopping.set()


def read_request(c, buf):
    """One HTTP/1.1 request (Content-Length or chunked body); (None, b'') at EOF."""
    while b"\r\n\r\n" not in buf:
        d = c.recv(65536)
        if not d:
            return None, b""
        buf += d
    head, buf = buf.split(b"\r\n\r\n", 1)
    lines = head.decode("latin-1").split("\r\n")
    method, path, _ = lines[0].split(" ", 2)
    headers = {}
    for l in lines[1:]:
        k, v = l.split(":", 1)
        headers[k.strip()] = v.strip()
    lower = {k.lower(): v for k, v in headers.items()}
    if lower.get("transfer-encoding", "").lower() == "chunked":
        body = b""
        while True:
            while b"\r\n" not in buf:
                buf += c.recv(65536)
            size_line, buf = buf.split(b"\r\n", 1)
            n = int(size_line.split(b";")[0], 16)
            while len(buf) < n + 2:
                buf += c.recv(65536)
            body += buf[:n]
            buf = buf[n + 2:]
            if n == 0:
                break
    else:
        n = int(lower.get("content-length", "0"))
        while len(buf) < n:
            d = c.recv(65536)
            if not d:
                return None, b""
            buf += d
        body, buf = buf[:n], buf[n:]
    return (method, path, headers, body), buf


def descendants(pid):
    out = subprocess.run(["ps", "-e", "-o", "pid=,ppid=,args="], capture_output=True, text=True).stdout
    kids = {}
    for line in out.splitlines():
        p, pp, args = line.split(None, 2) if len(line.split(None, 2)) == 3 else (line.split() + [""])[:3]
        kids.setdefault(int(pp), []).append((int(p), args))
    found, todo = [], [pid]
    while todo:
        for p, args in kids.get(todo.pop(), []):
            found.append((p, args))
            todo.append(p)
    return found


def heap_after_gc(pid):
    """Used heap in KiB after a full GC, from jcmd (any collector: the sum of its spaces' 'used')."""
    subprocess.run(["jcmd", str(pid), "GC.run"], capture_output=True, timeout=60)
    info = subprocess.run(["jcmd", str(pid), "GC.heap_info"], capture_output=True, text=True, timeout=60).stdout
    m = re.search(r"(?:garbage-first heap|def new generation|PSYoungGen)[^\n]*used (\d+)K", info)
    if "garbage-first heap" in info and m:
        return int(m.group(1))
    return sum(int(x) for x in re.findall(r"^\s*(?:def new generation|tenured generation|PSYoungGen|ParOldGen)\s+total \d+K, used (\d+)K", info, re.M)) or None


def coldstart(out, invocations, agent, env, timeout_s=None):
    cmd = ["java", "-jar", JAR, "coldstart", "--jar", EXAMPLES, "--handler", "example.HelloHandler::handleRequest",
           "--runs", "1", "--invocations", str(invocations), "--agent", agent, "--out", out, "--format", "json"]
    for i, e in enumerate(EVENTS):
        f = os.path.join(os.path.dirname(out), "event-%d.json" % i)
        with open(f, "w", encoding="utf-8") as w:
            json.dump(e, w, ensure_ascii=False)
        cmd += ["--event", f]
    for k, v in env.items():
        cmd += ["--env", "%s=%s" % (k, v)]
    # Its output goes to files: a pipe nobody reads until the end would fill and stop it.
    return subprocess.Popen(cmd, stdout=open(out + ".stdout", "w"), stderr=open(out + ".stderr", "w"), text=True)


def invocations(out):
    rows = []
    for root, _, files in os.walk(out):
        if "invocations.jsonl" in files:
            with open(os.path.join(root, "invocations.jsonl"), encoding="utf-8") as f:
                rows += [json.loads(l) for l in f if l.strip()]
    return rows


def stderr_of(out):
    text = ""
    for root, _, files in os.walk(out):
        if "stderr.log" in files:
            with open(os.path.join(root, "stderr.log"), encoding="utf-8", errors="replace") as f:
                text += f.read()
    return text


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--invocations", type=int, default=20000)
    ap.add_argument("--healthy-s", type=float, default=20)
    ap.add_argument("--fault-s", type=float, default=10)
    ap.add_argument("--slow-ms", type=int, default=3000)
    ap.add_argument("--heap-every", type=float, default=30)
    ap.add_argument("--flush", default="periodically,1000",
                    help="DD_SERVERLESS_FLUSH_STRATEGY for the agent; 'default': unset (spans sent once 10 s have passed)")
    ap.add_argument("--env", action="append", default=[], metavar="KEY=VALUE", help="more agent settings, e.g. DDSLS_FLUSH_SLOW_MS=5000")
    ap.add_argument("--out", default=None)
    a = ap.parse_args()
    out = a.out or tempfile.mkdtemp(prefix="ddsls-soak-")
    os.makedirs(out, exist_ok=True)

    # Expected responses: the same events, agent off.
    ref = coldstart(os.path.join(out, "agent-off"), 2 * len(EVENTS), "off", {})
    ref.wait()
    expected = {}
    for r in invocations(os.path.join(out, "agent-off")):
        k = (r["invocation"] - 1) % len(EVENTS)
        if r.get("status") != "ok" or expected.setdefault(k, r["response"]) != r["response"]:
            sys.exit("the agent-off run is not deterministic or failed: %s" % r)
    if len(expected) != len(EVENTS):
        sys.exit("the agent-off run answered %d of %d events" % (len(expected), len(EVENTS)))

    store = os.path.join(out, "store")
    coll = subprocess.Popen(["java", "-Xmx512m", "-jar", JAR, "collect", "--port", "0", "--data", store],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    first = coll.stdout.readline()
    cport = int(first.strip().rsplit(":", 1)[1])
    threading.Thread(target=lambda: [None for _ in coll.stdout], daemon=True).start()
    schedule = Schedule(a.healthy_s, a.fault_s)
    proxy = FaultProxy(cport, schedule, a.slow_ms)

    began = time.monotonic()
    schedule.start()
    env = {"DD_TRACE_AGENT_URL": "http://127.0.0.1:%d" % proxy.port, "DD_SERVICE": "soak"}
    if a.flush != "default":
        env["DD_SERVERLESS_FLUSH_STRATEGY"] = a.flush
    for kv in a.env:
        k, v = kv.split("=", 1)
        env[k] = v
    run = coldstart(os.path.join(out, "agent-on"), a.invocations, "on", env)
    heap = []
    pid = None
    next_sample = time.monotonic() + 5
    while run.poll() is None:
        time.sleep(0.5)
        if time.monotonic() < next_sample:
            continue
        next_sample = time.monotonic() + a.heap_every
        if pid is None:
            for p, args in descendants(run.pid):
                if "com.amazonaws.services.lambda.runtime.api.client.AWSLambda" in args and "java" in args.split()[0]:
                    pid = p
        if pid is not None:
            try:
                kb = heap_after_gc(pid)
                if kb:
                    heap.append((round(time.monotonic() - began), kb))
            except (subprocess.SubprocessError, OSError):
                pass
    run.wait()
    with open(os.path.join(out, "agent-on.stderr"), encoding="utf-8", errors="replace") as f:
        stderr = f.read()
    wall = time.monotonic() - began
    proxy.stop()

    rows = invocations(os.path.join(out, "agent-on"))
    ok = [r for r in rows if r.get("status") == "ok"]
    changed = [r["invocation"] for r in ok if r["response"] != expected[(r["invocation"] - 1) % len(EVENTS)]]
    agent_log = stderr_of(os.path.join(out, "agent-on"))
    m = re.search(r"uploads at shutdown: spans sent=(\d+) dropped=(\d+) unsent=(\d+) failedAttempts=(\d+); profile uploads sent=(\d+) "
                  r"dropped=(\d+) unsent=(\d+) failedAttempts=(\d+).*?; failures (\{.*\})", agent_log)
    agent = None
    if m:
        agent = {"spansSent": int(m.group(1)), "spansDropped": int(m.group(2)), "spansUnsent": int(m.group(3)),
                 "spanFailedAttempts": int(m.group(4)), "profilesSent": int(m.group(5)), "profilesDropped": int(m.group(6)),
                 "profilesUnsent": int(m.group(7)), "profileFailedAttempts": int(m.group(8)), "failures": m.group(9)}

    # The store, read back whole (the collector stays up until here).
    spans = json.loads(urllib.request.urlopen("http://127.0.0.1:%d/ddsls/v1/spans?all=true" % cport, timeout=600).read())["spans"]
    coll.terminate()
    coll.wait(60)
    lambda_ids = {s.get("meta", {}).get("request_id") for s in spans if s.get("name") == "aws.lambda"}
    lambda_ids.discard(None)
    span_ids = {(s.get("trace_id"), s.get("span_id")) for s in spans}
    invoked_ids = {r["requestId"] for r in ok}
    stored = len(lambda_ids & invoked_ids)
    given_up = (agent["spansDropped"] + agent["spansUnsent"]) if agent else 0
    lost = len(ok) - stored - given_up
    result = {
        "invocations": len(ok), "notOk": len(rows) - len(ok), "wallSeconds": round(wall), "faultsInjected": proxy.injected,
        "refusedSeconds": round(proxy.refused_s), "forwarded": proxy.forwarded, "responsesChanged": len(changed),
        "changedInvocations": changed[:20], "awsLambdaSpansStored": stored, "spansStored": len(span_ids),
        "duplicateSpans": len(spans) - len(span_ids), "agent": agent,
        "spansLost": max(0, lost), "sentButNotStored": (agent["spansSent"] - len(span_ids)) if agent else None,
        "heapAfterGcKiB": heap, "agentLogLines": [l for l in agent_log.splitlines() if l.startswith("ddsls:")][:40],
    }
    with open(os.path.join(out, "soak.json"), "w") as f:
        json.dump(result, f, indent=1)
    hk = [k for _, k in heap]
    print("| measure | value |\n|---|---|")
    print("| invocations (answered; not answered) | %d; %d |" % (len(ok), len(rows) - len(ok)))
    print("| wall time | %d s |" % wall)
    print("| faults injected (requests) | %s; refused: port closed %d s |" % (", ".join("%s %d" % (k, v) for k, v in proxy.injected.items() if k != "refused"), proxy.refused_s))
    print("| requests forwarded to the collector | %d |" % proxy.forwarded)
    print("| responses changed | %d |" % len(changed))
    if agent:
        print("| agent: spans sent / dropped / unsent; failed attempts | %d / %d / %d; %d |" % (agent["spansSent"], agent["spansDropped"], agent["spansUnsent"], agent["spanFailedAttempts"]))
        print("| agent: profile uploads sent / dropped / unsent | %d / %d / %d |" % (agent["profilesSent"], agent["profilesDropped"], agent["profilesUnsent"]))
        print("| agent: failures by kind | %s |" % agent["failures"])
    print("| aws.lambda spans stored (distinct request ids of answered invocations) | %d |" % stored)
    print("| spans stored, all kinds (distinct); duplicates | %d; %d |" % (len(span_ids), len(spans) - len(span_ids)))
    print("| spans lost (invocations - stored - dropped - unsent) | %d |" % max(0, lost))
    print("| sent but not stored (agent's sent - distinct stored) | %s |" % result["sentButNotStored"])
    if hk:
        print("| sandbox heap after full GC: first / max / last (%d samples) | %d / %d / %d KiB |" % (len(hk), hk[0], max(hk), hk[-1]))
    print("\nout: %s" % out)
    if stderr.strip():
        print("coldstart stderr: " + stderr.strip()[-500:], file=sys.stderr)


if __name__ == "__main__":
    main()
