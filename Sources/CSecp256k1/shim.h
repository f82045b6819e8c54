#ifndef ATCR_CSECP256K1_SHIM_H
#define ATCR_CSECP256K1_SHIM_H

#include <secp256k1.h>

/* Swift 6 rejects the mutable global `secp256k1_context_static` (not concurrency-safe),
   so hand it out through a function. The static context is read-only and valid for
   parsing and verification, which is all the verifier needs. */
static inline const secp256k1_context * _Nonnull atcr_secp256k1_context_static(void) {
    return secp256k1_context_static;
}

#endif
