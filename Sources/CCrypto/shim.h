#ifndef NNZOO_CCRYPTO_SHIM_H
#define NNZOO_CCRYPTO_SHIM_H
// OpenSSL's libcrypto, for SHA-256 only: its SHA256_* functions pick the fastest code the processor
// runs (the SHA extensions where there are some, else AVX2/SSSE3), several times faster than portable
// code. The low-level SHA256_* API is deprecated in OpenSSL 3 in favour of EVP, but it is the one with
// a plain context struct a Swift value can hold (EVP's is a heap object); it stays in OpenSSL 3.
#define OPENSSL_SUPPRESS_DEPRECATED 1
#include <openssl/sha.h>
#endif
