# Generates tiny PNG fixtures for MatteKit's PNG decoder tests, with an encoder written here by hand
# (so that interlacing, every filter type and split IDAT chunks are exercised), and the expected
# decoded pixels (.rgb = RGB24, .rgba = RGBA32) computed from the invented samples and cross-checked with Pillow.
# Usage (from the repository root): python3 tests/MatteKit.Tests/Fixtures/png/make_fixtures.py tests/MatteKit.Tests/Fixtures/png
import struct, zlib, sys, os, io
out = sys.argv[1]

def chunk(t, d):
    return struct.pack('>I', len(d)) + t + d + struct.pack('>I', zlib.crc32(t + d) & 0xffffffff)

def paeth(a, b, c):
    p = a + b - c; pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    return a if pa <= pb and pa <= pc else (b if pb <= pc else c)

def filt(ft, cur, prev, bpp):
    o = bytearray()
    for i, x in enumerate(cur):
        a = cur[i - bpp] if i >= bpp else 0; b = prev[i]; c = prev[i - bpp] if i >= bpp else 0
        o.append((x - [0, a, b, (a + b) // 2, paeth(a, b, c)][ft]) & 255)
    return bytes([ft]) + bytes(o)

CH = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}
def pack(px, ct, bd):  # px: list of pixels, each a tuple of samples
    s = [v for p in px for v in p]
    if bd == 16: return b''.join(struct.pack('>H', v) for v in s)
    if bd == 8: return bytes(s)
    o = bytearray(); acc = 0; n = 0
    for v in s:
        acc = (acc << bd) | v; n += bd
        if n == 8: o.append(acc); acc = 0; n = 0
    if n: o.append(acc << (8 - n))
    return bytes(o)

PASSES = [(0,0,8,8),(4,0,8,8),(0,4,4,8),(2,0,4,4),(0,2,2,4),(1,0,2,2),(0,1,1,2)]
def encode(w, h, ct, bd, img, interlace=False, plte=None, trns=None, split=None, fstart=0):
    bpp = max(1, CH[ct] * bd // 8)
    raw = bytearray(); k = fstart
    subs = [(0,0,1,1)] if not interlace else PASSES
    for xs, ys, dx, dy in subs:
        cols = list(range(xs, w, dx)); rws = list(range(ys, h, dy))
        if not cols or not rws: continue
        prev = bytes(len(pack([img[0][0]] * len(cols), ct, bd)))
        for y in rws:
            cur = pack([img[y][x] for x in cols], ct, bd)
            raw += filt(k % 5, cur, prev, bpp); k += 1; prev = cur
    z = zlib.compress(bytes(raw), 9)
    data = b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', w, h, bd, ct, 0, 0, 1 if interlace else 0))
    data += chunk(b'tEXt', b'Comment\x00MatteKit test fixture')
    if plte: data += chunk(b'PLTE', bytes(v for e in plte for v in e))
    if trns: data += chunk(b'tRNS', bytes(trns))
    parts = [z] if not split else [z[i:i + split] for i in range(0, len(z), split)]
    for p in parts: data += chunk(b'IDAT', p)
    return data + chunk(b'IEND', b'')

def expect(ct, bd, img, plte, trns):
    rgb = bytearray(); rgba = bytearray()
    for row in img:
        for p in row:
            if ct == 3:
                r, g, b = plte[p[0]] if p[0] < len(plte) else (0, 0, 0)
                a = trns[p[0]] if trns and p[0] < len(trns) else 255
            else:
                s = [v >> 8 for v in p] if bd == 16 else ([v * (255 // ((1 << bd) - 1)) for v in p] if bd < 8 else list(p))
                if ct in (0, 4): r = g = b = s[0]; a = s[1] if ct == 4 else 255
                else: r, g, b = s[:3]; a = s[3] if ct == 6 else 255
            rgb += bytes([r, g, b]); rgba += bytes([r, g, b, a])
    return bytes(rgb), bytes(rgba)

def make(name, w, h, ct, bd, f, **kw):
    m = (1 << bd) - 1
    img = [[tuple(f(x, y, c) & m for c in range(CH[ct])) for x in range(w)] for y in range(h)]
    data = encode(w, h, ct, bd, img, **kw)
    assert len(data) < 2048, (name, len(data))
    rgb, rgba = expect(ct, bd, img, kw.get('plte'), kw.get('trns'))
    open(os.path.join(out, name + '.png'), 'wb').write(data)
    open(os.path.join(out, name + '.rgb'), 'wb').write(rgb)
    open(os.path.join(out, name + '.rgba'), 'wb').write(rgba)
    try:
        from PIL import Image
        im = Image.open(io.BytesIO(data)); im.load()
        if not (ct in (0, 4) and bd == 16):   # Pillow maps 16-bit grey to "I" and clips instead of taking the high byte
            assert im.convert('RGB').tobytes() == rgb, ('PIL RGB mismatch', name, im.mode)
            if ct != 0 and ct != 2:
                assert im.convert('RGBA').tobytes() == rgba, ('PIL RGBA mismatch', name, im.mode)
        pil = 'checked against Pillow'
    except ImportError:
        pil = 'Pillow not available'
    print(f'{name}: {w}x{h} type {ct} depth {bd}{" adam7" if kw.get("interlace") else ""}, {len(data)} bytes, {pil}')

grad = lambda x, y, c: (x * 37 + y * 11 + c * 85) ^ (y * 5)
pal16 = [(i * 16, 255 - i * 16, (i * 77) & 255) for i in range(16)]
pal256 = [(i, (i * 3) & 255, 255 - i) for i in range(256)]
make('gray1', 13, 7, 0, 1, lambda x, y, c: (x + y) % 3 == 0)
make('gray1_adam7', 11, 9, 0, 1, lambda x, y, c: (x * y) % 5 < 2, interlace=True)
make('gray2', 11, 5, 0, 2, lambda x, y, c: x + y)
make('gray4_adam7', 9, 6, 0, 4, lambda x, y, c: x * 2 + y, interlace=True)
make('gray8_adam7', 17, 9, 0, 8, grad, interlace=True, split=37)
make('gray16', 7, 5, 0, 16, lambda x, y, c: x * 9000 + y * 1111 + 128)
make('grayalpha8', 9, 7, 4, 8, grad, fstart=2)
make('grayalpha16_adam7', 5, 5, 4, 16, lambda x, y, c: (x * 13000 + y * 3001 + c * 20000), interlace=True)
make('rgb8', 3, 5, 2, 8, grad)
make('rgb8_adam7', 19, 11, 2, 8, grad, interlace=True, split=100)
make('rgb8_adam7_3x2', 3, 2, 2, 8, grad, interlace=True)
make('rgb8_adam7_1x1', 1, 1, 2, 8, grad, interlace=True)
make('rgb16', 8, 6, 2, 16, lambda x, y, c: x * 7000 + y * 9000 + c * 3000 + 77, fstart=3)
make('rgba8_adam7', 10, 6, 6, 8, grad, interlace=True)
make('rgba16', 6, 4, 6, 16, lambda x, y, c: (x * 5000 + y * 7000 + c * 9000 + 255) & 0xffff)
make('palette1', 10, 3, 3, 1, lambda x, y, c: (x + y) & 1, plte=[(255, 0, 0), (0, 0, 255)])
make('palette2_trns', 9, 4, 3, 2, lambda x, y, c: (x + 2 * y) % 4, plte=pal16[:4], trns=[0, 128])
make('palette4_adam7', 12, 6, 3, 4, lambda x, y, c: x + y, plte=pal16, interlace=True)
make('palette8_trns', 16, 8, 3, 8, lambda x, y, c: x * 16 + y * 3, plte=pal256, trns=[i for i in range(0, 250, 2)], split=64)
