//===- PairwiseObjective.cpp - Regression with a ranking term -------------===//

#include "tessera/CostModel/PairwiseObjective.h"

#include <algorithm>
#include <cassert>
#include <cmath>

namespace tessera::cost {

PairwiseObjective::PairwiseObjective(llvm::ArrayRef<float> labels,
                                     llvm::ArrayRef<float> offsets,
                                     llvm::ArrayRef<float> logLatency,
                                     llvm::ArrayRef<unsigned> groupSizes,
                                     const PairwiseTermOptions &options)
    : labels(labels.begin(), labels.end()),
      offsets(offsets.begin(), offsets.end()),
      temperature(options.temperature) {
  assert(labels.size() == offsets.size() &&
         labels.size() == logLatency.size() && "one label per row");
  if (options.weight <= 0)
    return;
  size_t begin = 0;
  for (unsigned size : groupSizes) {
    size_t end = begin + size;
    assert(end <= labels.size() && "groups cover the rows");
    float best =
        *std::min_element(logLatency.begin() + begin, logLatency.begin() + end);
    size_t first = pairs.size();
    for (size_t i = begin; i < end; ++i) {
      for (size_t j = i + 1; j < end; ++j) {
        if (logLatency[i] == logLatency[j])
          continue;
        bool iFaster = logLatency[i] < logLatency[j];
        uint32_t faster = iFaster ? i : j, slower = iFaster ? j : i;
        double gap = logLatency[slower] - logLatency[faster];
        double weight =
            std::min(gap / options.saturation, 1.0) *
            (1 + options.topWeight *
                     std::exp(-(logLatency[faster] - best) / options.topWidth));
        pairs.push_back({faster, slower, static_cast<float>(weight)});
      }
    }
    // Before w_ij, a group's pairs weigh `size` in all, as its rows do in
    // the squared error: groups count alike whatever their size.
    size_t numPairs = size * (size - 1) / 2;
    for (size_t p = first; p < pairs.size(); ++p)
      pairs[p].weight *= options.weight * size / numPairs;
    begin = end;
  }
  assert(begin == labels.size() && "groups cover the rows");
}

/// sigma(-d / T): the derivative of ln(1 + exp(-d / T)) in d, times -T.
static double pairSigmoid(double difference, double temperature) {
  return 1.0 / (1.0 + std::exp(difference / temperature));
}

double PairwiseObjective::predictedGap(const Pair &pair,
                                       llvm::ArrayRef<float> margins) const {
  return (margins[pair.slower] + offsets[pair.slower]) -
         (margins[pair.faster] + offsets[pair.faster]);
}

void PairwiseObjective::gradients(llvm::ArrayRef<float> margins,
                                  std::vector<float> &gradient,
                                  std::vector<float> &hessian) const {
  size_t n = labels.size();
  assert(margins.size() == n && "one margin per row");
  std::vector<double> g(n), h(n, 1.0);
  for (size_t i = 0; i < n; ++i)
    g[i] = margins[i] - labels[i];
  double t = temperature;
  for (const Pair &pair : pairs) {
    double s = pairSigmoid(predictedGap(pair, margins), t);
    double dg = pair.weight * s / t;
    double dh = pair.weight * s * (1 - s) / (t * t);
    g[pair.faster] += dg;
    g[pair.slower] -= dg;
    h[pair.faster] += dh;
    h[pair.slower] += dh;
  }
  gradient.assign(g.begin(), g.end());
  hessian.assign(h.begin(), h.end());
}

double PairwiseObjective::loss(llvm::ArrayRef<float> margins) const {
  double sum = 0;
  for (size_t i = 0; i < labels.size(); ++i) {
    double e = margins[i] - labels[i];
    sum += 0.5 * e * e;
  }
  double t = temperature;
  for (const Pair &pair : pairs) {
    // ln(1 + exp(-d / t)), without overflow for large -d.
    double x = -predictedGap(pair, margins) / t;
    sum += pair.weight *
           (x > 0 ? x + std::log1p(std::exp(-x)) : std::log1p(std::exp(x)));
  }
  return sum;
}

} // namespace tessera::cost
