#!/usr/bin/env python3
"""Generates a C test that calls every function of include/reqc.h with bad
input, so a new function is covered the day it is added.

Usage: tests/gen/abi_bad_input.py include/reqc.h OUT.c

For each function it emits two kinds of calls:
  1. every pointer argument NULL (numbers valid);
  2. one pointer argument NULL at a time, the others valid.
Each call must return (no crash, no hang); a function returning reqc_code
must return an error unless the NULL argument is one the header documents as
optional (OPTIONAL below) or userdata. valgrind runs the result too.
"""
import re
import sys

# (function, parameter) pairs where NULL is a documented, valid value.
OPTIONAL = {
    ("reqc_request_set_header", "value"),
    ("reqc_request_set_cookie", "value"),
    ("reqc_request_set_user_agent", "agent"),
    ("reqc_session_set_header", "value"),
    ("reqc_config_set_header", "value"),
    ("reqc_request_set_body", "content_type"),
    ("reqc_request_add_file", "filename"),
    ("reqc_request_add_file", "content_type"),
    ("reqc_request_add_file_data", "content_type"),
    ("reqc_config_set_proxy", "proxy"),
    ("reqc_session_set_proxy", "proxy"),
    ("reqc_request_set_data_callback", "on_data"),
    ("reqc_batch_set_complete_callback", "on_complete"),
    ("reqc_response_body", "len_out"),
    ("reqc_response_header_at", "name_out"),
    ("reqc_response_header_at", "value_out"),
    ("reqc_response_history_at", "history_out"),
    ("reqc_response_warning_at", "warning_out"),
    ("reqc_response_cookie_at", "cookie_out"),
    ("reqc_request_new", "message_out"),
    ("reqc_request_add_hook", "hook_id_out"),
    ("reqc_session_add_hook", "hook_id_out"),
    ("reqc_response_link_at", "url_out"),
    ("reqc_response_link_at", "rel_out"),
    ("reqc_batch_add", "index_out"),
    ("reqc_batch_poll", "done_out"),
    ("reqc_batch_start", "done_out"),
    ("reqc_batch_socket_action", "done_out"),
    ("reqc_batch_timeout_action", "done_out"),
    ("reqc_session_import_cookies", "count_out"),
    ("reqc_batch_new", "session"),
}

# Functions whose valid handle argument would be consumed or that need a
# context only a running hook has: only the all-NULL call is made.
NULL_ONLY = re.compile(r"_free$|^reqc_hook_ctx_")

HANDLE_MAKERS = {
    "reqc_request": "make_request()",
    "reqc_session": "make_session()",
    "reqc_response": "the_response",
    "reqc_batch": "make_batch()",
    "reqc_cookie_list": "make_cookie_list()",
    "reqc_hook_ctx": "NULL",
}


def functions(header):
    text = re.sub(r"/\*.*?\*/", "", header, flags=re.S)
    for m in re.finditer(r"^([A-Za-z_][\w \*]*?)\s*\b(reqc_\w+)\(([^;]*?)\);", text, flags=re.M | re.S):
        ret, name, args = m.group(1).strip(), m.group(2), m.group(3).strip()
        params = []
        if args and args != "void":
            for a in args.split(","):
                a = " ".join(a.split())
                pm = re.match(r"(.*?)(\w+)$", a)
                params.append((pm.group(1).strip(), pm.group(2)))
        yield ret, name, params


def typedefs(header):
    """Callback typedefs: name -> (return type, parameter list text)."""
    out = {}
    for m in re.finditer(r"typedef (\w+) \(\*(\w+)\)\(([^;]*?)\);", header, flags=re.S):
        out[m.group(2)] = (m.group(1), " ".join(m.group(3).split()))
    return out


def is_pointer(ctype, callbacks):
    return "*" in ctype or ctype in callbacks


def valid(fn, ctype, name, callbacks, locals_, frees):
    """A C expression for a valid argument."""
    base = ctype.replace("const", "").replace("*", "").strip()
    stars = ctype.count("*")
    if ctype in callbacks:
        return f"dummy_{ctype}"
    if stars == 2 or (stars == 1 and base in ("size_t", "int", "reqc_cookie", "reqc_hook_id") and "const" not in ctype):
        var = f"out{len(locals_)}"
        decl = {"size_t": "size_t", "int": "int", "reqc_cookie": "reqc_cookie", "reqc_hook_id": "reqc_hook_id"}.get(base)
        if stars == 2:
            decl = ("const " if "const" in ctype else "") + f"{base} *"
            # What the call hands over must be freed after it.
            if base in HANDLE_MAKERS and "const" not in ctype:
                frees.append(f"reqc_{base[5:]}_free({var});")
            elif base == "char" and "const" not in ctype:
                frees.append(f"reqc_string_free({var});")
            locals_.append(f"{decl} {var} = NULL;")
        else:
            locals_.append(f"{decl} {var};")
            if base == "reqc_cookie":
                locals_[-1] = f"{decl} {var} = {{0}};"
        return f"&{var}"
    if base in HANDLE_MAKERS:
        return HANDLE_MAKERS[base]
    if base == "char":
        if name == "url":
            return 'check_url_at(check_env("REQC_TEST_URL"), "/get")'
        if name == "method":
            return '"GET"'
        if name in ("path", "cert", "key"):
            return "temp_path"
        if name == "feature":
            return '"http2"'
        if name == "json":
            return '"{}"'
        if name == "set_cookie":
            return '"a=b"'
        if name == "text":
            return '""'
        return '"x"'
    if base in ("uint8_t", "void"):
        return '(void *)"abc"' if base == "void" else '(const uint8_t *)"abc"'
    return numeric(fn, name)


def numeric(fn, name):
    if name == "kind":
        return "REQC_HOOK_KIND_RESPONSE"
    if name == "level":
        return "REQC_LOG_LEVEL_REQUESTS"
    if name == "version":
        return "REQC_TLS_VERSION_1_2" if "tls" in fn else "REQC_HTTP_VERSION_1_1"
    if name in ("allow", "verify"):
        return "1"
    if name == "fd":
        return "devnull"
    if name == "events":
        return "REQC_WATCH_IN"
    if name in ("len", "length"):
        return "3"
    if name in ("ms", "timeout_ms"):
        return "100"
    if name in ("max", "n", "status"):
        return "200" if name == "status" else "4"
    return "0"


def emit(header_text, out):
    callbacks = typedefs(header_text)
    fns = list(functions(header_text))
    w = out.write
    w("/* GENERATED by tests/gen/abi_bad_input.py from include/reqc.h: do not edit. */\n")
    w("#define _POSIX_C_SOURCE 200809L\n#include <fcntl.h>\n#include <unistd.h>\n#include \"check.h\"\n\n")
    for cb, (ret, args) in sorted(callbacks.items()):
        body = "" if ret == "void" else "return 0;"
        w(f"static {ret} dummy_{cb}({args}) {{ ")
        for a in args.split(","):
            pname = re.match(r".*?(\w+)$", a.strip()).group(1)
            w(f"(void){pname}; ")
        w(f"{body} }}\n")
    w("""
static reqc_response *the_response;
static const char *temp_path;
static int devnull;
static int calls, refused;

/* Handles made for one call, freed after it (the call may not free them). */
static reqc_request *made_requests[64];
static reqc_session *made_sessions[64];
static reqc_batch *made_batches[64];
static reqc_cookie_list *made_lists[64];
static int n_requests, n_sessions, n_batches, n_lists;

static reqc_request *make_request(void) {
    reqc_request *r = NULL;
    reqc_request_new("GET", check_url_at(check_env("REQC_TEST_URL"), "/get"), &r, NULL);
    return made_requests[n_requests++] = r;
}
static reqc_session *make_session(void) {
    reqc_session *s = NULL;
    reqc_session_new(&s);
    return made_sessions[n_sessions++] = s;
}
static reqc_batch *make_batch(void) {
    reqc_batch *b = NULL;
    reqc_batch_new(NULL, &b);
    return made_batches[n_batches++] = b;
}
static reqc_cookie_list *make_cookie_list(void) {
    reqc_cookie_list *l = NULL;
    reqc_session_cookies(make_session(), &l);
    return made_lists[n_lists++] = l;
}
static void free_made(void) {
    while (n_requests) reqc_request_free(made_requests[--n_requests]);
    while (n_batches) reqc_batch_free(made_batches[--n_batches]);
    while (n_lists) reqc_cookie_list_free(made_lists[--n_lists]);
    while (n_sessions) reqc_session_free(made_sessions[--n_sessions]);
}

/* A reqc_code call with a NULL that is not optional must fail. */
#define EXPECT_REFUSED(call, what)                                                   \\
    do {                                                                             \\
        reqc_code rc_ = (call);                                                      \\
        calls++;                                                                     \\
        if (rc_ == REQC_OK) {                                                        \\
            fprintf(stderr, "  FAIL: %s accepted %s\\n", #call, what);                \\
            check_failed_now = 1;                                                    \\
        } else {                                                                     \\
            refused++;                                                               \\
        }                                                                            \\
        free_made();                                                                 \\
    } while (0)
#define EXPECT_RETURNS(call)                                                         \\
    do {                                                                             \\
        (void)(call);                                                                \\
        calls++;                                                                     \\
        free_made();                                                                 \\
    } while (0)
""")
    names = []
    for ret, fn, params in fns:
        pointer_idx = [i for i, (t, n) in enumerate(params) if is_pointer(t, callbacks) and not (t == "void *" and n == "userdata")]
        if not params:
            continue
        test = f"test_{fn}"
        names.append(test)
        w(f"\nstatic void {test}(void) {{\n")
        # 1. every pointer NULL
        locals_ = []
        args = []
        for t, n in params:
            args.append("NULL" if is_pointer(t, callbacks) else numeric(fn, n))
        call = f"{fn}({', '.join(args)})"
        all_optional = all((fn, params[i][1]) in OPTIONAL or params[i][0] == "reqc_free_fn" for i in pointer_idx)
        if ret == "reqc_code" and pointer_idx and not all_optional:
            w(f'    EXPECT_REFUSED({call}, "all pointers NULL");\n')
        else:
            w(f"    EXPECT_RETURNS({call});\n")
        # 2. one pointer NULL at a time
        if NULL_ONLY.search(fn):
            w("}\n")
            continue
        for i in pointer_idx:
            t, n = params[i]
            locals_ = []
            frees = []
            args = []
            for j, (tj, nj) in enumerate(params):
                args.append("NULL" if j == i else valid(fn, tj, nj, callbacks, locals_, frees))
            call = f"{fn}({', '.join(args)})"
            optional = (fn, n) in OPTIONAL or t == "reqc_free_fn"
            w("    {\n")
            for decl in locals_:
                w(f"        {decl}\n")
            if ret == "reqc_code" and not optional:
                w(f'        EXPECT_REFUSED({call}, "NULL {n}");\n')
            else:
                w(f"        EXPECT_RETURNS({call});\n")
            for free in frees:
                w(f"        {free}\n")
            w("    }\n")
        w("}\n")
    w("""
int main(void) {
    char path[] = "/tmp/reqc-abi-XXXXXX";
    int fd = mkstemp(path);
    reqc_request *req = NULL;
    if (fd < 0) return 2;
    if (write(fd, "abc", 3) != 3) return 2;
    close(fd);
    temp_path = path;
    devnull = open("/dev/null", O_WRONLY);
    if (reqc_request_new("GET", check_url_at(check_env("REQC_TEST_URL"), "/get"), &req, NULL) != REQC_OK ||
        reqc_send(req, &the_response) != REQC_OK) {
        fprintf(stderr, "cannot reach the test server\\n");
        return 2;
    }
""")
    for test in names:
        w(f"    RUN({test});\n")
    w("""    reqc_config_reset();
    reqc_response_free(the_response);
    reqc_request_free(req);
    close(devnull);
    unlink(path);
    printf("%d calls with bad input, %d refused with a code, none crashed\\n", calls, refused);
    return check_summary();
}
""")


if __name__ == "__main__":
    header_path, out_path = sys.argv[1], sys.argv[2]
    with open(header_path) as f:
        header = f.read()
    with open(out_path, "w") as out:
        emit(header, out)
