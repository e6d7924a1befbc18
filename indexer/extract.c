/* extract.c - extraction by format, in process or isolated in the iqn-extract helper process
 * (time and memory limits, a crash or hang reported as a reason), and the helper's side of it.
 *
 * Why a helper program rather than fork() alone: the importer extracts from several threads, and a
 * child forked from a multithreaded process may only call async-signal-safe functions until it
 * execs; libxml2, GLib and poppler take locks and allocate. So the parent posix_spawn()s a fresh
 * iqn-extract (--child), which sets its own rlimits and runs the extractor single-threaded. */
#define _GNU_SOURCE /* memfd_create */
#include "extract.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <libxml/parser.h>

#include "extract_docx.h"
#include "extract_html.h"
#include "extract_odt.h"
#include "extract_text.h"
#include "extract_util.h"

extern char **environ;

#define DEFAULT_SECONDS 30
#define DEFAULT_MEMORY ((size_t)1024 * 1024 * 1024)
#define MAGIC "IQNX"
#define NULL_FIELD UINT64_MAX
#define NFIELDS 6
/* The most the helper may write back: the text, five metadata fields, framing. */
#define REPLY_MAX (IQN_EXTRACT_TEXT_MAX + 5 * IQN_EX_META_MAX + 1024)

#if defined(__SANITIZE_ADDRESS__)
#define ASAN_BUILD 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ASAN_BUILD 1
#endif
#endif

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static char helper_override[PATH_MAX];

/* path = the file name beside the running program, when it is there with mode (access()). */
static int beside_program(const char *name, int mode, char *path, size_t pathlen)
{
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0)
        return 0;
    self[n] = '\0';
    char *slash = strrchr(self, '/');
    if (!slash)
        return 0;
    *slash = '\0';
    int w = snprintf(path, pathlen, "%s/%s", self, name);
    return w > 0 && (size_t)w < pathlen && access(path, mode) == 0;
}

/* ---- PDF, through a module loaded on first use ----
 * poppler-glib brings some fifty shared libraries (cairo, NSS, X11 ...). Linked in, mapping and
 * relocating them cost every start of iqn-index, and of every iqn-extract helper for a DOCX or ODT,
 * about 20 ms, for imports that mostly hold no PDF. extract_pdf.c is built as the module iqn-pdf.so,
 * which dlopen() maps the first time a PDF comes. */
typedef int (*pdf_fn)(const char *data, size_t len, struct iqn_extracted *out, struct iqn_error *err);
static pthread_once_t pdf_once = PTHREAD_ONCE_INIT;
static pdf_fn pdf_impl;
static char pdf_why[PATH_MAX + 256];
static char pdf_override[PATH_MAX];

void iqn_extract_set_pdf_module(const char *path)
{
    snprintf(pdf_override, sizeof pdf_override, "%s", path ? path : "");
}

/* Try the module at path; 1 when loaded. */
static int try_pdf_module(const char *path)
{
    void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        const char *why = dlerror();
        snprintf(pdf_why, sizeof pdf_why, "cannot load the PDF module %s: %s", path, why ? why : "unknown error");
        return 0;
    }
    pdf_impl = (pdf_fn)(uintptr_t)dlsym(h, "iqn_ex_pdf");
    if (!pdf_impl) {
        snprintf(pdf_why, sizeof pdf_why, "the PDF module %s lacks iqn_ex_pdf", path);
        dlclose(h);
        return 0;
    }
    return 1;
}

/* Set explicitly, $IQN_PDF_MODULE, beside the running program, or where it is installed. */
static void load_pdf_module(void)
{
    char path[PATH_MAX];
    const char *env = getenv("IQN_PDF_MODULE");
    snprintf(pdf_why, sizeof pdf_why, "the PDF module iqn-pdf.so was not found (set IQN_PDF_MODULE)");
    if (pdf_override[0]) {
        try_pdf_module(pdf_override);
        return;
    }
    if (env && env[0]) {
        try_pdf_module(env);
        return;
    }
    if (beside_program("iqn-pdf.so", R_OK, path, sizeof path) && try_pdf_module(path))
        return;
#ifdef IQN_PDF_MODULE_DEFAULT
    if (access(IQN_PDF_MODULE_DEFAULT, R_OK) == 0)
        try_pdf_module(IQN_PDF_MODULE_DEFAULT);
#endif
}

static int extract_pdf(const char *data, size_t len, struct iqn_extracted *out, struct iqn_error *err)
{
    pthread_once(&pdf_once, load_pdf_module);
    if (!pdf_impl)
        return iqn_error_set(err, IQN_EINTERNAL, "%s", pdf_why);
    return pdf_impl(data, len, out, err);
}

static void init_libraries(void)
{
    xmlInitParser(); /* once, before any thread parses */
}

void iqn_extracted_free(struct iqn_extracted *x)
{
    if (!x)
        return;
    free(x->title);
    free(x->author);
    free(x->date);
    free(x->lang);
    free(x->summary);
    free(x->text);
    memset(x, 0, sizeof *x);
}

int iqn_extract(enum iqn_format fmt, const char *data, size_t len, const char *name, struct iqn_extracted *out,
                struct iqn_error *err)
{
    int rc;
    (void)name;
    memset(out, 0, sizeof *out);
    pthread_once(&init_once, init_libraries);
    switch (fmt) {
    case IQN_FMT_HTML: rc = iqn_ex_html(data, len, out, err); break;
    case IQN_FMT_PDF: rc = extract_pdf(data, len, out, err); break;
    case IQN_FMT_DOCX: rc = iqn_ex_docx(data, len, out, err); break;
    case IQN_FMT_ODT: rc = iqn_ex_odt(data, len, out, err); break;
    case IQN_FMT_TEXT: rc = iqn_ex_text(data, len, out, err); break;
    case IQN_FMT_ZIP: return iqn_error_set(err, IQN_EINVAL, "zip archive that is neither DOCX nor ODT");
    case IQN_FMT_XML: return iqn_error_set(err, IQN_EINVAL, "IQN XML holds records, not a document");
    case IQN_FMT_JSONL: return iqn_error_set(err, IQN_EINVAL, "JSON Lines holds records, not a document");
    case IQN_FMT_BINARY: return iqn_error_set(err, IQN_EINVAL, "binary data: not a supported document format");
    default: return iqn_error_set(err, IQN_EINVAL, "unknown document format");
    }
    if (rc == IQN_OK && !out->text)
        rc = iqn_error_set(err, IQN_EINVAL, "no text in the document");
    if (rc != IQN_OK)
        iqn_extracted_free(out);
    return rc;
}

/* ---- the helper's side --------------------------------------------------------------------- */

static int write_all(int fd, const void *p, size_t n)
{
    const char *s = p;
    while (n > 0) {
        ssize_t w = write(fd, s, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        s += w;
        n -= (size_t)w;
    }
    return 0;
}

static int write_u32(int fd, uint32_t v)
{
    return write_all(fd, &v, sizeof v);
}

static int write_field(int fd, const char *s, size_t len)
{
    uint64_t n = s ? (uint64_t)len : NULL_FIELD;
    if (write_all(fd, &n, sizeof n) != 0)
        return -1;
    return s ? write_all(fd, s, len) : 0;
}

static int write_error(int fd, int code, const char *msg)
{
    if (write_all(fd, MAGIC, 4) != 0 || write_u32(fd, (uint32_t)code) != 0)
        return -1;
    return write_field(fd, msg, strlen(msg));
}

/* The misbehaviour IQN_EXTRACT_TEST_HOOK asks for ("crash", "abort", "hang", "spin", "oom"),
 * optionally only for names containing what follows a colon ("crash:bad.pdf"). Tests only. */
static const char *test_hook(const char *name)
{
    static char action[16];
    const char *hook = getenv("IQN_EXTRACT_TEST_HOOK");
    if (!hook || !hook[0])
        return NULL;
    const char *colon = strchr(hook, ':');
    size_t n = colon ? (size_t)(colon - hook) : strlen(hook);
    if (n >= sizeof action)
        return NULL;
    if (colon && (!name || !strstr(name, colon + 1)))
        return NULL;
    memcpy(action, hook, n);
    action[n] = '\0';
    return action;
}

/* Run a test hook; returns only for "oom", with the error to report. */
static int run_hook(const char *hook, const struct iqn_extract_limits *lim, struct iqn_error *err)
{
    if (strcmp(hook, "crash") == 0) {
        signal(SIGSEGV, SIG_DFL); /* a real death by signal, even where a sanitizer catches SIGSEGV */
        raise(SIGSEGV);
    }
    if (strcmp(hook, "abort") == 0)
        abort();
    if (strcmp(hook, "hang") == 0)
        for (;;)
            pause();
    if (strcmp(hook, "spin") == 0) {
        volatile unsigned long x = 0;
        for (;;)
            x++;
    }
    if (strcmp(hook, "oom") == 0) {
        /* Allocate past the limit; without an enforced limit (sanitizer builds) stop at twice it. */
        size_t chunk = (size_t)16 * 1024 * 1024, total = 0;
        char **blocks = calloc(4096, sizeof *blocks);
        size_t nb = 0;
        int failed = 0;
        while (blocks && nb < 4096 && total <= 2 * lim->memory) {
            blocks[nb] = malloc(chunk);
            if (!blocks[nb]) {
                failed = 1;
                break;
            }
            memset(blocks[nb++], 1, chunk);
            total += chunk;
        }
        while (nb > 0)
            free(blocks[--nb]);
        free(blocks);
        return iqn_error_set(err, IQN_ENOMEM, "extraction ran out of memory (limit %zu MiB%s)", lim->memory >> 20,
                             failed ? "" : "; not enforced in this build");
    }
    return iqn_error_set(err, IQN_EINVAL, "unknown IQN_EXTRACT_TEST_HOOK %s", hook);
}

static void apply_limits(const struct iqn_extract_limits *lim)
{
    struct rlimit cpu = {lim->seconds, lim->seconds + 1};
    setrlimit(RLIMIT_CPU, &cpu);
#ifndef ASAN_BUILD
    /* AddressSanitizer reserves terabytes of address space: no RLIMIT_AS under it. */
    struct rlimit as = {lim->memory, lim->memory};
    setrlimit(RLIMIT_AS, &as);
#endif
}

/* Read all of fd (a memfd or file: its size is known; else up to the input cap). Returns 0, or
 * -1 on a read error, or -2 when memory ran out. */
static int read_input(int fd, char **out, size_t *outlen)
{
    int rc = -2;
    struct stat st;
    size_t cap = IQN_INPUT_DECODED_MAX, alloc, len = 0;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (unsigned long long)st.st_size <= cap)
        alloc = (size_t)st.st_size + 1;
    else
        alloc = 1 << 20;
    char *buf = malloc(alloc);
    if (!buf)
        return -2;
    for (;;) {
        if (len + 1 >= alloc) {
            rc = -1;
            if (alloc > cap)
                goto fail;
            rc = -2;
            char *p = realloc(buf, alloc * 2);
            if (!p)
                goto fail;
            buf = p;
            alloc *= 2;
        }
        ssize_t n = read(fd, buf + len, alloc - len - 1);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            rc = -1;
            goto fail;
        }
        if (n == 0)
            break;
        len += (size_t)n;
    }
    buf[len] = '\0';
    *out = buf;
    *outlen = len;
    return 0;
fail:
    free(buf);
    return rc;
}

int iqn_extract_serve(int in_fd, int out_fd, enum iqn_format fmt, const char *name,
                      const struct iqn_extract_limits *lim)
{
    struct iqn_extract_limits def = {DEFAULT_SECONDS, DEFAULT_MEMORY};
    struct iqn_extracted x;
    struct iqn_error err;
    char *data = NULL;
    size_t len = 0;
    int rc;

    if (!lim)
        lim = &def;
#ifdef __linux__
    /* Die with the importer: a helper must not outlive a killed parent for its full time limit. */
    prctl(PR_SET_PDEATHSIG, SIGKILL);
#endif
    apply_limits(lim);
    iqn_error_clear(&err);
    const char *hook = test_hook(name);
    if (hook) {
        rc = run_hook(hook, lim, &err);
        return write_error(out_fd, rc, err.message);
    }
    rc = read_input(in_fd, &data, &len);
    if (rc == -2) {
        iqn_error_set(&err, IQN_ENOMEM, "extraction ran out of memory (limit %zu MiB)", lim->memory >> 20);
        return write_error(out_fd, err.code, err.message);
    }
    if (rc != 0)
        return write_error(out_fd, IQN_EIO, "the extractor could not read the document");
    rc = iqn_extract(fmt, data, len, name, &x, &err);
    free(data);
    if (rc != IQN_OK)
        return write_error(out_fd, rc, err.message);
    const char *fields[NFIELDS] = {x.title, x.author, x.date, x.lang, x.summary, x.text};
    int wrc = write_all(out_fd, MAGIC, 4) == 0 && write_u32(out_fd, 0) == 0 ? 0 : -1;
    for (int i = 0; i < NFIELDS && wrc == 0; i++)
        wrc = write_field(out_fd, fields[i], i == NFIELDS - 1 ? x.text_len : (fields[i] ? strlen(fields[i]) : 0));
    iqn_extracted_free(&x);
    return wrc;
}

/* ---- the parent's side --------------------------------------------------------------------- */

void iqn_extract_set_helper(const char *path)
{
    snprintf(helper_override, sizeof helper_override, "%s", path ? path : "");
}

/* Where the iqn-extract helper is: set explicitly, $IQN_EXTRACT_HELPER, beside the running program,
 * or where it is installed. */
static int helper_path(char *out, size_t outlen, struct iqn_error *err)
{
    const char *env = getenv("IQN_EXTRACT_HELPER");
    if (helper_override[0]) {
        snprintf(out, outlen, "%s", helper_override);
        return IQN_OK;
    }
    if (env && env[0]) {
        snprintf(out, outlen, "%s", env);
        return IQN_OK;
    }
    if (beside_program("iqn-extract", X_OK, out, outlen))
        return IQN_OK;
#ifdef IQN_EXTRACT_HELPER_DEFAULT
    snprintf(out, outlen, "%s", IQN_EXTRACT_HELPER_DEFAULT);
    if (access(out, X_OK) == 0)
        return IQN_OK;
#endif
    return iqn_error_set(err, IQN_EINTERNAL, "the iqn-extract helper was not found (set IQN_EXTRACT_HELPER)");
}

/* A file descriptor holding a copy of data, at offset 0, close-on-exec. */
static int data_fd(const char *data, size_t len, struct iqn_error *err)
{
    int fd = memfd_create("iqn-extract-input", MFD_CLOEXEC);
    if (fd < 0) {
        FILE *f = tmpfile(); /* no memfd (old kernel): an unlinked temporary file */
        fd = f ? fcntl(fileno(f), F_DUPFD_CLOEXEC, 3) : -1;
        if (f)
            fclose(f);
    } else if (fd < 3) { /* keep 0-2 free: the helper's standard streams are mapped onto them */
        int high = fcntl(fd, F_DUPFD_CLOEXEC, 3);
        close(fd);
        fd = high;
    }
    if (fd < 0) {
        iqn_error_set(err, IQN_EIO, "cannot make a buffer for the extractor: %s", strerror(errno));
        return -1;
    }
    if (write_all(fd, data, len) != 0 || lseek(fd, 0, SEEK_SET) != 0) {
        iqn_error_set(err, IQN_EIO, "cannot hand the document to the extractor: %s", strerror(errno));
        close(fd);
        return -1;
    }
    return fd;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static const char *signal_name(int sig)
{
    switch (sig) {
    case SIGSEGV: return "SIGSEGV";
    case SIGBUS: return "SIGBUS";
    case SIGILL: return "SIGILL";
    case SIGFPE: return "SIGFPE";
    case SIGABRT: return "SIGABRT";
    case SIGTRAP: return "SIGTRAP";
    case SIGKILL: return "SIGKILL";
    case SIGXCPU: return "SIGXCPU";
    case SIGTERM: return "SIGTERM";
    default: return "signal";
    }
}

/* Read the helper's reply [p, end) into out: fields bounded, all present. */
static int parse_reply(const char *p, size_t len, struct iqn_extracted *out, struct iqn_error *err)
{
    const char *end = p + len;
    uint32_t status;
    char **slots[NFIELDS] = {&out->title, &out->author, &out->date, &out->lang, &out->summary, &out->text};
    if (len < 8 || memcmp(p, MAGIC, 4) != 0)
        return iqn_error_set(err, IQN_EINTERNAL, "the extractor gave no result");
    memcpy(&status, p + 4, 4);
    p += 8;
    for (int i = 0; i < (status == 0 ? NFIELDS : 1); i++) {
        uint64_t n;
        if ((size_t)(end - p) < sizeof n)
            goto cut;
        memcpy(&n, p, sizeof n);
        p += sizeof n;
        if (n == NULL_FIELD)
            continue;
        if (n > (uint64_t)(end - p) || n > (i == NFIELDS - 1 ? IQN_EXTRACT_TEXT_MAX : IQN_EX_META_MAX))
            goto cut;
        if (status != 0) {
            int code = status <= IQN_EINTERNAL ? (int)status : IQN_EINTERNAL;
            return iqn_error_set(err, code, "%.*s", (int)(n < 400 ? n : 400), p);
        }
        char *s = malloc((size_t)n + 1);
        if (!s)
            return iqn_error_set(err, IQN_ENOMEM, "out of memory reading the extractor's result");
        memcpy(s, p, (size_t)n);
        s[n] = '\0';
        *slots[i] = s;
        if (i == NFIELDS - 1)
            out->text_len = (size_t)n;
        p += n;
    }
    if (status != 0)
        return iqn_error_set(err, IQN_EINTERNAL, "the extractor failed without a reason");
    return IQN_OK;
cut:
    return iqn_error_set(err, IQN_EINTERNAL, "the extractor's result is malformed or cut short");
}

int iqn_extract_isolated(enum iqn_format fmt, const char *data, size_t len, const char *name,
                         const struct iqn_extract_limits *lim, struct iqn_extracted *out, struct iqn_error *err)
{
    struct iqn_extract_limits use = {DEFAULT_SECONDS, DEFAULT_MEMORY};
    char helper[PATH_MAX], a_fmt[16], a_sec[24], a_mem[32];
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t attr;
    int fa_ok = 0, attr_ok = 0;
    int in_fd = -1, pipefd[2] = {-1, -1};
    pid_t pid = -1;
    int status = 0, reaped = 0;
    enum { RUNNING, TIMED_OUT, READ_FAILED, TOO_BIG } killed = RUNNING;
    struct iqn_buf reply;
    int rc;

    memset(out, 0, sizeof *out);
    iqn_buf_init(&reply, REPLY_MAX);
    /* Records and binary data are refused without parsing anything: no process needed. */
    if (fmt != IQN_FMT_HTML && fmt != IQN_FMT_PDF && fmt != IQN_FMT_DOCX && fmt != IQN_FMT_ODT && fmt != IQN_FMT_TEXT)
        return iqn_extract(fmt, data, len, name, out, err);
    if (lim) {
        use.seconds = lim->seconds ? lim->seconds : DEFAULT_SECONDS;
        use.memory = lim->memory ? lim->memory : DEFAULT_MEMORY;
    }
    rc = helper_path(helper, sizeof helper, err);
    if (rc != IQN_OK)
        goto fail;
    in_fd = data_fd(data, len, err);
    if (in_fd < 0) {
        rc = err ? (int)err->code : IQN_EIO;
        goto fail;
    }
    if (pipe2(pipefd, O_CLOEXEC) != 0) {
        rc = iqn_error_set(err, IQN_EIO, "cannot make a pipe for the extractor: %s", strerror(errno));
        goto fail;
    }
    snprintf(a_fmt, sizeof a_fmt, "%d", (int)fmt);
    snprintf(a_sec, sizeof a_sec, "%u", use.seconds);
    snprintf(a_mem, sizeof a_mem, "%zu", use.memory);
    char *argv[] = {helper, "--child", a_fmt, a_sec, a_mem, (char *)(name ? name : "-"), NULL};

    /* The helper starts with default signal handling and an empty mask, whatever this process set. */
    sigset_t all, none;
    sigfillset(&all);
    sigemptyset(&none);
    fa_ok = posix_spawn_file_actions_init(&fa) == 0;
    attr_ok = posix_spawnattr_init(&attr) == 0;
    if (!fa_ok || !attr_ok) {
        rc = iqn_error_set(err, IQN_ENOMEM, "cannot prepare the extractor");
        goto fail;
    }
    posix_spawn_file_actions_adddup2(&fa, in_fd, STDIN_FILENO);
    posix_spawn_file_actions_adddup2(&fa, pipefd[1], STDOUT_FILENO);
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 34))
    /* Descriptors the program opened without O_CLOEXEC (an index lock, say) stay out of the helper. */
    posix_spawn_file_actions_addclosefrom_np(&fa, 3);
#endif
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setsigdefault(&attr, &all);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    int src = posix_spawn(&pid, helper, &fa, &attr, argv, environ);
    if (src != 0) {
        pid = -1;
        rc = iqn_error_set(err, IQN_EINTERNAL, "cannot start the extractor %s: %s", helper, strerror(src));
        goto fail;
    }
    close(pipefd[1]);
    pipefd[1] = -1;
    close(in_fd);
    in_fd = -1;

    /* Read the reply until EOF, the deadline or the size cap. */
    double deadline = now_s() + use.seconds;
    char chunk[65536];
    int eof = 0, read_errno = 0;
    while (!eof && killed == RUNNING) {
        double left = deadline - now_s();
        if (left <= 0) {
            kill(pid, SIGKILL);
            killed = TIMED_OUT;
            break;
        }
        struct pollfd pfd = {pipefd[0], POLLIN, 0};
        int pr = poll(&pfd, 1, (int)(left * 1000) + 1);
        if (pr < 0 && errno != EINTR) {
            read_errno = errno;
            kill(pid, SIGKILL);
            killed = READ_FAILED;
        }
        if (pr <= 0)
            continue;
        ssize_t n = read(pipefd[0], chunk, sizeof chunk);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            eof = 1;
        } else if (iqn_buf_add(&reply, chunk, (size_t)n) != 0) {
            kill(pid, SIGKILL);
            killed = TOO_BIG;
        }
    }
    /* Reap the helper: it may still be running after closing its output; the deadline holds. */
    while (!reaped) {
        pid_t w = waitpid(pid, &status, killed != RUNNING ? 0 : WNOHANG);
        if (w == pid) {
            reaped = 1;
        } else if (w < 0 && errno != EINTR) {
            break; /* ECHILD: someone else reaped it (SIGCHLD ignored); judge by the reply alone */
        } else if (w == 0) {
            if (now_s() >= deadline) {
                kill(pid, SIGKILL);
                killed = TIMED_OUT;
            } else {
                struct timespec ts = {0, 2 * 1000 * 1000};
                nanosleep(&ts, NULL);
            }
        }
    }
    pid = -1;
    if (killed == TIMED_OUT) {
        rc = iqn_error_set(err, IQN_EINVAL, "extraction took longer than %u s", use.seconds);
    } else if (killed == READ_FAILED) {
        rc = iqn_error_set(err, IQN_EIO, "cannot read from the extractor: %s", strerror(read_errno));
    } else if (killed == TOO_BIG) {
        rc = iqn_error_set(err, IQN_ENOMEM, "the extractor's result is larger than %zu MiB",
                           (size_t)REPLY_MAX >> 20);
    } else if (reaped && WIFSIGNALED(status)) {
        int sig = WTERMSIG(status);
        if (sig == SIGXCPU)
            rc = iqn_error_set(err, IQN_EINVAL, "extraction took longer than %u s", use.seconds);
        else if (sig == SIGABRT || sig == SIGTRAP || sig == SIGKILL)
            rc = iqn_error_set(err, IQN_EINVAL, "extractor crashed (signal %d, %s; out of memory? limit %zu MiB)",
                               sig, signal_name(sig), use.memory >> 20);
        else
            rc = iqn_error_set(err, IQN_EINVAL, "extractor crashed (signal %d, %s)", sig, signal_name(sig));
    } else if (reaped && WEXITSTATUS(status) != 0) {
        rc = iqn_error_set(err, IQN_EINTERNAL, "extractor failed (exit status %d)", WEXITSTATUS(status));
    } else {
        rc = parse_reply(reply.data ? reply.data : "", reply.len, out, err);
    }
fail:
    if (pid > 0) { /* only when spawning succeeded and we left early: never leave a zombie */
        kill(pid, SIGKILL);
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
            ;
    }
    if (fa_ok)
        posix_spawn_file_actions_destroy(&fa);
    if (attr_ok)
        posix_spawnattr_destroy(&attr);
    if (in_fd >= 0)
        close(in_fd);
    if (pipefd[0] >= 0)
        close(pipefd[0]);
    if (pipefd[1] >= 0)
        close(pipefd[1]);
    iqn_buf_free(&reply);
    if (rc != IQN_OK)
        iqn_extracted_free(out);
    return rc;
}
