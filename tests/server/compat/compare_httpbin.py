#!/usr/bin/env python3
import http.client, json, sys, re
# usage: compare_httpbin.py MINE_PORT HTTPBIN_PORT
# Sends the same requests to reqc-test-server and to httpbin 0.10.4
# (e.g. `gunicorn -b 127.0.0.1:8099 -k gthread httpbin:app`) and prints
# every difference in status, headers (bar volatile ones) and body.
A = int(sys.argv[1]); B = int(sys.argv[2])
def do(port, method, path, headers=None, body=None):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=15)
    h = {"User-Agent": "cmp/1"}; h.update(headers or {})
    c.request(method, path, body=body, headers=h)
    r = c.getresponse(); data = r.read()
    return r.status, r.getheaders(), data
def norm(x, port):
    s = json.dumps(x) if not isinstance(x, str) else x
    return s.replace(f"127.0.0.1:{port}", "HOST")
multipart = (b"--BND\r\nContent-Disposition: form-data; name=\"field\"\r\n\r\nvalue\r\n--BND\r\nContent-Disposition: form-data; name=\"field\"\r\n\r\nv2\r\n"
  b"--BND\r\nContent-Disposition: form-data; name=\"up\"; filename=\"a.txt\"\r\nContent-Type: text/plain\r\n\r\nfile content\r\n"
  b"--BND\r\nContent-Disposition: form-data; name=\"bin\"; filename=\"b.bin\"\r\nContent-Type: image/png\r\n\r\n\xff\xfe\x00\r\n--BND--\r\n")
cases = [
 ("GET","/get?a=1&a=2&b=%C3%A9&c=x%20y&d=%2F&e=%26",{"X-Test":"1","x-other":"\u00e9"},None),
 ("HEAD","/get",{},None),
 ("POST","/post?q=1",{"Content-Type":"application/x-www-form-urlencoded"},b"a=1&b=2&b=3&u=%C3%A9"),
 ("POST","/post",{"Content-Type":"application/json"},b'{"x":[1,2.5,"\xc3\xa9"],"n":null}'),
 ("POST","/post",{"Content-Type":"text/plain"},b'[1,2]'),
 ("POST","/post",{"Content-Type":"application/octet-stream"},b'\xff\x00\x01'),
 ("POST","/post",{"Content-Type":"multipart/form-data; boundary=BND"},multipart),
 ("PUT","/put",{"Content-Type":"application/json"},b'{"a":1}'),
 ("PATCH","/patch",{},b'hello'),
 ("DELETE","/delete",{},None),
 ("GET","/post",{},None),
 ("PUT","/anything/a/b?x=1",{"Content-Type":"application/json"},b'{"a":1}'),
 ("PATCH","/anything",{"Content-Type":"multipart/form-data; boundary=BND"},multipart),
 ("GET","/headers",{"X-Forwarded-For":"1.2.3.4","Via":"x"},None),
 ("GET","/headers?show_env=1",{"Via":"x"},None),
 ("GET","/ip",{},None),
 ("GET","/user-agent",{},None),
 ("GET","/cookies",{"Cookie":"a=1; b=\"x y\"; __utma=1"},None),
 ("GET","/cookies/set?a=1&b=2&a=3",{},None),
 ("GET","/cookies/set/n/v%20w",{},None),
 ("GET","/cookies/delete?a&b",{},None),
 ("GET","/basic-auth/u/p",{},None),
 ("GET","/basic-auth/u/p",{"Authorization":"Basic dTpw"},None),
 ("GET","/basic-auth/u/p",{"Authorization":"Basic dTpx"},None),
 ("GET","/hidden-basic-auth/u/p",{},None),
 ("GET","/hidden-basic-auth/u/p",{"Authorization":"Basic dTpw"},None),
 ("GET","/bearer",{"Authorization":"Bearer tok"},None),
 ("GET","/bearer",{},None),
 ("GET","/response-headers?A=1&A=2&freeform=x",{},None),
 ("POST","/response-headers?X-Y=z",{},b""),
 ("GET","/redirect/3",{},None),
 ("GET","/redirect/1",{},None),
 ("GET","/redirect/2?absolute=true",{},None),
 ("GET","/relative-redirect/2",{},None),
 ("GET","/absolute-redirect/2",{},None),
 ("POST","/redirect-to?url=/get&status_code=307",{},b"x"),
 ("GET","/redirect-to?url=http://example.com/",{},None),
 ("GET","/redirect-to?url=/x&status_code=200",{},None),
 ("GET","/status/418",{},None),
 ("GET","/status/302",{},None),
 ("POST","/status/500",{},b""),
 ("GET","/status/401",{},None),
 ("GET","/status/abc",{},None),
 ("GET","/status/204",{},None),
 ("GET","/digest-auth/auth/u/p",{},None),
 ("GET","/digest-auth/auth-int/u/p/SHA-256",{},None),
 ("GET","/digest-auth/bogus/u/p",{},None),
 ("GET","/gzip",{"Accept-Encoding":"gzip"},None),
 ("GET","/deflate",{},None),
 ("GET","/delay/0.2",{},None),
 ("GET","/json",{},None),
 ("GET","/xml",{},None),
 ("GET","/robots.txt",{},None),
 ("GET","/deny",{},None),
 ("GET","/range/30",{"Range":"bytes=5-9"},None),
 ("GET","/range/30",{"Range":"bytes=50-"},None),
 ("GET","/bytes/10",{},None),
 ("GET","/etag/abc",{"If-None-Match":'"abc"'},None),
 ("GET","/cache/60",{},None),
 ("OPTIONS","/get",{"Origin":"http://o","Access-Control-Request-Headers":"X-A"},None),
 ("GET","/nope",{},None),
 ("GET","/base64/aGVsbG8=",{},None),
]
SKIPH = {"date","server","connection","content-length","transfer-encoding","etag","last-modified","keep-alive"}
import gzip, zlib
bad = 0
for m, p, h, b in cases:
    ra = do(A, m, p, h, b); rb = do(B, m, p, h, b)
    diffs = []
    if ra[0] != rb[0]: diffs.append(f"status {ra[0]} vs {rb[0]}")
    ha = {}; hb = {}
    for k, v in ra[1]: ha.setdefault(k.lower(), []).append(v)
    for k, v in rb[1]: hb.setdefault(k.lower(), []).append(v)
    for k in sorted(set(ha) | set(hb)):
        if k in SKIPH: continue
        va = [norm(x, A) for x in ha.get(k, [])]; vb = [norm(x, B) for x in hb.get(k, [])]
        if k == "www-authenticate" and va and vb:
            va = [re.sub(r'(nonce|opaque)="[0-9a-f]+"', r'\1=X', x).replace("stale=FALSE","stale=False") for x in va]
            vb = [re.sub(r'(nonce|opaque)="[0-9a-f]+"', r'\1=X', x) for x in vb]
        if va != vb: diffs.append(f"header {k}: {va} vs {vb}")
    ba, bb = ra[2], rb[2]
    enc = (ha.get("content-encoding") or [""])[0]
    if enc == "gzip": ba, bb = gzip.decompress(ba), gzip.decompress(bb)
    if enc == "deflate": ba, bb = zlib.decompress(ba), zlib.decompress(bb)
    if p.startswith("/bytes"):
        ba = bb = b""
    ta = ba.decode("latin1").replace(f"127.0.0.1:{A}", "HOST"); tb = bb.decode("latin1").replace(f"127.0.0.1:{B}", "HOST")
    ta = ta.replace('"User-Agent": "cmp/1"', '"User-Agent": "cmp/1"')
    if p.startswith("/html"): ta = tb
    if ta != tb: diffs.append("body differs:\n--- mine\n" + ta[:1500] + "\n--- httpbin\n" + tb[:1500])
    print(("OK   " if not diffs else "DIFF ") + m + " " + p)
    for d in diffs: print("     " + d); bad += 1
print("diffs:", bad)
