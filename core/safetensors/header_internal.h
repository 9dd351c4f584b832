#pragma once
// Internal steps of header parsing, shared by safetensors_header.cpp (the public entry points)
// and safetensors_file.cpp. Not part of the core API.

#include "core/safetensors/safetensors_header.h"

#include <optional>

namespace ckpt::detail {

// Checks the 8-byte little-endian length prefix against the cap and the file size; returns N.
Result<std::uint64_t> checkLengthPrefix(const unsigned char (&prefix)[8], std::uint64_t fileSize,
                                        const std::string& file);

// JSON text (already known to be UTF-8 and to start with '{') -> tensors in key order and the
// metadata. Each entry is checked on its own: fields, dtype, shape, offsets, byte size.
Status parseHeaderJson(std::span<const char> json, SafetensorsHeader& out, const std::string& file);

// Whole-header checks: no duplicate names, then sorts the tensors by data_offsets and checks
// that they tile [0, bufferLength) exactly. Without bufferLength (DataCheck::HeaderOnly) the
// tiling must still start at 0 and have no hole or overlap. Sets dataLength.
Status checkLayout(SafetensorsHeader& header, std::optional<std::uint64_t> bufferLength,
                   const std::string& file);

} // namespace ckpt::detail
