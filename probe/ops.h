/*
 * msiconf probe: every request the harness can make, performed with the real
 * msi.dll API. Each request is one call (or one fixed composite such as
 * "sql"), and the answer carries every result the call gave back, failures
 * included. Handles travel as raw numbers: the harness keeps the slots and
 * normalises handles, so nothing here outlives a request.
 */
#ifndef MSICONF_OPS_H
#define MSICONF_OPS_H

#include "wire.h"
#include <msi.h>
#include <msiquery.h>
#include <wtypes.h>
#include <objbase.h>

/* Marks untouched buffer elements so the harness can tell what a call wrote. */
#define SENTINEL_W ((WCHAR)0xFFFF)
#define SENTINEL_A ((char)0x7F)

/* Buffer modes of the string getters, as the harness names them. */
enum bufmode { BUF_SIZED, BUF_NULL_BUFFER, BUF_NULL_SIZE, BUF_NULL_BOTH };

static enum bufmode parse_bufmode(const char *s)
{
    switch (s[0]) {
    case 'n': return BUF_NULL_BUFFER;
    case 'z': return BUF_NULL_SIZE;
    case 'b': return BUF_NULL_BOTH;
    default: return BUF_SIZED;
    }
}

/* A call into a function that is exported but not implemented is reported
 * with the exception it raises, and the script goes on: Wine 8.0 exports
 * MsiVerifyDiskSpace as a stub that raises STUB_EXCEPTION, which would
 * otherwise end the process and every call after it. The call runs on a
 * thread of its own; a vectored handler that sees that exception on that
 * thread ends the thread, and the probe reports the code. Every other
 * exception, and every other thread, is left to the handlers that expect it
 * (the installer's RPC bridge raises and catches its own). */
#define STUB_EXCEPTION 0x80000100

struct guarded_call {
    MSIHANDLE handle;
    UINT rc;
};

static volatile DWORD guard_thread_id;
static volatile DWORD guard_code;

static LONG CALLBACK stub_catch(EXCEPTION_POINTERS *ep)
{
    if (ep->ExceptionRecord->ExceptionCode != STUB_EXCEPTION || GetCurrentThreadId() != guard_thread_id)
        return EXCEPTION_CONTINUE_SEARCH;
    guard_code = ep->ExceptionRecord->ExceptionCode;
    ExitThread(1);
    return EXCEPTION_CONTINUE_SEARCH;
}

static DWORD WINAPI verify_disk_space_thread(LPVOID p)
{
    struct guarded_call *g = p;
    guard_thread_id = GetCurrentThreadId();
    g->rc = MsiVerifyDiskSpace(g->handle);
    return 0;
}

/* MsiVerifyDiskSpace(handle) on a guarded thread: writes rc, or raised. */
static void guarded_verify_disk_space(struct conn *c, MSIHANDLE handle)
{
    struct guarded_call g = {handle, 0};
    DWORD status = 1;
    PVOID veh = AddVectoredExceptionHandler(1, stub_catch);
    HANDLE t;
    guard_code = 0;
    t = CreateThread(NULL, 0, verify_disk_space_thread, &g, 0, NULL);
    if (!t) {
        RemoveVectoredExceptionHandler(veh);
        out_unsupported(c, "the probe could not start a thread for the call");
        return;
    }
    WaitForSingleObject(t, INFINITE);
    GetExitCodeThread(t, &status);
    CloseHandle(t);
    RemoveVectoredExceptionHandler(veh);
    guard_thread_id = 0;
    if (status == 0)
        out_u(c, "rc", g.rc);
    else
        out_u(c, "raised", guard_code);
}

/* The buffer and size pointer one string-getter call receives. */
struct strcall {
    int ansi;
    enum bufmode mode;
    DWORD cap;   /* elements in the buffer, and the size passed in */
    DWORD alloc; /* elements allocated: cap plus a guard element */
    DWORD size;
    void *buf;
};

static void strcall_init(struct strcall *s, struct arena *a, const char *mode, const char *cap, const char *ansi)
{
    DWORD i;
    s->ansi = arg_u(ansi) != 0;
    s->mode = parse_bufmode(mode);
    s->cap = arg_u(cap);
    s->size = s->cap;
    s->buf = NULL;
    s->alloc = 0;
    if (s->mode == BUF_SIZED || s->mode == BUF_NULL_SIZE) {
        s->alloc = s->cap + 1;
        s->buf = arena_keep(a, malloc(s->alloc * (s->ansi ? 1 : sizeof(WCHAR))));
        for (i = 0; i < s->alloc; i++) {
            if (s->ansi)
                ((char *)s->buf)[i] = SENTINEL_A;
            else
                ((WCHAR *)s->buf)[i] = SENTINEL_W;
        }
    }
}

static DWORD *strcall_size(struct strcall *s)
{
    return (s->mode == BUF_NULL_SIZE || s->mode == BUF_NULL_BOTH) ? NULL : &s->size;
}

/* Reports the size written back and what the call left in the buffer. */
static void strcall_report_buffer(struct conn *c, struct strcall *s)
{
    if (strcall_size(s))
        out_u(c, "size", s->size);
    if (s->buf) {
        DWORD k = s->alloc;
        if (s->ansi)
            while (k > 0 && ((char *)s->buf)[k - 1] == SENTINEL_A)
                k--;
        else
            while (k > 0 && ((WCHAR *)s->buf)[k - 1] == SENTINEL_W)
                k--;
        out_u(c, "written", k);
        out_field(c, "buf");
        if (s->ansi)
            buf_pct_a(&c->out, (char *)s->buf, (int)k);
        else
            buf_pct_w(&c->out, (WCHAR *)s->buf, (int)k);
    }
}

/* Reports rc, the size written back and what the call left in the buffer. */
static void strcall_report(struct conn *c, struct strcall *s, UINT rc)
{
    out_u(c, "rc", rc);
    strcall_report_buffer(c, s);
}

/* One record field as text: integers in decimal, NULL as "". */
static void out_cell(struct conn *c, MSIHANDLE rec, UINT field)
{
    WCHAR small[256], *w = small;
    DWORD sz = 256;
    UINT r;
    if (MsiRecordIsNull(rec, field))
        return;
    r = MsiRecordGetStringW(rec, field, w, &sz);
    if (r == ERROR_MORE_DATA) {
        w = malloc((sz + 1) * sizeof(WCHAR));
        if (!w)
            return;
        sz++;
        r = MsiRecordGetStringW(rec, field, w, &sz);
    }
    if (r == ERROR_SUCCESS)
        buf_pct_w(&c->out, w, (int)sz);
    if (w != small)
        free(w);
}

static void out_row(struct conn *c, MSIHANDLE rec)
{
    UINT n = MsiRecordGetFieldCount(rec), i;
    char tmp[16];
    out_field(c, "row");
    snprintf(tmp, sizeof(tmp), "%u", n == (UINT)-1 ? 0 : n);
    buf_str(&c->out, tmp);
    for (i = 1; n != (UINT)-1 && i <= n; i++) {
        buf_str(&c->out, ",");
        out_cell(c, rec, i);
    }
}

/* Whether a view's column holds integers, from the column types it reports. */
static int column_is_int(MSIHANDLE view, UINT field)
{
    MSIHANDLE types = 0;
    WCHAR t[16];
    DWORD sz = 16;
    int is_int = -1;
    if (view && MsiViewGetColumnInfo(view, MSICOLINFO_TYPES, &types) == ERROR_SUCCESS) {
        if (MsiRecordGetStringW(types, field, t, &sz) == ERROR_SUCCESS)
            is_int = (t[0] == 'i' || t[0] == 'I');
        MsiCloseHandle(types);
    }
    return is_int;
}

static int looks_int(const WCHAR *w)
{
    const WCHAR *p = w;
    if (*p == '-')
        p++;
    if (!*p)
        return 0;
    for (; *p; p++)
        if (*p < '0' || *p > '9')
            return 0;
    return 1;
}

/* Sets a field the way the column wants it (integer or string); "" leaves it NULL. */
static UINT set_field(MSIHANDLE view, MSIHANDLE rec, UINT field, const WCHAR *value)
{
    int is_int = column_is_int(view, field);
    if (is_int < 0)
        is_int = looks_int(value);
    if (is_int && value[0] && looks_int(value))
        return MsiRecordSetInteger(rec, field, _wtoi(value));
    return MsiRecordSetStringW(rec, field, value);
}

/* A record whose fields from `first` on are the string arguments. */
static MSIHANDLE make_record(struct arena *a, MSIHANDLE view, char **argv, int argc, int first, int typed)
{
    int n = argc - first, i;
    MSIHANDLE rec = MsiCreateRecord((UINT)n);
    for (i = 0; i < n; i++) {
        WCHAR *v = arg_w(a, argv[first + i]);
        if (!v)
            continue;
        if (typed)
            set_field(view, rec, (UINT)i + 1, v);
        else
            MsiRecordSetStringW(rec, (UINT)i + 1, v);
    }
    return rec;
}

static UINT do_sql(struct conn *c, MSIHANDLE db, const WCHAR *query)
{
    MSIHANDLE view = 0, rec = 0;
    UINT rc = MsiDatabaseOpenViewW(db, query, &view), r;
    if (rc != ERROR_SUCCESS)
        return rc;
    rc = MsiViewExecute(view, 0);
    if (rc == ERROR_SUCCESS) {
        while ((r = MsiViewFetch(view, &rec)) == ERROR_SUCCESS) {
            out_row(c, rec);
            MsiCloseHandle(rec);
        }
        if (r != ERROR_NO_MORE_ITEMS)
            rc = r;
    }
    MsiCloseHandle(view);
    return rc;
}

static UINT do_suminfo(MSIHANDLE db, UINT pid, const WCHAR *value)
{
    MSIHANDLE si = 0;
    UINT rc = MsiGetSummaryInformationW(db, NULL, 1, &si), vt;
    FILETIME ft = {0, 0};
    INT ival = 0;
    const WCHAR *sval = NULL;
    if (rc != ERROR_SUCCESS)
        return rc;
    switch (pid) {
    case 1: vt = VT_I2; ival = value ? _wtoi(value) : 0; break;
    case 14: case 15: case 16: case 19: vt = VT_I4; ival = value ? _wtoi(value) : 0; break;
    case 10: case 11: case 12: case 13: {
        ULONGLONG t = value ? _wcstoui64(value, NULL, 10) : 0;
        vt = VT_FILETIME;
        ft.dwLowDateTime = (DWORD)t;
        ft.dwHighDateTime = (DWORD)(t >> 32);
        break;
    }
    default: vt = VT_LPSTR; sval = value; break;
    }
    rc = MsiSummaryInfoSetPropertyW(si, pid, vt, ival, &ft, sval);
    MsiCloseHandle(si);
    return rc;
}

#define NEED(n)                                                                                            \
    do {                                                                                                   \
        if (argc < (n)) {                                                                                  \
            out_unsupported(c, "the probe got too few arguments");                                         \
            return;                                                                                        \
        }                                                                                                  \
    } while (0)

/* Performs one request on behalf of a custom action (or the package host) holding `session`. */
static void dispatch(struct conn *c, struct arena *a, MSIHANDLE session, char **argv, int argc)
{
    const char *op = argv[0];
    if (!strcmp(op, "ping")) {
        out_u(c, "pong", 1);
    } else if (!strcmp(op, "hassession")) {
        out_i(c, "num", session != 0);
    } else if (!strcmp(op, "setenv")) {
        NEED(3);
        out_i(c, "num", SetEnvironmentVariableW(arg_w(a, argv[1]), arg_w(a, argv[2])) != 0);
    } else if (!strcmp(op, "getenv")) {
        WCHAR small[1];
        WCHAR *value;
        DWORD n;
        NEED(2);
        n = GetEnvironmentVariableW(arg_w(a, argv[1]), small, 0);
        if (n == 0) {
            out_i(c, "num", 0);
        } else {
            value = arena_keep(a, malloc(n * sizeof(WCHAR)));
            n = GetEnvironmentVariableW(arg_w(a, argv[1]), value, n);
            out_i(c, "num", (int)n);
            out_field(c, "value");
            buf_pct_w(&c->out, value, (int)n);
        }
    } else if (!strcmp(op, "dllcounter")) {
        /* A global of this module: a DLL loaded afresh for each action starts from 0. */
        static int dll_counter;
        out_i(c, "num", dll_counter++);
    } else if (!strcmp(op, "cominitsta")) {
        HRESULT hr = CoInitializeEx(NULL, COINIT_APARTMENTTHREADED);
        if (SUCCEEDED(hr))
            CoUninitialize();
        out_i(c, "num", (int)hr);
    } else if (!strcmp(op, "comcreate")) {
        /* msxml's XML document class, without initialising COM on this thread. */
        static const CLSID xml_document = {0xcfc399af, 0xd876, 0x11d0, {0x9c, 0x10, 0x00, 0xc0, 0x4f, 0xc9, 0x9c, 0x8e}};
        IUnknown *unk = NULL;
        HRESULT hr = CoCreateInstance(&xml_document, NULL, CLSCTX_INPROC_SERVER, &IID_IUnknown, (void **)&unk);
        if (unk)
            unk->lpVtbl->Release(unk);
        out_i(c, "num", (int)hr);
    } else if (!strcmp(op, "doaction")) {
        NEED(3);
        out_u(c, "rc", MsiDoActionW(arg_u(argv[1]), arg_w(a, argv[2])));
    } else if (!strcmp(op, "sequence")) {
        NEED(3);
        out_u(c, "rc", MsiSequenceW(arg_u(argv[1]), arg_w(a, argv[2]), 0));
    } else if (!strcmp(op, "getprop")) {
        struct strcall s;
        UINT rc;
        NEED(6);
        strcall_init(&s, a, argv[3], argv[4], argv[5]);
        if (s.ansi)
            rc = MsiGetPropertyA(arg_u(argv[1]), arg_a(a, argv[2]), (char *)s.buf, strcall_size(&s));
        else
            rc = MsiGetPropertyW(arg_u(argv[1]), arg_w(a, argv[2]), (WCHAR *)s.buf, strcall_size(&s));
        strcall_report(c, &s, rc);
    } else if (!strcmp(op, "targetpath") || !strcmp(op, "sourcepath")) {
        struct strcall s;
        UINT rc;
        int target = !strcmp(op, "targetpath");
        NEED(6);
        strcall_init(&s, a, argv[3], argv[4], argv[5]);
        if (s.ansi && target)
            rc = MsiGetTargetPathA(arg_u(argv[1]), arg_a(a, argv[2]), (char *)s.buf, strcall_size(&s));
        else if (s.ansi)
            rc = MsiGetSourcePathA(arg_u(argv[1]), arg_a(a, argv[2]), (char *)s.buf, strcall_size(&s));
        else if (target)
            rc = MsiGetTargetPathW(arg_u(argv[1]), arg_w(a, argv[2]), (WCHAR *)s.buf, strcall_size(&s));
        else
            rc = MsiGetSourcePathW(arg_u(argv[1]), arg_w(a, argv[2]), (WCHAR *)s.buf, strcall_size(&s));
        strcall_report(c, &s, rc);
    } else if (!strcmp(op, "validstates")) {
        DWORD states = 0;
        UINT rc;
        NEED(4);
        rc = MsiGetFeatureValidStatesW(arg_u(argv[1]), arg_w(a, argv[2]), arg_u(argv[3]) ? NULL : &states);
        out_u(c, "rc", rc);
        if (rc == ERROR_SUCCESS)
            out_i(c, "num", (int)states);
    } else if (!strcmp(op, "featcost")) {
        INT cost = 0;
        UINT rc;
        NEED(6);
        rc = MsiGetFeatureCostW(arg_u(argv[1]), arg_w(a, argv[2]), (MSICOSTTREE)arg_i(argv[3]),
                                (INSTALLSTATE)arg_i(argv[4]), arg_u(argv[5]) ? NULL : &cost);
        out_u(c, "rc", rc);
        if (rc == ERROR_SUCCESS)
            out_i(c, "num", cost);
    } else if (!strcmp(op, "compcosts")) {
        struct strcall s;
        INT cost = 0, temp = 0;
        UINT rc;
        NEED(10);
        strcall_init(&s, a, argv[5], argv[6], argv[7]);
        rc = MsiEnumComponentCostsW(arg_u(argv[1]), arg_w(a, argv[2]), arg_u(argv[3]), (INSTALLSTATE)arg_i(argv[4]),
                                    (WCHAR *)s.buf, strcall_size(&s),
                                    arg_u(argv[8]) ? NULL : &cost, arg_u(argv[9]) ? NULL : &temp);
        strcall_report(c, &s, rc);
        if (rc == ERROR_SUCCESS || rc == ERROR_MORE_DATA) {
            out_i(c, "cost", cost);
            out_i(c, "temp", temp);
        }
    } else if (!strcmp(op, "diskspace")) {
        NEED(2);
        guarded_verify_disk_space(c, arg_u(argv[1]));
    } else if (!strcmp(op, "lasterror")) {
        MSIHANDLE rec = MsiGetLastErrorRecord();
        if (rec) {
            out_i(c, "num", (int)MsiRecordGetFieldCount(rec));
            out_field(c, "value");
            out_cell(c, rec, 1);
            MsiCloseHandle(rec);
        } else {
            out_i(c, "num", 0);
        }
    } else if (!strcmp(op, "featstate") || !strcmp(op, "compstate")) {
        INSTALLSTATE inst = INSTALLSTATE_UNKNOWN, act = INSTALLSTATE_UNKNOWN;
        UINT rc;
        NEED(4);
        if (!strcmp(op, "featstate"))
            rc = MsiGetFeatureStateW(arg_u(argv[1]), arg_w(a, argv[2]), arg_u(argv[3]) ? NULL : &inst, &act);
        else
            rc = MsiGetComponentStateW(arg_u(argv[1]), arg_w(a, argv[2]), arg_u(argv[3]) ? NULL : &inst, &act);
        out_u(c, "rc", rc);
        if (rc == ERROR_SUCCESS) {
            out_i(c, "inst", inst);
            out_i(c, "act", act);
        }
    } else if (!strcmp(op, "setfeat")) {
        NEED(4);
        out_u(c, "rc", MsiSetFeatureStateW(arg_u(argv[1]), arg_w(a, argv[2]), (INSTALLSTATE)arg_i(argv[3])));
    } else if (!strcmp(op, "setfeatattr")) {
        NEED(4);
        out_u(c, "rc", MsiSetFeatureAttributesW(arg_u(argv[1]), arg_w(a, argv[2]), (DWORD)arg_u(argv[3])));
    } else if (!strcmp(op, "setcomp")) {
        NEED(4);
        out_u(c, "rc", MsiSetComponentStateW(arg_u(argv[1]), arg_w(a, argv[2]), (INSTALLSTATE)arg_i(argv[3])));
    } else if (!strcmp(op, "settargetpath")) {
        NEED(4);
        out_u(c, "rc", MsiSetTargetPathW(arg_u(argv[1]), arg_w(a, argv[2]), arg_w(a, argv[3])));
    } else if (!strcmp(op, "setprop")) {
        NEED(4);
        out_u(c, "rc", MsiSetPropertyW(arg_u(argv[1]), arg_w(a, argv[2]), arg_w(a, argv[3])));
    } else if (!strcmp(op, "setpropa")) {
        NEED(4);
        out_u(c, "rc", MsiSetPropertyA(arg_u(argv[1]), arg_a(a, argv[2]), arg_a(a, argv[3])));
    } else if (!strcmp(op, "getmode")) {
        NEED(3);
        out_i(c, "num", MsiGetMode(arg_u(argv[1]), (MSIRUNMODE)arg_u(argv[2])));
    } else if (!strcmp(op, "setmode")) {
        NEED(4);
        out_u(c, "rc", MsiSetMode(arg_u(argv[1]), (MSIRUNMODE)arg_u(argv[2]), arg_u(argv[3]) != 0));
    } else if (!strcmp(op, "getlang")) {
        NEED(2);
        out_i(c, "num", MsiGetLanguage(arg_u(argv[1])));
    } else if (!strcmp(op, "message")) {
        MSIHANDLE rec;
        NEED(3);
        rec = make_record(a, 0, argv, argc, 3, 0);
        out_i(c, "num", MsiProcessMessage(arg_u(argv[1]), (INSTALLMESSAGE)arg_u(argv[2]), rec));
        MsiCloseHandle(rec);
    } else if (!strcmp(op, "format")) {
        struct strcall s;
        MSIHANDLE rec;
        UINT rc;
        NEED(6);
        strcall_init(&s, a, argv[3], argv[4], argv[5]);
        rec = make_record(a, 0, argv, argc, 6, 0);
        MsiRecordSetStringW(rec, 0, arg_w(a, argv[2]));
        if (s.ansi)
            rc = MsiFormatRecordA(arg_u(argv[1]), rec, (char *)s.buf, strcall_size(&s));
        else
            rc = MsiFormatRecordW(arg_u(argv[1]), rec, (WCHAR *)s.buf, strcall_size(&s));
        MsiCloseHandle(rec);
        strcall_report(c, &s, rc);
    } else if (!strcmp(op, "formatnull")) {
        struct strcall s;
        UINT rc;
        NEED(5);
        strcall_init(&s, a, argv[2], argv[3], argv[4]);
        if (s.ansi)
            rc = MsiFormatRecordA(arg_u(argv[1]), 0, (char *)s.buf, strcall_size(&s));
        else
            rc = MsiFormatRecordW(arg_u(argv[1]), 0, (WCHAR *)s.buf, strcall_size(&s));
        strcall_report(c, &s, rc);
    } else if (!strcmp(op, "evalcond")) {
        NEED(3);
        out_i(c, "num", MsiEvaluateConditionW(arg_u(argv[1]), arg_w(a, argv[2])));
    } else if (!strcmp(op, "setlevel")) {
        NEED(3);
        out_u(c, "rc", MsiSetInstallLevel(arg_u(argv[1]), (int)arg_i(argv[2])));
    } else if (!strcmp(op, "activedb")) {
        NEED(2);
        out_u(c, "h", MsiGetActiveDatabase(arg_u(argv[1])));
    } else if (!strcmp(op, "openview")) {
        MSIHANDLE view = 0;
        int null_out;
        UINT rc;
        NEED(4);
        null_out = arg_u(argv[3]) != 0;
        rc = MsiDatabaseOpenViewW(arg_u(argv[1]), arg_w(a, argv[2]), null_out ? NULL : &view);
        out_u(c, "rc", rc);
        if (!null_out)
            out_u(c, "h", view);
    } else if (!strcmp(op, "execute")) {
        NEED(2);
        out_u(c, "rc", MsiViewExecute(arg_u(argv[1]), 0));
    } else if (!strcmp(op, "fetch")) {
        MSIHANDLE rec = 0;
        UINT rc;
        NEED(2);
        rc = MsiViewFetch(arg_u(argv[1]), &rec);
        out_u(c, "rc", rc);
        out_u(c, "rec", rec);
        if (rc == ERROR_SUCCESS && rec)
            out_row(c, rec);
    } else if (!strcmp(op, "recset")) {
        WCHAR *v;
        NEED(5);
        v = arg_w(a, argv[4]);
        out_u(c, "rc", set_field(arg_u(argv[1]), arg_u(argv[2]), arg_u(argv[3]), v ? v : L""));
    } else if (!strcmp(op, "modify")) {
        NEED(4);
        out_u(c, "rc", MsiViewModify(arg_u(argv[1]), (MSIMODIFY)arg_i(argv[2]), arg_u(argv[3])));
    } else if (!strcmp(op, "modifynew")) {
        MSIHANDLE rec;
        NEED(3);
        rec = make_record(a, arg_u(argv[1]), argv, argc, 3, 1);
        out_u(c, "rc", MsiViewModify(arg_u(argv[1]), (MSIMODIFY)arg_i(argv[2]), rec));
        MsiCloseHandle(rec);
    } else if (!strcmp(op, "sql")) {
        UINT rc;
        NEED(3);
        rc = do_sql(c, arg_u(argv[1]), arg_w(a, argv[2]));
        out_u(c, "rc", rc);
    } else if (!strcmp(op, "commit")) {
        NEED(2);
        out_u(c, "rc", MsiDatabaseCommit(arg_u(argv[1])));
    } else if (!strcmp(op, "persistent")) {
        NEED(3);
        out_i(c, "num", MsiDatabaseIsTablePersistentW(arg_u(argv[1]), arg_w(a, argv[2])));
    } else if (!strcmp(op, "suminfo")) {
        NEED(4);
        out_u(c, "rc", do_suminfo(arg_u(argv[1]), arg_u(argv[2]), arg_w(a, argv[3])));
    } else if (!strcmp(op, "dbstate")) {
        NEED(2);
        out_i(c, "num", (int)MsiGetDatabaseState(arg_u(argv[1])));
    } else if (!strcmp(op, "openpkg")) {
        MSIHANDLE h = 0;
        UINT rc;
        NEED(2);
        rc = MsiOpenPackageW(arg_w(a, argv[1]), &h);
        out_u(c, "rc", rc);
        out_u(c, "h", h);
    } else if (!strcmp(op, "install")) {
        NEED(3);
        out_u(c, "rc", MsiInstallProductW(arg_w(a, argv[1]), arg_w(a, argv[2])));
    } else if (!strcmp(op, "close")) {
        NEED(2);
        out_u(c, "rc", MsiCloseHandle(arg_u(argv[1])));
    } else if (!strcmp(op, "opendb")) {
        MSIHANDLE h = 0;
        UINT rc;
        NEED(2);
        rc = MsiOpenDatabaseW(arg_w(a, argv[1]), (LPCWSTR)MSIDBOPEN_READONLY, &h);
        out_u(c, "rc", rc);
        out_u(c, "h", h);
    } else if (!strcmp(op, "reccreate")) {
        NEED(2);
        out_u(c, "h", MsiCreateRecord((UINT)arg_u(argv[1])));
    } else if (!strcmp(op, "reccount")) {
        NEED(2);
        out_i(c, "num", (int)MsiRecordGetFieldCount(arg_u(argv[1])));
    } else if (!strcmp(op, "recsetstr")) {
        NEED(4);
        out_u(c, "rc", MsiRecordSetStringW(arg_u(argv[1]), (UINT)arg_u(argv[2]), arg_w(a, argv[3])));
    } else if (!strcmp(op, "recsetint")) {
        NEED(4);
        out_u(c, "rc", MsiRecordSetInteger(arg_u(argv[1]), (UINT)arg_u(argv[2]), (int)arg_i(argv[3])));
    } else if (!strcmp(op, "recgetstr")) {
        struct strcall s;
        UINT rc;
        NEED(6);
        strcall_init(&s, a, argv[3], argv[4], argv[5]);
        rc = MsiRecordGetStringW(arg_u(argv[1]), (UINT)arg_u(argv[2]), (WCHAR *)s.buf, strcall_size(&s));
        strcall_report(c, &s, rc);
    } else if (!strcmp(op, "viewerror")) {
        struct strcall s;
        MSIDBERROR err;
        NEED(5);
        strcall_init(&s, a, argv[2], argv[3], argv[4]);
        err = MsiViewGetErrorW(arg_u(argv[1]), (WCHAR *)s.buf, strcall_size(&s));
        out_i(c, "num", (int)err);
        strcall_report_buffer(c, &s);
    } else if (!strcmp(op, "getsuminfo")) {
        MSIHANDLE si = 0;
        int null_out;
        UINT rc;
        NEED(4);
        null_out = arg_u(argv[3]) != 0;
        rc = MsiGetSummaryInformationW(arg_u(argv[1]), NULL, arg_u(argv[2]), null_out ? NULL : &si);
        out_u(c, "rc", rc);
        if (!null_out)
            out_u(c, "h", si);
    } else if (!strcmp(op, "sumcount")) {
        UINT count = 0, rc;
        NEED(3);
        rc = MsiSummaryInfoGetPropertyCount(arg_u(argv[1]), arg_u(argv[2]) ? NULL : &count);
        out_u(c, "rc", rc);
        out_i(c, "num", (long long)count);
    } else if (!strcmp(op, "sumprop")) {
        struct strcall s;
        UINT rc, type = 0;
        INT ival = 0;
        FILETIME ft = {0, 0};
        char num[32];
        NEED(6);
        strcall_init(&s, a, argv[3], argv[4], argv[5]);
        rc = MsiSummaryInfoGetPropertyW(arg_u(argv[1]), arg_u(argv[2]), &type, &ival, &ft,
                                        (WCHAR *)s.buf, strcall_size(&s));
        out_u(c, "rc", rc);
        out_i(c, "num", (long long)type);
        if (type == VT_I2 || type == VT_I4) {
            _itoa(ival, num, 10);
            out_text(c, "int", num);
        } else if (type == VT_FILETIME) {
            _ui64toa(((unsigned __int64)ft.dwHighDateTime << 32) | ft.dwLowDateTime, num, 10);
            out_text(c, "int", num);
        }
        strcall_report_buffer(c, &s);
    } else if (!strcmp(op, "recgetint")) {
        NEED(3);
        out_i(c, "num", MsiRecordGetInteger(arg_u(argv[1]), (UINT)arg_u(argv[2])));
    } else if (!strcmp(op, "recisnull")) {
        NEED(3);
        out_i(c, "num", (int)MsiRecordIsNull(arg_u(argv[1]), (UINT)arg_u(argv[2])));
    } else if (!strcmp(op, "recsize")) {
        NEED(3);
        out_i(c, "num", (int)MsiRecordDataSize(arg_u(argv[1]), (UINT)arg_u(argv[2])));
    } else if (!strcmp(op, "colinfo")) {
        MSIHANDLE rec = 0;
        NEED(3);
        out_u(c, "rc", MsiViewGetColumnInfo(arg_u(argv[1]), (MSICOLINFO)arg_u(argv[2]), &rec));
        out_u(c, "h", rec);
    } else if (!strcmp(op, "primarykeys")) {
        MSIHANDLE rec = 0;
        NEED(3);
        out_u(c, "rc", MsiDatabaseGetPrimaryKeysW(arg_u(argv[1]), arg_w(a, argv[2]), &rec));
        out_u(c, "h", rec);
    } else if (!strcmp(op, "recsetstream")) {
        /* The data (absent: a NULL path) goes into a new temporary file, whose
           path is passed and which is deleted after the call. */
        WCHAR dir[MAX_PATH], path[MAX_PATH];
        WCHAR *data;
        const WCHAR *use = NULL;
        UINT rc;
        NEED(4);
        data = arg_w(a, argv[3]);
        if (data) {
            int n = WideCharToMultiByte(CP_UTF8, 0, data, -1, NULL, 0, NULL, NULL);
            char *bytes = arena_keep(a, malloc(n > 0 ? n : 1));
            HANDLE f;
            DWORD done = 0;
            if (n > 0)
                WideCharToMultiByte(CP_UTF8, 0, data, -1, bytes, n, NULL, NULL);
            GetTempPathW(MAX_PATH, dir);
            GetTempFileNameW(dir, L"mcs", 0, path);
            f = CreateFileW(path, GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, FILE_ATTRIBUTE_NORMAL, NULL);
            if (f != INVALID_HANDLE_VALUE) {
                if (n > 1)
                    WriteFile(f, bytes, (DWORD)(n - 1), &done, NULL);
                CloseHandle(f);
            }
            use = path;
        }
        rc = MsiRecordSetStreamW(arg_u(argv[1]), (UINT)arg_u(argv[2]), use);
        if (use)
            DeleteFileW(path);
        out_u(c, "rc", rc);
    } else if (!strcmp(op, "recreadstream")) {
        /* A byte buffer: the string-call buffer in its ANSI form. */
        struct strcall s;
        UINT rc;
        NEED(6);
        strcall_init(&s, a, argv[3], argv[4], argv[5]);
        rc = MsiRecordReadStream(arg_u(argv[1]), (UINT)arg_u(argv[2]), (char *)s.buf, strcall_size(&s));
        strcall_report(c, &s, rc);
    } else if (!strcmp(op, "recclear")) {
        NEED(2);
        out_u(c, "rc", MsiRecordClearData(arg_u(argv[1])));
    } else {
        out_unsupported(c, "the DLL probe does not know this request");
    }
}

/* Answers requests until the harness says what to return, or goes away. */
static UINT serve(struct conn *c, MSIHANDLE session)
{
    char *line, *argv[WIRE_MAX_ARGS];
    struct arena a;
    UINT ret = ERROR_INSTALL_FAILURE;
    a.n = 0;
    while (read_line(c, &line)) {
        int argc = split(line, argv);
        if (!strcmp(argv[0], "return")) {
            ret = argc > 1 ? arg_u(argv[1]) : 0;
            break;
        }
        out_begin(c);
        dispatch(c, &a, session, argv, argc);
        arena_free(&a);
        if (!out_send(c))
            break;
    }
    arena_free(&a);
    return ret;
}

#endif
