#!/usr/bin/env python3
"""Writes the crafted inputs of issue 15 (docs/reliability.md "Parsers and the CLI") into this directory.

Each file is what an attacker or a broken producer could hand to `ddsls diagnose` or `ddsls profile`;
HostileInputsTest runs the CLI as a process on each and expects one line and exit 2 or 3 within seconds.
Run: python3 craft.py (needs the zstd command-line tool for the zstd bomb)."""
import gzip, os, struct, subprocess

HERE = os.path.dirname(os.path.abspath(__file__))


def varint(v):  # JFR's LEB128 and protobuf's varints agree for these values
    out = bytearray()
    while True:
        if v & ~0x7f == 0:
            out.append(v)
            return bytes(out)
        out.append(v & 0x7f | 0x80)
        v >>= 7


def sized(body):  # a JFR event's size prefix counts itself: a fixed 5-byte varint
    n = len(body) + 5
    return bytes([n & 0x7f | 0x80, n >> 7 & 0x7f | 0x80, n >> 14 & 0x7f | 0x80, n >> 21 & 0x7f | 0x80, n >> 28 & 0x7f]) + body


def jfr_chunk(metadata, checkpoint):
    metadata_at = 68
    pool_at = metadata_at + len(metadata)
    size = pool_at + len(checkpoint)
    header = (b'FLR\0' + struct.pack('>HH', 2, 0)
              + struct.pack('>qqqqqqq', size, pool_at, metadata_at, 0, 0, 0, 1_000_000_000) + b'\0\0\0\0')
    return header + metadata + checkpoint


def jfr_metadata(strings, tree):
    return sized(varint(0) * 4 + strings + tree)


def jfr_checkpoint(delta):
    return sized(varint(1) + varint(0) + varint(0) + varint(delta) + b'\0' + varint(0))


EMPTY_TREE = varint(0) * 3


def write(name, data):
    with open(os.path.join(HERE, name), 'wb') as f:
        f.write(data)


# A constant-pool delta of 2^32: cast to int it added 0, and the reader read the same checkpoint forever.
write('cp-delta-2pow32.jfr', jfr_chunk(jfr_metadata(varint(0), EMPTY_TREE), jfr_checkpoint(1 << 32)))
# A metadata string table of 2^31-1 entries: an array over the VM's limit.
write('string-table-2pow31.jfr', jfr_chunk(sized(varint(0) * 4 + varint(2**31 - 1)), jfr_checkpoint(0)))
# One char-array string (encoding 4) of 2^31-9 chars.
write('char-string-2pow31.jfr', jfr_chunk(sized(varint(0) * 4 + varint(1) + b'\x04' + varint(2**31 - 9)), jfr_checkpoint(0)))
# Metadata elements nested 100,000 deep (each: name 0, no attributes, one child): a recursive reader overflows its stack.
deep = (varint(0) + varint(0) + varint(1)) * 100_000 + EMPTY_TREE
write('deep-metadata.jfr.gz', gzip.compress(jfr_chunk(jfr_metadata(varint(0), deep), jfr_checkpoint(0)), 9, mtime=0))

# pprof: a gzip bomb (160 MiB of zeros, past the 128 MiB pprof bound), and the same in zstd (200 MiB in 6 KB).
write('bomb-160mib.pb.gz', gzip.compress(bytes(160 << 20), 9, mtime=0))
write('bomb-200mib.pb.zst', subprocess.run(['zstd', '-19', '-c'], input=bytes(200 << 20), capture_output=True, check=True).stdout)
# 25 million empty samples (field 2, length 0): 50 MB that gzip to 48 KB.
write('empty-samples-25m.pb.gz', gzip.compress(b'\x12\x00' * 25_000_000, 9, mtime=0))
# A sample whose packed location ids claim 2^62 bytes.
write('packed-length-2pow62.pb', b'\x12' + varint(12) + b'\x0a' + varint(1 << 62) + b'\x01\x02')
# Random bytes behind the zstd and lz4 frame magics (a collector stored such an attachment with 200 before issue 15).
rnd = bytes((i * 2654435761 >> 13) & 0xff for i in range(4096))
write('random-after-magic.zst', b'\x28\xb5\x2f\xfd' + rnd)
write('random-after-magic.lz4', b'\x04\x22\x4d\x18' + rnd)

# Span JSON lines holding bytes that are no UTF-8.
write('bad-utf8.jsonl', b'{"trace_id":1,"span_id":2,"parent_id":0,"name":"aws.lambda\xff\xfe"}\n')
# Span ids as decimals with huge exponents: as integers they took minutes of BigInteger arithmetic (SpanReaderFuzzTest).
write('huge-exponent-ids.jsonl', b'{"span_id":1,"trace_id":1e-99999999}\n{"span_id":2,"parent_id":1e9999999}\n')
# JSON nested 10,000 arrays deep.
write('deep-arrays.json', b'[' * 10_000 + b']' * 10_000)
# An X-Ray export whose segment Document is 5,000 nested arrays.
write('xray-deep-document.json', b'{"Traces":[{"Id":"1-5f000000-000000000000000000000000","Segments":[{"Id":"a","Document":"'
      + b'[' * 5_000 + b'"}]}]}')
