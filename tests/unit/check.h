/* check.h - a tiny harness for table-driven unit tests: count cases, print failures, summarise. */
#ifndef IQN_CHECK_H
#define IQN_CHECK_H

#include <stdio.h>
#include <string.h>

/* Every helper may go unused in one test file. */
#define CHECK_FN static __attribute__((unused))

static int check_passed, check_failed;

/* Record one case: "id: ok", or "FAIL id: what" (what is printed as given). */
CHECK_FN int check_report(const char *id, int ok, const char *what)
{
    if (ok) {
        check_passed++;
        printf("%s: ok\n", id);
    } else {
        check_failed++;
        printf("FAIL %s: %s\n", id, what);
    }
    fflush(stdout);
    return ok;
}

/* A condition that must hold; expr is its source text, for the message. */
CHECK_FN int check_true_at(const char *id, int ok, const char *expr, const char *file, int line)
{
    char what[600];
    snprintf(what, sizeof what, "expected %s (%s:%d)", expr, file, line);
    return check_report(id, ok, what);
}
#define CHECK(id, cond) check_true_at((id), (cond) ? 1 : 0, #cond, __FILE__, __LINE__)

/* Two strings (either may be NULL) must be equal. */
CHECK_FN int check_str(const char *id, const char *expected, const char *got)
{
    int ok = (expected && got) ? strcmp(expected, got) == 0 : expected == got;
    char what[2048]; /* long values are cut: the message is for reading, the comparison is exact */
    size_t at = 0;
    if (!ok && expected && got)
        while (expected[at] && expected[at] == got[at])
            at++;
    if (at > 400) { /* show where they part, not a shared beginning */
        size_t from = at - 200;
        snprintf(what, sizeof what, "differ from byte %zu: expected \"...%.600s\" got \"...%.600s\"", at,
                 expected + from, got + from);
    } else {
        snprintf(what, sizeof what, "expected \"%.1000s\" got \"%.1000s\"", expected ? expected : "(null)",
                 got ? got : "(null)");
    }
    return check_report(id, ok, what);
}

/* Two integers must be equal. */
CHECK_FN int check_int(const char *id, long long expected, long long got)
{
    char what[128];
    snprintf(what, sizeof what, "expected %lld got %lld", expected, got);
    return check_report(id, expected == got, what);
}

/* haystack (may be NULL) must contain needle. */
CHECK_FN int check_contains(const char *id, const char *haystack, const char *needle)
{
    char what[2048];
    snprintf(what, sizeof what, "expected text containing \"%s\" got \"%s\"", needle, haystack ? haystack : "(null)");
    return check_report(id, haystack && strstr(haystack, needle) != NULL, what);
}

/* haystack (may be NULL) must not contain needle. */
CHECK_FN int check_lacks(const char *id, const char *haystack, const char *needle)
{
    char what[2048];
    snprintf(what, sizeof what, "expected text without \"%s\" got \"%s\"", needle, haystack ? haystack : "(null)");
    return check_report(id, !haystack || strstr(haystack, needle) == NULL, what);
}

/* Print "N passed, N failed"; returns the process exit status (0 only if nothing failed
 * and at least one case ran). */
CHECK_FN int check_summary(const char *name)
{
    if (check_failed == 0 && check_passed > 0)
        printf("%s: ok\n", name);
    else
        printf("%s: FAILED\n", name);
    printf("%d passed, %d failed\n", check_passed, check_failed);
    return (check_failed == 0 && check_passed > 0) ? 0 : 1;
}

#define CHECK_NELEM(a) (sizeof(a) / sizeof((a)[0]))

#endif
