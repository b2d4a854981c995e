//===- Metrics.cpp - Accuracy metrics of cost models ----------------------===//

#include "tessera/CostModel/Metrics.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallVector.h"

#include <algorithm>
#include <cmath>
#include <numeric>

using namespace tessera::cost;

double
tessera::cost::meanAbsolutePercentageError(llvm::ArrayRef<double> predicted,
                                           llvm::ArrayRef<double> measured) {
  double sum = 0;
  size_t count = 0;
  for (auto [p, m] : llvm::zip_equal(predicted, measured)) {
    if (!(m > 0))
      continue;
    sum += std::fabs(p - m) / m;
    ++count;
  }
  return count ? sum / count : 0;
}

double tessera::cost::median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  size_t n = values.size();
  if (n == 0)
    return 0;
  return n % 2 ? values[n / 2] : 0.5 * (values[n / 2 - 1] + values[n / 2]);
}

static int sign(double x) { return (x > 0) - (x < 0); }

double tessera::cost::kendallTau(llvm::ArrayRef<double> a,
                                 llvm::ArrayRef<double> b) {
  size_t n = std::min(a.size(), b.size());
  if (n < 2)
    return 0;
  // O(n^2) is fine for the group sizes of a tuning search (tens to hundreds).
  double concordant = 0, discordant = 0, tiesA = 0, tiesB = 0;
  for (size_t i = 0; i < n; ++i) {
    for (size_t j = i + 1; j < n; ++j) {
      int sa = sign(a[i] - a[j]), sb = sign(b[i] - b[j]);
      if (sa == 0 && sb == 0)
        continue;
      if (sa == 0) {
        tiesA += 1;
        continue;
      }
      if (sb == 0) {
        tiesB += 1;
        continue;
      }
      if (sa == sb)
        concordant += 1;
      else
        discordant += 1;
    }
  }
  double denominator = std::sqrt((concordant + discordant + tiesA) *
                                 (concordant + discordant + tiesB));
  if (denominator == 0)
    return 0;
  return (concordant - discordant) / denominator;
}

double tessera::cost::pairwiseAccuracy(llvm::ArrayRef<double> predicted,
                                       llvm::ArrayRef<double> measured) {
  size_t n = std::min(predicted.size(), measured.size());
  double right = 0;
  size_t pairs = 0;
  for (size_t i = 0; i < n; ++i) {
    for (size_t j = i + 1; j < n; ++j) {
      int sm = sign(measured[i] - measured[j]);
      if (sm == 0)
        continue;
      ++pairs;
      int sp = sign(predicted[i] - predicted[j]);
      right += sp == sm ? 1.0 : sp == 0 ? 0.5 : 0.0;
    }
  }
  return pairs ? right / pairs : 1.0;
}

double tessera::cost::topKScore(llvm::ArrayRef<double> predicted,
                                llvm::ArrayRef<double> measured, size_t k) {
  size_t n = std::min(predicted.size(), measured.size());
  if (n == 0 || k == 0)
    return 0;
  llvm::SmallVector<size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t x, size_t y) {
    return predicted[x] < predicted[y];
  });
  double best = *std::min_element(measured.begin(), measured.begin() + n);
  double picked = measured[order[0]];
  for (size_t i = 1; i < std::min(k, n); ++i)
    picked = std::min(picked, measured[order[i]]);
  if (!(picked > 0))
    return 0;
  return best / picked;
}
