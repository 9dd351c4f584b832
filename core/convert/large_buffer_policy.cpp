#include "core/convert/large_buffer_policy.h"

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace ckpt {

void useSystemPagesForLargeBuffers()
{
#if defined(__GLIBC__)
    // 1 MiB: small enough for every tensor-sized buffer, large enough that the many small
    // allocations (names, headers, plan ops) stay on the heap. Setting it also turns off glibc's
    // dynamic adjustment of the threshold, which is what let freed buffers pile up.
    static const bool done = mallopt(M_MMAP_THRESHOLD, 1 << 20) != 0;
    (void)done;
#endif
}

} // namespace ckpt
