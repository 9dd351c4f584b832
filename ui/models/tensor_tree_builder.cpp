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

int compareSegments(std::string_view a, std::string_view b)
{
    const bool an = TensorTreeBuilder::isNumber(a);
    const bool bn = TensorTreeBuilder::isNumber(b);
    if (an != bn)
        return an ? -1 : 1;
    if (!an)
        return a.compare(b);
    // Compare numbers of any length without parsing: strip leading zeros, longer is larger.
    const auto strip = [](std::string_view s) {
        const std::size_t nz = s.find_first_not_of('0');
        return nz == std::string_view::npos ? std::string_view{} : s.substr(nz);
    };
    const std::string_view sa = strip(a), sb = strip(b);
    if (sa.size() != sb.size())
        return sa.size() < sb.size() ? -1 : 1;
    if (const int c = sa.compare(sb); c != 0)
        return c;
    return a.compare(b);  // "1" before "01": still a total order
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

bool TensorTreeBuilder::nameLess(std::string_view a, std::string_view b)
{
    std::size_t pa = 0, pb = 0;
    for (;;) {
        const std::size_t ea = std::min(a.find('.', pa), a.size());
        const std::size_t eb = std::min(b.find('.', pb), b.size());
        if (const int c = compareSegments(a.substr(pa, ea - pa), b.substr(pb, eb - pb)); c != 0)
            return c < 0;
        const bool aEnd = ea == a.size(), bEnd = eb == b.size();
        if (aEnd || bEnd)
            return aEnd && !bEnd;
        pa = ea + 1;
        pb = eb + 1;
    }
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
    std::vector<std::uint32_t> order(tensors.size());
    std::iota(order.begin(), order.end(), 0u);
    std::sort(order.begin(), order.end(), [&](std::uint32_t x, std::uint32_t y) {
        return nameLess(tensors[x].name, tensors[y].name);
    });

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
