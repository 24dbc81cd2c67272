// Reference for nthelement.go: runs libstdc++'s nth_element (what
// scikit-learn's _partition_nodes calls) on index arrays ordered by
// (value, index). Input, whitespace separated: cases, then per case
// n nth depth value_0 .. value_{n-1}; depth -1 calls std::nth_element,
// otherwise std::__introselect with that depth limit (to reach the
// heap-select fallback). Output: the permuted indices, one case a line.
#include <algorithm>
#include <cstdio>
#include <vector>

int main() {
  int cases;
  if (std::scanf("%d", &cases) != 1) return 1;
  for (int c = 0; c < cases; c++) {
    long n, nth, depth;
    if (std::scanf("%ld %ld %ld", &n, &nth, &depth) != 3) return 1;
    std::vector<double> v(n);
    std::vector<long> idx(n);
    for (long i = 0; i < n; i++) {
      if (std::scanf("%lf", &v[i]) != 1) return 1;
      idx[i] = i;
    }
    auto less = [&](long a, long b) { return v[a] == v[b] ? a < b : v[a] < v[b]; };
    if (depth < 0) {
      std::nth_element(idx.begin(), idx.begin() + nth, idx.end(), less);
    } else {
      std::__introselect(idx.begin(), idx.begin() + nth, idx.end(), depth,
                         __gnu_cxx::__ops::__iter_comp_iter(less));
    }
    for (long i = 0; i < n; i++) std::printf(i ? " %ld" : "%ld", idx[i]);
    std::printf("\n");
  }
  return 0;
}
