#!/usr/bin/env python3
"""Build the ZIP and gzip fixtures for tests/input/inputs.sh into DIR.

Each fixture imitates a real export (ttl/30d/export_data/<user>/...) or
breaks one rule the reader must enforce. Nothing here is committed: the
fixtures are made fresh by every test run.
"""
import gzip, io, os, struct, sys, zipfile, zlib

out = sys.argv[1]
backend = open(sys.argv[2], 'rb').read()  # a valid prod-grok-backend.json
os.makedirs(out, exist_ok=True)
USER = '0f1e2d3c-4b5a-4678-9abc-def012345678'
ROOT = 'ttl/30d/export_data/' + USER + '/'
PNG = b'\x89PNG\r\n\x1a\n' + b'\0' * 64
PDF = b'%PDF-1.4\n' + b'x' * 100
ASSET1 = 'a1b2c3d4-0000-4000-8000-000000000001'
ASSET2 = 'a1b2c3d4-0000-4000-8000-000000000002'

def path(name):
    return os.path.join(out, name)

def real_layout(zf, method=zipfile.ZIP_DEFLATED):
    zf.writestr(ROOT + 'prod-grok-backend.json', backend, compress_type=method)
    zf.writestr(ROOT + 'prod-mc-auth-mgmt-api.json', b'{"user":{"email":"secret@example.com"}}', compress_type=method)
    zf.writestr(ROOT + 'prod-mc-billing.json', b'{"balance_map": {}}', compress_type=method)
    # the empty path segment real archives carry
    zf.writestr(ROOT + 'prod-mc-asset-server//' + ASSET1 + '/content', PNG, compress_type=method)
    zf.writestr(ROOT + 'prod-mc-asset-server//' + ASSET2 + '/content', PDF, compress_type=method)
    zf.writestr(ROOT + 'prod-mc-asset-server/' + USER + '-profile-picture.webp', b'RIFF\0\0\0\0WEBPVP8 ', compress_type=method)

with zipfile.ZipFile(path('deflated.zip'), 'w') as zf:
    real_layout(zf)
with zipfile.ZipFile(path('stored.zip'), 'w') as zf:
    real_layout(zf, zipfile.ZIP_STORED)
with zipfile.ZipFile(path('zip64.zip'), 'w', allowZip64=True) as zf:
    with zf.open(ROOT + 'prod-grok-backend.json', 'w', force_zip64=True) as f:
        f.write(backend)
    zf.writestr(ROOT + 'prod-mc-asset-server//' + ASSET1 + '/content', PNG)
with zipfile.ZipFile(path('flat.zip'), 'w') as zf:
    zf.writestr('prod-grok-backend.json', backend)
with zipfile.ZipFile(path('missing.zip'), 'w') as zf:
    zf.writestr(ROOT + 'prod-mc-billing.json', b'{}')
with zipfile.ZipFile(path('two-backends.zip'), 'w') as zf:
    zf.writestr('a/prod-grok-backend.json', backend)
    zf.writestr('b/prod-grok-backend.json', backend)
with zipfile.ZipFile(path('hostile-names.zip'), 'w') as zf:
    zf.writestr(ROOT + 'prod-grok-backend.json', backend)
    for bad in ['../../etc/passwd', '/abs/path', 'C:\\windows\\x', 'a\\b',
                'prod-mc-asset-server//../../evil/content', 'prod-mc-asset-server//x y/content']:
        zf.writestr(bad, b'evil')
# symlink backend: "version made by" Unix, mode 0120777
with zipfile.ZipFile(path('symlink.zip'), 'w') as zf:
    info = zipfile.ZipInfo(ROOT + 'prod-grok-backend.json')
    info.create_system = 3
    info.external_attr = (0o120777 << 16)
    zf.writestr(info, b'/etc/passwd')

def patch(src, dst, fn):
    data = bytearray(open(path(src), 'rb').read())
    fn(data)
    open(path(dst), 'wb').write(bytes(data))

def set_in_both_headers(data, offset_local, offset_central, value, fmt):
    struct.pack_into(fmt, data, offset_local, value)
    struct.pack_into(fmt, data, offset_central, value)

def headers(data):
    """(local header offsets, central header offsets) of each entry."""
    loc = [i for i in range(len(data) - 4) if data[i:i+4] == b'PK\x03\x04']
    cen = [i for i in range(len(data) - 4) if data[i:i+4] == b'PK\x01\x02']
    return loc, cen

# encrypted flag on the backend (entry 0)
def encrypt(d):
    loc, cen = headers(d)
    set_in_both_headers(d, loc[0] + 6, cen[0] + 8, d[loc[0] + 6] | 1, '<B')
patch('flat.zip', 'encrypted.zip', encrypt)
# unknown compression method 99
def method99(d):
    loc, cen = headers(d)
    set_in_both_headers(d, loc[0] + 8, cen[0] + 10, 99, '<H')
patch('flat.zip', 'method99.zip', method99)
# CRC mismatch in the backend
def badcrc(d):
    loc, cen = headers(d)
    crc = struct.unpack_from('<I', d, loc[0] + 14)[0] ^ 0xdeadbeef
    set_in_both_headers(d, loc[0] + 14, cen[0] + 16, crc, '<I')
patch('flat.zip', 'badcrc.zip', badcrc)
# a central directory that claims a size beyond the file
def bigsize(d):
    loc, cen = headers(d)
    struct.pack_into('<I', d, cen[0] + 20, 0x7fffffff)
patch('flat.zip', 'csize-beyond-file.zip', bigsize)
# deflate data that is not deflate (headers intact): the first block's
# type set to 3, which RFC 1951 reserves, so inflating fails at once
def baddeflate(d):
    loc, cen = headers(d)
    name_len, extra_len = struct.unpack_from('<HH', d, loc[0] + 26)
    d[loc[0] + 30 + name_len + extra_len] |= 0x06
with zipfile.ZipFile(path('baddeflate.zip'), 'w', compression=zipfile.ZIP_DEFLATED) as zf:
    zf.writestr('prod-grok-backend.json', backend)
patch('baddeflate.zip', 'baddeflate.zip', baddeflate)
# compressed size declared at half: the deflate data ends early
def shortcsize(d):
    loc, cen = headers(d)
    csize = struct.unpack_from('<I', d, loc[0] + 18)[0]
    set_in_both_headers(d, loc[0] + 18, cen[0] + 20, csize // 2, '<I')
with zipfile.ZipFile(path('shortcsize.zip'), 'w', compression=zipfile.ZIP_DEFLATED) as zf:
    zf.writestr('prod-grok-backend.json', backend)
patch('shortcsize.zip', 'shortcsize.zip', shortcsize)
# the end record counts one entry more than the directory holds
def extra_entry(d):
    eocd = d.rindex(b'PK\x05\x06')
    for off in (8, 10):
        struct.pack_into('<H', d, eocd + off, struct.unpack_from('<H', d, eocd + off)[0] + 1)
patch('flat.zip', 'miscounted.zip', extra_entry)
# folder entries, as archivers write them: skipped
with zipfile.ZipFile(path('folders.zip'), 'w', compression=zipfile.ZIP_DEFLATED) as zf:
    for d in ('ttl/', 'ttl/30d/', 'ttl/30d/export_data/', ROOT):
        zf.writestr(zipfile.ZipInfo(d), b'')
    zf.writestr(ROOT + 'prod-grok-backend.json', backend)
# declared smaller than it inflates to: more data than its declared size
def smallsize(d):
    loc, cen = headers(d)
    usize = struct.unpack_from('<I', d, loc[0] + 22)[0]
    set_in_both_headers(d, loc[0] + 22, cen[0] + 24, usize // 2, '<I')
patch('flat.zip', 'smallsize.zip', smallsize)
# bomb: 200 MB of spaces (deflates ~1000:1)
with zipfile.ZipFile(path('bomb.zip'), 'w', compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
    with zf.open('prod-grok-backend.json', 'w') as f:
        f.write(b'{"conversations":[')
        chunk = b' ' * (1 << 20)
        for _ in range(200):
            f.write(chunk)
        f.write(b']}')
# truncations of the deflated export at several points
full = open(path('deflated.zip'), 'rb').read()
for frac in (10, 50, 90, 99):
    open(path('truncated-%d.zip' % frac), 'wb').write(full[:len(full) * frac // 100])
# gzip: one member, two members, truncated, trailing garbage
open(path('export.json.gz'), 'wb').write(gzip.compress(backend))
half = len(backend) // 2
open(path('two-members.json.gz'), 'wb').write(gzip.compress(backend[:half]) + gzip.compress(backend[half:]))
gz = gzip.compress(backend)
open(path('truncated.json.gz'), 'wb').write(gz[:len(gz) // 2])
open(path('garbage-after.json.gz'), 'wb').write(gz + b'not gzip')
# deflate data damaged in the middle (the header and CRC trailer intact)
bad = bytearray(gz)
for i in range(len(bad) // 2, len(bad) // 2 + 16):
    bad[i] ^= 0xFF
open(path('corrupt.json.gz'), 'wb').write(bytes(bad))
# a gzip bomb: a few KiB that expand to 64 MiB of spaces (test_input caps it lower)
z = zlib.compressobj(9, zlib.DEFLATED, 31)
with open(path('bomb.json.gz'), 'wb') as f:
    f.write(z.compress(b'{"conversations":['))
    block = b' ' * (1 << 20)
    for _ in range(64):
        f.write(z.compress(block))
    f.write(z.flush())
# The central directory carries sizes (and an offset) only in the ZIP64
# extra field, with 0xFFFFFFFF placeholders, as archives over 4 GiB do.
# Debian's minizip misreads exactly this on 64-bit; small, so it is cheap.
def zip64_extra(dst, members):
    out, central = bytearray(), bytearray()
    for name, data, fields in members:
        comp = zlib.compressobj(6, zlib.DEFLATED, -15)
        cdata = comp.compress(data) + comp.flush()
        crc = zlib.crc32(data)
        offset = len(out)
        nb = name.encode()
        out += struct.pack('<IHHHHHIIIHH', 0x04034b50, 45, 0, 8, 0, 0, crc, len(cdata), len(data), len(nb), 0) + nb + cdata
        vals = {'usize': len(data), 'csize': len(cdata), 'offset': offset}
        extra = b''.join(struct.pack('<Q', vals[f]) for f in fields)
        extra = struct.pack('<HH', 1, len(extra)) + extra
        cs = 0xFFFFFFFF if 'csize' in fields else len(cdata)
        us = 0xFFFFFFFF if 'usize' in fields else len(data)
        off = 0xFFFFFFFF if 'offset' in fields else offset
        central += struct.pack('<IHHHHHHIIIHHHHHII', 0x02014b50, 45, 45, 0, 8, 0, 0, crc, cs, us,
                               len(nb), len(extra), 0, 0, 0, 0, off) + nb + extra
    cd_offset = len(out)
    out += central
    out += struct.pack('<IHHHHIIH', 0x06054b50, 0, 0, len(members), len(members), len(central), cd_offset, 0)
    open(path(dst), 'wb').write(bytes(out))
zip64_extra('zip64-extra.zip', [
    (ROOT + 'prod-grok-backend.json', backend, ['usize', 'csize']),
    (ROOT + 'prod-mc-asset-server//' + ASSET1 + '/content', PNG, ['usize', 'csize', 'offset'])])

# an extracted export folder with the real layout
base = path('folder/' + ROOT)
os.makedirs(os.path.join(base, 'prod-mc-asset-server', ASSET1), exist_ok=True)
open(os.path.join(base, 'prod-grok-backend.json'), 'wb').write(backend)
open(os.path.join(base, 'prod-mc-auth-mgmt-api.json'), 'wb').write(b'{}')
open(os.path.join(base, 'prod-mc-asset-server', ASSET1, 'content'), 'wb').write(PNG)

# ---- integrity: every member read is checked to its end ------------------
# Offsets of each entry's local header and central record, from zipfile.
def records(data):
    zf = zipfile.ZipFile(io.BytesIO(bytes(data)))
    loc = [i.header_offset for i in zf.infolist()]
    cen, off = [], zf.start_dir
    for _ in zf.infolist():
        cen.append(off)
        n, x, c = struct.unpack_from('<HHH', data, off + 28)
        off += 46 + n + x + c
    return loc, cen

def patch_entry(src, dst, k, fn):
    data = bytearray(open(path(src), 'rb').read())
    loc, cen = records(data)
    fn(data, loc[k], cen[k])
    open(path(dst), 'wb').write(bytes(data))

def xor32(d, off, v=0x5a5a5a5a):
    struct.pack_into('<I', d, off, struct.unpack_from('<I', d, off)[0] ^ v)

def add32(d, off, v):
    struct.pack_into('<I', d, off, struct.unpack_from('<I', d, off)[0] + v)

# the backend deflated: a wrong CRC-32; a declared size larger than its data
with zipfile.ZipFile(path('int-deflated.zip'), 'w', compression=zipfile.ZIP_DEFLATED) as zf:
    zf.writestr(ROOT + 'prod-grok-backend.json', backend)
patch_entry('int-deflated.zip', 'int-deflated-badcrc.zip', 0,
            lambda d, l, c: (xor32(d, l + 14), xor32(d, c + 16)))
patch_entry('int-deflated.zip', 'int-deflated-bigsize.zip', 0,
            lambda d, l, c: (add32(d, l + 22, 1000), add32(d, c + 24, 1000)))
# the JSON closes long before the member ends: its tail (white space) is
# what the CRC-32 says is damaged
tail = backend + b'\n' * (3 << 20)
with zipfile.ZipFile(path('int-tail.zip'), 'w', compression=zipfile.ZIP_DEFLATED) as zf:
    zf.writestr(ROOT + 'prod-grok-backend.json', tail)
bad_tail_crc = zlib.crc32(tail[:-5] + b' ' + tail[-4:])
patch_entry('int-tail.zip', 'int-tail-badcrc.zip', 0, lambda d, l, c: (
    struct.pack_into('<I', d, l + 14, bad_tail_crc), struct.pack_into('<I', d, c + 16, bad_tail_crc)))
with zipfile.ZipFile(path('int-tail-garbage.zip'), 'w', compression=zipfile.ZIP_DEFLATED) as zf:
    zf.writestr(ROOT + 'prod-grok-backend.json', backend + b'\n' * 70000 + b'x')
# the backend's local header disagrees with its central record
patch_entry('int-deflated.zip', 'int-local-differs.zip', 0, lambda d, l, c: xor32(d, l + 14))

# attachments: a backend that names ASSET1 (deflated) and ASSET2 (stored)
att_backend = open(os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                '../parse/golden/29-attachments-and-cards/input.json'), 'rb').read()
att_backend = att_backend.replace(b'8f0e1d2c-3b4a-4958-a6b7-c8d9e0f1a2b3', ASSET1.encode()).replace(
    b'9a0b1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d', ASSET2.encode())
def att_layout(zf, asset1=None):
    zf.writestr(ROOT + 'prod-grok-backend.json', att_backend, compress_type=zipfile.ZIP_DEFLATED)
    zf.writestr(asset1 or (ROOT + 'prod-mc-asset-server//' + ASSET1 + '/content'), PNG,
                compress_type=zipfile.ZIP_DEFLATED)
    zf.writestr(ROOT + 'prod-mc-asset-server//' + ASSET2 + '/content', PDF,
                compress_type=zipfile.ZIP_STORED)
with zipfile.ZipFile(path('att-ok.zip'), 'w') as zf:
    att_layout(zf)
A1, A2 = 1, 2  # entry numbers
patch_entry('att-ok.zip', 'att-badcrc.zip', A1, lambda d, l, c: (xor32(d, l + 14), xor32(d, c + 16)))
patch_entry('att-ok.zip', 'att-stored-badcrc.zip', A2, lambda d, l, c: (xor32(d, l + 14), xor32(d, c + 16)))
patch_entry('att-ok.zip', 'att-badsize.zip', A1, lambda d, l, c: (add32(d, l + 22, 10), add32(d, c + 24, 10)))
def att_encrypt(d, l, c):
    d[l + 6] |= 1
    d[c + 8] |= 1
patch_entry('att-ok.zip', 'att-encrypted.zip', A1, att_encrypt)
patch_entry('att-ok.zip', 'att-csize-beyond.zip', A1, lambda d, l, c: struct.pack_into('<I', d, c + 20, 0x7fffffff))
patch_entry('att-ok.zip', 'att-local-crc.zip', A1, lambda d, l, c: xor32(d, l + 14))
def att_local_name(d, l, c):
    n = struct.unpack_from('<H', d, l + 26)[0]
    d[l + 30 + n - 8] ^= 0x01  # "content" -> "bontent" in the local header only
patch_entry('att-ok.zip', 'att-local-name.zip', A1, att_local_name)
with zipfile.ZipFile(path('att-symlink.zip'), 'w') as zf:
    info = zipfile.ZipInfo(ROOT + 'prod-mc-asset-server//' + ASSET1 + '/content')
    info.create_system = 3
    info.external_attr = (0o120777 << 16)
    zf.writestr(ROOT + 'prod-grok-backend.json', att_backend, compress_type=zipfile.ZIP_DEFLATED)
    zf.writestr(info, b'/etc/passwd')
    zf.writestr(ROOT + 'prod-mc-asset-server//' + ASSET2 + '/content', PDF)
# a folder whose attachment is a symbolic link
base = path('att-folder/' + ROOT)
os.makedirs(os.path.join(base, 'prod-mc-asset-server', ASSET1), exist_ok=True)
open(os.path.join(base, 'prod-grok-backend.json'), 'wb').write(att_backend)
link = os.path.join(base, 'prod-mc-asset-server', ASSET1, 'content')
if not os.path.lexists(link):
    os.symlink('/etc/passwd', link)

# ---- files that are not an export ---------------------------------------
def put(name, data):
    open(path(name), 'wb').write(data)
put('not-export.pdf', PDF)
put('not-export.png', PNG)
put('not-export.jpg', b'\xff\xd8\xff\xe0\0\x10JFIF\0' + b'\0' * 64)
put('not-export.gif', b'GIF89a' + b'\0' * 64)
put('not-export.webp', b'RIFF\0\0\0\0WEBPVP8 ' + b'\0' * 64)
put('README.md', b'# libgrokx\n\nA C library.\n')
put('notes.txt', b'Notes from the meeting.\n')
put('page.html', b'<!doctype html>\n<html><body>hi</body></html>\n')
put('empty.json', b'')
put('pdf.json.gz', gzip.compress(PDF))
with zipfile.ZipFile(path('no-backend.zip'), 'w') as zf:
    zf.writestr('[Content_Types].xml', b'<Types/>')
    zf.writestr('word/document.xml', b'<w:document/>')

# written to a pipe: data descriptors (flag bit 3), sizes and CRC-32 after
# the data, zeros in the local header; the asset with ZIP64 descriptors
class Unseekable(io.RawIOBase):
    def __init__(self):
        self.data = bytearray()
    def writable(self):
        return True
    def write(self, b):
        self.data += b
        return len(b)
pipe = Unseekable()
with zipfile.ZipFile(pipe, 'w', compression=zipfile.ZIP_DEFLATED) as zf:
    with zf.open(ROOT + 'prod-grok-backend.json', 'w') as f:
        f.write(backend)
    with zf.open(ROOT + 'prod-mc-asset-server//' + ASSET1 + '/content', 'w', force_zip64=True) as f:
        f.write(PNG)
put('descriptor.zip', bytes(pipe.data))
# an attachment's central record points one byte past its local header
patch_entry('att-ok.zip', 'att-bad-local.zip', A1, lambda d, l, c: add32(d, c + 42, 1))
# the last attachment's local extra field runs past the end of the file
patch_entry('att-ok.zip', 'att-data-beyond.zip', A2, lambda d, l, c: struct.pack_into('<H', d, l + 28, 0xFFFF))
