#!/usr/bin/env python3
"""Fault injection into an export ZIP: one bit flipped per try.

Builds a generated export (build/gen-export), zips it as a real export is
laid out (the backend deflated, attachments deflated and stored, the
account file), converts it once cleanly (md and index), then for each try
flips one random bit: in a random member's data (the backend or an
attachment) or in a header (a local header, a central directory record,
the end record), converts again and asserts:

  - exit 0 only with an output tree byte-identical to the clean run's;
  - exit 1 only with a warning that names a member of the ZIP, or with the
    clean run's output and its warnings, no other (a generated export holds
    shapes that warn, so the clean run itself may exit 1);
  - exit 2 with an error message, no search index published and no
    temporary file left;
  - nothing else (a crash, exit 3, a hang).

Usage: zip_faults.py [-s SIZE] [-n TRIES] [-S SEED] [--keep] WORKDIR
Prints "zip-faults: N passed, N failed" and the tally of outcomes.
"""
import argparse, os, random, re, shutil, struct, subprocess, sys, zipfile, zlib

ap = argparse.ArgumentParser()
ap.add_argument('-s', '--size', default='2M')
ap.add_argument('-n', '--tries', type=int, default=30)
ap.add_argument('-S', '--seed', type=int, default=1)
ap.add_argument('--grokx', default=os.environ.get('GROKX', './grokx'))
ap.add_argument('--gen', default=os.path.join(os.environ.get('B', 'build'), 'gen-export'))
ap.add_argument('--formats', default='md,index')
ap.add_argument('--keep', action='store_true', help='keep WORKDIR (and each failing try)')
ap.add_argument('-v', '--verbose', action='store_true')
ap.add_argument('work')
args = ap.parse_args()

rng = random.Random(args.seed)
work = args.work
os.makedirs(work, exist_ok=True)
passed = failed = 0
tally = {}
USER = '0f1e2d3c-4b5a-4678-9abc-def012345678'
ROOT = 'ttl/30d/export_data/' + USER + '/'
BACKEND = ROOT + 'prod-grok-backend.json'


def bad(msg):
    global failed
    failed += 1
    print('FAIL zip-faults: ' + msg, file=sys.stderr)


# ---- the export -----------------------------------------------------------
js = os.path.join(work, 'x.json')
subprocess.run([args.gen, '-s', args.size, '-S', str(args.seed), '-o', js], check=True)
# Attachments for some of the ids the conversations name, so notes link
# real copies. Found with a regex: the export is never loaded whole.
ids = []
with open(js, 'rb') as f:
    pat = re.compile(rb'"file_attachments":\[([^\]]*)\]')
    for chunk in iter(lambda: f.read(1 << 24), b''):  # ids cut at a chunk edge are lost: fine
        for m in pat.finditer(chunk):
            ids += [u.decode() for u in re.findall(rb'"([0-9a-f-]{36})"', m.group(1))]
ids = sorted(set(ids))
rng.shuffle(ids)
ids = sorted(ids[:24])
if len(ids) < 4:
    print('zip-faults: the generated export names too few attachments (%d)' % len(ids), file=sys.stderr)
    print('zip-faults: 0 passed, 1 failed')
    sys.exit(1)


def blob(i):
    r = random.Random(i)
    n = r.randint(200, 40000)
    kind = i % 3
    if kind == 0:  # compressible "image"
        return b'\x89PNG\r\n\x1a\n' + bytes(r.choice(b'abcd') for _ in range(n))
    if kind == 1:  # a PDF
        return b'%PDF-1.4\n' + b''.join(b'line %d of the document\n' % k for k in range(n // 24))
    return b'\xff\xd8\xff\xe0' + bytes(r.getrandbits(8) for _ in range(n))  # incompressible "JPEG"


zpath = os.path.join(work, 'export.zip')
with zipfile.ZipFile(zpath, 'w', compression=zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
    zf.write(js, BACKEND)
    zf.writestr(ROOT + 'prod-mc-auth-mgmt-api.json', b'{"user":{"email":"secret@example.com"}}')
    for i, a in enumerate(ids):
        zf.writestr(ROOT + 'prod-mc-asset-server//' + a + '/content', blob(i),
                    compress_type=zipfile.ZIP_STORED if i % 4 == 3 else zipfile.ZIP_DEFLATED)
os.unlink(js)
clean_zip = open(zpath, 'rb').read() if os.path.getsize(zpath) < (256 << 20) else None

# Where every member's headers and data are (from the central directory).
members = []  # (name, local header offset, data offset, data length, central record offset, central record length)
with zipfile.ZipFile(zpath) as zf:
    with open(zpath, 'rb') as f:
        for info in zf.infolist():
            f.seek(info.header_offset)
            h = f.read(30)
            nlen, xlen = struct.unpack_from('<HH', h, 26)
            data = info.header_offset + 30 + nlen + xlen
            members.append([info.filename, info.header_offset, data, info.compress_size, None, None])
    with open(zpath, 'rb') as f:
        f.seek(zf.start_dir)
        cd = f.read()
    off = 0
    for m in members:
        assert cd[off:off + 4] == b'PK\x01\x02'
        nlen, xlen, clen = struct.unpack_from('<HHH', cd, off + 28)
        m[4], m[5] = zf.start_dir + off, 46 + nlen + xlen + clen
        off += m[5]
    eocd = zf.start_dir + off
zsize = os.path.getsize(zpath)


# ---- conversions ----------------------------------------------------------
def convert(src, out):
    shutil.rmtree(out, ignore_errors=True)
    p = subprocess.run([args.grokx, 'convert', '-f', args.formats, '-o', out, src],
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=600)
    return p.returncode, p.stderr.decode('utf-8', 'replace')


def tree(root):
    """{relative path: bytes digest} of every file under root."""
    import hashlib
    got = {}
    for d, _, files in os.walk(root):
        for fn in files:
            full = os.path.join(d, fn)
            h = hashlib.sha256()
            with open(full, 'rb') as f:
                for chunk in iter(lambda: f.read(1 << 20), b''):
                    h.update(chunk)
            got[os.path.relpath(full, root)] = h.hexdigest()
    return got


clean_out = os.path.join(work, 'clean')
st, clean_err = convert(zpath, clean_out)
clean_st = st
if st not in (0, 1) or (st == 1 and not clean_err.strip()):
    print('zip-faults: the clean run exited with %d: %s' % (st, clean_err[:500]), file=sys.stderr)
    print('zip-faults: 0 passed, 1 failed')
    sys.exit(1)
clean = tree(clean_out)
attachments = [p for p in clean if '/attachments/' in p]
if len(attachments) < 4:
    bad('the clean run copied %d attachments, want at least 4' % len(attachments))


def flip(pos, bit):
    with open(zpath, 'r+b') as f:
        f.seek(pos)
        b = f.read(1)[0]
        f.seek(pos)
        f.write(bytes([b ^ (1 << bit)]))


def pick():
    """(what, byte offset) of the bit to flip."""
    r = rng.random()
    m = rng.choice(members)
    if r < 0.70 or m[3] == 0:  # a member's data: the backend one try in three
        if rng.random() < 1 / 3:
            m = members[0]
        return 'data of %s' % m[0], m[2] + rng.randrange(max(m[3], 1))
    if r < 0.82:
        return 'local header of %s' % m[0], m[1] + rng.randrange(m[2] - m[1])
    if r < 0.97:
        return 'central record of %s' % m[0], m[4] + rng.randrange(m[5])
    return 'end record', eocd + rng.randrange(zsize - eocd)


out = os.path.join(work, 'out')
for t in range(args.tries):
    what, pos = pick()
    bit = rng.randrange(8)
    flip(pos, bit)
    try:
        st, err = convert(zpath, out)
    except subprocess.TimeoutExpired:
        st, err = -1, 'timed out'
    flip(pos, bit)  # back to the clean archive
    label = 'try %d: bit %d of byte %d (%s)' % (t + 1, bit, pos, what)
    got = tree(out) if os.path.isdir(out) else {}
    temps = [p for p in got if '.tmp' in os.path.basename(p) or os.path.basename(p).startswith('.grokx-tmp')]
    if st == 0:
        outcome = 'exit 0, identical' if got == clean else 'exit 0, DIFFERENT'
        if got != clean:
            diff = sorted(set(p for p in set(got) | set(clean) if got.get(p) != clean.get(p)))
            bad('%s: exit 0 but the output differs from the clean run: %s' % (label, ', '.join(diff[:5])))
        else:
            passed += 1
    elif st == 1:
        outcome = 'exit 1, warned'
        # the member named after the archive's path, in a warning of its own
        if re.search(r'warning: ' + re.escape(zpath) + r': \S', err):
            passed += 1
        elif clean_st == 1 and got == clean and err == clean_err:
            passed += 1  # the fault changed nothing: the clean run's own warnings
        else:
            bad('%s: exit 1 without a warning naming a member: %s' % (label, err[:300]))
    elif st == 2:
        outcome = 'exit 2, refused'
        if not err.strip():
            bad('%s: exit 2 without a message' % label)
        elif 'index' in args.formats and any(p.endswith('.gxi') for p in got):
            bad('%s: exit 2 but the index was published' % label)
        elif temps:
            bad('%s: exit 2 left temporaries: %s' % (label, ', '.join(temps[:3])))
        else:
            passed += 1
    else:
        outcome = 'exit %d' % st
        bad('%s: exit %d: %s' % (label, st, err[:300]))
    tally[outcome] = tally.get(outcome, 0) + 1
    if args.verbose:
        print('%s: %s: %s' % (label, outcome, err.strip().splitlines()[0] if err.strip() else ''))

if clean_zip is not None and open(zpath, 'rb').read() != clean_zip:
    bad('the archive was not restored after the tries')
print('zip-faults: %s, %d tries: %s' % (args.size, args.tries,
      ', '.join('%s %d' % (k, v) for k, v in sorted(tally.items()))))
if not args.keep:
    shutil.rmtree(work, ignore_errors=True)
print('zip-faults: %d passed, %d failed' % (passed, failed))
sys.exit(1 if failed else 0)
