#pragma once
// Streaming safetensors writer: the header is written first (all tensors are declared up
// front), then tensor bytes are appended in declaration order, never the whole file in memory.
// Everything goes to "<final>.ckpt-partial"; finish() checks that every byte arrived, fsyncs and
// renames onto the final name. A writer destroyed without finish() removes its temporary file.
// ENOSPC/EDQUOT become ErrorCode::DiskFull.

#include "core/safetensors/safetensors_header.h"

#include <cstddef>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace ckpt {

struct DeclaredTensor {
    std::string name;
    DType dtype = DType::F32;
    std::vector<std::uint64_t> shape;
};

class SafetensorsWriter {
public:
    // Tensors are laid out in the given order. Fails on duplicate names or sizes that overflow.
    // An existing file at finalPath is never touched until finish() renames over it; callers that
    // must not replace user files check before creating the writer.
    static Result<std::unique_ptr<SafetensorsWriter>> create(
        const std::string& finalPath, std::vector<DeclaredTensor> tensors,
        const std::map<std::string, std::string>& metadata);
    ~SafetensorsWriter();
    SafetensorsWriter(const SafetensorsWriter&) = delete;
    SafetensorsWriter& operator=(const SafetensorsWriter&) = delete;

    // Appends the next bytes of the payload. A chunk may cover the end of one tensor and the
    // start of the next. Writing past the declared total is an (Internal) error that writes
    // nothing; a failed write(2) makes every later call fail with the same error.
    Status append(std::span<const std::byte> bytes);

    // Index of the tensor the next appended byte belongs to (== tensorCount() when complete).
    std::size_t currentTensor() const;
    std::size_t tensorCount() const;
    const std::vector<TensorEntry>& entries() const;  // with final offsets
    std::uint64_t payloadBytes() const;                // sum of all tensor sizes
    std::uint64_t bytesWritten() const;                // payload bytes appended so far

    // All payload present -> fsync -> rename -> fsync directory. On failure (missing bytes: an
    // Internal error naming the incomplete tensor) the temporary file is removed as by abort().
    Status finish();
    void abort();     // remove the temporary file; idempotent; no-op after a successful finish()

    const std::string& finalPath() const;
    const std::string& temporaryPath() const;

private:
    SafetensorsWriter() = default;
    void skipEmptyTensors();  // moves currentTensor() past tensors that are already complete
    Status commit();          // the body of finish(); finish() aborts when it fails
    struct Impl;
    std::unique_ptr<Impl> m;
};

} // namespace ckpt
