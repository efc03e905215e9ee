/* signing_hook.c: a PRE_REQUEST hook that signs every request, as cloud APIs
 * ask (an HMAC over method, path, headers and body), written with the
 * request getters (reqc_request_header_at, reqc_request_body, ...).
 *
 * A PRE_REQUEST hook sees the request exactly as it goes out: session and
 * config headers merged, auth, User-Agent, cookies, Content-Type and
 * Content-Length, the URL with its params. It reads all of that, computes the
 * signature and adds two headers, which are sent too.
 *
 * The canonical form signed here (libreqc's test server checks it at
 * /reqc/signed with the key "reqc-test-signing-key"), lines joined by "\n":
 *
 *   METHOD                      e.g. POST
 *   PATH?QUERY                  the request target: path, then ?query if any
 *   name:value                  one line per header, names lower-case and
 *   ...                         sorted, the values of a repeated name joined
 *                               by "," (each without surrounding spaces);
 *                               `host` comes from the URL (libcurl writes
 *                               the Host header itself)
 *   hex(SHA-256(body))          lower-case hex; of "" when there is no body
 *
 *   X-Signed-Headers: the header names signed, in order, joined by ";"
 *   X-Signature:      lower-case hex HMAC-SHA256(key, canonical form)
 *
 * Headers a proxy or libcurl may add later are not signed, since the list
 * says which ones are. A multipart or callback body has no bytes before the
 * transfer (reqc_request_body gives NULL): this hook refuses to sign one
 * (REQC_HOOK_RESULT_ABORT) rather than sign an empty body.
 *
 * SHA-256 (FIPS 180-4) and HMAC (RFC 2104) are implemented below in a few
 * lines, so the example needs nothing but libreqc.
 *
 * Build and run against libreqc's test server (make demo does both):
 *   cc -std=c11 -Wall -Wextra -Werror -Iinclude -o signing_hook \
 *       examples/signing_hook.c -Ltarget/release -lreqc
 *   REQC_TEST_URL=http://127.0.0.1:PORT LD_LIBRARY_PATH=target/release ./signing_hook
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reqc.h"

/* ---- SHA-256 (FIPS 180-4) ---- */

typedef struct {
    uint32_t h[8];
    uint64_t bytes;
    unsigned char block[64];
    size_t used;
} sha256_ctx;

static const uint32_t sha256_k[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
    0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
    0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
    0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
    0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
    0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
    0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
    0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
    0xc67178f2};

#define ROTR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))

static void sha256_compress(sha256_ctx *c, const unsigned char *p) {
    uint32_t w[64], s[8], t1, t2;
    int i;
    for (i = 0; i < 16; i++)
        w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
               (uint32_t)p[4 * i + 2] << 8 | (uint32_t)p[4 * i + 3];
    for (; i < 64; i++)
        w[i] = w[i - 16] + (ROTR(w[i - 15], 7) ^ ROTR(w[i - 15], 18) ^ (w[i - 15] >> 3)) +
               w[i - 7] + (ROTR(w[i - 2], 17) ^ ROTR(w[i - 2], 19) ^ (w[i - 2] >> 10));
    memcpy(s, c->h, sizeof s);
    for (i = 0; i < 64; i++) {
        t1 = s[7] + (ROTR(s[4], 6) ^ ROTR(s[4], 11) ^ ROTR(s[4], 25)) +
             ((s[4] & s[5]) ^ (~s[4] & s[6])) + sha256_k[i] + w[i];
        t2 = (ROTR(s[0], 2) ^ ROTR(s[0], 13) ^ ROTR(s[0], 22)) +
             ((s[0] & s[1]) ^ (s[0] & s[2]) ^ (s[1] & s[2]));
        memmove(s + 1, s, 7 * sizeof s[0]);
        s[4] += t1;
        s[0] = t1 + t2;
    }
    for (i = 0; i < 8; i++)
        c->h[i] += s[i];
}

static void sha256_init(sha256_ctx *c) {
    static const uint32_t iv[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                   0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    memcpy(c->h, iv, sizeof iv);
    c->bytes = 0;
    c->used = 0;
}

static void sha256_update(sha256_ctx *c, const void *data, size_t len) {
    const unsigned char *p = data;
    c->bytes += len;
    while (len > 0) {
        size_t n = 64 - c->used < len ? 64 - c->used : len;
        memcpy(c->block + c->used, p, n);
        c->used += n;
        p += n;
        len -= n;
        if (c->used == 64) {
            sha256_compress(c, c->block);
            c->used = 0;
        }
    }
}

static void sha256_final(sha256_ctx *c, unsigned char out[32]) {
    uint64_t bits = c->bytes * 8;
    unsigned char pad = 0x80, len[8];
    int i;
    sha256_update(c, &pad, 1);
    pad = 0;
    while (c->used != 56)
        sha256_update(c, &pad, 1);
    for (i = 0; i < 8; i++)
        len[i] = (unsigned char)(bits >> (56 - 8 * i));
    sha256_update(c, len, 8);
    for (i = 0; i < 32; i++)
        out[i] = (unsigned char)(c->h[i / 4] >> (24 - 8 * (i % 4)));
}

/* ---- HMAC-SHA256 (RFC 2104) ---- */

static void hmac_sha256(const char *key, const void *msg, size_t len, unsigned char out[32]) {
    unsigned char block[64] = {0}, pad[64], inner[32];
    size_t klen = strlen(key), i;
    sha256_ctx c;
    if (klen > 64) {
        sha256_init(&c);
        sha256_update(&c, key, klen);
        sha256_final(&c, block);
    } else {
        memcpy(block, key, klen);
    }
    for (i = 0; i < 64; i++)
        pad[i] = block[i] ^ 0x36;
    sha256_init(&c);
    sha256_update(&c, pad, 64);
    sha256_update(&c, msg, len);
    sha256_final(&c, inner);
    for (i = 0; i < 64; i++)
        pad[i] = block[i] ^ 0x5c;
    sha256_init(&c);
    sha256_update(&c, pad, 64);
    sha256_update(&c, inner, 32);
    sha256_final(&c, out);
}

static void to_hex(const unsigned char bytes[32], char out[65]) {
    static const char digits[] = "0123456789abcdef";
    int i;
    for (i = 0; i < 32; i++) {
        out[2 * i] = digits[bytes[i] >> 4];
        out[2 * i + 1] = digits[bytes[i] & 15];
    }
    out[64] = 0;
}

/* ---- a growing string ---- */

typedef struct {
    char *text;
    size_t len, cap;
} text_buf;

static int text_add(text_buf *t, const char *s, size_t n) {
    if (t->len + n + 1 > t->cap) {
        size_t cap = (t->len + n + 1) * 2;
        char *grown = realloc(t->text, cap);
        if (grown == NULL)
            return -1;
        t->text = grown;
        t->cap = cap;
    }
    memcpy(t->text + t->len, s, n);
    t->len += n;
    t->text[t->len] = 0;
    return 0;
}

static int text_add_str(text_buf *t, const char *s) {
    return text_add(t, s, strlen(s));
}

/* ---- the canonical form ---- */

typedef struct {
    char *name; /* lower-case, malloc'd */
    const char *value;
    size_t value_len;
} header_line;

/* A malloc'd lower-case copy of `s`, or NULL when out of memory. */
static char *lower_copy(const char *s) {
    size_t i, n = strlen(s);
    char *copy = malloc(n + 1);
    if (copy == NULL)
        return NULL;
    for (i = 0; i <= n; i++)
        copy[i] = (char)(s[i] >= 'A' && s[i] <= 'Z' ? s[i] - 'A' + 'a' : s[i]);
    return copy;
}

/* `value` without leading and trailing spaces and tabs, as (start, length). */
static const char *trimmed(const char *value, size_t *len_out) {
    size_t n;
    while (*value == ' ' || *value == '\t')
        value++;
    n = strlen(value);
    while (n > 0 && (value[n - 1] == ' ' || value[n - 1] == '\t'))
        n--;
    *len_out = n;
    return value;
}

/* The URL's authority ("host:port") and request target ("/path?query"),
 * as spans of `url`. */
static void split_url(const char *url, const char **authority, size_t *authority_len,
                      const char **target, size_t *target_len) {
    const char *start = strstr(url, "://"), *end;
    start = start != NULL ? start + 3 : url;
    end = start + strcspn(start, "/?#");
    *authority = start;
    *authority_len = (size_t)(end - start);
    *target = end;
    *target_len = strcspn(end, "#");
}

/* Builds the canonical form of `request` (as a PRE_REQUEST hook sees it)
 * over `body`, and the ";"-joined list of the header names signed. Returns
 * 0, or -1 when out of memory. */
static int canonical_form(const reqc_request *request, const unsigned char *body,
                          size_t body_len, text_buf *canonical, text_buf *names) {
    size_t count = reqc_request_header_count(request), n = 0, i, j, authority_len, target_len;
    header_line *lines = calloc(count + 1, sizeof *lines), swap;
    const char *authority, *target, *name, *value;
    unsigned char digest[32];
    char hex[65];
    int has_host = 0, rc = -1;
    sha256_ctx c;

    if (lines == NULL)
        return -1;
    split_url(reqc_request_url(request), &authority, &authority_len, &target, &target_len);
    for (i = 0; i < count; i++) {
        if (reqc_request_header_at(request, i, &name, &value) != REQC_OK)
            continue;
        if ((lines[n].name = lower_copy(name)) == NULL)
            goto out;
        if (strcmp(lines[n].name, "x-signature") == 0 ||
            strcmp(lines[n].name, "x-signed-headers") == 0) {
            free(lines[n].name); /* a signature of an earlier hook: not signed */
            lines[n].name = NULL;
            continue;
        }
        lines[n].value = trimmed(value, &lines[n].value_len);
        has_host |= strcmp(lines[n].name, "host") == 0;
        n++;
    }
    if (!has_host) {
        if ((lines[n].name = lower_copy("host")) == NULL)
            goto out;
        lines[n].value = authority;
        lines[n].value_len = authority_len;
        n++;
    }
    /* Sort by name, keeping the order of repeats (insertion sort: stable). */
    for (i = 1; i < n; i++)
        for (j = i; j > 0 && strcmp(lines[j - 1].name, lines[j].name) > 0; j--) {
            swap = lines[j];
            lines[j] = lines[j - 1];
            lines[j - 1] = swap;
        }

    if (text_add_str(canonical, reqc_request_method(request)) || text_add(canonical, "\n", 1))
        goto out;
    if (target_len == 0 || target[0] == '?')
        if (text_add(canonical, "/", 1))
            goto out;
    if (text_add(canonical, target, target_len) || text_add(canonical, "\n", 1))
        goto out;
    for (i = 0; i < n; i++) {
        int repeat = i > 0 && strcmp(lines[i - 1].name, lines[i].name) == 0;
        if (repeat) {
            /* The values of one name share its line: "name:v1,v2". */
            canonical->len--; /* drop the "\n" just written */
            if (text_add(canonical, ",", 1))
                goto out;
        } else {
            if ((names->len > 0 && text_add(names, ";", 1)) || text_add_str(names, lines[i].name) ||
                text_add_str(canonical, lines[i].name) || text_add(canonical, ":", 1))
                goto out;
        }
        if (text_add(canonical, lines[i].value, lines[i].value_len) ||
            text_add(canonical, "\n", 1))
            goto out;
    }
    sha256_init(&c);
    sha256_update(&c, body != NULL ? (const void *)body : (const void *)"", body_len);
    sha256_final(&c, digest);
    to_hex(digest, hex);
    rc = text_add_str(canonical, hex);
out:
    for (i = 0; i <= count; i++)
        free(lines[i].name);
    free(lines);
    return rc;
}

/* Signs `request` over `body` with `key`: sets X-Signed-Headers and
 * X-Signature. `body` is normally the request's own (reqc_request_body).
 * Returns REQC_OK or the failing setter's code (REQC_E_CALLBACK when out of
 * memory). */
static reqc_code sign_request(reqc_request *request, const char *key, const unsigned char *body,
                              size_t body_len) {
    text_buf canonical = {0}, names = {0};
    unsigned char mac[32];
    char hex[65];
    reqc_code rc = REQC_E_CALLBACK;

    if (canonical_form(request, body, body_len, &canonical, &names) == 0) {
        hmac_sha256(key, canonical.text, canonical.len, mac);
        to_hex(mac, hex);
        rc = reqc_request_set_header(request, "X-Signed-Headers", names.text);
        if (rc == REQC_OK)
            rc = reqc_request_set_header(request, "X-Signature", hex);
    }
    free(canonical.text);
    free(names.text);
    return rc;
}

/* The PRE_REQUEST hook: `userdata` is the key (a NUL-terminated string).
 * Runs before every transfer, so each redirect hop is signed for itself. */
static int signing_hook(void *userdata, reqc_hook_kind kind, reqc_hook_ctx *ctx) {
    reqc_request *request = reqc_hook_ctx_request(ctx);
    reqc_body_kind body_kind = reqc_request_body_kind(request);
    const unsigned char *body;
    size_t body_len = 0;

    if (kind != REQC_HOOK_KIND_PRE_REQUEST)
        return REQC_HOOK_RESULT_ERROR;
    if (body_kind == REQC_BODY_KIND_MULTIPART || body_kind == REQC_BODY_KIND_CALLBACK)
        return REQC_HOOK_RESULT_ABORT; /* no bytes to sign before the transfer */
    body = reqc_request_body(request, &body_len);
    if (sign_request(request, userdata, body, body_len) != REQC_OK)
        return REQC_HOOK_RESULT_ABORT;
    return REQC_HOOK_RESULT_CONTINUE;
}

#ifndef SIGNING_HOOK_NO_MAIN
int main(void) {
    static char key[] = "reqc-test-signing-key";
    const char *base = getenv("REQC_TEST_URL");
    char url[2048];
    reqc_session *session = NULL;
    reqc_request *request = NULL;
    reqc_response *response = NULL;
    const reqc_request *sent;
    const char *name, *value;
    size_t i;
    reqc_code rc;
    int failed = 1;

    if (base == NULL || *base == 0) {
        fprintf(stderr, "REQC_TEST_URL is not set: point it at libreqc's test server, e.g.\n"
                        "  REQC_TEST_URL=http://127.0.0.1:8080 ./signing_hook\n");
        return 1;
    }
    snprintf(url, sizeof url, "%s/reqc/signed", base);

    /* The hook goes on the session: every request it sends is signed. */
    if (reqc_session_new(&session) != REQC_OK)
        return 1;
    if (reqc_session_set_header(session, "X-Tenant", "acme") != REQC_OK ||
        reqc_session_add_hook(session, REQC_HOOK_KIND_PRE_REQUEST, signing_hook, key, NULL,
                              NULL) != REQC_OK) {
        fprintf(stderr, "session setup: %s\n", reqc_session_error(session));
        goto out;
    }
    if (reqc_request_new("POST", url, &request, NULL) != REQC_OK)
        goto out;
    if (reqc_request_add_param(request, "account", "42") != REQC_OK ||
        reqc_request_set_header(request, "X-Amount", "100.00") != REQC_OK ||
        reqc_request_set_json(request, "{\"to\": \"bob\"}") != REQC_OK) {
        fprintf(stderr, "request setup: %s\n", reqc_request_error(request));
        goto out;
    }
    rc = reqc_session_send(session, request, &response);
    if (rc != REQC_OK) {
        fprintf(stderr, "send failed: %s: %s\n", reqc_code_name(rc), reqc_request_error(request));
        goto out;
    }

    /* What went out, signature included (reqc_response_request). */
    sent = reqc_response_request(response);
    printf("sent %s %s\n", reqc_request_method(sent), reqc_request_url(sent));
    for (i = 0; reqc_request_header_at(sent, i, &name, &value) == REQC_OK; i++)
        printf("  %s: %s\n", name, value);
    printf("server says %d:\n%s\n", reqc_response_status(response), reqc_response_text(response));
    failed = reqc_response_status(response) != 200;

out:
    reqc_response_free(response);
    reqc_request_free(request);
    reqc_session_free(session);
    return failed;
}
#endif
