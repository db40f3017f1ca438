/*
 * msiconf package host: runs a plan's `package` script on a handle from
 * MsiOpenPackageW, outside any install. Usage: host.exe C:\path\pkg.msi
 * It says hello with MsiOpenPackage's return code and handle, then serves
 * the same requests as the probe DLL.
 */
#include "ops.h"

int wmain(int argc, WCHAR **argv)
{
    struct conn c;
    MSIHANDLE pkg = 0;
    UINT rc;
    if (argc < 2)
        return 2;
    MsiSetInternalUI(INSTALLUILEVEL_NONE, NULL);
    rc = MsiOpenPackageW(argv[1], &pkg);
    if (!wire_connect(&c, "pkg", -1, pkg, rc)) {
        wire_close(&c);
        return 3;
    }
    serve(&c, pkg);
    wire_close(&c);
    if (pkg)
        MsiCloseHandle(pkg);
    return 0;
}
