#include "core/demo/demo_checkpoint.h"

#include "core/demo/demo_families.h"

#include <filesystem>

namespace ckpt {
namespace fs = std::filesystem;

namespace {

constexpr std::pair<DemoSize, std::string_view> kSizeNames[] = {
    {DemoSize::Tiny, "tiny"},       {DemoSize::Small, "small"}, {DemoSize::FullHeader, "full-header"},
    {DemoSize::Scale1G, "1g"},      {DemoSize::Scale2G, "2g"},  {DemoSize::Scale4G, "4g"},
};

} // namespace

std::string_view demoSizeName(DemoSize size)
{
    for (const auto& [s, name] : kSizeNames)
        if (s == size) return name;
    return "tiny";
}

std::optional<DemoSize> parseDemoSize(std::string_view name)
{
    for (const auto& [s, n] : kSizeNames)
        if (n == name) return s;
    return std::nullopt;
}

bool demoSizeSupported(Family family, DemoSize size)
{
    switch (size) {
    case DemoSize::Tiny:
    case DemoSize::Small: return family != Family::Unknown;
    case DemoSize::FullHeader: return family == Family::DeepseekV3 || family == Family::DeepseekV4;
    case DemoSize::Scale1G:
    case DemoSize::Scale2G:
    case DemoSize::Scale4G: return family == Family::DeepseekV3;
    }
    return false;
}

namespace demo {

std::string layerPrefix(std::string_view root, int layer)
{
    return std::string(root) + std::to_string(layer) + ".";
}

} // namespace demo

namespace {

// Refuses anything but a missing path or an empty folder: the demo never writes among user files.
Result<bool> prepareDestination(const std::string& dst)
{
    std::error_code ec;
    auto status = fs::status(dst, ec);
    if (!ec && fs::exists(status)) {
        if (!fs::is_directory(status))
            return makeError(ErrorCode::DestinationInvalid, "destination exists and is not a folder", dst);
        if (!fs::is_empty(dst, ec) || ec)
            return makeError(ErrorCode::DestinationInvalid, "destination folder is not empty", dst);
        return false;
    }
    fs::create_directories(dst, ec);
    if (ec) return makeError(ErrorCode::Io, "cannot create the folder: " + ec.message(), dst);
    return true;
}

} // namespace

Status writeDemoCheckpoint(const std::string& dst, Family family, DemoSize size, JobContext* job)
{
    if (family == Family::Unknown) return makeError(ErrorCode::InvalidArgument, "the demo needs a model family");
    if (!demoSizeSupported(family, size))
        return makeError(ErrorCode::InvalidArgument, "the " + std::string(demoSizeName(size)) +
                                                         " demo size is not available for " +
                                                         std::string(familyName(family)));
    bool created = false;
    Status st;
    try {  // no exception crosses the core API (bad_alloc, filesystem_error)
        demo::DemoBuilder builder;
        switch (family) {
        case Family::DeepseekV3: demo::buildDeepseekV3(builder, size); break;
        case Family::DeepseekV4: demo::buildDeepseekV4(builder, size); break;
        case Family::Gemma4Moe: demo::buildGemma4Moe(builder, size); break;
        case Family::Step3p5: demo::buildStep3p5(builder, size); break;
        case Family::Unknown: break;
        }
        auto prepared = prepareDestination(dst);
        if (!prepared) return prepared.takeError();
        created = prepared.value();
        st = builder.write(dst, job);
    } catch (const std::exception& e) {
        st = makeError(ErrorCode::Internal, std::string("unexpected failure: ") + e.what(), dst);
    }
    if (!st && created) {
        std::error_code ec;
        fs::remove(dst, ec);  // only succeeds when empty: never deletes anything else
    }
    return st;
}

} // namespace ckpt
