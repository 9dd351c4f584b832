#pragma once
// Sizes as users write them for --max-shard-size: "5GB" (decimal, as Hugging Face's
// max_shard_size), "5GiB" (binary), "500MB", "1.5GB", or a plain number of bytes.

#include <cstdint>
#include <optional>
#include <string_view>

namespace ckpt {

std::optional<std::uint64_t> parseByteSize(std::string_view text);

} // namespace ckpt
