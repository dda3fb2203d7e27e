// zlib (Debian's zlib1g-dev), for the deflate streams of the .xlsx files parkctl writes.
#include <zlib.h>

// deflateInit2 is a macro, which Swift cannot call: a raw deflate stream (no zlib
// header, as a ZIP entry holds it) at `level`.
static inline int parkctl_deflate_init(z_stream *stream, int level) {
    return deflateInit2(stream, level, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
}
