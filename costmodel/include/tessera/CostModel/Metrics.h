//===- Metrics.h - Accuracy metrics of cost models --------------*- C++ -*-===//
//
// The metrics that tessera-cost eval reports (TenSet's set): MAPE of latency,
// Kendall's tau and pairwise accuracy of the ranking, and the top-k score,
// best measured latency / best measured latency among the model's k picks;
// and the median the tools summarise samples with.
//
//===----------------------------------------------------------------------===//

#ifndef TESSERA_COSTMODEL_METRICS_H
#define TESSERA_COSTMODEL_METRICS_H

#include "llvm/ADT/ArrayRef.h"

#include <cstddef>
#include <vector>

namespace tessera::cost {

/// The median of `values` (the mean of the middle two of an even count); 0
/// when there are none.
double median(std::vector<double> values);

/// Mean absolute percentage error of `predicted` against `measured`, as a
/// fraction (0.1 = 10%). Entries with a non-positive measurement are skipped;
/// returns 0 when none is left.
double meanAbsolutePercentageError(llvm::ArrayRef<double> predicted,
                                   llvm::ArrayRef<double> measured);

/// Kendall's tau-b between two equally long sequences (ties in either
/// count as neither concordant nor discordant, with the tau-b correction).
/// Returns 0 when fewer than two entries or when either side is constant.
double kendallTau(llvm::ArrayRef<double> a, llvm::ArrayRef<double> b);

/// Fraction of pairs with distinct measured values that the prediction
/// orders the same way; a tie in the prediction counts as half right.
/// Returns 1 when there is no such pair.
double pairwiseAccuracy(llvm::ArrayRef<double> predicted,
                        llvm::ArrayRef<double> measured);

/// Top-k score of a group of candidates: the best measured latency divided
/// by the best measured latency among the k candidates with the lowest
/// predicted cost (1 = the model's picks contain the best). Ties in the
/// prediction are broken by position, so a constant prediction is no better
/// than picking the first k.
double topKScore(llvm::ArrayRef<double> predicted,
                 llvm::ArrayRef<double> measured, size_t k);

} // namespace tessera::cost

#endif // TESSERA_COSTMODEL_METRICS_H
