// Independent pprof peer for the interop tests, using DataDog's pprof-format npm package.
//   node pprof-format-peer.cjs TOOLS_DIR decode FILE   -> prints the profile as JSON, strings resolved
//   node pprof-format-peer.cjs TOOLS_DIR encode FILE   -> writes a gzipped profile built with pprof-format
'use strict';
const fs = require('fs');
const path = require('path');
const zlib = require('zlib');
const [toolsDir, mode, file] = process.argv.slice(2);
const pf = require(path.join(toolsDir, 'node_modules', 'pprof-format'));

function decode() {
  let buf = fs.readFileSync(file);
  if (buf[0] === 0x1f && buf[1] === 0x8b) buf = zlib.gunzipSync(buf);
  const p = pf.Profile.decode(buf);
  const strings = p.stringTable.strings;
  const s = (i) => {
    const n = Number(i);
    if (!(n >= 0 && n < strings.length)) throw new Error('string index out of range: ' + i);
    return strings[n];
  };
  const functions = new Map(p.function.map((f) => [String(f.id), f]));
  const locations = new Map(p.location.map((l) => [String(l.id), l]));
  const out = {
    stringTable: strings,
    sampleTypes: p.sampleType.map((t) => [s(t.type), s(t.unit)]),
    periodType: p.periodType ? [s(p.periodType.type), s(p.periodType.unit)] : null,
    period: p.period,
    timeNanos: p.timeNanos,
    durationNanos: p.durationNanos,
    comments: p.comment.map(s),
    mappings: p.mapping.map((m) => ({
      id: m.id, hasFunctions: m.hasFunctions, hasFilenames: m.hasFilenames, hasLineNumbers: m.hasLineNumbers,
    })),
    functions: p.function.map((f) => ({id: f.id, name: s(f.name), systemName: s(f.systemName), filename: s(f.filename)})),
    locations: p.location.map((l) => ({
      id: l.id, mappingId: l.mappingId, lines: l.line.map((ln) => ({functionId: ln.functionId, line: ln.line})),
    })),
    samples: p.sample.map((smp) => {
      const stack = [];
      const lines = [];
      for (const id of smp.locationId) {
        const loc = locations.get(String(id));
        if (!loc) throw new Error('missing location ' + id);
        for (const ln of loc.line) {
          const fn = functions.get(String(ln.functionId));
          if (!fn) throw new Error('missing function ' + ln.functionId);
          stack.push(s(fn.name));
          lines.push(ln.line);
        }
      }
      return {
        stack, lines, values: smp.value,
        labels: smp.label.map((l) => ({key: s(l.key), str: Number(l.str) === 0 ? null : s(l.str), num: l.num})),
      };
    }),
  };
  process.stdout.write(JSON.stringify(out, (k, v) => (typeof v === 'bigint' ? v.toString() : v)));
}

function encode() {
  const st = new pf.StringTable();
  const fn = (id, name, file) => new pf.Function({id, name: st.dedup(name), systemName: st.dedup(name), filename: st.dedup(file)});
  const functions = [fn(1, 'peer.Leaf.work', 'peer/Leaf.java'), fn(2, 'peer.Main.main', 'peer/Main.java')];
  const loc = (id, functionId, line) => new pf.Location({id, mappingId: 1, line: [new pf.Line({functionId, line})]});
  const profile = new pf.Profile({
    sampleType: [
      new pf.ValueType({type: st.dedup('wall-samples'), unit: st.dedup('count')}),
      new pf.ValueType({type: st.dedup('wall-time'), unit: st.dedup('nanoseconds')}),
    ],
    sample: [
      new pf.Sample({locationId: [1, 2], value: [7, 70000000], label: [
        new pf.Label({key: st.dedup('thread name'), str: st.dedup('main')}),
        new pf.Label({key: st.dedup('local root span id'), num: 987654321}),
      ]}),
      new pf.Sample({locationId: [2], value: [3, 30000000], label: []}),
    ],
    mapping: [new pf.Mapping({id: 1, hasFunctions: true})],
    location: [loc(1, 1, 12), loc(2, 2, 5)],
    function: functions,
    stringTable: st,
    timeNanos: 1752000000000000000n,
    durationNanos: 2000000000,
    periodType: new pf.ValueType({type: st.dedup('wall-time'), unit: st.dedup('nanoseconds')}),
    period: 10000000,
    comment: [st.dedup('peer=pprof-format')],
  });
  fs.writeFileSync(file, zlib.gzipSync(profile.encode()));
}

if (mode === 'decode') decode();
else if (mode === 'encode') encode();
else throw new Error('mode must be decode or encode');
