/* version.c: the version at compile time (REQC_VERSION_* macros) and at run
 * time (reqc_version_number, reqc_version) agree, and the number is
 * 0xMMmmpp. Needs no server. */
#include <stdint.h>

#include "check.h"

/* "M.m.p" (a pre-release or build suffix after p allowed) as 0xMMmmpp, or
 * 0xffffffff when `text` does not start with three numbers. */
static uint32_t parse_version(const char *text) {
    unsigned major, minor, patch;
    if (text == NULL || sscanf(text, "%u.%u.%u", &major, &minor, &patch) != 3 || major > 0xff ||
        minor > 0xff || patch > 0xff)
        return 0xffffffffu;
    return (uint32_t)((major << 16) | (minor << 8) | patch);
}

static void test_number_is_major_minor_patch(void) {
    CHECK(REQC_VERSION_NUMBER ==
          ((REQC_VERSION_MAJOR << 16) | (REQC_VERSION_MINOR << 8) | REQC_VERSION_PATCH));
    CHECK(parse_version(REQC_VERSION_STRING) == REQC_VERSION_NUMBER);
    /* Usable in #if, which is what the macro is for. */
#if REQC_VERSION_NUMBER < 0x000100
    CHECK(!"REQC_VERSION_NUMBER is below 0.1.0 in #if");
#endif
}

static void test_run_time_matches_header(void) {
    uint32_t linked = reqc_version_number();
    printf("  header 0x%06x, library 0x%06x\n", (unsigned)REQC_VERSION_NUMBER, (unsigned)linked);
    CHECK(linked == REQC_VERSION_NUMBER);
    CHECK(reqc_version_number() == linked); /* the same every call */
}

static void test_version_line_names_the_number(void) {
    const char *line = reqc_version();
    const char *prefix = "libreqc/";
    CHECK(line != NULL && strncmp(line, prefix, strlen(prefix)) == 0);
    if (line == NULL || strncmp(line, prefix, strlen(prefix)) != 0) return;
    CHECK(parse_version(line + strlen(prefix)) == reqc_version_number());
    /* The whole string, then a space before libcurl's part. */
    CHECK(strncmp(line + strlen(prefix), REQC_VERSION_STRING, strlen(REQC_VERSION_STRING)) == 0);
    CHECK(line[strlen(prefix) + strlen(REQC_VERSION_STRING)] == ' ');
}

int main(void) {
    RUN(test_number_is_major_minor_patch);
    RUN(test_run_time_matches_header);
    RUN(test_version_line_names_the_number);
    return check_summary();
}
