/* A program built only from an installed libreqc (pkg-config or CMake): it
 * sends one GET to the test server given as argv[1] and checks what came back,
 * so the install check proves a working link, not just a successful one. */
#include <stdio.h>
#include <string.h>

#include <reqc.h>

int main(int argc, char **argv) {
    char url[512];
    reqc_request *req = NULL;
    reqc_response *resp = NULL;
    int ok;
    if (argc != 2) {
        fprintf(stderr, "usage: %s BASE_URL\n", argv[0]);
        return 2;
    }
    snprintf(url, sizeof url, "%s/get?from=installed", argv[1]);
    if (reqc_request_new("GET", url, &req, NULL) != REQC_OK) {
        fprintf(stderr, "reqc_request_new failed\n");
        return 1;
    }
    if (reqc_send(req, &resp) != REQC_OK) {
        fprintf(stderr, "send failed: %s\n", reqc_request_error(req));
        reqc_request_free(req);
        return 1;
    }
    ok = reqc_response_status(resp) == 200 && strstr(reqc_response_text(resp), "installed") != NULL;
    printf("libreqc %s: GET %s -> %d\n", reqc_version(), url, reqc_response_status(resp));
    reqc_response_free(resp);
    reqc_request_free(req);
    return ok ? 0 : 1;
}
