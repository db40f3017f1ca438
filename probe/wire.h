/*
 * msiconf probe: the line protocol shared by the probe DLL and the EXE probes.
 *
 * The harness listens on 127.0.0.1; the port and a session token are in
 * C:\msiconf\port.txt ("<port> <token>"). A probe connects, sends
 *   HELLO <tab> token <tab> kind <tab> index <tab> handle <tab> pid <tab> rc
 * and then answers one result line per request line until it reads
 * "return <tab> N". Every string field is percent-encoded UTF-8 prefixed
 * with '=', and a lone '-' stands for a NULL pointer. Result lines are
 * key=value fields separated by tabs.
 *
 * Nothing here keeps state outside the struct conn the caller owns: custom
 * actions of one session share a process and re-enter the DLL on other threads.
 */
#ifndef MSICONF_WIRE_H
#define MSICONF_WIRE_H

#define WIN32_LEAN_AND_MEAN
#include <winsock2.h>
#include <ws2tcpip.h>
#include <windows.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WIRE_MAX_ARGS 96
#define WIRE_PORT_FILE L"C:\\msiconf\\port.txt"

struct buf {
    char *p;
    size_t len, cap;
};

struct conn {
    SOCKET s;
    struct buf in;  /* bytes received and not yet consumed */
    struct buf out; /* the result line being built */
    size_t consumed; /* length of the line read_line returned last */
    char token[64];
};

/* Strings decoded for one request, freed together when it is answered. */
struct arena {
    void *ptrs[WIRE_MAX_ARGS * 2];
    int n;
};

static void *arena_keep(struct arena *a, void *p)
{
    if (p && a->n < (int)(sizeof(a->ptrs) / sizeof(a->ptrs[0])))
        a->ptrs[a->n++] = p;
    return p;
}

static void arena_free(struct arena *a)
{
    int i;
    for (i = 0; i < a->n; i++)
        free(a->ptrs[i]);
    a->n = 0;
}

static int buf_reserve(struct buf *b, size_t extra)
{
    if (b->len + extra + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        char *p;
        while (cap < b->len + extra + 1)
            cap *= 2;
        p = realloc(b->p, cap);
        if (!p)
            return 0;
        b->p = p;
        b->cap = cap;
    }
    return 1;
}

static void buf_add(struct buf *b, const char *s, size_t n)
{
    if (!buf_reserve(b, n))
        return;
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = 0;
}

static void buf_str(struct buf *b, const char *s)
{
    buf_add(b, s, strlen(s));
}

/* Percent-encodes bytes so that tabs, newlines, NULs, commas and '=' never reach the wire raw. */
static void buf_pct(struct buf *b, const unsigned char *s, size_t n)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t i;
    if (!buf_reserve(b, n * 3))
        return;
    for (i = 0; i < n; i++) {
        unsigned char c = s[i];
        if (c <= 0x20 || c >= 0x7f || c == '%' || c == ',' || c == '=') {
            b->p[b->len++] = '%';
            b->p[b->len++] = hex[c >> 4];
            b->p[b->len++] = hex[c & 15];
        } else {
            b->p[b->len++] = (char)c;
        }
    }
    b->p[b->len] = 0;
}

/* Encodes n UTF-16 units (embedded NULs included) as percent-encoded UTF-8. */
static void buf_pct_w(struct buf *b, const WCHAR *w, int n)
{
    int len;
    char *u;
    if (n <= 0)
        return;
    len = WideCharToMultiByte(CP_UTF8, 0, w, n, NULL, 0, NULL, NULL);
    if (len <= 0)
        return;
    u = malloc(len);
    if (!u)
        return;
    WideCharToMultiByte(CP_UTF8, 0, w, n, u, len, NULL, NULL);
    buf_pct(b, (unsigned char *)u, len);
    free(u);
}

/* Encodes n bytes in the ANSI code page as percent-encoded UTF-8. */
static void buf_pct_a(struct buf *b, const char *a, int n)
{
    int len;
    WCHAR *w;
    if (n <= 0)
        return;
    len = MultiByteToWideChar(CP_ACP, 0, a, n, NULL, 0);
    if (len <= 0)
        return;
    w = malloc(len * sizeof(WCHAR));
    if (!w)
        return;
    MultiByteToWideChar(CP_ACP, 0, a, n, w, len);
    buf_pct_w(b, w, len);
    free(w);
}

static void out_begin(struct conn *c)
{
    c->out.len = 0;
    buf_add(&c->out, "", 0);
}

static void out_field(struct conn *c, const char *key)
{
    if (c->out.len)
        buf_str(&c->out, "\t");
    buf_str(&c->out, key);
    buf_str(&c->out, "=");
}

static void out_u(struct conn *c, const char *key, unsigned long v)
{
    char tmp[32];
    out_field(c, key);
    snprintf(tmp, sizeof(tmp), "%lu", v);
    buf_str(&c->out, tmp);
}

static void out_i(struct conn *c, const char *key, long long v)
{
    char tmp[32];
    out_field(c, key);
    snprintf(tmp, sizeof(tmp), "%lld", v);
    buf_str(&c->out, tmp);
}

static void out_text(struct conn *c, const char *key, const char *text)
{
    out_field(c, key);
    buf_pct(&c->out, (const unsigned char *)text, strlen(text));
}

static void out_unsupported(struct conn *c, const char *why)
{
    out_text(c, "unsupported", why);
}

static int send_all(SOCKET s, const char *p, size_t n)
{
    while (n) {
        int k = send(s, p, (int)(n > 65536 ? 65536 : n), 0);
        if (k <= 0)
            return 0;
        p += k;
        n -= (size_t)k;
    }
    return 1;
}

static int out_send(struct conn *c)
{
    buf_str(&c->out, "\n");
    return send_all(c->s, c->out.p, c->out.len);
}

/* Reads one line (without its newline) into *line, valid until the next call. */
static int read_line(struct conn *c, char **line)
{
    if (c->consumed) {
        memmove(c->in.p, c->in.p + c->consumed, c->in.len - c->consumed);
        c->in.len -= c->consumed;
        c->consumed = 0;
    }
    for (;;) {
        char *nl = c->in.len ? memchr(c->in.p, '\n', c->in.len) : NULL;
        int k;
        if (nl) {
            c->consumed = (size_t)(nl - c->in.p) + 1;
            *nl = 0;
            if (nl > c->in.p && nl[-1] == '\r')
                nl[-1] = 0;
            *line = c->in.p;
            return 1;
        }
        /* Buffered: under Wine every recv() is a wineserver round trip. */
        if (!buf_reserve(&c->in, 65536))
            return 0;
        k = recv(c->s, c->in.p + c->in.len, 65536, 0);
        if (k <= 0)
            return 0;
        c->in.len += (size_t)k;
    }
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Decodes a '='-prefixed percent-encoded field into bytes; NULL for '-'. */
static char *arg_bytes(struct arena *a, const char *f, int *outlen)
{
    size_t n = strlen(f), i, j = 0;
    char *r;
    if (f[0] != '=') {
        if (outlen)
            *outlen = 0;
        return NULL;
    }
    r = arena_keep(a, malloc(n + 1));
    if (!r)
        return NULL;
    for (i = 1; i < n; i++) {
        if (f[i] == '%' && i + 2 < n && hexval(f[i + 1]) >= 0 && hexval(f[i + 2]) >= 0) {
            r[j++] = (char)(hexval(f[i + 1]) * 16 + hexval(f[i + 2]));
            i += 2;
        } else {
            r[j++] = f[i];
        }
    }
    r[j] = 0;
    if (outlen)
        *outlen = (int)j;
    return r;
}

/* A string argument as a NUL-terminated wide string (NULL for '-'). */
static WCHAR *arg_w(struct arena *a, const char *f)
{
    int n, len;
    char *b = arg_bytes(a, f, &n);
    WCHAR *w;
    if (!b)
        return NULL;
    len = n ? MultiByteToWideChar(CP_UTF8, 0, b, n, NULL, 0) : 0;
    w = arena_keep(a, malloc((len + 1) * sizeof(WCHAR)));
    if (!w)
        return NULL;
    if (len)
        MultiByteToWideChar(CP_UTF8, 0, b, n, w, len);
    w[len] = 0;
    return w;
}

/* A string argument in the ANSI code page (NULL for '-'). */
static char *arg_a(struct arena *a, const char *f)
{
    WCHAR *w = arg_w(a, f);
    int len;
    char *s;
    if (!w)
        return NULL;
    len = WideCharToMultiByte(CP_ACP, 0, w, -1, NULL, 0, NULL, NULL);
    s = arena_keep(a, malloc(len > 0 ? len : 1));
    if (!s)
        return NULL;
    if (len > 0)
        WideCharToMultiByte(CP_ACP, 0, w, -1, s, len, NULL, NULL);
    else
        s[0] = 0;
    return s;
}

static unsigned long arg_u(const char *f)
{
    return strtoul(f, NULL, 10);
}

static long arg_i(const char *f)
{
    return strtol(f, NULL, 10);
}

/* Splits a request line at tabs, in place. */
static int split(char *line, char **argv)
{
    int n = 0;
    char *p = line;
    while (n < WIRE_MAX_ARGS) {
        char *t = strchr(p, '\t');
        argv[n++] = p;
        if (!t)
            break;
        *t = 0;
        p = t + 1;
    }
    return n;
}

/* Connects to the harness named in the port file and says hello. */
static int wire_connect(struct conn *c, const char *kind, long index, unsigned long handle, unsigned long rc)
{
    FILE *f;
    int port = 0;
    WSADATA wsa;
    struct sockaddr_in sa;
    int one = 1;
    char hello[256];

    memset(c, 0, sizeof(*c));
    c->s = INVALID_SOCKET;
    f = _wfopen(WIRE_PORT_FILE, L"rb");
    if (!f)
        return 0;
    if (fscanf(f, "%d %63s", &port, c->token) != 2) {
        fclose(f);
        return 0;
    }
    fclose(f);
    if (WSAStartup(MAKEWORD(2, 2), &wsa))
        return 0;
    c->s = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    if (c->s == INVALID_SOCKET)
        return 0;
    setsockopt(c->s, IPPROTO_TCP, TCP_NODELAY, (const char *)&one, sizeof(one));
    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_port = htons((unsigned short)port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(c->s, (struct sockaddr *)&sa, sizeof(sa)))
        return 0;
    snprintf(hello, sizeof(hello), "HELLO\t%s\t%s\t%ld\t%lu\t%lu\t%lu\n", c->token, kind, index, handle,
             (unsigned long)GetCurrentProcessId(), rc);
    return send_all(c->s, hello, strlen(hello));
}

static void wire_close(struct conn *c)
{
    if (c->s != INVALID_SOCKET) {
        shutdown(c->s, SD_SEND);
        closesocket(c->s);
        WSACleanup();
    }
    free(c->in.p);
    free(c->out.p);
    c->in.p = c->out.p = NULL;
}

#endif
