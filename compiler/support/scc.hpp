// Strongly connected components of a directed graph (Tarjan), for the stages that order
// definitions by their dependencies: binding groups (types/bindings.cpp), CAF order
// (core/globals.cpp), inlining (core/inline.cpp), trmc's mutually tail-calling workers
// (core/trmc.cpp) and the stack checks (codegen/stackcheck.cpp). Header-only: each stage is
// its own library and this is the one piece they share.
#pragma once
#include <algorithm>
#include <cstddef>
#include <utility>
#include <vector>

namespace weir::support {

// Nodes are 0..n-1 and edges[v] lists v's successors in the order they are followed. The
// search starts from each of `roots` in turn (every node, in order, when roots is null) and
// reaches only what they reach. Components come out in Tarjan's order, each one after every
// component it has an edge to (dependencies first); a component's nodes in the order they
// leave the stack (its first-visited node last). Iterative, so a long chain of definitions
// cannot exhaust the compiler's stack.
inline std::vector<std::vector<size_t>> stronglyConnected(const std::vector<std::vector<size_t>>& edges,
                                                          const std::vector<size_t>* roots = nullptr) {
  const size_t n = edges.size(), unvisited = static_cast<size_t>(-1);
  std::vector<size_t> order(n, unvisited), low(n, 0), stack;
  std::vector<bool> onStack(n, false);
  std::vector<std::vector<size_t>> out;
  size_t counter = 0;
  auto from = [&](size_t root) {
    if (order[root] != unvisited) return;
    std::vector<std::pair<size_t, size_t>> work{{root, 0}};  // (node, next edge to follow)
    while (!work.empty()) {
      auto& [v, k] = work.back();
      if (k == 0 && order[v] == unvisited) {
        order[v] = low[v] = counter++;
        stack.push_back(v);
        onStack[v] = true;
      }
      if (k < edges[v].size()) {
        size_t w = edges[v][k++];
        if (order[w] == unvisited) work.push_back({w, 0});
        else if (onStack[w]) low[v] = std::min(low[v], order[w]);
        continue;
      }
      if (low[v] == order[v]) {
        std::vector<size_t> comp;
        size_t w;
        do {
          w = stack.back();
          stack.pop_back();
          onStack[w] = false;
          comp.push_back(w);
        } while (w != v);
        out.push_back(std::move(comp));
      }
      size_t done = v;
      work.pop_back();
      if (!work.empty()) low[work.back().first] = std::min(low[work.back().first], low[done]);
    }
  };
  if (roots)
    for (size_t r : *roots) from(r);
  else
    for (size_t r = 0; r < n; r++) from(r);
  return out;
}

}  // namespace weir::support
