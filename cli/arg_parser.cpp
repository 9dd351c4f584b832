#include "cli/arg_parser.h"

#include <algorithm>

namespace ckpt::cli {
namespace {

bool contains(const std::vector<std::string>& v, const std::string& s)
{
    return std::find(v.begin(), v.end(), s) != v.end();
}

Error usageError(const ArgSpec& spec, const std::string& what)
{
    return makeError(ErrorCode::InvalidArgument, what + "\nusage: " + usageLine(spec));
}

} // namespace

std::optional<std::string> ParsedArgs::get(const std::string& option) const
{
    auto it = options.find(option);
    if (it == options.end()) return std::nullopt;
    return it->second;
}

std::string ParsedArgs::getOr(const std::string& option, const std::string& fallback) const
{
    return get(option).value_or(fallback);
}

Result<ParsedArgs> parseArgs(const std::vector<std::string>& args, const ArgSpec& spec)
{
    ParsedArgs out;
    bool onlyPositional = false;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (onlyPositional || a.size() < 2 || a[0] != '-' ) {
            out.positional.push_back(a);
            continue;
        }
        if (a == "--") { onlyPositional = true; continue; }
        if (a == "-h" || a == "--help") { out.helpRequested = true; continue; }
        std::string name = a, value;
        bool inlineValue = false;
        if (auto eq = a.find('='); eq != std::string::npos) {
            name = a.substr(0, eq);
            value = a.substr(eq + 1);
            inlineValue = true;
        }
        if (contains(spec.flags, name) && !inlineValue) {
            out.flags.insert(name);
        } else if (contains(spec.options, name)) {
            if (!inlineValue) {
                if (i + 1 >= args.size()) return usageError(spec, "option " + name + " needs a value");
                value = args[++i];
            }
            if (out.options.count(name)) return usageError(spec, "option " + name + " given twice");
            out.options[name] = value;
        } else {
            return usageError(spec, "unknown option '" + a + "' for '" + spec.command + "'");
        }
    }
    if (out.helpRequested) return out;
    if (out.positional.size() < spec.minPositional)
        return usageError(spec, "missing argument for '" + spec.command + "'");
    if (out.positional.size() > spec.maxPositional)
        return usageError(spec, "unexpected argument '" + out.positional[spec.maxPositional] + "'");
    return out;
}

std::string usageLine(const ArgSpec& spec)
{
    return "ckptscope-cli " + spec.command + (spec.usage.empty() ? "" : " " + spec.usage);
}

std::string helpText(const ArgSpec& spec)
{
    return "usage: " + usageLine(spec) + "\n\n" + spec.help + "\n";
}

} // namespace ckpt::cli
