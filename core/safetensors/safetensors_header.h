#pragma once
// Parsing and full validation of one safetensors header (see shared/formats/
// safetensors-and-checkpoints.md §1). Every violation is an Error naming the file and, where
// there is one, the tensor.

#include "core/dtype.h"
#include "core/result.h"

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

namespace ckpt {

inline constexpr std::uint64_t kMaxHeaderBytes = 100'000'000;

struct TensorEntry {
    std::string name;
    DType dtype = DType::F32;
    std::vector<std::uint64_t> shape;
    std::uint64_t begin = 0;  // relative to the data buffer (byte 8 + headerLength of the file)
    std::uint64_t end = 0;    // exclusive

    std::uint64_t nbytes() const { return end - begin; }
};

struct SafetensorsHeader {
    std::uint64_t headerLength = 0;  // N, the JSON length (including any trailing space padding)
    std::uint64_t dataStart = 0;     // 8 + N: absolute file offset of the data buffer
    std::uint64_t dataLength = 0;    // bytes the tensors cover (the last end)
    std::vector<TensorEntry> tensors;              // in data_offsets order
    std::map<std::string, std::string> metadata;   // __metadata__, empty if absent
    bool hasMetadata = false;                      // whether __metadata__ was present at all

    const TensorEntry* find(std::string_view name) const;  // linear scan is fine per file
};

enum class DataCheck {
    Full,        // the data buffer must be exactly file size - 8 - N (no trailing bytes)
    HeaderOnly,  // do not compare with the file size (header-only copies, data missing/truncated)
};

// `json` is the N header bytes; fileSize the whole file's size (used for DataCheck::Full).
// `fileForErrors` is the path put into every Error.
// Which code for which fault, where the enum's comments leave a choice: a header that is not
// JSON at all is HeaderInvalidJson even if a schema fault comes first; a dtype that is not a
// string, a duplicated or unknown field and a missing one are TensorEntryInvalid; anything in
// a shape other than a non-negative integer literal that fits 64 bits is InvalidShape; a zero-
// size tensor inside another one's bytes is OffsetsOverlap; a repeated __metadata__ (or a
// repeated key in it) is MetadataInvalid. Checks run per entry in key order, then duplicates,
// then the tiling in data_offsets order.
Result<SafetensorsHeader> parseSafetensorsHeader(std::span<const char> json, std::uint64_t fileSize,
                                                 DataCheck check, const std::string& fileForErrors);

// Reads the 8-byte prefix and the header of a file with pread (no mmap) and validates it.
Result<SafetensorsHeader> readSafetensorsHeader(const std::string& path,
                                                DataCheck check = DataCheck::Full);

// Serialises a header: keys in the given tensor order, __metadata__ first when non-empty, padded
// with spaces so that 8 + N is a multiple of 8. Offsets are taken from the entries as they are.
std::string serializeSafetensorsHeader(const std::vector<TensorEntry>& tensors,
                                       const std::map<std::string, std::string>& metadata);

} // namespace ckpt
