#!/usr/bin/env python3
"""Init (JVM start to the first /next) of the agent of two builds, A/B, under `ddsls coldstart --agent on`.

Homes as bench/agent-ab.py's doc makes them (/tmp/ab/old, /tmp/ab/new). Each round runs one `coldstart --runs 3` per
home, alternating which goes first, and keeps runs 2 and 3 (as agent-overhead.py); round 0 is discarded.
Usage: bench/init-ab.py ROUNDS
"""
import json, os, subprocess, statistics, sys
R = int(sys.argv[1])
res = {"old": [], "new": []}
pairs = []
for r in range(R + 1):
    per = {}
    for home in (["old", "new"] if r % 2 == 0 else ["new", "old"]):
        out = "/tmp/initab/%s-%d" % (home, r)
        subprocess.run(["rm", "-rf", out])
        cmd = ["java", "-XX:+UseParallelGC", "-jar", "/tmp/ab/%s/ddsls.jar" % home, "coldstart", "--jar", "/tmp/ab/%s/examples/ddsls-examples.jar" % home,
               "--handler", "example.HelloHandler::handleRequest", "--runs", "3", "--invocations", "1", "--agent", "on", "--format", "json", "--out", out]
        subprocess.run(cmd, capture_output=True, check=True)
        runs = json.load(open(out + "/results.json"))["runs"]
        v = [x["initMs"] for x in runs[1:] if x["status"] == "ok"]
        if r > 0:
            res[home] += v
        per[home] = statistics.median(v)
    if r > 0: pairs.append(per["new"] - per["old"])
for h in res: print(h, len(res[h]), "p50 %.1f" % statistics.median(res[h]))
print("paired new-old median %.1f" % statistics.median(pairs), [round(p,1) for p in pairs])
