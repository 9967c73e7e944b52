#!/usr/bin/env python3
"""Cold-start cost of the ddsls agent, measured by `ddsls coldstart` (JVM start to the first /next).

Configurations, interleaved round by round so machine drift hits all of them alike:
  none      no agent
  disabled  the layer installed, DD_PROFILING_ENABLED=false: the exec wrapper runs and adds nothing
  agent-disabled  -agentlib:instrument=ddsls-agent.jar (what the wrapper adds) given by hand, DD_PROFILING_ENABLED
            unset: premain returns at once, so this is the JVM's own agent machinery
  async-profiler-only  -agentpath:libasyncProfiler.so=start,... and no ddsls agent: async-profiler itself sampling
            from VM init, the floor for any async-profiler-based agent
  ddsls     the agent profiling, installed by the layer's exec wrapper (--agent on)
  ddsls-preload  the same with DDSLS_PRELOAD=true: the wrapper preloads async-profiler (LD_PRELOAD)
  pyroscope io.pyroscope:agent (async-profiler based), pointed at a closed loopback port

Each round runs every configuration as one `ddsls coldstart --runs 3` and keeps runs 2 and 3: the first run of a
coldstart process shares the machine with that fresh CLI JVM's own JIT compilation, which is the harness's cost,
not the agent's (it would also starve the agent's engine-start thread of the second core).

Usage: bench/agent-overhead.py [--rounds 10] [--handler example.HelloHandler::handleRequest]
Prints a Markdown table for docs/benchmarks.md.
"""
import argparse, json, os, shutil, socket, statistics, subprocess, sys, tempfile

RUNS = 3
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PYROSCOPE = "io.pyroscope:agent:2.1.2"


def closed_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]; s.close()
    return port


def pyroscope_jar():
    jar = os.path.expanduser("~/.m2/repository/io/pyroscope/agent/2.1.2/agent-2.1.2.jar")
    if not os.path.exists(jar):
        subprocess.run(["mvn", "-B", "-q", "dependency:get", "-Dartifact=" + PYROSCOPE], check=True)
    return jar


def run(args, out):
    cmd = [os.path.join(ROOT, "ddsls"), "coldstart", "--jar", os.path.join(ROOT, "cli/target/examples/ddsls-examples.jar"),
           "--runs", str(RUNS), "--invocations", "1", "--format", "json", "--out", out] + args
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit("coldstart failed (%s): %s" % (" ".join(args), p.stderr.strip()[-500:]))
    with open(os.path.join(out, "results.json")) as f:
        runs = json.load(f)["runs"]
    if any(r["status"] != "ok" for r in runs):
        sys.exit("a run failed (%s)" % " ".join(args))
    return [r["initMs"] for r in runs[1:]]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=10)
    ap.add_argument("--handler", default="example.HelloHandler::handleRequest")
    a = ap.parse_args()
    subprocess.run([os.path.join(ROOT, "ddsls"), "--version"], check=True, capture_output=True)  # builds if needed
    boot = os.path.join(ROOT, "cli/target/layer/ddsls/ddsls-boot.jar")  # what the wrapper adds (no app CDS archive here)
    native = os.path.join(ROOT, "cli/target/layer/ddsls/native", "linux-arm64" if os.uname().machine == "aarch64" else "linux-x64",
                          "libasyncProfiler.so")
    port = closed_port()
    recordings = tempfile.mkdtemp(prefix="ddsls-ap-")  # async-profiler-only writes its recording at exit
    configs = {
        "none": ["--agent", "off"],
        "disabled": ["--agent", "on", "--env", "DD_PROFILING_ENABLED=false"],
        "agent-disabled": ["--agent", "off", "--jvm-arg", "-agentlib:instrument=" + boot],
        "async-profiler-only": ["--agent", "off", "--jvm-arg", "-agentpath:%s=start,event=cpu,alluser,interval=10ms,jfr,clock=monotonic,file=%s/ap-%%p.jfr"
                                % (native, recordings)],
        "ddsls": ["--agent", "on"],
        "ddsls-preload": ["--agent", "on", "--env", "DDSLS_PRELOAD=true"],
        "pyroscope": ["--agent", "off", "--jvm-arg", "-javaagent:" + pyroscope_jar(),
                      "--env", "PYROSCOPE_SERVER_ADDRESS=http://127.0.0.1:%d" % port,
                      "--env", "PYROSCOPE_APPLICATION_NAME=bench", "--env", "PYROSCOPE_LOG_LEVEL=error"],
    }
    results = {k: [] for k in configs}
    per_round = {k: [] for k in configs}  # each round's mean, for differences paired by round
    with tempfile.TemporaryDirectory() as tmp:
        for r in range(a.rounds + 1):  # round 0 warms the page cache and is discarded
            for name, args in configs.items():
                ms = run(["--handler", a.handler] + args, os.path.join(tmp, "%s-%d" % (name, r)))
                if r > 0:
                    results[name].extend(ms)
                    per_round[name].append(statistics.mean(ms))
            print("round %d/%d done" % (r, a.rounds), file=sys.stderr)
    shutil.rmtree(recordings, ignore_errors=True)
    base = statistics.median(results["none"])
    # Paired by round: the machine drifts by several ms over a run, and a round's configurations share its state.
    paired = {k: statistics.median([x - n for x, n in zip(v, per_round["none"])]) for k, v in per_round.items()}
    print("| configuration | n | init p50 ms | p90 ms | added over no agent (p50) | added, paired by round (median) |")
    print("|---|---|---|---|---|---|")
    for name, xs in results.items():
        xs.sort()
        p90 = xs[min(len(xs) - 1, int(round(0.9 * (len(xs) - 1))))]
        print("| %s | %d | %.1f | %.1f | %+.1f ms | %+.1f ms |" % (name, len(xs), statistics.median(xs), p90,
                                                                statistics.median(xs) - base, paired[name]))
    if paired["pyroscope"] > 0:
        print("\nPaired: ddsls profiling adds %.2fx what Pyroscope adds (%.2fx with DDSLS_PRELOAD=true; target <= 0.25x);"
              " disabled adds %+.1f ms (target <= 5 ms)." % (paired["ddsls"] / paired["pyroscope"],
                                                            paired["ddsls-preload"] / paired["pyroscope"], paired["disabled"]))


if __name__ == "__main__":
    main()
