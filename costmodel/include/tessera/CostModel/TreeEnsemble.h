//===- TreeEnsemble.h - Boosted trees flattened for prediction --*- C++ -*-===//
//
// The learned model's boosters, evaluated without XGBoost. XGBoost trains
// them and model files store them in its format; at load, each becomes a
// TreeEnsemble: every tree's nodes in one array of 8-byte nodes (threshold,
// split feature, left child; the right child next to it), in breadth-first
// order, a leaf leading to itself, so that a tree is walked a fixed number of
// steps (its depth) without a branch per node, for a block of rows at once
// (the loads of the rows overlap). XGBoost
// 1.7's CPU predictor copies each row into a per-row feature vector and
// walks 20-byte nodes one row at a time; on the shipped 300-tree model it
// costs 20 us a row, the ensemble several times less (bench-predict).
//
// Predictions equal XGBoost's bit for bit: a split sends a row left when its
// feature is below the threshold, a missing (NaN) feature the tree's default
// way, and the leaves are summed in float, in tree order, from the base
// score, as XGBoost sums them.
//
//===----------------------------------------------------------------------===//

#ifndef TESSERA_COSTMODEL_TREEENSEMBLE_H
#define TESSERA_COSTMODEL_TREEENSEMBLE_H

#include "mlir/Support/LLVM.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"

#include <cstdint>
#include <string>
#include <vector>

namespace tessera::cost {

class TreeEnsemble {
public:
  /// From a booster saved as JSON (XGBoosterSaveModelToBuffer, format
  /// "json"). Fails, with a message, on what it cannot evaluate exactly:
  /// another booster than gbtree, several outputs, categorical splits, an
  /// objective that transforms the margin, or malformed trees.
  static mlir::FailureOr<TreeEnsemble> fromXGBoostJSON(llvm::StringRef json,
                                                       std::string *error);

  /// The margin of each of `numRows` rows (getNumFeatures() floats each, row
  /// major; NaN is missing) into `out`.
  void predict(llvm::ArrayRef<float> rows, size_t numRows,
               llvm::MutableArrayRef<float> out) const;

  unsigned getNumFeatures() const { return numFeatures; }
  size_t getNumTrees() const { return trees.size(); }

private:
  /// 8 bytes. A leaf's threshold is NaN and its missing way right, so that a
  /// row at a leaf always goes right, to `left + 1`: the leaf itself.
  struct Node {
    /// A split's threshold.
    float threshold;
    /// The split feature; the top bit set when a missing feature goes right.
    uint16_t feature;
    /// The left child, within the tree's nodes; the right one follows it.
    uint16_t left;
  };
  struct Tree {
    /// The tree's nodes, from its root.
    uint32_t begin;
    uint32_t depth;
  };
  static constexpr uint16_t kMissingGoesRight = 1u << 15;

  TreeEnsemble() = default;
  /// Adds the leaves of `tree` that a block of rows (kBlock) reaches to
  /// `sums`.
  void walkBlock(const Tree &tree, const float *rows, float *sums) const;

  std::vector<Node> nodes;
  /// Per node, a leaf's value (read once per tree and row).
  std::vector<float> leafValues;
  std::vector<Tree> trees;
  float baseScore = 0;
  unsigned numFeatures = 0;
};

} // namespace tessera::cost

#endif // TESSERA_COSTMODEL_TREEENSEMBLE_H
