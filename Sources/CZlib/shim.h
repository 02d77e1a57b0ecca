#ifndef NNZOO_CZLIB_SHIM_H
#define NNZOO_CZLIB_SHIM_H
#include <zlib.h>

// inflateInit2 and deflateInit2 are function-like macros, which Swift cannot import.
// windowBits: 16 + MAX_WBITS reads gzip only, 32 + MAX_WBITS detects gzip or zlib.
static inline int nnzoo_inflateInit2(z_stream *strm, int windowBits) {
    return inflateInit2(strm, windowBits);
}

static inline int nnzoo_deflateInit2(z_stream *strm, int level, int windowBits) {
    return deflateInit2(strm, level, Z_DEFLATED, windowBits, 8, Z_DEFAULT_STRATEGY);
}

static inline int nnzoo_max_wbits(void) { return MAX_WBITS; }
#endif
