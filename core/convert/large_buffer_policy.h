#pragma once
// Conversion, diff and verify allocate and free tensor-sized buffers (tens of MB) over and over.
// glibc raises its mmap threshold after each such free, so later buffers come from the heap and,
// once freed, stay resident: converting a V3 demo with 38 experts per layer to the native layout
// peaked at 2.2 GB of anonymous memory instead of 270 MB. Pinning the threshold keeps every big
// buffer an mmap of its own that is returned to the system when freed, so memory stays bounded by
// the largest tensor in flight, not by the size of the checkpoint.

namespace ckpt {

// Process-wide and idempotent; a no-op outside glibc.
void useSystemPagesForLargeBuffers();

} // namespace ckpt
