/*
 * msiconf EXE probe: the program EXE custom actions (type 2) run. It has no
 * session, so it can only report its command line and that it has no
 * session; its exit code is what the harness asks it to return.
 *
 * The package builder appends "MSICONF-TAG:<n>;" to each copy of this file
 * in the Binary table, which tells the harness which probe is running without
 * touching the command line the case is testing.
 */
#include "wire.h"

static long own_tag(void)
{
    WCHAR path[MAX_PATH];
    char tail[64];
    FILE *f;
    long tag = -1;
    size_t n;
    if (!GetModuleFileNameW(NULL, path, MAX_PATH))
        return -1;
    f = _wfopen(path, L"rb");
    if (!f)
        return -1;
    if (!fseek(f, -(long)(sizeof(tail) - 1), SEEK_END)) {
        n = fread(tail, 1, sizeof(tail) - 1, f);
        tail[n] = 0;
        for (size_t i = 0; i + 12 <= n; i++)
            if (!memcmp(tail + i, "MSICONF-TAG:", 12)) {
                tag = strtol(tail + i + 12, NULL, 10);
                break;
            }
    }
    fclose(f);
    return tag;
}

/* The command line after the program name and the blanks that follow it. */
static const WCHAR *arguments(void)
{
    const WCHAR *p = GetCommandLineW();
    if (*p == '"') {
        p++;
        while (*p && *p != '"')
            p++;
        if (*p)
            p++;
    } else {
        while (*p && *p != ' ' && *p != '\t')
            p++;
    }
    while (*p == ' ' || *p == '\t')
        p++;
    return p;
}

int main(void)
{
    struct conn c;
    char *line, *argv[WIRE_MAX_ARGS];
    int ret = 1603;
    if (!wire_connect(&c, "exe", own_tag(), 0, 0)) {
        wire_close(&c);
        return 1603;
    }
    while (read_line(&c, &line)) {
        int argc = split(line, argv);
        if (!strcmp(argv[0], "return")) {
            ret = argc > 1 ? (int)arg_u(argv[1]) : 0;
            break;
        }
        out_begin(&c);
        if (!strcmp(argv[0], "cmdline")) {
            const WCHAR *args = arguments();
            out_field(&c, "value");
            buf_pct_w(&c.out, args, (int)wcslen(args));
        } else if (!strcmp(argv[0], "hassession")) {
            /* An EXE custom action is started as a process and is handed no install handle. */
            out_i(&c, "num", 0);
        } else if (!strcmp(argv[0], "ping")) {
            out_u(&c, "pong", 1);
        } else {
            out_unsupported(&c, "an EXE custom action has no session to make this call on");
        }
        if (!out_send(&c))
            break;
    }
    wire_close(&c);
    return ret;
}
