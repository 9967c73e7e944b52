#!/usr/bin/env python3
"""Where a command's CPU goes, by kind of process: runs COMMAND, reads /proc every 100 ms until it exits (its processes and theirs), and prints
the CPU (user + sys) and count of the processes it saw, grouped by what they are (ddsls commands by subcommand,
function JVMs with and without an agent, the test JVMs, Maven, the rest by program name). A process's last reading
is taken as its total, so each may be short by up to 100 ms of its end. See docs/benchmarks.md, "Where the CPU goes, starting ddsls".

  python3 bench/suite-cpu.py -- mvn -B verify
  SUITE_CPU_HANDLERS=1 python3 bench/suite-cpu.py -- ...   function JVMs by handler
"""
import os
import subprocess
import sys
import time

HZ = os.sysconf('SC_CLK_TCK')
# What a process is until it execs its program (the JDK starts each child through jspawnhelper; the mvn script execs
# Maven's JVM; a shell may exec its command): read again.
LAUNCHERS = {'jspawnhelper', '(gone before read)', 'taskset', 'sh', 'bash', 'dash', 'mvn'}


def kind(cmd):
    line = ' '.join(cmd)
    if 'surefire' in line:
        return 'test JVM (surefire)'
    if 'plexus-classworlds' in line:
        return 'maven'
    if '-Xshare:dump' in line or 'DumpLoadedClassList' in line:
        return 'class-data archive (tests)'
    if 'ddsls.jar' in line or 'dev.ddsls.cli.Main' in line:
        after = cmd[cmd.index('-jar') + 2:] if '-jar' in cmd else []
        return 'ddsls ' + (after[0] if after else '?')
    if 'dd-java-agent' in line:
        return 'function JVM, dd-java-agent'
    if 'ddsls-agent' in line:
        return 'function JVM, ddsls agent'
    if 'aws-lambda-java-runtime-interface-client' in line or 'AWSLambda' in line or 'examples' in line:
        handler = cmd[-1] if os.environ.get('SUITE_CPU_HANDLERS') else ''
        return 'function JVM' + (' ' + handler if handler else '')
    if not cmd:
        return '(gone before read)'
    name = os.path.basename(cmd[0])
    return 'chromium' if name.startswith('chromium') else name  # its helpers rewrite their argv


def main():
    args = sys.argv[1:]
    if args[:1] == ['--']:
        args = args[1:]
    if not args:
        sys.exit(__doc__)
    seen = {}
    ours = set()
    child = subprocess.Popen(args)
    started = time.time()
    while True:
        done = child.poll() is not None
        for pid in os.listdir('/proc'):
            if not pid.isdigit():
                continue
            try:
                with open(f'/proc/{pid}/stat') as f:
                    stat = f.read()
                fields = stat[stat.rindex(')') + 2:].split()
                cpu = (int(fields[11]) + int(fields[12])) / HZ
                key = (pid, fields[19])  # pid and start time: pids are reused
                if key not in seen or seen[key][0] in LAUNCHERS:
                    if key not in seen and int(pid) != child.pid and fields[1] not in ours:
                        continue  # not started by the command (ancestry is read at first sight)
                    ours.add(pid)
                    with open(f'/proc/{pid}/cmdline', 'rb') as f:
                        cmd = [a.decode(errors='replace') for a in f.read().split(b'\0') if a]
                    seen[key] = [kind(cmd), seen.get(key, [None, 0.0])[1]]
                seen[key][1] = cpu
            except (OSError, ValueError, IndexError):
                pass  # exited while read
        if done:
            break
        time.sleep(0.1)
    wall = time.time() - started
    totals = {}
    for k, cpu in seen.values():
        t = totals.setdefault(k, [0, 0.0])
        t[0] += 1
        t[1] += cpu
    print(f'| processes | kind | CPU s |  (wall {wall:.0f} s, exit {child.returncode})')
    print('|---|---|---|')
    for k, (n, cpu) in sorted(totals.items(), key=lambda kv: -kv[1][1]):
        if cpu >= 0.1:
            print(f'| {n} | {k} | {cpu:.1f} |')
    print(f'| {sum(n for n, _ in totals.values())} | all | {sum(c for _, c in totals.values()):.1f} |')
    sys.exit(child.returncode)


if __name__ == '__main__':
    main()
