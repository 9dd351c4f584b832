#include "ui/models/tensor_tree_builder.h"

#include <algorithm>
#include <numeric>

namespace ckpt::ui {

namespace {

constexpr std::size_t kCheckEvery = 8192;  // tensors between cancel checks / progress reports

void splitSegments(std::string_view name, std::vector<std::string_view>& out)
{
    out.clear();
    std::size_t start = 0;
    for (;;) {
        const std::size_t dot = name.find('.', start);
        if (dot == std::string_view::npos) {
            out.push_back(name.substr(start));
            return;
        }
        out.push_back(name.substr(start, dot - start));
        start = dot + 1;
    }
}

} // namespace

TensorTreeBuilder::TensorTreeBuilder(std::vector<TensorRef> tensors, std::vector<std::string> files,
                                     JobContext* job)
    : m_tree(new TensorTree), m_job(job)
{
    // The tensors move into the tree first: trie segments are views into these strings.
    m_tree->m_tensors = std::move(tensors);
    m_tree->m_files = std::move(files);
}

bool TensorTreeBuilder::isNumber(std::string_view segment)
{
    return !segment.empty()
           && std::all_of(segment.begin(), segment.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Segments joined by '\0' (so a name sorts before its extensions); words as '\2' + text;
// numbers as '\1', the length without leading zeros, the digits, then the original length (a
// tie-break keeping the order total), so byte-wise comparison orders numbers by value. Keys are
// made once per name: sorting 100k names with a comparator that re-parses both names on every
// comparison is ten times slower.
std::string TensorTreeBuilder::sortKey(std::string_view name)
{
    std::string key;
    key.reserve(name.size() + 16);
    std::vector<std::string_view> segments;
    splitSegments(name, segments);
    for (std::size_t i = 0; i < segments.size(); ++i) {
        const std::string_view seg = segments[i];
        if (i)
            key += '\0';
        if (!isNumber(seg)) {
            key += '\2';
            key += seg;
            continue;
        }
        const std::size_t nz = std::min(seg.find_first_not_of('0'), seg.size());
        const std::string_view digits = seg.substr(nz);
        key += '\1';
        key += static_cast<char>(std::min<std::size_t>(digits.size() + 1, 255));
        key += digits;
        key += static_cast<char>(std::min<std::size_t>(seg.size() + 1, 255));
    }
    return key;
}

bool TensorTreeBuilder::nameLess(std::string_view a, std::string_view b)
{
    return sortKey(a) < sortKey(b);
}

bool TensorTreeBuilder::cancelled(std::size_t done)
{
    if (!m_job || done % kCheckEvery != 0)
        return false;
    m_job->reportProgress(done, m_tree->m_tensors.size(), "Building tree");
    return m_job->isCancelled();
}

Result<std::shared_ptr<const TensorTree>> TensorTreeBuilder::build()
{
    const auto& tensors = m_tree->m_tensors;
    std::vector<std::string> keys;
    keys.reserve(tensors.size());
    for (const TensorRef& t : tensors)
        keys.push_back(sortKey(t.name));
    std::vector<std::uint32_t> order(tensors.size());
    std::iota(order.begin(), order.end(), 0u);
    std::sort(order.begin(), order.end(),
              [&](std::uint32_t x, std::uint32_t y) { return keys[x] < keys[y]; });
    keys.clear();

    m_trie.clear();
    m_trie.emplace_back();  // root
    std::vector<std::uint32_t> path{0};
    std::vector<std::string_view> prev;
    for (std::size_t i = 0; i < order.size(); ++i) {
        if (cancelled(i))
            return makeError(ErrorCode::Cancelled, "building the tensor tree was cancelled");
        addToTrie(order[i], path, prev);
    }
    layOut();
    aggregate();

    m_tree->m_byName.resize(tensors.size());
    std::iota(m_tree->m_byName.begin(), m_tree->m_byName.end(), 0u);
    std::sort(m_tree->m_byName.begin(), m_tree->m_byName.end(),
              [&](std::uint32_t x, std::uint32_t y) { return tensors[x].name < tensors[y].name; });
    if (m_job)
        m_job->reportProgress(tensors.size(), tensors.size(), "Building tree");
    return std::shared_ptr<const TensorTree>(std::move(m_tree));
}

// Names arrive sorted, so a new name shares a prefix with the previous one: keep the trie path
// of the previous name and branch off where the segments differ.
void TensorTreeBuilder::addToTrie(std::uint32_t tensor, std::vector<std::uint32_t>& path,
                                  std::vector<std::string_view>& prev)
{
    const std::string& name = m_tree->m_tensors[tensor].name;
    std::vector<std::string_view> segments;
    splitSegments(name, segments);
    std::size_t common = 0;
    while (common < segments.size() && common < prev.size() && segments[common] == prev[common])
        ++common;
    if (common == segments.size())
        --common;  // a duplicate name gets a sibling node of its own rather than vanishing
    path.resize(common + 1);
    for (std::size_t s = common; s < segments.size(); ++s) {
        const auto id = static_cast<std::uint32_t>(m_trie.size());
        TrieNode node;
        node.parent = path.back();
        node.segment = segments[s];
        node.creator = tensor;
        node.pathLength = static_cast<std::uint32_t>(segments[s].data() + segments[s].size()
                                                     - name.data());
        m_trie.push_back(std::move(node));
        m_trie[path.back()].children.push_back(id);
        path.push_back(id);
    }
    m_trie[path.back()].tensor = tensor;
    prev = std::move(segments);
}

void TensorTreeBuilder::layOut()
{
    std::vector<std::uint32_t> order{0};
    std::vector<std::uint32_t> newId(m_trie.size(), 0);
    order.reserve(m_trie.size());
    for (std::size_t i = 0; i < order.size(); ++i) {
        for (std::uint32_t child : m_trie[order[i]].children) {
            newId[child] = static_cast<std::uint32_t>(order.size());
            order.push_back(child);
        }
    }
    auto& nodes = m_tree->m_nodes;
    auto& arena = m_tree->m_arena;
    nodes.assign(order.size(), TreeNode{});
    m_tree->m_tensorNode.assign(m_tree->m_tensors.size(), 0);
    for (std::size_t i = 0; i < order.size(); ++i) {
        const TrieNode& t = m_trie[order[i]];
        TreeNode& n = nodes[i];
        n.parent = newId[t.parent];
        n.childCount = static_cast<std::uint32_t>(t.children.size());
        n.firstChild = t.children.empty() ? 0 : newId[t.children.front()];
        for (std::uint32_t row = 0; row < n.childCount; ++row)
            nodes[newId[t.children[row]]].rowInParent = row;
        n.tensor = t.tensor;
        n.someTensor = t.creator;
        n.pathLength = t.pathLength;
        n.nameOffset = static_cast<std::uint32_t>(arena.size());
        n.nameLength = static_cast<std::uint32_t>(t.segment.size());
        arena.append(t.segment);
        n.numericChildren = !t.children.empty()
            && std::all_of(t.children.begin(), t.children.end(),
                           [this](std::uint32_t c) { return isNumber(m_trie[c].segment); });
        if (t.tensor != kNoTensor)
            m_tree->m_tensorNode[t.tensor] = static_cast<std::uint32_t>(i);
    }
    m_trie.clear();
}

// Children come after their parent in breadth-first order, so one backward pass sums subtrees.
void TensorTreeBuilder::aggregate()
{
    auto& nodes = m_tree->m_nodes;
    for (TreeNode& n : nodes) {
        if (n.tensor == kNoTensor)
            continue;
        const TensorRef& t = m_tree->m_tensors[n.tensor];
        n.tensorCount = 1;
        n.bytes = t.nbytes;
        n.file = static_cast<std::int32_t>(t.fileIndex);
        n.dtype = static_cast<std::uint8_t>(t.dtype);
    }
    for (std::size_t i = nodes.size(); i-- > 1;) {
        const TreeNode& child = nodes[i];
        TreeNode& parent = nodes[child.parent];
        if (child.tensorCount == 0)
            continue;
        if (parent.tensorCount == 0) {
            parent.file = child.file;
            parent.dtype = child.dtype;
        } else {
            if (parent.file != child.file)
                parent.file = kMixedFiles;
            if (parent.dtype != child.dtype)
                parent.dtype = kMixedDtypes;
        }
        parent.tensorCount += child.tensorCount;
        parent.bytes += child.bytes;
    }
}

} // namespace ckpt::ui
