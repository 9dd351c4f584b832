#pragma once
// Result<T> / Error: the one way core reports failure. std::expected needs C++23, so this is a
// small in-house equivalent. No exception crosses the core API.

#include <cassert>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace ckpt {

// One documented code per failure. Names are stable: tests and the CLI's JSON use errorCodeName().
enum class ErrorCode {
    Io,                    // open/read/write/mmap/rename failed (errno text in message)
    FileTooSmall,          // shorter than the 8-byte header length prefix
    HeaderTooLarge,        // header length above kMaxHeaderBytes
    HeaderPastEof,         // 8 + header length > file size
    HeaderNotUtf8,         // header bytes are not valid UTF-8
    HeaderInvalidJson,     // header is not parseable JSON
    HeaderNotObject,       // JSON is valid but not an object (or does not start with '{')
    MetadataInvalid,       // __metadata__ is not an object of string -> string
    TensorEntryInvalid,    // entry not an object, missing/extra/mistyped fields
    DuplicateTensor,       // same tensor name twice in one header
    UnknownDtype,          // dtype string not in the known set
    InvalidShape,          // negative / non-integer dimension
    ShapeOverflow,         // product of dims (or × element size) overflows 64 bits
    InvalidOffsets,        // data_offsets not two non-negative ints, or begin > end
    SizeMismatch,          // end - begin != numel × element size (or sub-byte size not whole)
    OffsetsOverlap,        // two tensors share bytes
    OffsetsGap,            // hole between tensors / first tensor not at 0
    OffsetsPastEnd,        // a tensor ends past the data buffer
    TrailingBytes,         // data buffer longer than the last tensor's end
    IndexInvalid,          // model.safetensors.index.json malformed
    IndexMissingShard,     // index names a file that does not exist
    IndexMissingTensor,    // index names a tensor its shard does not hold
    IndexUnlistedTensor,   // a shard holds a tensor the index does not list
    TensorInTwoShards,     // the same tensor name in two files
    ConfigInvalid,         // config.json malformed or inconsistent
    NoCheckpoint,          // path holds no safetensors file
    UnsupportedFormat,     // e.g. torch DCP .distcp (pickle) checkpoints
    ScaleMissing,          // quantized weight without its scale tensor
    ScaleShapeMismatch,    // scale tensor shape does not match the weight/block
    ScaleDtypeInvalid,     // scale tensor of a dtype the scheme cannot use
    IncompleteExperts,     // an expert set with missing members
    UnexpectedExpert,      // expert id >= number of experts
    UnsupportedDtype,      // a dtype the requested operation cannot handle
    UnknownFamily,         // architecture not recognised where one is required
    PlanInvalid,           // a plan that cannot be executed
    InvalidArgument,       // caller error (bad option value)
    DestinationInvalid,    // DST inside SRC, DST == SRC, non-empty DST without resume
    DiskFull,              // ENOSPC / EDQUOT while writing
    Cancelled,             // the job was cancelled (a distinct outcome, not a failure)
    DeviceError,           // CUDA runtime error (name and file:line in message)
    Internal,              // a bug: an invariant did not hold
};

std::string_view errorCodeName(ErrorCode code);

struct Error {
    ErrorCode code = ErrorCode::Internal;
    std::string message;  // human sentence, without file/tensor (those are below)
    std::string file;     // the file concerned, if any
    std::string tensor;   // the tensor concerned, if any

    // "file: tensor 'name': message [code]" with absent parts left out. The one formatting used by
    // the CLI and the UI.
    std::string toString() const;
};

inline Error makeError(ErrorCode code, std::string message, std::string file = {},
                       std::string tensor = {})
{
    return Error{code, std::move(message), std::move(file), std::move(tensor)};
}

template <typename T>
class [[nodiscard]] Result {
public:
    Result(T value) : m_v(std::in_place_index<0>, std::move(value)) {}
    Result(Error error) : m_v(std::in_place_index<1>, std::move(error)) {}

    bool ok() const { return m_v.index() == 0; }
    explicit operator bool() const { return ok(); }

    T& value() & { assert(ok()); return std::get<0>(m_v); }
    const T& value() const& { assert(ok()); return std::get<0>(m_v); }
    T&& value() && { assert(ok()); return std::get<0>(std::move(m_v)); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }

    const Error& error() const { assert(!ok()); return std::get<1>(m_v); }
    Error&& takeError() { assert(!ok()); return std::get<1>(std::move(m_v)); }

private:
    std::variant<T, Error> m_v;
};

template <>
class [[nodiscard]] Result<void> {
public:
    Result() = default;
    Result(Error error) : m_error(std::move(error)), m_failed(true) {}

    bool ok() const { return !m_failed; }
    explicit operator bool() const { return ok(); }
    const Error& error() const { assert(m_failed); return m_error; }
    Error&& takeError() { assert(m_failed); return std::move(m_error); }

private:
    Error m_error;
    bool m_failed = false;
};

using Status = Result<void>;

} // namespace ckpt

// Propagate an error from an expression returning Result<...>.
#define CKPT_TRY(expr)                                   \
    do {                                                 \
        auto ckpt_try_r_ = (expr);                       \
        if (!ckpt_try_r_.ok()) return ckpt_try_r_.takeError(); \
    } while (0)
