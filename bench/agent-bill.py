#!/usr/bin/env python3
"""What the ddsls agent costs every warm invocation, and on the bill, measured by `ddsls coldstart`.

The Runtime API emulator records per invocation Lambda's billed Duration (`durationMs`: from the event's hand-out until
the runtime and every INVOKE extension have asked for the next event) and its post-runtime part (`postRuntimeMs`), to
the microsecond; their difference is the event-to-response time at that precision (`invocationsMs` is rounded to
0.1 ms, too coarse for a cost of a tenth of a millisecond).

Configurations, interleaved round by round so machine drift hits all of them alike; each is one
`ddsls coldstart --runs 1` process, a cold start followed by warm invocations:
  trivial/none, trivial/agent  example.HelloHandler, no agent and the agent profiling (layer's wrapper, defaults:
                               spans sent at the end of an invocation once 10 s have passed since the last send)
  trivial/agent-end            the same with DD_SERVERLESS_FLUSH_STRATEGY=end: spans sent after every invocation
  cpu/none, cpu/agent          example.RulesHandler building --cpu-rounds rules per invocation (CPU-bound)
  intake/slow, intake/failing, intake/silent
                               as trivial/agent-end (a flush due after every invocation: the case the agent's circuit
                               breaker is for), DD_TRACE_AGENT_URL pointing at a loopback intake this script runs:
                               answers after --slow-ms, answers 500, or accepts and never answers
The agent's uploads otherwise go to the emulator, which answers at once (the healthy intake).

Reported: per warm invocation (invocations 2..M of every run, pooled), p50/p99 of event-to-response and of Duration,
and what the agent adds (agent minus none at each percentile; the p50 also paired by round); the CPU-bound handler's
throughput (invocations per second of event-to-response time, second half of each run) with and without the agent; the first invocation's
post-runtime part (the first flush after the cold start, with the cold profile); per intake, the total Duration of
the first --intake-invocations invocations against trivial/agent-end's same invocations of the same round.

Usage: bench/agent-bill.py [--rounds 10] [--invocations 101] [--cpu-rounds 15000] [--intake-invocations 20]
                           [--slow-ms 300]
Prints Markdown tables for docs/benchmarks.md.
"""
import argparse, json, os, socket, socketserver, statistics, subprocess, sys, tempfile, threading, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXAMPLES = os.path.join(ROOT, "cli/target/examples/ddsls-examples.jar")
HOLD_LIMIT_S = 120  # the silent intake lets go of a connection after this, whatever the agent does
EVERY_INVOCATION = ["--env", "DD_SERVERLESS_FLUSH_STRATEGY=end"]  # spans sent after every invocation


def quantile(xs, p):
    """Type 7 (linear between closest ranks), as ddsls's own percentiles."""
    s = sorted(xs)
    h = (len(s) - 1) * p
    lo = int(h)
    return s[lo] if lo >= len(s) - 1 else s[lo] + (h - lo) * (s[lo + 1] - s[lo])


class Intake(socketserver.ThreadingTCPServer):
    """A loopback trace/profile intake that misbehaves one way: 'slow', 'failing' or 'silent'."""
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, mode, slow_ms):
        self.mode, self.slow_ms = mode, slow_ms
        self.stopping = threading.Event()
        self.received = 0  # requests read (slow, failing) or connections accepted (silent), all rounds
        super().__init__(("127.0.0.1", 0), IntakeHandler)
        threading.Thread(target=self.serve_forever, name="intake-" + mode, daemon=True).start()

    @property
    def url(self):
        return "http://127.0.0.1:%d" % self.server_address[1]

    def stop(self):
        self.stopping.set()
        self.shutdown()
        self.server_close()


class IntakeHandler(socketserver.BaseRequestHandler):
    def handle(self):
        srv, sock = self.server, self.request
        sock.settimeout(1.0)
        if srv.mode == "silent":
            srv.received += 1
            # Accepts and reads, never answers; holds the connection until the agent gives up, the bench ends or
            # HOLD_LIMIT_S passes.
            end = time.monotonic() + HOLD_LIMIT_S
            while not srv.stopping.is_set() and time.monotonic() < end:
                try:
                    if not sock.recv(65536):
                        return
                except socket.timeout:
                    continue
                except OSError:
                    return
            return
        if not self.read_request(sock):
            return
        srv.received += 1
        if srv.mode == "slow":
            srv.stopping.wait(srv.slow_ms / 1000.0)
            status, body = "200 OK", b"{}"
        else:
            status, body = "500 Internal Server Error", b'{"error":"bench intake failing on purpose"}'
        try:
            sock.sendall(("HTTP/1.1 %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\nConnection: close\r\n\r\n"
                          % (status, len(body))).encode() + body)
        except OSError:
            pass

    @staticmethod
    def read_request(sock):
        """Reads one request (head, then a Content-Length body); False when the peer went away first."""
        data = b""
        try:
            while b"\r\n\r\n" not in data:
                chunk = sock.recv(65536)
                if not chunk:
                    return False
                data += chunk
            head, rest = data.split(b"\r\n\r\n", 1)
            length = 0
            for line in head.split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value.strip())
            while len(rest) < length:
                chunk = sock.recv(65536)
                if not chunk:
                    return False
                rest += chunk
            return True
        except (OSError, ValueError):
            return False


def coldstart(out, handler, event, invocations, args, cli=None, examples=EXAMPLES):
    """One `coldstart --runs 1`; `cli` is the command that runs ddsls (default: this checkout's launcher)."""
    cmd = (cli or [os.path.join(ROOT, "ddsls")]) + ["coldstart", "--jar", examples, "--handler", handler, "--event", event,
           "--runs", "1", "--invocations", str(invocations), "--format", "json", "--out", out] + args
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit("coldstart failed (%s): %s%s" % (" ".join(args), p.stdout[-300:], p.stderr.strip()[-500:]))
    with open(os.path.join(out, "results.json")) as f:
        run = json.load(f)["runs"][0]
    if run["status"] != "ok" or any(d is None for d in run["durationMs"]):
        sys.exit("run not ok or not measured (%s): %s" % (" ".join(args), run.get("error")))
    # Event to response at the microsecond: Duration minus its post-runtime part.
    return {"toResponse": [d - p for d, p in zip(run["durationMs"], run["postRuntimeMs"])],
            "duration": run["durationMs"], "postRuntime": run["postRuntimeMs"]}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=10)
    ap.add_argument("--invocations", type=int, default=101, help="per run: 1 cold + N-1 warm")
    ap.add_argument("--cpu-rounds", type=int, default=15000, help="rules the CPU-bound handler builds per invocation")
    ap.add_argument("--intake-invocations", type=int, default=20)
    ap.add_argument("--slow-ms", type=int, default=300, help="the slow intake's delay before each answer")
    a = ap.parse_args()
    if a.invocations < 2 or a.intake_invocations < 1 or a.intake_invocations > a.invocations:
        sys.exit("need --invocations >= 2 and 1 <= --intake-invocations <= --invocations")
    subprocess.run([os.path.join(ROOT, "ddsls"), "--version"], check=True, capture_output=True)  # builds if needed
    if a.rounds * (a.invocations - 1) < 1000:
        print("note: %d warm invocations per configuration; the targets are judged on at least 1,000"
              % (a.rounds * (a.invocations - 1)), file=sys.stderr)

    intakes = {m: Intake(m, a.slow_ms) for m in ("slow", "failing", "silent")}
    tmp = tempfile.mkdtemp(prefix="ddsls-bill-")
    hello, rules = os.path.join(tmp, "hello.json"), os.path.join(tmp, "rules.json")
    with open(hello, "w") as f:
        f.write('{"name":"bench"}')
    with open(rules, "w") as f:
        f.write('{"rounds": %d}' % a.cpu_rounds)
    trivial = ("example.HelloHandler::handleRequest", hello, [])
    cpu = ("example.RulesHandler::handleRequest", rules, ["--env", "RULES_ROUNDS=20000"])  # a short init
    configs = {
        "trivial/none": trivial + (a.invocations, ["--agent", "off"]),
        "trivial/agent": trivial + (a.invocations, ["--agent", "on"]),
        "trivial/agent-end": trivial + (a.invocations, ["--agent", "on"] + EVERY_INVOCATION),
        "cpu/none": cpu + (a.invocations, ["--agent", "off"]),
        "cpu/agent": cpu + (a.invocations, ["--agent", "on"]),
    }
    for mode, intake in intakes.items():
        configs["intake/" + mode] = trivial + (a.intake_invocations, ["--agent", "on", "--env", "DD_TRACE_AGENT_URL=" + intake.url]
                                               + EVERY_INVOCATION)
    rounds = {k: [] for k in configs}
    try:
        for r in range(a.rounds + 1):  # round 0 warms the page cache and is discarded
            for name, (handler, event, extra, n, args) in configs.items():
                m = coldstart(os.path.join(tmp, "%s-%d" % (name.replace("/", "-"), r)), handler, event, n, extra + args)
                if r > 0:
                    rounds[name].append(m)
            print("round %d/%d done" % (r, a.rounds), file=sys.stderr)
    finally:
        for i in intakes.values():
            i.stop()
    subprocess.run(["rm", "-rf", tmp])
    report(a, rounds, intakes)


def warm(runs, key):
    return [x for run in runs for x in run[key][1:]]


def report(a, rounds, intakes):
    print("Warm invocations (2..%d of each run), ms, n per configuration = %d:\n" % (a.invocations, a.rounds * (a.invocations - 1)))
    print("| handler | measure | none p50 | none p99 | agent p50 | agent p99 | added p50 | added p99 | added p50, paired by round (median) |")
    print("|---|---|---|---|---|---|---|---|---|")
    for h, with_agent in (("trivial", "trivial/agent"), ("trivial, spans every invocation", "trivial/agent-end"),
                          ("cpu", "cpu/agent")):
        none, agent = rounds[h.split(",")[0] + "/none"], rounds[with_agent]
        for key, label in (("toResponse", "event to response"), ("duration", "Duration")):
            n, g = warm(none, key), warm(agent, key)
            paired = statistics.median([quantile(x[key][1:], 0.5) - quantile(y[key][1:], 0.5) for x, y in zip(agent, none)])
            print("| %s | %s | %.3f | %.3f | %.3f | %.3f | %+.3f | %+.3f | %+.3f |" % (
                h, label, quantile(n, .5), quantile(n, .99), quantile(g, .5), quantile(g, .99),
                quantile(g, .5) - quantile(n, .5), quantile(g, .99) - quantile(n, .99), paired))

    # Throughput of the CPU-bound handler: invocations per second of event-to-response time, over the second half of
    # each run (compiled code by then: the JIT's warm-up of the first invocations varies more than sampling costs).
    # The agent's sampling, and its per-invocation work on the response path, is what slows it.
    half = a.invocations // 2
    steady = lambda runs: [x for run in runs for x in run["toResponse"][half:]]
    tn, ta = statistics.mean(steady(rounds["cpu/none"])), statistics.mean(steady(rounds["cpu/agent"]))
    print("\nCPU-bound handler (%d rules per invocation, invocations %d..%d of each run): %.2f invocations/s without the"
          " agent, %.2f with it: overhead %+.2f%% (target: sampling CPU overhead <= 2%%)."
          % (a.cpu_rounds, half + 1, a.invocations, 1000 / tn, 1000 / ta, (1 - tn / ta) * 100))

    print("\nFirst invocation, post-runtime part (ms; with the agent: the first flush after the cold start), n = %d:\n" % a.rounds)
    print("| configuration | p50 | max |")
    print("|---|---|---|")
    for name in rounds:
        first = [run["postRuntime"][0] for run in rounds[name]]
        print("| %s | %.3f | %.3f |" % (name, statistics.median(first), max(first)))

    k = a.intake_invocations
    print("\nIntakes (spans sent every invocation): total Duration of invocations 1..%d, against the healthy intake's "
          "same invocations of the same round (trivial/agent-end); slow answers after %d ms:\n" % (k, a.slow_ms))
    print("| intake | requests received (all rounds) | added total, median of rounds | max | warm Duration p50 | p99 | warm event to response p99 |")
    print("|---|---|---|---|---|---|---|")
    healthy = [sum(run["duration"][:k]) for run in rounds["trivial/agent-end"]]
    for mode, intake in intakes.items():
        runs = rounds["intake/" + mode]
        added = [sum(run["duration"][:k]) - h for run, h in zip(runs, healthy)]
        d, t = warm(runs, "duration"), warm(runs, "toResponse")
        print("| %s | %d | %+.1f ms | %+.1f ms | %s | %s | %s |" % (
            mode, intake.received, statistics.median(added), max(added),
            "%.3f" % quantile(d, .5) if d else "-", "%.3f" % quantile(d, .99) if d else "-",
            "%.3f" % quantile(t, .99) if t else "-"))


if __name__ == "__main__":
    main()
