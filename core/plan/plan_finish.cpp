#include "core/plan/plan_finish.h"

#include <algorithm>
#include <cctype>

namespace ckpt {
namespace {

bool isDigit(char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; }

bool byName(const DroppedTensor& a, const DroppedTensor& b) { return a.name < b.name; }

void sortBookkeeping(ConversionPlan& plan)
{
    std::stable_sort(plan.outputs.begin(), plan.outputs.end(),
                     [](const PlanOutput& a, const PlanOutput& b) { return naturalLess(a.name, b.name); });
    std::sort(plan.dropped.begin(), plan.dropped.end(), byName);
    std::stable_sort(plan.consumed.begin(), plan.consumed.end(), byName);
    plan.consumed.erase(std::unique(plan.consumed.begin(), plan.consumed.end(),
                                    [](const auto& a, const auto& b) { return a.name == b.name; }),
                        plan.consumed.end());
}

Status checkDuplicates(const PlanContext& ctx, const ConversionPlan& plan)
{
    for (std::size_t i = 1; i < plan.outputs.size(); ++i) {
        const PlanOutput& a = plan.outputs[i - 1];
        const PlanOutput& b = plan.outputs[i];
        if (a.name != b.name) continue;
        const std::string sa = a.sources.empty() ? "?" : a.sources.front();
        const std::string sb = b.sources.empty() ? "?" : b.sources.front();
        return ctx.tensorError(ErrorCode::PlanInvalid, "'" + sa + "' and '" + sb
                               + "' both map to output '" + a.name + "'", sb);
    }
    return {};
}

Status checkAccounted(const PlanContext& ctx)
{
    for (const TensorRef* t : ctx.sorted())
        if (!ctx.isHandled(t->name))
            return ctx.tensorError(ErrorCode::Internal, "tensor has no output and was not dropped",
                                   t->name);
    return {};
}

// Greedy size split in output order: a shard is closed when the next tensor would push it
// past the limit (a tensor larger than the limit gets a shard of its own).
void assignShards(ConversionPlan& plan, std::uint64_t maxShardBytes)
{
    std::uint32_t shard = 0;
    std::uint64_t inShard = 0, total = 0;
    bool empty = true;
    for (PlanOutput& out : plan.outputs) {
        const std::uint64_t n = out.nbytes();
        if (!empty && maxShardBytes != 0 && inShard + n > maxShardBytes) {
            ++shard;
            inShard = 0;
        }
        out.shard = shard;
        inShard += n;
        total += n;
        empty = false;
    }
    plan.shardCount = plan.outputs.empty() ? 0 : shard + 1;
    plan.totalBytes = total;
}

} // namespace

bool naturalLess(std::string_view a, std::string_view b)
{
    std::size_t i = 0, j = 0;
    while (i < a.size() && j < b.size()) {
        if (isDigit(a[i]) && isDigit(b[j])) {
            std::size_t i2 = i, j2 = j;
            while (i2 < a.size() && isDigit(a[i2])) ++i2;
            while (j2 < b.size() && isDigit(b[j2])) ++j2;
            std::string_view na = a.substr(i, i2 - i), nb = b.substr(j, j2 - j);
            while (na.size() > 1 && na.front() == '0') na.remove_prefix(1);
            while (nb.size() > 1 && nb.front() == '0') nb.remove_prefix(1);
            if (na.size() != nb.size()) return na.size() < nb.size();
            if (na != nb) return na < nb;
            i = i2;
            j = j2;
            continue;
        }
        if (a[i] != b[j]) return a[i] < b[j];
        ++i;
        ++j;
    }
    if (a.size() - i != b.size() - j) return a.size() - i < b.size() - j;
    return a < b;  // equal up to zero padding: any strict order
}

Result<ConversionPlan> finishPlan(PlanContext& ctx)
{
    ConversionPlan& plan = ctx.plan();
    sortBookkeeping(plan);
    CKPT_TRY(checkDuplicates(ctx, plan));
    CKPT_TRY(checkAccounted(ctx));
    assignShards(plan, ctx.options().maxShardBytes);
    plan.metadata = {{"format", "pt"}};
    if (plan.to == Layout::Native) {
        plan.metadata["ckptscope.layout"] = "nemo-native";
        plan.metadata["ckptscope.family"] = std::string(familyName(plan.family));
    }
    return std::move(plan);
}

std::uint64_t PlanOutput::nbytes() const { return byteSizeFor(dtype, shape).value_or(0); }

const PlanOutput* ConversionPlan::find(std::string_view name) const
{
    for (const PlanOutput& o : outputs)
        if (o.name == name) return &o;
    return nullptr;
}

} // namespace ckpt
