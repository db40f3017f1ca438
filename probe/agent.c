/*
 * msiconf agent: one long-lived Windows process per worker that runs install
 * sessions for the harness, so that a session costs an MsiInstallProductW
 * call instead of starting cmd, msiexec and (under Wine) a Wine process.
 *
 *   msiconf-agent.exe --listen ADDR:PORT [--token T] [--port-file PATH] [--once] [--any-address]
 *
 * The token comes from --token or the MSICONF_AGENT_TOKEN environment
 * variable and is required. ADDR must be a loopback address unless
 * --any-address is given. PORT 0 picks a free port; --port-file then says
 * which one was taken (the harness reads it when it starts the agent itself).
 * --once ends the process when the first harness connection ends; without
 * it the agent waits for the next harness.
 *
 * The harness connects and speaks binary frames (agent_frame.h); each probe
 * custom action connects to the agent's own loopback listener, named in
 * C:\msiconf\port.txt, and the agent relays its bytes over the harness
 * connection on a channel of their own. So the harness needs exactly one
 * connection per worker, and a Windows machine only has to let the harness
 * reach the agent's port. The JScript probe's results file is relayed the
 * same way, read before any probe byte is forwarded so that order is kept.
 *
 * Threads: the main thread relays (select over every socket); each job runs
 * on a thread of its own, one at a time: write the package, run the package
 * script (what host.exe does in the per-session mode), install with
 * MsiInstallProductW and a verbose log, send the result and the log, delete
 * the package. Probe custom actions run in the engine's own processes, so a
 * crashing action does not take the agent down; a crash inside the agent is
 * reported (with its exception code) before the process ends.
 */
/* Room for every relayed probe socket plus the agent's own three. */
#define FD_SETSIZE 128
#include "ops.h"
#include "agent_frame.h"
#include <stdarg.h>

#define AGENT_DIR L"C:\\msiconf"
#define AGENT_PKG L"C:\\msiconf\\pkg.msi"
#define AGENT_LOG L"C:\\msiconf\\log.txt"
#define AGENT_JS L"C:\\msiconf\\js.txt"
#define MAX_CHANS 64

struct chan {
    SOCKET s;
    unsigned long id;
};

static SOCKET g_harness = INVALID_SOCKET;
static CRITICAL_SECTION g_send_lock;
static struct chan g_chans[MAX_CHANS];
static unsigned long g_next_chan = 1;
static long g_js_offset;
static unsigned long g_job;  /* the job under way (0: none) */
static volatile LONG g_job_done;
static HANDLE g_job_thread;
static SOCKET g_wake = INVALID_SOCKET; /* the job thread pokes it when it is done */
static struct sockaddr_in g_wake_addr;
static unsigned short g_probe_port;

/* What the job thread hands back to the relay thread. */
static struct {
    unsigned long job;
    int written;
    int installed;
    UINT install_rc;
    int host_ran;
    UINT host_rc;
} g_result;

/* The job the relay thread hands to the job thread. */
struct job {
    unsigned long id;
    char token[64];
    int ui;
    int package_script;
    int install;
    WCHAR *command_line;
    unsigned char *package;
    size_t package_len;
};

/* One line on stderr, which the harness keeps with a failed session's logs. */
static void say(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("msiconf-agent: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    fflush(stderr);
    va_end(ap);
}

static int send_frame(char kind, unsigned long job, unsigned long ch, const void *p, size_t n)
{
    char head[AF_HEAD];
    int ok;
    af_head(head, kind, job, ch, n);
    EnterCriticalSection(&g_send_lock);
    ok = g_harness != INVALID_SOCKET && send_all(g_harness, head, AF_HEAD) &&
         (n == 0 || send_all(g_harness, (const char *)p, n));
    LeaveCriticalSection(&g_send_lock);
    return ok;
}

/* Sends whatever the JScript probe appended to its results file since the last look. */
static void relay_script(void)
{
    FILE *f = _wfopen(AGENT_JS, L"rb");
    char tmp[65536];
    size_t n;
    if (!f)
        return;
    if (fseek(f, g_js_offset, SEEK_SET) == 0) {
        while ((n = fread(tmp, 1, sizeof(tmp), f)) > 0) {
            send_frame(AF_SCRIPT, g_job, 0, tmp, n);
            g_js_offset += (long)n;
        }
    }
    fclose(f);
}

static void write_port_file(const char *token)
{
    FILE *f = _wfopen(WIRE_PORT_FILE, L"wb");
    if (!f)
        return;
    fprintf(f, "%u %s\n", (unsigned)g_probe_port, token);
    fclose(f);
}

static unsigned char *read_file_bytes(const WCHAR *path, size_t *len)
{
    FILE *f = _wfopen(path, L"rb");
    unsigned char *p = NULL;
    long n;
    *len = 0;
    if (!f)
        return NULL;
    if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
        p = malloc((size_t)n + 1);
        if (p)
            *len = fread(p, 1, (size_t)n, f);
    }
    fclose(f);
    return p;
}

/* The package script, run on a package handle outside any install (host.c does the same). */
static UINT run_package_script(void)
{
    struct conn c;
    MSIHANDLE pkg = 0;
    UINT rc;
    MsiSetInternalUI(INSTALLUILEVEL_NONE, NULL);
    rc = MsiOpenPackageW(AGENT_PKG, &pkg);
    if (wire_connect(&c, "pkg", -1, pkg, rc))
        serve(&c, pkg);
    wire_close(&c);
    if (pkg)
        MsiCloseHandle(pkg);
    return rc;
}

static DWORD WINAPI job_main(void *arg)
{
    struct job *j = arg;
    FILE *f;
    g_result.job = j->id;
    g_result.written = 0;
    g_result.installed = 0;
    g_result.host_ran = 0;
    write_port_file(j->token);
    f = _wfopen(AGENT_PKG, L"wb");
    if (f) {
        g_result.written = fwrite(j->package, 1, j->package_len, f) == j->package_len;
        g_result.written &= fclose(f) == 0;
    }
    if (g_result.written && j->package_script) {
        g_result.host_ran = 1;
        g_result.host_rc = run_package_script();
        /* A package script may leave handles open; in a process of its own
           they died with it. Here they would keep the package file open. */
        MsiCloseAllHandles();
    }
    if (g_result.written && j->install) {
        MsiSetInternalUI((INSTALLUILEVEL)j->ui, NULL);
        /* What msiexec's /l*v asks for: every message kind, verbose. */
        MsiEnableLogW(INSTALLLOGMODE_FATALEXIT | INSTALLLOGMODE_ERROR | INSTALLLOGMODE_WARNING |
                          INSTALLLOGMODE_USER | INSTALLLOGMODE_INFO | INSTALLLOGMODE_RESOLVESOURCE |
                          INSTALLLOGMODE_OUTOFDISKSPACE | INSTALLLOGMODE_ACTIONSTART |
                          INSTALLLOGMODE_ACTIONDATA | INSTALLLOGMODE_COMMONDATA |
                          INSTALLLOGMODE_PROPERTYDUMP | INSTALLLOGMODE_VERBOSE,
                      AGENT_LOG, 0);
        g_result.install_rc = MsiInstallProductW(AGENT_PKG, j->command_line);
        MsiEnableLogW(0, NULL, 0);
        MsiCloseAllHandles();
        g_result.installed = 1;
    }
    say("job %lu: done (package %s, install %s%lu)", j->id, g_result.written ? "written" : "not written",
        g_result.installed ? "returned " : "not run", g_result.installed ? (unsigned long)g_result.install_rc : 0ul);
    free(j->command_line);
    free(j->package);
    free(j);
    InterlockedExchange(&g_job_done, 1);
    sendto(g_wake, "x", 1, 0, (struct sockaddr *)&g_wake_addr, sizeof(g_wake_addr));
    return 0;
}

/* Reports the job's result and log, then deletes what the job left on disk. */
static void finish_job(void)
{
    char head[128];
    size_t log_len = 0, hl;
    unsigned char *log = g_result.installed ? read_file_bytes(AGENT_LOG, &log_len) : NULL;
    unsigned char *msg;
    relay_script();
    if (!g_result.written) {
        /* Never run a job on whatever package an earlier job left behind. */
        static const char why[] = "cannot write C:\\msiconf\\pkg.msi";
        send_frame(AF_REFUSED, g_result.job, 0, why, sizeof(why) - 1);
        hl = 0;
    } else if (g_result.installed)
        hl = (size_t)snprintf(head, sizeof(head), "install=%lu\thost=%s%lu\n", (unsigned long)g_result.install_rc,
                              g_result.host_ran ? "" : "-", (unsigned long)g_result.host_rc);
    else
        hl = (size_t)snprintf(head, sizeof(head), "install=-\thost=%s%lu\n", g_result.host_ran ? "" : "-",
                              (unsigned long)g_result.host_rc);
    msg = hl ? malloc(hl + log_len + 1) : NULL;
    if (msg) {
        memcpy(msg, head, hl);
        if (log_len)
            memcpy(msg + hl, log, log_len);
        send_frame(AF_FINISHED, g_result.job, 0, msg, hl + log_len);
        free(msg);
    }
    free(log);
    DeleteFileW(AGENT_PKG);
    DeleteFileW(AGENT_LOG);
    DeleteFileW(AGENT_JS);
    DeleteFileW(WIRE_PORT_FILE);
    CloseHandle(g_job_thread);
    g_job_thread = NULL;
    g_job = 0;
}

/* A crash inside the agent itself: say so (with the exception code) before the process ends. */
static LONG WINAPI on_crash(EXCEPTION_POINTERS *info)
{
    char text[64];
    DWORD code = info && info->ExceptionRecord ? info->ExceptionRecord->ExceptionCode : 0;
    say("crashed with exception 0x%08lX during job %lu", (unsigned long)code, g_job);
    snprintf(text, sizeof(text), "exception=0x%08lX\n", (unsigned long)code);
    send_frame(AF_CRASHED, g_job, 0, text, strlen(text));
    TerminateProcess(GetCurrentProcess(), 3);
    return EXCEPTION_EXECUTE_HANDLER;
}

/* Decodes a job frame: header fields, then the package bytes. */
static struct job *parse_job(unsigned long id, const unsigned char *p, size_t n)
{
    struct job *j;
    char *head, *argv[8];
    struct arena a = {{0}, 0};
    size_t hl = 0;
    int argc, wl, bl;
    char *cmd;
    while (hl < n && p[hl] != '\n')
        hl++;
    if (hl >= n)
        return NULL;
    head = malloc(hl + 1);
    j = calloc(1, sizeof(*j));
    if (!head || !j) {
        free(head);
        free(j);
        return NULL;
    }
    memcpy(head, p, hl);
    head[hl] = 0;
    argc = split(head, argv);
    /* token, ui, package script, install, command line */
    if (argc != 5 || strlen(argv[0]) >= sizeof(j->token)) {
        free(head);
        free(j);
        return NULL;
    }
    j->id = id;
    strcpy(j->token, argv[0]);
    j->ui = (int)arg_u(argv[1]);
    j->package_script = arg_u(argv[2]) != 0;
    j->install = arg_u(argv[3]) != 0;
    cmd = arg_bytes(&a, argv[4], &bl);
    wl = cmd && bl ? MultiByteToWideChar(CP_UTF8, 0, cmd, bl, NULL, 0) : 0;
    j->command_line = calloc((size_t)wl + 1, sizeof(WCHAR));
    if (j->command_line && wl)
        MultiByteToWideChar(CP_UTF8, 0, cmd, bl, j->command_line, wl);
    arena_free(&a);
    free(head);
    j->package_len = n - hl - 1;
    j->package = malloc(j->package_len + 1);
    if (!j->package || !j->command_line) {
        free(j->package);
        free(j->command_line);
        free(j);
        return NULL;
    }
    memcpy(j->package, p + hl + 1, j->package_len);
    return j;
}

static struct chan *find_chan(unsigned long id)
{
    int i;
    for (i = 0; i < MAX_CHANS; i++)
        if (g_chans[i].s != INVALID_SOCKET && g_chans[i].id == id)
            return &g_chans[i];
    return NULL;
}

static void close_chan(struct chan *c)
{
    closesocket(c->s);
    c->s = INVALID_SOCKET;
}

/* One frame from the harness. Returns 0 when the connection should end. */
static int on_frame(char kind, unsigned long job, unsigned long ch, const unsigned char *p, size_t n)
{
    struct chan *c;
    switch (kind) {
    case AF_JOB: {
        struct job *j;
        if (g_job) {
            send_frame(AF_REFUSED, job, 0, "busy", 4);
            return 1;
        }
        j = parse_job(job, p, n);
        if (!j) {
            send_frame(AF_REFUSED, job, 0, "unreadable job", 14);
            return 1;
        }
        DeleteFileW(AGENT_JS);
        DeleteFileW(AGENT_LOG);
        g_js_offset = 0;
        g_job = job;
        InterlockedExchange(&g_job_done, 0);
        say("job %lu: started", job);
        g_job_thread = CreateThread(NULL, 0, job_main, j, 0, NULL);
        if (!g_job_thread) {
            g_job = 0;
            say("job %lu: no thread for it (error %lu)", job, (unsigned long)GetLastError());
            send_frame(AF_REFUSED, job, 0, "no thread", 9);
        }
        return 1;
    }
    case AF_DATA:
        c = find_chan(ch);
        if (c && !send_all(c->s, (const char *)p, n))
            close_chan(c);
        return 1;
    case AF_EOF:
        c = find_chan(ch);
        if (c) {
            shutdown(c->s, SD_BOTH);
            close_chan(c);
        }
        return 1;
    case AF_QUIT:
        say("the harness said quit");
        return 0;
    default:
        return 1;
    }
}

/* Forwards everything the probes have sent and is already waiting, without blocking. */
static void drain_probes(void)
{
    int again = 1;
    while (again) {
        fd_set rd;
        struct timeval tv = {0, 0};
        int i, any = 0;
        again = 0;
        FD_ZERO(&rd);
        for (i = 0; i < MAX_CHANS; i++)
            if (g_chans[i].s != INVALID_SOCKET) {
                FD_SET(g_chans[i].s, &rd);
                any = 1;
            }
        if (!any || select(0, &rd, NULL, NULL, &tv) <= 0)
            return;
        for (i = 0; i < MAX_CHANS; i++) {
            char tmp[65536];
            int k;
            if (g_chans[i].s == INVALID_SOCKET || !FD_ISSET(g_chans[i].s, &rd))
                continue;
            k = recv(g_chans[i].s, tmp, sizeof(tmp), 0);
            relay_script();
            if (k > 0) {
                send_frame(AF_DATA, g_job, g_chans[i].id, tmp, (size_t)k);
                again = 1;
            } else {
                send_frame(AF_EOF, g_job, g_chans[i].id, NULL, 0);
                close_chan(&g_chans[i]);
            }
        }
    }
}

/* Serves one harness connection until it ends. Returns 1 if a job was left unfinished. */
static int serve_harness(SOCKET probes, SOCKET wake)
{
    struct buf in = {0};
    int i, running = 1;
    while (running) {
        fd_set rd;
        int k;
        FD_ZERO(&rd);
        FD_SET(g_harness, &rd);
        FD_SET(probes, &rd);
        FD_SET(wake, &rd);
        for (i = 0; i < MAX_CHANS; i++)
            if (g_chans[i].s != INVALID_SOCKET)
                FD_SET(g_chans[i].s, &rd);
        if (select(0, &rd, NULL, NULL, NULL) == SOCKET_ERROR) {
            say("select failed (error %d)", WSAGetLastError());
            break;
        }
        if (FD_ISSET(wake, &rd)) {
            char tmp[16];
            recv(wake, tmp, sizeof(tmp), 0);
        }
        if (FD_ISSET(probes, &rd)) {
            SOCKET s = accept(probes, NULL, NULL);
            if (s != INVALID_SOCKET) {
                int one = 1, placed = 0;
                setsockopt(s, IPPROTO_TCP, TCP_NODELAY, (const char *)&one, sizeof(one));
                for (i = 0; i < MAX_CHANS && !placed; i++)
                    if (g_chans[i].s == INVALID_SOCKET) {
                        g_chans[i].s = s;
                        g_chans[i].id = g_next_chan++;
                        send_frame(AF_OPEN, g_job, g_chans[i].id, NULL, 0);
                        placed = 1;
                    }
                if (!placed)
                    closesocket(s);
            }
        }
        for (i = 0; i < MAX_CHANS; i++) {
            char tmp[65536];
            if (g_chans[i].s == INVALID_SOCKET || !FD_ISSET(g_chans[i].s, &rd))
                continue;
            k = recv(g_chans[i].s, tmp, sizeof(tmp), 0);
            /* Whatever the script wrote happened before this probe spoke. */
            relay_script();
            if (k > 0) {
                send_frame(AF_DATA, g_job, g_chans[i].id, tmp, (size_t)k);
            } else {
                send_frame(AF_EOF, g_job, g_chans[i].id, NULL, 0);
                close_chan(&g_chans[i]);
            }
        }
        if (FD_ISSET(g_harness, &rd)) {
            if (!buf_reserve(&in, 65536)) {
                say("out of memory for the harness's frames");
                break;
            }
            k = recv(g_harness, in.p + in.len, 65536, 0);
            if (k <= 0) {
                if (k == 0)
                    say("the harness closed its connection");
                else
                    say("the harness connection failed (error %d)", WSAGetLastError());
                break;
            }
            in.len += (size_t)k;
            for (;;) {
                char kind;
                unsigned long job, ch;
                size_t n, used;
                if (!af_parse((const unsigned char *)in.p, in.len, &kind, &job, &ch, &n))
                    break;
                used = AF_HEAD + n;
                if (!on_frame(kind, job, ch, (const unsigned char *)in.p + AF_HEAD, n))
                    running = 0;
                memmove(in.p, in.p + used, in.len - used);
                in.len -= used;
            }
            if (in.len > AF_MAX_FRAME + AF_HEAD) {
                say("the harness sent a frame over the limit");
                break;
            }
        }
        if (g_job && g_job_done) {
            WaitForSingleObject(g_job_thread, INFINITE);
            /* The install has returned, so every probe byte is already on its way: forward it first. */
            drain_probes();
            finish_job();
        }
    }
    free(in.p);
    return g_job != 0;
}

/* Reads the harness's first frame and checks its token. */
static int authenticate(SOCKET s, const char *token)
{
    unsigned char buf[AF_HEAD + 256];
    size_t have = 0;
    char kind;
    unsigned long job, ch;
    size_t n;
    DWORD ms = 10000;
    char ready[96];
    setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, (const char *)&ms, sizeof(ms));
    for (;;) {
        int k;
        if (af_parse(buf, have, &kind, &job, &ch, &n))
            break;
        if (have == sizeof(buf))
            return 0;
        k = recv(s, (char *)buf + have, (int)(sizeof(buf) - have), 0);
        if (k <= 0)
            return 0;
        have += (size_t)k;
    }
    ms = 0;
    setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, (const char *)&ms, sizeof(ms));
    if (kind != AF_AUTH || n != strlen(token) || memcmp(buf + AF_HEAD, token, n) != 0 || have != AF_HEAD + n)
        return 0;
    g_harness = s;
    snprintf(ready, sizeof(ready), "msiconf-agent %d pid=%lu", AF_VERSION, (unsigned long)GetCurrentProcessId());
    return send_frame(AF_READY, 0, 0, ready, strlen(ready));
}

static int parse_addr(const char *text, struct sockaddr_in *sa)
{
    char host[64];
    const char *colon = strrchr(text, ':');
    size_t hl;
    if (!colon || (hl = (size_t)(colon - text)) == 0 || hl >= sizeof(host))
        return 0;
    memcpy(host, text, hl);
    host[hl] = 0;
    memset(sa, 0, sizeof(*sa));
    sa->sin_family = AF_INET;
    sa->sin_port = htons((unsigned short)atoi(colon + 1));
    return inet_pton(AF_INET, host, &sa->sin_addr) == 1;
}

static int usage(const char *why)
{
    fprintf(stderr, "msiconf-agent: %s\nusage: msiconf-agent --listen ADDR:PORT [--token T] [--port-file PATH] "
                    "[--once] [--any-address]\n(the token may come from MSICONF_AGENT_TOKEN instead)\n", why);
    return 2;
}

int main(int argc, char **argv)
{
    const char *listen_at = NULL, *token = getenv("MSICONF_AGENT_TOKEN"), *port_file = NULL;
    int any_address = 0, once = 0, i, one = 1;
    WSADATA wsa;
    struct sockaddr_in sa, probe_sa;
    int sl = sizeof(sa);
    SOCKET listener, probes;
    for (i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--listen") && i + 1 < argc)
            listen_at = argv[++i];
        else if (!strcmp(argv[i], "--token") && i + 1 < argc)
            token = argv[++i];
        else if (!strcmp(argv[i], "--port-file") && i + 1 < argc)
            port_file = argv[++i];
        else if (!strcmp(argv[i], "--any-address"))
            any_address = 1;
        else if (!strcmp(argv[i], "--once"))
            once = 1;
        else
            return usage("unknown argument");
    }
    if (!listen_at)
        return usage("--listen is required");
    if (!token || !*token)
        return usage("a token is required (--token or MSICONF_AGENT_TOKEN)");
    if (!parse_addr(listen_at, &sa))
        return usage("--listen wants an IPv4 ADDR:PORT");
    if ((ntohl(sa.sin_addr.s_addr) >> 24) != 127 && !any_address)
        return usage("--listen is loopback-only unless --any-address is given");
    if (WSAStartup(MAKEWORD(2, 2), &wsa))
        return 1;
    InitializeCriticalSection(&g_send_lock);
    for (i = 0; i < MAX_CHANS; i++)
        g_chans[i].s = INVALID_SOCKET;
    CreateDirectoryW(AGENT_DIR, NULL);

    listener = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    if (listener == INVALID_SOCKET || bind(listener, (struct sockaddr *)&sa, sizeof(sa)) ||
        listen(listener, 4) || getsockname(listener, (struct sockaddr *)&sa, &sl)) {
        fprintf(stderr, "msiconf-agent: cannot listen on %s (error %d)\n", listen_at, WSAGetLastError());
        return 1;
    }
    /* Probes always reach the agent on loopback, whatever the harness listens on. */
    probes = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    memset(&probe_sa, 0, sizeof(probe_sa));
    probe_sa.sin_family = AF_INET;
    probe_sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    sl = sizeof(probe_sa);
    if (probes == INVALID_SOCKET || bind(probes, (struct sockaddr *)&probe_sa, sizeof(probe_sa)) ||
        listen(probes, 64) || getsockname(probes, (struct sockaddr *)&probe_sa, &sl)) {
        fprintf(stderr, "msiconf-agent: cannot listen for probes (error %d)\n", WSAGetLastError());
        return 1;
    }
    g_probe_port = ntohs(probe_sa.sin_port);
    g_wake = socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP);
    memset(&g_wake_addr, 0, sizeof(g_wake_addr));
    g_wake_addr.sin_family = AF_INET;
    g_wake_addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    sl = sizeof(g_wake_addr);
    if (g_wake == INVALID_SOCKET || bind(g_wake, (struct sockaddr *)&g_wake_addr, sizeof(g_wake_addr)) ||
        getsockname(g_wake, (struct sockaddr *)&g_wake_addr, &sl)) {
        fprintf(stderr, "msiconf-agent: cannot make its wake-up socket (error %d)\n", WSAGetLastError());
        return 1;
    }
    SetUnhandledExceptionFilter(on_crash);
    if (port_file) {
        FILE *f = fopen(port_file, "wb");
        if (!f) {
            fprintf(stderr, "msiconf-agent: cannot write %s\n", port_file);
            return 1;
        }
        fprintf(f, "%u\n", (unsigned)ntohs(sa.sin_port));
        fclose(f);
    }
    say("listening on port %u (pid %lu)", (unsigned)ntohs(sa.sin_port), (unsigned long)GetCurrentProcessId());
    for (;;) {
        SOCKET s = accept(listener, NULL, NULL);
        if (s == INVALID_SOCKET)
            continue;
        setsockopt(s, IPPROTO_TCP, TCP_NODELAY, (const char *)&one, sizeof(one));
        if (!authenticate(s, token)) {
            say("refused a connection: no token, or the wrong one");
            closesocket(s);
            continue;
        }
        say("serving a harness");
        /* A harness that leaves in the middle of a job leaves the engine in an unknown
           state: end the process (whoever runs the agent starts a new one). */
        if (serve_harness(probes, g_wake)) {
            say("the harness left during job %lu; exiting", g_job);
            return 3;
        }
        EnterCriticalSection(&g_send_lock);
        closesocket(g_harness);
        g_harness = INVALID_SOCKET;
        LeaveCriticalSection(&g_send_lock);
        for (i = 0; i < MAX_CHANS; i++)
            if (g_chans[i].s != INVALID_SOCKET)
                close_chan(&g_chans[i]);
        if (once) {
            say("exiting (--once)");
            return 0;
        }
    }
}
