//===- PairwiseObjective.h - Regression with a ranking term -----*- C++ -*-===//
//
// The training objective of the learned model's regressor: the squared error
// of its log-latency labels plus, within every kernel group, a logistic loss
// on the order of each pair of kernels. A search only asks the model which
// candidate of a group is faster, and the squared error alone spends the
// trees on absolute latency; the pair term spends them on the order. One
// booster still predicts latency, so prediction costs what it did.
//
// For rows i (faster) and j (slower) of a group, with predicted log
// latencies s_i and s_j (the booster's margin plus the row's offset), the
// pair adds  weight * w_ij * ln(1 + exp(-(s_j - s_i) / temperature))
// where w_ij = min(|ln(l_j / l_i)| / saturation, 1) (pairs closer than the
// measurement noise count less) * (1 + topWeight * exp(-ln(l_i / l_best) /
// topWidth)) (pairs whose faster kernel is near the group's best count
// more: the pick is what a search keeps), the term scaled by the group's
// size over its number of pairs, so that (w_ij aside) a group's pairs weigh
// as much as its rows do in the squared error.
//
//===----------------------------------------------------------------------===//

#ifndef TESSERA_COSTMODEL_PAIRWISEOBJECTIVE_H
#define TESSERA_COSTMODEL_PAIRWISEOBJECTIVE_H

#include "llvm/ADT/ArrayRef.h"

#include <cstdint>
#include <vector>

namespace tessera::cost {

struct PairwiseTermOptions {
  /// The pair term's weight against the squared error (0: squared error
  /// only).
  double weight = 1.0;
  /// In log latency: a predicted difference this large costs e^-1 of the
  /// loss of a tie.
  double temperature = 0.3;
  /// Pairs whose measured latencies differ by less (in log latency) weigh
  /// proportionally less.
  double saturation = 0.1;
  /// Extra weight of a pair whose faster kernel is the group's best, and the
  /// log-latency distance from the best over which it decays.
  double topWeight = 10.0;
  double topWidth = 0.3;
};

class PairwiseObjective {
public:
  /// Rows are in consecutive groups of `groupSizes`; `labels` are the
  /// regression labels, `offsets` what a row's prediction adds to the
  /// booster's margin to give its log latency, `logLatency` the measured log
  /// latencies that order the pairs.
  PairwiseObjective(llvm::ArrayRef<float> labels, llvm::ArrayRef<float> offsets,
                    llvm::ArrayRef<float> logLatency,
                    llvm::ArrayRef<unsigned> groupSizes,
                    const PairwiseTermOptions &options);

  /// The loss's first and second derivatives in each row's margin.
  void gradients(llvm::ArrayRef<float> margins, std::vector<float> &gradient,
                 std::vector<float> &hessian) const;

  /// The loss (squared error halved plus the pair term), over the rows.
  double loss(llvm::ArrayRef<float> margins) const;

  size_t numPairs() const { return pairs.size(); }

private:
  struct Pair {
    uint32_t faster, slower;
    float weight;
  };
  /// s_slower - s_faster: the predicted log-latency gap of a pair.
  double predictedGap(const Pair &pair, llvm::ArrayRef<float> margins) const;

  std::vector<float> labels, offsets;
  std::vector<Pair> pairs;
  double temperature;
};

} // namespace tessera::cost

#endif // TESSERA_COSTMODEL_PAIRWISEOBJECTIVE_H
