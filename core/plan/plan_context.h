#pragma once
// The working state of one buildPlan() call, shared by the driver and the family adapters:
// lookup of source tensors and their quant pairs, the "handled" bookkeeping that guarantees no
// tensor is lost, and error collection (or, with skipInvalid, conversion of errors into dropped
// entries).

#include "core/plan/conversion_plan.h"

#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace ckpt {

// What a partial op list leaves on top of the stack.
struct PlanValue {
    DType dtype = DType::F32;
    std::vector<std::uint64_t> shape;
};

class PlanContext {
public:
    PlanContext(const PlanInput& input, const PlanOptions& options, Layout from, Layout to);

    const PlanInput& input() const { return m_input; }
    const PlanOptions& options() const { return m_options; }
    const nlohmann::json& config() const { return m_input.config; }
    Family family() const { return m_input.family; }
    Layout from() const { return m_from; }
    Layout to() const { return m_to; }
    DType weightDtype() const { return m_options.dtype; }

    const std::vector<const TensorRef*>& sorted() const { return m_sorted; }  // by name
    const TensorRef* find(std::string_view name) const;
    const QuantPair* pairOfWeight(std::string_view weight) const;
    const QuantPair* pairOfScale(std::string_view scale) const;
    std::string fileOf(const TensorRef& tensor) const;
    bool isHandled(std::string_view name) const;

    // Appends the ops that push tensor `t` (or its element `index` of axis 0) as a value ready
    // for arithmetic: Read, then the dequant op when `t` is a quantized weight (its scale is
    // added to the sources). Fails naming the tensor: ScaleMissing (F8_E4M3 / packed I8 without
    // scale), ScaleShapeMismatch, ScaleDtypeInvalid, UnsupportedDtype.
    Result<PlanValue> appendLoad(PlanOutput& out, const TensorRef& t,
                                 std::optional<std::uint64_t> index = std::nullopt) const;
    static void appendCast(PlanOutput& out, PlanValue& value, DType dtype);

    // Records an output; its sources become handled and paired scales among them are listed as
    // consumed. An output with a source dropped before is not recorded: its sources are dropped
    // too, with a warning (skipping one expert leaves out the whole stack it belongs to).
    void addOutput(PlanOutput output);
    void drop(const std::string& name, std::string reason);
    void consume(const std::string& name, std::string reason);
    void warn(std::string message);
    // A per-tensor problem. With skipInvalid the `affected` tensors (default: error.tensor) are
    // dropped with the error as reason and a warning is added; otherwise the error is kept.
    void fail(Error error, const std::vector<std::string>& affected = {});
    // The file is the tensor's, or for a missing tensor the file of `near` (a sibling).
    Error tensorError(ErrorCode code, std::string message, std::string_view tensor,
                      const TensorRef* near = nullptr) const;

    bool hasErrors() const { return !m_errors.empty(); }
    const std::vector<Error>& errors() const { return m_errors; }
    ConversionPlan& plan() { return m_plan; }

private:
    Result<PlanValue> appendDequant(PlanOutput& out, const TensorRef& t, const QuantPair& pair,
                                    std::optional<std::uint64_t> index) const;

    const PlanInput& m_input;
    const PlanOptions& m_options;
    Layout m_from, m_to;
    std::vector<const TensorRef*> m_sorted;
    std::unordered_map<std::string_view, const TensorRef*> m_byName;
    std::unordered_map<std::string_view, const QuantPair*> m_pairByWeight, m_pairByScale;
    std::unordered_set<std::string> m_handled;
    std::unordered_set<std::string> m_droppedNames;  // the handled ones that were dropped
    std::vector<Error> m_errors;
    ConversionPlan m_plan;
};

} // namespace ckpt
