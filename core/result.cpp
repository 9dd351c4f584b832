#include "result.h"

namespace ckpt {

std::string_view errorCodeName(ErrorCode code)
{
    switch (code) {
    case ErrorCode::Io: return "io";
    case ErrorCode::FileTooSmall: return "file_too_small";
    case ErrorCode::HeaderTooLarge: return "header_too_large";
    case ErrorCode::HeaderPastEof: return "header_past_eof";
    case ErrorCode::HeaderNotUtf8: return "header_not_utf8";
    case ErrorCode::HeaderInvalidJson: return "header_invalid_json";
    case ErrorCode::HeaderNotObject: return "header_not_object";
    case ErrorCode::MetadataInvalid: return "metadata_invalid";
    case ErrorCode::TensorEntryInvalid: return "tensor_entry_invalid";
    case ErrorCode::DuplicateTensor: return "duplicate_tensor";
    case ErrorCode::UnknownDtype: return "unknown_dtype";
    case ErrorCode::InvalidShape: return "invalid_shape";
    case ErrorCode::ShapeOverflow: return "shape_overflow";
    case ErrorCode::InvalidOffsets: return "invalid_offsets";
    case ErrorCode::SizeMismatch: return "size_mismatch";
    case ErrorCode::OffsetsOverlap: return "offsets_overlap";
    case ErrorCode::OffsetsGap: return "offsets_gap";
    case ErrorCode::OffsetsPastEnd: return "offsets_past_end";
    case ErrorCode::TrailingBytes: return "trailing_bytes";
    case ErrorCode::IndexInvalid: return "index_invalid";
    case ErrorCode::IndexMissingShard: return "index_missing_shard";
    case ErrorCode::IndexMissingTensor: return "index_missing_tensor";
    case ErrorCode::IndexUnlistedTensor: return "index_unlisted_tensor";
    case ErrorCode::TensorInTwoShards: return "tensor_in_two_shards";
    case ErrorCode::ConfigInvalid: return "config_invalid";
    case ErrorCode::NoCheckpoint: return "no_checkpoint";
    case ErrorCode::UnsupportedFormat: return "unsupported_format";
    case ErrorCode::ScaleMissing: return "scale_missing";
    case ErrorCode::ScaleShapeMismatch: return "scale_shape_mismatch";
    case ErrorCode::ScaleDtypeInvalid: return "scale_dtype_invalid";
    case ErrorCode::IncompleteExperts: return "incomplete_experts";
    case ErrorCode::UnexpectedExpert: return "unexpected_expert";
    case ErrorCode::UnsupportedDtype: return "unsupported_dtype";
    case ErrorCode::UnknownFamily: return "unknown_family";
    case ErrorCode::PlanInvalid: return "plan_invalid";
    case ErrorCode::InvalidArgument: return "invalid_argument";
    case ErrorCode::DestinationInvalid: return "destination_invalid";
    case ErrorCode::DiskFull: return "disk_full";
    case ErrorCode::Cancelled: return "cancelled";
    case ErrorCode::DeviceError: return "device_error";
    case ErrorCode::Internal: return "internal";
    }
    return "internal";
}

std::string Error::toString() const
{
    std::string out;
    if (!file.empty()) {
        out += file;
        out += ": ";
    }
    if (!tensor.empty()) {
        out += "tensor '";
        out += tensor;
        out += "': ";
    }
    out += message;
    out += " [";
    out += errorCodeName(code);
    out += "]";
    return out;
}

} // namespace ckpt
