/*
 * msiconf probe DLL: the custom action every DLL probe of a generated package runs.
 *
 * Each probe custom action of a plan gets its own exported entry point
 * (P0..P63), chosen by the package builder, so that the harness knows which
 * probe is running without touching CustomActionData, which the cases test.
 * The entry point connects to the harness and performs the requests it sends.
 * All state lives on the calling thread's stack: one custom-action server
 * runs every action of a session and nested MsiDoAction calls re-enter here.
 */
#include "ops.h"

static UINT run_probe(MSIHANDLE hinstall, long index)
{
    struct conn c;
    UINT ret;
    if (!wire_connect(&c, "dll", index, hinstall, 0)) {
        wire_close(&c);
        return ERROR_INSTALL_FAILURE;
    }
    ret = serve(&c, hinstall);
    wire_close(&c);
    return ret;
}

/* A probe custom action the plan does not list performs nothing and succeeds. */
__declspec(dllexport) UINT __stdcall Probe(MSIHANDLE hinstall)
{
    (void)hinstall;
    return ERROR_SUCCESS;
}

/* A custom action that crashes (a write through a null pointer): the tests
   use it to check that a crashing action fails its install and nothing more. */
__declspec(dllexport) UINT __stdcall Crash(MSIHANDLE hinstall)
{
    volatile int *nowhere = NULL;
    (void)hinstall;
    *nowhere = 1;
    return ERROR_SUCCESS;
}

#define ENTRY(n)                                                                                           \
    __declspec(dllexport) UINT __stdcall P##n(MSIHANDLE hinstall) { return run_probe(hinstall, n); }

ENTRY(0) ENTRY(1) ENTRY(2) ENTRY(3) ENTRY(4) ENTRY(5) ENTRY(6) ENTRY(7)
ENTRY(8) ENTRY(9) ENTRY(10) ENTRY(11) ENTRY(12) ENTRY(13) ENTRY(14) ENTRY(15)
ENTRY(16) ENTRY(17) ENTRY(18) ENTRY(19) ENTRY(20) ENTRY(21) ENTRY(22) ENTRY(23)
ENTRY(24) ENTRY(25) ENTRY(26) ENTRY(27) ENTRY(28) ENTRY(29) ENTRY(30) ENTRY(31)
ENTRY(32) ENTRY(33) ENTRY(34) ENTRY(35) ENTRY(36) ENTRY(37) ENTRY(38) ENTRY(39)
ENTRY(40) ENTRY(41) ENTRY(42) ENTRY(43) ENTRY(44) ENTRY(45) ENTRY(46) ENTRY(47)
ENTRY(48) ENTRY(49) ENTRY(50) ENTRY(51) ENTRY(52) ENTRY(53) ENTRY(54) ENTRY(55)
ENTRY(56) ENTRY(57) ENTRY(58) ENTRY(59) ENTRY(60) ENTRY(61) ENTRY(62) ENTRY(63)
