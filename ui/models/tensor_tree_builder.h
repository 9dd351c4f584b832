#pragma once
// Builds a TensorTree in three passes: sort the names segment by segment (numbers as numbers),
// walk them once to make a trie (each name shares its prefix with the previous one), then lay the
// trie out breadth-first into the flat node vector and sum sizes bottom-up.

#include "ui/models/tensor_tree.h"

#include <string>
#include <string_view>
#include <vector>

namespace ckpt::ui {

class TensorTreeBuilder {
public:
    TensorTreeBuilder(std::vector<TensorRef> tensors, std::vector<std::string> files,
                      JobContext* job);
    Result<std::shared_ptr<const TensorTree>> build();

    // "layers.2" < "layers.10"; numbers before words; a name before its extensions.
    static bool nameLess(std::string_view a, std::string_view b);
    // A byte string whose plain ordering is the order above.
    static std::string sortKey(std::string_view name);
    static bool isNumber(std::string_view segment);

private:
    struct TrieNode {
        std::uint32_t parent = 0;
        std::string_view segment;  // view into a tensor name owned by the tree
        std::uint32_t tensor = kNoTensor;
        std::uint32_t creator = kNoTensor;  // tensor whose name created the node
        std::uint32_t pathLength = 0;
        std::vector<std::uint32_t> children;
    };

    bool cancelled(std::size_t done);
    void addToTrie(std::uint32_t tensor, std::vector<std::uint32_t>& path,
                   std::vector<std::string_view>& prev);
    void layOut();
    void aggregate();

    std::shared_ptr<TensorTree> m_tree;
    JobContext* m_job = nullptr;
    std::vector<TrieNode> m_trie;
};

} // namespace ckpt::ui
