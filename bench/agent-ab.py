#!/usr/bin/env python3
"""The agent of two builds against each other and against no agent, per warm invocation, under `ddsls coldstart`.

An install ("home") is a copy of a build's cli/target: ddsls.jar, lib/, runtime/, layer/, examples/. Make one per
build to compare, e.g. for the current build and for commit REV:

    mkdir -p /tmp/ab/new && cp -r cli/target/{ddsls.jar,lib,runtime,layer,examples} /tmp/ab/new/
    git worktree add /tmp/ab-src REV && (cd /tmp/ab-src && mvn -q -o -DskipTests package)
    mkdir -p /tmp/ab/old && cp -r /tmp/ab-src/cli/target/{ddsls.jar,lib,runtime,layer,examples} /tmp/ab/old/

    python3 bench/agent-ab.py /tmp/ab/old /tmp/ab/new [--rounds 3] [--invocations 301] [--handler H] [-- coldstart args]

Configurations, interleaved round by round (round 0 discarded): `none` (NEW's CLI, --agent off), `old` and `new`
(each home's CLI and layer, --agent on). Each is one `coldstart --runs 1` process: a cold start, then warm invocations.
Reported per configuration over invocations 2..N of every run, pooled: event to response (Duration minus its
post-runtime part, to the microsecond) and Duration, p50 and p99, and the mean event-to-response time of the second
half of each run with the throughput it gives (the CPU-bound handler's measure in agent-bill.py).
"""
import argparse, importlib.util, os, statistics, subprocess, sys, tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


# agent-bill.py's runner and percentiles (its file name is not an importable module name).
_spec = importlib.util.spec_from_file_location("agent_bill", os.path.join(ROOT, "bench", "agent-bill.py"))
bill = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bill)


def coldstart(home, out, handler, event, invocations, args):
    cli = ["java", "-XX:+UseParallelGC", "-XX:MaxTenuringThreshold=0", "-jar", os.path.join(home, "ddsls.jar")]
    return bill.coldstart(out, handler, event, invocations, args, cli, os.path.join(home, "examples", "ddsls-examples.jar"))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("old")
    ap.add_argument("new")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--invocations", type=int, default=301)
    ap.add_argument("--handler", default="example.HelloHandler::handleRequest")
    ap.add_argument("--event", default='{"name":"bench","rounds":15000}')
    ap.add_argument("rest", nargs="*", help="more coldstart arguments, after --")
    a = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="ddsls-ab-")
    event = os.path.join(tmp, "event.json")
    with open(event, "w") as f:
        f.write(a.event)
    configs = {"none": (a.new, ["--agent", "off"]), "old": (a.old, ["--agent", "on"]), "new": (a.new, ["--agent", "on"])}
    runs = {k: [] for k in configs}
    for r in range(a.rounds + 1):
        for name, (home, args) in configs.items():
            m = coldstart(home, os.path.join(tmp, "%s-%d" % (name, r)), a.handler, event, a.invocations, args + a.rest)
            if r > 0:
                runs[name].append(m)
        print("round %d/%d done" % (r, a.rounds), file=sys.stderr)
    subprocess.run(["rm", "-rf", tmp])
    print("| agent | n | event to response p50 | p99 | Duration p50 | p99 | second half: mean event to response | invocations/s |")
    print("|---|---|---|---|---|---|---|---|")
    for name in configs:
        tr = [x for run in runs[name] for x in run["toResponse"][1:]]
        du = [x for run in runs[name] for x in run["duration"][1:]]
        half = [x for run in runs[name] for x in run["toResponse"][len(run["toResponse"]) // 2:]]
        mean = statistics.mean(half)
        print("| %s | %d | %.3f | %.3f | %.3f | %.3f | %.3f | %.2f |" % (name, len(tr), bill.quantile(tr, .5), bill.quantile(tr, .99),
                                                                     bill.quantile(du, .5), bill.quantile(du, .99), mean, 1000 / mean))


if __name__ == "__main__":
    main()
