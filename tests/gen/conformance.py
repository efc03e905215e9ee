#!/usr/bin/env python3
"""Generates the C runner of the language-neutral conformance cases.

Usage: tests/gen/conformance.py include/reqc.h OUT.c

Reads every tests/conformance/*.json (an array of cases; the schema is in
tests/conformance/README.md) and writes one C test program with one test
function per case, so C runs the very cases the C++, Go and Ruby suites run.
Every step is generated as a plain call with an exact check; only the
comparison of echoed JSON is done at run time, by a small JSON reader in the
program's preamble (a subset match: every expected key and value must be
there, arrays and scalars must be equal).

The header path is taken for the Makefile's calling convention (the same as
every tests/gen/*.py) and to refuse a case that names a code the header does
not define.
"""
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
CASES_DIR = os.path.join(os.path.dirname(HERE), "conformance")

CASE_KEYS = {"_file", "name", "about", "session", "request", "expect", "pending", "reqc_only"}
SESSION_KEYS = {"headers", "params", "auth", "user_agent", "cookies", "before", "timeout_ms",
                "read_timeout_ms"}
REQUEST_KEYS = {"method", "path", "url", "headers", "params", "body", "auth", "timeout_ms",
                "read_timeout_ms", "redirects", "max_response_bytes"}
EXPECT_KEYS = {"code", "status", "history", "history_status", "url", "body_length",
               "response_headers", "response_headers_all", "response_headers_absent",
               "response_headers_present",
               "json_subset", "headers_absent", "json_absent"}


def c_str(s):
    """A C string literal for the UTF-8 bytes of s (ASCII-only source)."""
    out = []
    for b in s.encode("utf-8"):
        c = chr(b)
        if c == '"' or c == "\\":
            out.append("\\" + c)
        elif 32 <= b < 127 and c != "?":
            out.append(c)
        else:
            out.append("\\%03o" % b)
    return '"' + "".join(out) + '"'


def c_opt(s):
    return "NULL" if s is None else c_str(s)


def c_ident(name):
    return re.sub(r"[^A-Za-z0-9_]", "_", name)


def load_cases():
    cases = []
    for fn in sorted(os.listdir(CASES_DIR)):
        if not fn.endswith(".json"):
            continue
        with open(os.path.join(CASES_DIR, fn), encoding="utf-8") as f:
            for case in json.load(f):
                case["_file"] = fn
                cases.append(case)
    return cases


def check_keys(case, obj, allowed, what):
    extra = set(obj) - allowed
    if extra:
        sys.exit("%s: case %s: unknown %s keys %s" % (case["_file"], case.get("name"), what,
                                                      sorted(extra)))


def url_expr(spec):
    """C expression for a case's target: `path` (relative to REQC_TEST_URL)
    or `url` ({base} and {base2} stand for the two origins)."""
    if "path" in spec:
        return "conf_url(%s)" % c_str(spec["path"])
    return "conf_url(%s)" % c_str(spec["url"])


def value_expr(value):
    """A header or param value; placeholders ({base}...) only when it has one."""
    return "conf_subst(%s)" % c_str(value) if "{" in value else c_str(value)


def auth_calls(obj, auth, target):
    """Calls that set `auth` on a request (target "req") or a session ("s")."""
    fn = "reqc_request" if target == "req" else "reqc_session"
    if auth == "none":
        return ["%s_set_auth_none(%s)" % (fn, obj)]
    (kind, arg), = auth.items()
    if kind in ("basic", "digest"):
        return ["%s_set_auth_%s(%s, %s, %s)" % (fn, kind, obj, c_str(arg[0]), c_str(arg[1]))]
    if kind == "bearer":
        return ["%s_set_auth_bearer(%s, %s)" % (fn, obj, c_str(arg))]
    raise ValueError("unknown auth %r" % auth)


def request_setters(r):
    """(C call, ...) that build the request `req` from the case's `request`."""
    calls = []
    for name, value in r.get("headers", []):
        if value is None:
            calls.append("reqc_request_set_header(req, %s, NULL)" % c_str(name))
        else:
            calls.append("reqc_request_add_header(req, %s, %s)" % (c_str(name), value_expr(value)))
    for name, value in r.get("params", []):
        calls.append("reqc_request_add_param(req, %s, %s)" % (c_str(name), value_expr(value)))
    body = r.get("body")
    if body is not None:
        kind = body["kind"]
        if kind == "bytes":
            data = body["data"].encode("utf-8")
            calls.append("reqc_request_set_body(req, (const uint8_t *)%s, %d, %s)" % (
                c_str(body["data"]), len(data), c_opt(body.get("content_type"))))
        elif kind == "json":
            calls.append("reqc_request_set_json(req, %s)" % c_str(body["text"]))
        elif kind in ("form", "multipart"):
            for name, value in body.get("fields", []):
                calls.append("reqc_request_add_form_field(req, %s, %s)" % (c_str(name), c_str(value)))
            for f in body.get("files", []):
                data = f["data"].encode("utf-8")
                calls.append("reqc_request_add_file_data(req, %s, %s, (const uint8_t *)%s, %d, %s)" % (
                    c_str(f["field"]), c_str(f["filename"]), c_str(f["data"]), len(data),
                    c_opt(f.get("content_type"))))
        else:
            raise ValueError("unknown body kind %r" % kind)
    if "auth" in r:
        calls += auth_calls("req", r["auth"], "req")
    if "timeout_ms" in r:
        calls.append("reqc_request_set_timeout_ms(req, %d)" % r["timeout_ms"])
    if "read_timeout_ms" in r:
        calls.append("reqc_request_set_read_timeout_ms(req, %d)" % r["read_timeout_ms"])
    if "redirects" in r:
        red = r["redirects"]
        calls.append("reqc_request_set_redirects(req, %d, %d)" % (
            1 if red.get("follow", True) else 0, red.get("max", 30)))
    if "max_response_bytes" in r:
        calls.append("reqc_request_set_max_response_bytes(req, %d)" % r["max_response_bytes"])
    return calls


def session_setup(sess):
    lines = []
    for name, value in sess.get("headers", []):
        if value is None:
            lines.append("CHECK_S(reqc_session_set_header(s, %s, NULL));" % c_str(name))
        else:
            lines.append("CHECK_S(reqc_session_add_header(s, %s, %s));" % (c_str(name), c_str(value)))
    for name, value in sess.get("params", []):
        lines.append("CHECK_S(reqc_session_add_param(s, %s, %s));" % (c_str(name), c_str(value)))
    if "auth" in sess:
        lines += ["CHECK_S(%s);" % c for c in auth_calls("s", sess["auth"], "s")]
    if "user_agent" in sess:
        lines.append("CHECK_S(reqc_session_set_user_agent(s, %s));" % c_str(sess["user_agent"]))
    if "timeout_ms" in sess:
        lines.append("CHECK_S(reqc_session_set_timeout_ms(s, %d));" % sess["timeout_ms"])
    if "read_timeout_ms" in sess:
        lines.append("CHECK_S(reqc_session_set_read_timeout_ms(s, %d));" % sess["read_timeout_ms"])
    for path, set_cookie in sess.get("cookies", []):
        lines.append("CHECK_S(reqc_session_set_cookie(s, conf_url(%s), %s));" % (
            c_str(path), c_str(set_cookie)))
    for before in sess.get("before", []):
        lines.append("conf_send_before(s, %s, %s);" % (
            c_str(before.get("method", "GET")), url_expr(before)))
    return lines


def expect_checks(e, codes):
    lines = []
    code = e.get("code", "REQC_OK")
    if code not in codes:
        raise ValueError("unknown code %s (not in the header)" % code)
    lines.append("conf_check_code(rc, %s, req);" % code)
    if code != "REQC_OK":
        if set(e) == {"code"}:
            return lines
        if code != "REQC_E_TOO_MANY_REDIRECTS":
            raise ValueError("only REQC_OK and REQC_E_TOO_MANY_REDIRECTS have a response to check")
        # The redirect that was not followed, with its history (Requests'
        # TooManyRedirects.response).
        lines.append("if (rc != %s) return;" % code)
        lines.append("CHECK_OK(reqc_request_last_response(req, &resp), req);")
        lines.append("conf_resp = resp;")
    lines.append("if (resp == NULL) return;")
    if "status" in e:
        lines.append("conf_check_int(\"status\", reqc_response_status(resp), %d);" % e["status"])
    if "history" in e:
        lines.append("conf_check_int(\"history\", (long)reqc_response_history_count(resp), %d);"
                     % e["history"])
    for i, st in enumerate(e.get("history_status", [])):
        lines.append("conf_check_int(\"history status\", "
                     "reqc_response_status(check_hop(resp, %d)), %d);" % (i, st))
    if "url" in e:
        lines.append("CHECK_STR_EQ(reqc_response_url(resp), conf_url(%s));" % c_str(e["url"]))
    if "body_length" in e:
        lines.append("{ size_t n = 0; reqc_response_body(resp, &n); "
                     "conf_check_int(\"body length\", (long)n, %d); }" % e["body_length"])
    for name, value in e.get("response_headers", {}).items():
        lines.append("CHECK_STR_EQ(reqc_response_header(resp, %s), %s);" % (c_str(name), value_expr(value)))
    for name, values in e.get("response_headers_all", {}).items():
        joined = "\n".join(values)
        lines.append("conf_check_header_all(resp, %s, %s);" % (c_str(name), c_str(joined)))
    for name in e.get("response_headers_present", []):
        lines.append("CHECK(reqc_response_header(resp, %s) != NULL);" % c_str(name))
    for name in e.get("response_headers_absent", []):
        lines.append("CHECK(reqc_response_header(resp, %s) == NULL);" % c_str(name))
    if "json_subset" in e:
        want = json.dumps(e["json_subset"], ensure_ascii=True, sort_keys=True)
        lines.append("conf_check_json_subset(reqc_response_text(resp), %s);" % c_str(want))
    for name in e.get("headers_absent", []):
        lines.append("conf_check_json_absent(reqc_response_text(resp), \"headers\", %s);" % c_str(name))
    for path in e.get("json_absent", []):
        lines.append("conf_check_json_absent(reqc_response_text(resp), %s, %s);" % (
            c_str(path[0]), c_str(path[1])))
    return lines


def gen_case(case, codes):
    check_keys(case, case, CASE_KEYS, "case")
    check_keys(case, case.get("session", {}), SESSION_KEYS, "session")
    check_keys(case, case["request"], REQUEST_KEYS, "request")
    check_keys(case, case.get("expect", {}), EXPECT_KEYS, "expect")
    fn = "case_" + c_ident(case["name"])
    r = case["request"]
    out = ["/* %s: %s */" % (case["_file"], case.get("about", case["name"]).replace("*/", "* /")),
           "static void %s(void) {" % fn,
           "    reqc_session *s = NULL;",
           "    reqc_request *req = NULL;",
           "    reqc_response *resp = NULL;",
           "    reqc_code rc;"]
    if "pending" in case:
        out.append("    if (check_env_or_null(\"REQC_CONFORMANCE_PENDING\") == NULL) SKIP(%s);"
                   % c_str("pending: " + case["pending"]))
    if "reqc_only" in case:
        out.append("    if (check_is_httpbin()) SKIP(%s);" % c_str("libreqc's test server only: "
                                                                  + case["reqc_only"]))
    if "session" in case:
        out.append("    if (reqc_session_new(&s) != REQC_OK) { CHECK(0); return; }")
        out += ["    " + l for l in session_setup(case["session"])]
    out.append("    rc = reqc_request_new(%s, %s, &req, NULL);" % (c_str(r.get("method", "GET")), url_expr(r)))
    out.append("    if (rc == REQC_OK) {")
    for call in request_setters(r):
        out.append("        CHECK_OK(%s, req);" % call)
    out.append("        rc = s != NULL ? reqc_session_send(s, req, &resp) : reqc_send(req, &resp);")
    out.append("    }")
    out += ["    conf_case_end_push(s, req, resp);"]
    out += ["    " + l for l in expect_checks(case.get("expect", {}), codes)]
    out.append("}")
    return fn, "\n".join(out)


PREAMBLE = r'''/* GENERATED by tests/gen/conformance.py from tests/conformance/ (every .json file):
 * do not edit by hand. One test per conformance case. */
#define _POSIX_C_SOURCE 200809L
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "check.h"

/* A session setter that must succeed. */
#define CHECK_S(expr)                                                                \
    do {                                                                             \
        reqc_code conf_rc_ = (expr);                                                 \
        if (conf_rc_ != REQC_OK) {                                                   \
            fprintf(stderr, "  FAIL %s:%d: %s gave %s (%s)\n", __FILE__, __LINE__,    \
                    #expr, reqc_code_name(conf_rc_), reqc_session_error(s));         \
            check_failed_now = 1;                                                    \
        }                                                                            \
    } while (0)

/* The case's handles, freed when the next case starts or at exit (a check
 * may return early, so no case frees its own). */
static reqc_session *conf_s;
static reqc_request *conf_req;
static reqc_response *conf_resp;

static void conf_free_handles(void) {
    reqc_response_free(conf_resp);
    reqc_request_free(conf_req);
    reqc_session_free(conf_s);
    conf_resp = NULL;
    conf_req = NULL;
    conf_s = NULL;
}

static void conf_case_end_push(reqc_session *s, reqc_request *req, reqc_response *resp) {
    conf_s = s;
    conf_req = req;
    conf_resp = resp;
}

/* `spec` with "{base}", "{base2}" and "{hostport}" (REQC_TEST_URL without
 * its scheme) replaced; in a static rotating buffer. */
static const char *conf_subst(const char *spec) {
    static char bufs[8][16384];
    static int next;
    const char *base = check_env("REQC_TEST_URL");
    const char *hostport = strstr(base, "://") != NULL ? strstr(base, "://") + 3 : base;
    char *b = bufs[next++ % 8];
    size_t n = 0;
    const char *p = spec;
    while (*p && n + 1 < sizeof bufs[0]) {
        const char *rep = NULL;
        size_t skip = 0;
        if (strncmp(p, "{base}", 6) == 0) rep = base, skip = 6;
        else if (strncmp(p, "{base2}", 7) == 0) rep = check_env("REQC_TEST_URL2"), skip = 7;
        else if (strncmp(p, "{hostport}", 10) == 0) rep = hostport, skip = 10;
        if (rep != NULL) {
            n += (size_t)snprintf(b + n, sizeof bufs[0] - n, "%s", rep);
            if (n >= sizeof bufs[0]) n = sizeof bufs[0] - 1;
            p += skip;
        } else {
            b[n++] = *p++;
        }
    }
    b[n] = 0;
    return b;
}

/* A case's target: a path ("/get?a=1") on REQC_TEST_URL, or a URL with
 * placeholders (see conf_subst). */
static const char *conf_url(const char *spec) {
    return conf_subst(spec[0] == '/' ? check_url_at("{base}", spec) : spec);
}

/* A request the session sends before the case's own (e.g. to get cookies). */
static void conf_send_before(reqc_session *s, const char *method, const char *url) {
    reqc_request *req = NULL;
    reqc_response *resp = NULL;
    if (reqc_request_new(method, url, &req, NULL) != REQC_OK) {
        fprintf(stderr, "  FAIL: before: cannot make %s %s\n", method, url);
        check_failed_now = 1;
        return;
    }
    CHECK_OK(reqc_session_send(s, req, &resp), req);
    reqc_response_free(resp);
    reqc_request_free(req);
}

static void conf_check_code(reqc_code got, reqc_code want, reqc_request *req) {
    if (got != want) {
        fprintf(stderr, "  FAIL: code %s, want %s (%s)\n", reqc_code_name(got),
                reqc_code_name(want), req != NULL ? reqc_request_error(req) : "no request");
        check_failed_now = 1;
    }
}

static void conf_check_int(const char *what, long got, long want) {
    if (got != want) {
        fprintf(stderr, "  FAIL: %s %ld, want %ld\n", what, got, want);
        check_failed_now = 1;
    }
}

/* Every value of response header `name` in order, joined with "\n". */
static void conf_check_header_all(const reqc_response *resp, const char *name, const char *want) {
    char got[4096] = "";
    size_t i, n = reqc_response_header_count(resp), used = 0;
    for (i = 0; i < n; i++) {
        const char *k = NULL, *v = NULL;
        if (reqc_response_header_at(resp, i, &k, &v) != REQC_OK || strcasecmp(k, name) != 0)
            continue;
        used += (size_t)snprintf(got + used, sizeof got - used, "%s%s", used ? "\n" : "", v);
        if (used >= sizeof got) used = sizeof got - 1;
    }
    if (strcmp(got, want) != 0) {
        fprintf(stderr, "  FAIL: header %s is [%s], want [%s]\n", name, got, want);
        check_failed_now = 1;
    }
}

/* ---- A small JSON reader, for the subset match of echoed bodies. ---- */

enum { J_NULL, J_BOOL, J_NUM, J_STR, J_ARR, J_OBJ };

typedef struct jv {
    int type;
    int b;
    double num;
    char *str;          /* J_STR: the decoded UTF-8 text */
    size_t n;           /* J_ARR / J_OBJ: element count */
    char **keys;        /* J_OBJ: decoded keys */
    struct jv **items;  /* J_ARR / J_OBJ: values */
} jv;

static void jv_free(jv *v) {
    size_t i;
    if (v == NULL) return;
    for (i = 0; i < v->n; i++) {
        if (v->keys) free(v->keys[i]);
        jv_free(v->items[i]);
    }
    free(v->keys);
    free(v->items);
    free(v->str);
    free(v);
}

static void j_ws(const char **p) {
    while (**p == ' ' || **p == '\n' || **p == '\r' || **p == '\t') (*p)++;
}

static int j_hex4(const char *p, unsigned *out) {
    unsigned v = 0;
    int i;
    for (i = 0; i < 4; i++) {
        char c = p[i];
        v <<= 4;
        if (c >= '0' && c <= '9') v |= (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f') v |= (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F') v |= (unsigned)(c - 'A' + 10);
        else return 0;
    }
    *out = v;
    return 1;
}

/* A JSON string at *p (at its opening quote), decoded to UTF-8, malloc'd. */
static char *j_string(const char **p) {
    const char *s = *p + 1;
    size_t cap = strlen(s) * 2 + 8, n = 0;  /* \uXXXX (6 bytes) never grows past 4 */
    char *out = malloc(cap);
    if (out == NULL) return NULL;
    while (*s && *s != '"') {
        if (*s != '\\') { out[n++] = *s++; continue; }
        s++;
        switch (*s) {
        case 'n': out[n++] = '\n'; s++; break;
        case 't': out[n++] = '\t'; s++; break;
        case 'r': out[n++] = '\r'; s++; break;
        case 'b': out[n++] = '\b'; s++; break;
        case 'f': out[n++] = '\f'; s++; break;
        case 'u': {
            unsigned cp, lo;
            if (!j_hex4(s + 1, &cp)) { free(out); return NULL; }
            s += 5;
            if (cp >= 0xD800 && cp < 0xDC00 && s[0] == '\\' && s[1] == 'u' && j_hex4(s + 2, &lo) &&
                lo >= 0xDC00 && lo < 0xE000) {
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                s += 6;
            }
            if (cp < 0x80) out[n++] = (char)cp;
            else if (cp < 0x800) {
                out[n++] = (char)(0xC0 | (cp >> 6));
                out[n++] = (char)(0x80 | (cp & 0x3F));
            } else if (cp < 0x10000) {
                out[n++] = (char)(0xE0 | (cp >> 12));
                out[n++] = (char)(0x80 | ((cp >> 6) & 0x3F));
                out[n++] = (char)(0x80 | (cp & 0x3F));
            } else {
                out[n++] = (char)(0xF0 | (cp >> 18));
                out[n++] = (char)(0x80 | ((cp >> 12) & 0x3F));
                out[n++] = (char)(0x80 | ((cp >> 6) & 0x3F));
                out[n++] = (char)(0x80 | (cp & 0x3F));
            }
            break;
        }
        case 0: free(out); return NULL;
        default: out[n++] = *s++; break; /* \" \\ \/ */
        }
    }
    if (*s != '"') { free(out); return NULL; }
    out[n] = 0;
    *p = s + 1;
    return out;
}

static jv *j_value(const char **p, int depth);

static int j_push(jv *v, char *key, jv *item) {
    char **keys = v->keys;
    jv **items = realloc(v->items, (v->n + 1) * sizeof *items);
    if (items == NULL) return 0;
    v->items = items;
    if (v->type == J_OBJ) {
        keys = realloc(v->keys, (v->n + 1) * sizeof *keys);
        if (keys == NULL) return 0;
        v->keys = keys;
        keys[v->n] = key;
    }
    items[v->n++] = item;
    return 1;
}

static jv *j_value(const char **p, int depth) {
    jv *v = calloc(1, sizeof *v);
    if (v == NULL || depth > 64) { free(v); return NULL; }
    j_ws(p);
    if (**p == '{' || **p == '[') {
        char close = **p == '{' ? '}' : ']';
        v->type = **p == '{' ? J_OBJ : J_ARR;
        (*p)++;
        j_ws(p);
        if (**p == close) { (*p)++; return v; }
        for (;;) {
            char *key = NULL;
            jv *item;
            j_ws(p);
            if (v->type == J_OBJ) {
                if (**p != '"' || (key = j_string(p)) == NULL) goto bad;
                j_ws(p);
                if (**p != ':') { free(key); goto bad; }
                (*p)++;
            }
            item = j_value(p, depth + 1);
            if (item == NULL || !j_push(v, key, item)) { free(key); jv_free(item); goto bad; }
            j_ws(p);
            if (**p == ',') { (*p)++; continue; }
            if (**p == close) { (*p)++; return v; }
            goto bad;
        }
    }
    if (**p == '"') {
        v->type = J_STR;
        if ((v->str = j_string(p)) == NULL) goto bad;
        return v;
    }
    if (strncmp(*p, "true", 4) == 0) { v->type = J_BOOL; v->b = 1; *p += 4; return v; }
    if (strncmp(*p, "false", 5) == 0) { v->type = J_BOOL; *p += 5; return v; }
    if (strncmp(*p, "null", 4) == 0) { v->type = J_NULL; *p += 4; return v; }
    {
        char *end;
        v->type = J_NUM;
        v->num = strtod(*p, &end);
        if (end == *p) goto bad;
        *p = end;
        return v;
    }
bad:
    jv_free(v);
    return NULL;
}

static jv *j_parse(const char *text) {
    const char *p = text;
    jv *v = text != NULL ? j_value(&p, 0) : NULL;
    if (v != NULL) {
        j_ws(&p);
        if (*p != 0) { jv_free(v); v = NULL; }
    }
    return v;
}

/* The member `key` of object `o` (names compared case-insensitively when
 * `nocase`, as for header names), or NULL. */
static jv *j_member(const jv *o, const char *key, int nocase) {
    size_t i;
    if (o == NULL || o->type != J_OBJ) return NULL;
    for (i = 0; i < o->n; i++)
        if (strcmp(o->keys[i], key) == 0) return o->items[i];
    if (nocase)
        for (i = 0; i < o->n; i++)
            if (strcasecmp(o->keys[i], key) == 0) return o->items[i];
    return NULL;
}

/* A short rendering of a value, for failure messages. */
static const char *j_show(const jv *v, char *buf, size_t cap) {
    switch (v->type) {
    case J_NULL: snprintf(buf, cap, "null"); break;
    case J_BOOL: snprintf(buf, cap, "%s", v->b ? "true" : "false"); break;
    case J_NUM: snprintf(buf, cap, "%g", v->num); break;
    case J_STR: snprintf(buf, cap, "\"%s\"", v->str); break;
    case J_ARR: snprintf(buf, cap, "an array of %zu", v->n); break;
    default: snprintf(buf, cap, "an object of %zu", v->n); break;
    }
    return buf;
}

/* Whether `got` holds `want`: objects by subset (keys under "headers" are
 * case-insensitive; an empty object wants an empty one), arrays element by
 * element with equal length, scalars equal. Prints the path of the first difference. */
static int j_subset(const jv *got, const jv *want, char *path, size_t cap, int nocase) {
    size_t i, len = strlen(path);
    if (got == NULL) { fprintf(stderr, "  FAIL: %s is missing\n", path); return 0; }
    if (want->type == J_OBJ) {
        if (got->type != J_OBJ) { fprintf(stderr, "  FAIL: %s is not an object\n", path); return 0; }
        if (want->n == 0 && got->n != 0) {
            fprintf(stderr, "  FAIL: %s has %zu members, want none\n", path, got->n);
            return 0;
        }
        for (i = 0; i < want->n; i++) {
            int ok;
            snprintf(path + len, cap - len, ".%s", want->keys[i]);
            ok = j_subset(j_member(got, want->keys[i], nocase), want->items[i], path, cap,
                          strcmp(want->keys[i], "headers") == 0);
            path[len] = 0;
            if (!ok) return 0;
        }
        return 1;
    }
    if (want->type == J_ARR) {
        if (got->type != J_ARR || got->n != want->n) {
            fprintf(stderr, "  FAIL: %s is not an array of %zu\n", path, want->n);
            return 0;
        }
        for (i = 0; i < want->n; i++) {
            int ok;
            snprintf(path + len, cap - len, "[%zu]", i);
            ok = j_subset(got->items[i], want->items[i], path, cap, 0);
            path[len] = 0;
            if (!ok) return 0;
        }
        return 1;
    }
    if (got->type != want->type ||
        (want->type == J_STR && strcmp(got->str, want->str) != 0) ||
        (want->type == J_NUM && got->num != want->num) ||
        (want->type == J_BOOL && got->b != want->b)) {
        char g[256], w[256];
        fprintf(stderr, "  FAIL: %s is %s, want %s\n", path, j_show(got, g, sizeof g),
                j_show(want, w, sizeof w));
        return 0;
    }
    return 1;
}

static void conf_check_json_subset(const char *text, const char *want_text) {
    jv *got = j_parse(text), *want = j_parse(conf_subst(want_text));
    char path[512] = "$";
    if (want == NULL) {
        fprintf(stderr, "  FAIL: the expectation is not JSON: %s\n", want_text);
        check_failed_now = 1;
    } else if (got == NULL) {
        fprintf(stderr, "  FAIL: the body is not JSON:\n%s\n", text != NULL ? text : "(null)");
        check_failed_now = 1;
    } else if (!j_subset(got, want, path, sizeof path, 0)) {
        fprintf(stderr, "  the body is:\n%s\n", text);
        check_failed_now = 1;
    }
    jv_free(got);
    jv_free(want);
}

/* The body's object `parent` has no member `key` (case-insensitive). */
static void conf_check_json_absent(const char *text, const char *parent, const char *key) {
    jv *got = j_parse(text);
    jv *obj = j_member(got, parent, 0);
    if (obj == NULL || obj->type != J_OBJ) {
        fprintf(stderr, "  FAIL: the body has no object \"%s\":\n%s\n", parent,
                text != NULL ? text : "(null)");
        check_failed_now = 1;
    } else if (j_member(obj, key, 1) != NULL) {
        fprintf(stderr, "  FAIL: %s.%s is there, want it absent; the body is:\n%s\n", parent, key, text);
        check_failed_now = 1;
    }
    jv_free(got);
}
'''


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: conformance.py include/reqc.h OUT.c")
    with open(sys.argv[1], encoding="utf-8") as f:
        codes = set(re.findall(r"#define (REQC_(?:OK|E_\w+)) ", f.read()))
    cases = load_cases()
    names = [c["name"] for c in cases]
    dup = {n for n in names if names.count(n) > 1}
    if dup:
        sys.exit("conformance: duplicate case names %s" % sorted(dup))
    bodies = []
    runs = []
    for case in cases:
        try:
            fn, body = gen_case(case, codes)
        except (ValueError, KeyError, TypeError) as e:
            sys.exit("%s: case %s: %s" % (case["_file"], case.get("name"), e))
        bodies.append(body)
        runs.append("    RUN(%s);\n    conf_free_handles();\n" % fn)
    out = (PREAMBLE + "\n" + "\n\n".join(bodies) + "\n\nint main(void) {\n" + "".join(runs)
           + "    return check_summary();\n}\n")
    with open(sys.argv[2], "w", encoding="utf-8") as f:
        f.write(out)


if __name__ == "__main__":
    main()
