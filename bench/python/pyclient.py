"""The Python rows of libreqc's benchmarks: requests and pycurl.

    pyclient.py LIB MODE URL COUNT CONCURRENCY HTTP EXPECT SCENARIO CLIENT ROUND

LIB is "requests" or "pycurl". MODE as in bench/raw_curl.c: seq (one
requests.Session / one reused pycurl.Curl), batch (requests: a thread pool of
CONCURRENCY over one Session with a pool of that size; pycurl: a CurlMulti
with CONCURRENCY recycled Curl handles), get_mem, get_stream. HTTP 2 (h2c
prior knowledge) is pycurl only. Prints the same JSON line as the C clients.
"""

import io
import json
import resource
import sys
import time


def cpu():
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime


class Counter:
    __slots__ = ("n",)

    def __init__(self):
        self.n = 0

    def write(self, data):
        self.n += len(data)


def run_requests(mode, url, count, conc, expect):
    import requests
    from requests.adapters import HTTPAdapter

    s = requests.Session()
    s.mount("http://", HTTPAdapter(pool_connections=1, pool_maxsize=conc))

    def one(stream=False):
        if stream:
            with s.get(url, stream=True) as r:
                n = sum(len(c) for c in r.iter_content(1 << 16))
        else:
            r = s.get(url)
            n = len(r.content)
        return n, r.status_code == 200 and n == expect

    good = total = 0
    if mode in ("seq", "get_mem", "get_stream"):
        for _ in range(count):
            n, ok = one(mode == "get_stream")
            total += n
            if not ok:
                break
            good += 1
    elif mode == "batch":
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=conc) as ex:
            for n, ok in ex.map(lambda _: one(), range(count)):
                total += n
                good += ok
    else:
        raise SystemExit("unknown mode " + mode)
    return good, total


def run_pycurl(mode, url, count, conc, http, expect):
    import pycurl

    def make():
        c = pycurl.Curl()
        c.setopt(pycurl.URL, url)
        c.setopt(pycurl.NOSIGNAL, 1)
        if http == 2:
            c.setopt(pycurl.HTTP_VERSION, pycurl.CURL_HTTP_VERSION_2_PRIOR_KNOWLEDGE)
            c.setopt(pycurl.PIPEWAIT, 1)
        else:
            c.setopt(pycurl.HTTP_VERSION, pycurl.CURL_HTTP_VERSION_1_1)
        return c

    good = total = 0
    if mode in ("seq", "get_mem", "get_stream"):
        c = make()
        for _ in range(count):
            if mode == "get_stream":
                sink = Counter()
                c.setopt(pycurl.WRITEFUNCTION, sink.write)
                c.perform()
                n = sink.n
            else:
                buf = io.BytesIO()
                c.setopt(pycurl.WRITEDATA, buf)
                c.perform()
                n = len(buf.getvalue())
            total += n
            if c.getinfo(pycurl.RESPONSE_CODE) != 200 or n != expect:
                break
            good += 1
        c.close()
    elif mode == "batch":
        m = pycurl.CurlMulti()
        m.setopt(pycurl.M_MAX_TOTAL_CONNECTIONS, conc)
        if http == 2:
            m.setopt(pycurl.M_PIPELINING, pycurl.PIPE_MULTIPLEX)
        started = done = 0
        for _ in range(min(conc, count)):
            c = make()
            c.sink = Counter()
            c.setopt(pycurl.WRITEFUNCTION, c.sink.write)
            m.add_handle(c)
            started += 1
        handles = []
        while done < count:
            while m.perform()[0] == pycurl.E_CALL_MULTI_PERFORM:
                pass
            while True:
                queued, ok_list, err_list = m.info_read()
                for c in ok_list:
                    done += 1
                    n = c.sink.n
                    total += n
                    good += c.getinfo(pycurl.RESPONSE_CODE) == 200 and n == expect
                for c, _errno, _msg in err_list:
                    done += 1
                for c in ok_list + [e[0] for e in err_list]:
                    m.remove_handle(c)
                    if started < count:
                        c.sink.n = 0
                        m.add_handle(c)
                        started += 1
                    else:
                        handles.append(c)
                if not queued:
                    break
            if done < count:
                m.select(1.0)
        for c in handles:
            c.close()
        m.close()
    else:
        raise SystemExit("unknown mode " + mode)
    return good, total


def main():
    if len(sys.argv) < 11:
        raise SystemExit(__doc__)
    lib, mode, url = sys.argv[1], sys.argv[2], sys.argv[3]
    count, conc, http, expect = (int(x) for x in sys.argv[4:8])
    scenario, client, rnd = sys.argv[8], sys.argv[9], int(sys.argv[10])
    if lib == "requests":
        import requests  # noqa: F401  (imported before the clock starts)
    else:
        import pycurl  # noqa: F401
    c0, t0 = cpu(), time.monotonic()
    if lib == "requests":
        good, total = run_requests(mode, url, count, conc, expect)
    else:
        good, total = run_pycurl(mode, url, count, conc, http, expect)
    wall, cpus = time.monotonic() - t0, cpu() - c0
    ok = good == count
    print(json.dumps({"scenario": scenario, "client": client, "round": rnd, "requests": count,
                      "bytes": total, "wall_s": round(wall, 6), "cpu_s": round(cpus, 6),
                      "rss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, "ok": ok}),
          flush=True)
    if not ok:
        print(f"pyclient: {good} of {count} good", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
