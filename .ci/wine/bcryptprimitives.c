/* Wine 8.0 (Debian 12) has no bcryptprimitives.dll, whose ProcessPrng the
 * Rust standard library (1.78 and later) imports on Windows for its random
 * keys. This stand-in, used only to run the test suite under Wine in CI
 * (.ci/portability), forwards to RtlGenRandom (advapi32's SystemFunction036),
 * which Wine has. Real Windows (8 and later) ships the DLL itself. */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length)
{
    while (length > 0) {
        ULONG chunk = length > 0x7fffffff ? 0x7fffffff : (ULONG) length;
        if (!SystemFunction036(data, chunk))
            return FALSE;
        data += chunk;
        length -= chunk;
    }
    return TRUE;
}
