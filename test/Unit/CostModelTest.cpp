//===- CostModelTest.cpp - Unit tests of the cost model -------------------===//
//
// Metrics on known vectors, the regressor's ranking objective, schedules,
// feature extraction from operators and loop nests (and their agreement),
// datasets, model files and their errors.
//
//===----------------------------------------------------------------------===//

#include "tessera/CostModel/CostModel.h"
#include "tessera/CostModel/Dataset.h"
#include "tessera/CostModel/Features.h"
#include "tessera/CostModel/Kernels.h"
#include "tessera/CostModel/Metrics.h"
#include "tessera/CostModel/PairwiseObjective.h"
#include "tessera/CostModel/Schedule.h"
#include "tessera/CostModel/Training.h"
#include "tessera/Dialect/Tessera/IR/Tessera.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/AllInterfaces.h"
#include "mlir/Dialect/Linalg/Transforms/TilingInterfaceImpl.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Interfaces/TilingInterface.h"
#include "mlir/Parser/Parser.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <gtest/gtest.h>

#include <cmath>

using namespace mlir;
using namespace ::tessera::cost;

namespace {

//===----------------------------------------------------------------------===//
// Metrics
//===----------------------------------------------------------------------===//

TEST(CostModelMetrics, KendallTauOfKnownVectors) {
  EXPECT_DOUBLE_EQ(kendallTau({1, 2, 3, 4}, {10, 20, 30, 40}), 1.0);
  EXPECT_DOUBLE_EQ(kendallTau({1, 2, 3, 4}, {4, 3, 2, 1}), -1.0);
  // 6 concordant, 4 discordant pairs.
  EXPECT_NEAR(kendallTau({1, 2, 3, 4, 5}, {3, 4, 1, 2, 5}), 0.2, 1e-12);
  // tau-b with a tie: 2 / sqrt(3 * 2).
  EXPECT_NEAR(kendallTau({1, 1, 2}, {1, 2, 3}), 2 / std::sqrt(6.0), 1e-12);
  EXPECT_DOUBLE_EQ(kendallTau({1}, {1}), 0.0);
  EXPECT_DOUBLE_EQ(kendallTau({1, 1, 1}, {1, 2, 3}), 0.0);
}

TEST(CostModelMetrics, PairwiseAccuracy) {
  EXPECT_DOUBLE_EQ(pairwiseAccuracy({3, 4, 1, 2, 5}, {1, 2, 3, 4, 5}), 0.6);
  EXPECT_DOUBLE_EQ(pairwiseAccuracy({1, 2, 3}, {1, 2, 3}), 1.0);
  // A tie in the prediction is half right; ties in the measurement skipped.
  EXPECT_DOUBLE_EQ(pairwiseAccuracy({1, 1}, {1, 2}), 0.5);
  EXPECT_DOUBLE_EQ(pairwiseAccuracy({1, 2}, {5, 5}), 1.0);
}

TEST(CostModelMetrics, TopKScoreAndMAPE) {
  std::vector<double> predicted{3, 4, 1, 2, 5};
  std::vector<double> measured{10, 20, 30, 40, 50};
  EXPECT_NEAR(topKScore(predicted, measured, 1), 10.0 / 30.0, 1e-12);
  EXPECT_NEAR(topKScore(predicted, measured, 2), 10.0 / 30.0, 1e-12);
  EXPECT_DOUBLE_EQ(topKScore(predicted, measured, 3), 1.0);
  EXPECT_DOUBLE_EQ(topKScore(measured, measured, 1), 1.0);
  EXPECT_NEAR(meanAbsolutePercentageError({110, 90}, {100, 100}), 0.1, 1e-12);
}

TEST(CostModelMetrics, Median) {
  EXPECT_DOUBLE_EQ(median({3, 1, 2}), 2.0);
  EXPECT_DOUBLE_EQ(median({4, 1, 3, 2}), 2.5);
  EXPECT_DOUBLE_EQ(median({7}), 7.0);
  EXPECT_DOUBLE_EQ(median({}), 0.0);
}

//===----------------------------------------------------------------------===//
// The regressor's objective: squared error plus the within-group pair term
//===----------------------------------------------------------------------===//

// Two groups (3 rows and 2), labels as residuals of a per-row offset.
struct PairwiseFixture {
  std::vector<float> labels{0.1f, -0.2f, 0.4f, 0.0f, 0.3f};
  std::vector<float> offsets{1.0f, 1.5f, 0.2f, 2.0f, 2.0f};
  std::vector<float> logLatency{1.1f, 1.3f, 0.6f, 2.0f, 2.3f};
  std::vector<unsigned> groups{3, 2};
};

TEST(CostModelPairwiseObjective, WeightZeroIsSquaredError) {
  PairwiseFixture f;
  PairwiseTermOptions options;
  options.weight = 0;
  PairwiseObjective objective(f.labels, f.offsets, f.logLatency, f.groups,
                              options);
  EXPECT_EQ(objective.numPairs(), 0u);
  std::vector<float> margins{0.3f, 0.0f, 0.4f, -1.0f, 0.3f}, g, h;
  objective.gradients(margins, g, h);
  for (size_t i = 0; i < margins.size(); ++i) {
    EXPECT_NEAR(g[i], margins[i] - f.labels[i], 1e-6);
    EXPECT_FLOAT_EQ(h[i], 1.0f);
  }
  EXPECT_NEAR(objective.loss(margins), 0.5 * (0.04 + 0.04 + 1.0), 1e-6);
}

TEST(CostModelPairwiseObjective, PairsStayWithinGroups) {
  PairwiseFixture f;
  PairwiseObjective objective(f.labels, f.offsets, f.logLatency, f.groups,
                              PairwiseTermOptions());
  // 3 pairs in the first group, 1 in the second, none across.
  EXPECT_EQ(objective.numPairs(), 4u);
  // A tie is no pair.
  std::vector<float> tied{1.0f, 1.0f};
  PairwiseObjective ties({0, 0}, {0, 0}, tied, {2}, PairwiseTermOptions());
  EXPECT_EQ(ties.numPairs(), 0u);
}

TEST(CostModelPairwiseObjective, GradientsMatchTheLoss) {
  PairwiseFixture f;
  PairwiseObjective objective(f.labels, f.offsets, f.logLatency, f.groups,
                              PairwiseTermOptions());
  std::vector<float> margins{0.3f, -0.1f, 0.5f, 0.2f, 0.1f}, g, h;
  objective.gradients(margins, g, h);
  const float step = 1e-3f;
  for (size_t i = 0; i < margins.size(); ++i) {
    std::vector<float> up = margins, down = margins;
    up[i] += step;
    down[i] -= step;
    double numeric = (objective.loss(up) - objective.loss(down)) / (2 * step);
    EXPECT_NEAR(g[i], numeric, 1e-4 * std::max(1.0, std::abs(numeric)))
        << "row " << i;
    std::vector<float> gUp, hUp, gDown, hDown;
    objective.gradients(up, gUp, hUp);
    objective.gradients(down, gDown, hDown);
    // The diagonal of the Hessian (XGBoost's second-order statistic).
    EXPECT_NEAR(h[i], (gUp[i] - gDown[i]) / (2 * step), 1e-2) << "row " << i;
  }
}

TEST(CostModelPairwiseObjective, WrongOrderIsPushedApart) {
  // Row 0 is measured faster; with margins that predict it slower, the
  // gradient step (minus the gradient) lowers row 0 and raises row 1 beyond
  // what the squared error alone does.
  std::vector<float> labels{0, 0}, offsets{0, 0}, logLatency{0.0f, 1.0f};
  PairwiseObjective objective(labels, offsets, logLatency, {2},
                              PairwiseTermOptions());
  std::vector<float> margins{0.2f, -0.2f}, g, h;
  objective.gradients(margins, g, h);
  EXPECT_GT(g[0], 0.2f);
  EXPECT_LT(g[1], -0.2f);
  EXPECT_GT(h[0], 1.0f);
  // A right order far apart costs (almost) nothing beyond the squared error.
  std::vector<float> apart{-3.0f, 3.0f};
  objective.gradients(apart, g, h);
  EXPECT_NEAR(g[0], -3.0f, 1e-3);
  EXPECT_NEAR(g[1], 3.0f, 1e-3);
}

TEST(CostModelPairwiseObjective, PairsNearTheBestWeighMore) {
  // Group: best 0.0, then 1.0, 2.0. The pair (0, 1) has its faster kernel at
  // the best, the pair (1, 2) one 1.0 from it: with the same wrong margin
  // difference, the first pulls harder.
  std::vector<float> labels{0, 0, 0}, offsets{0, 0, 0};
  std::vector<float> logLatency{0.0f, 1.0f, 2.0f};
  PairwiseTermOptions options;
  PairwiseObjective objective(labels, offsets, logLatency, {3}, options);
  std::vector<float> margins{0.1f, 0.0f, -0.1f}, g, h;
  objective.gradients(margins, g, h);
  // Row 0 is pushed only by pairs where it is faster; row 2 only where it
  // is slower.
  EXPECT_GT(g[0] - margins[0], -(g[2] - margins[2]));
  options.topWeight = 0;
  PairwiseObjective flat(labels, offsets, logLatency, {3}, options);
  std::vector<float> gFlat, hFlat;
  flat.gradients(margins, gFlat, hFlat);
  EXPECT_NEAR(gFlat[0] - margins[0], -(gFlat[2] - margins[2]), 1e-6);
}

//===----------------------------------------------------------------------===//
// IR helpers
//===----------------------------------------------------------------------===//

class CostModelIR : public ::testing::Test {
protected:
  CostModelIR() {
    DialectRegistry registry;
    registry.insert<func::FuncDialect, linalg::LinalgDialect,
                    memref::MemRefDialect, arith::ArithDialect,
                    affine::AffineDialect, scf::SCFDialect, math::MathDialect,
                    vector::VectorDialect, mlir::tessera::TesseraDialect>();
    linalg::registerTilingInterfaceExternalModels(registry);
    ctx.appendDialectRegistry(registry);
    ctx.loadAllAvailableDialects();
  }

  OwningOpRef<ModuleOp> parse(StringRef text) {
    return parseSourceString<ModuleOp>(text, &ctx);
  }

  template <typename OpT> OpT first(ModuleOp module) {
    OpT found;
    module->walk<WalkOrder::PreOrder>([&](OpT op) {
      if (!found)
        found = op;
    });
    return found;
  }
  /// The scf.for loop nests of `module` that are kernels, in order.
  SmallVector<scf::ForOp> scfLoopNestKernels(ModuleOp module) {
    SmallVector<scf::ForOp> loops;
    module->walk([&](scf::ForOp loop) {
      if (isLoopNestKernel(loop))
        loops.push_back(loop);
    });
    return loops;
  }

  MLIRContext ctx;
};

const char *kMatmul = R"mlir(
func.func @mm(%a: memref<64x32xf32>, %b: memref<32x48xf32>, %c: memref<64x48xf32>) {
  linalg.matmul {tessera.kernel_config = #tessera.kernel_config<tiles = [[16, 16, 8]], loop_order = [0, 2, 1], vector_width = 8, unroll = 2, parallel_dims = [0]>}
    ins(%a, %b : memref<64x32xf32>, memref<32x48xf32>) outs(%c : memref<64x48xf32>)
  return
}
)mlir";

//===----------------------------------------------------------------------===//
// Schedules
//===----------------------------------------------------------------------===//

TEST_F(CostModelIR, ScheduledNestOfAConfig) {
  OwningOpRef<ModuleOp> module = parse(kMatmul);
  ASSERT_TRUE(module);
  auto op = first<linalg::MatmulOp>(*module);
  auto config =
      op->getAttrOfType<mlir::tessera::KernelConfigAttr>(kKernelConfigAttrName);
  FailureOr<ScheduledNest> nest = computeScheduledNest({64, 48, 32}, config);
  ASSERT_TRUE(succeeded(nest));
  // Tile loops i, k, j (loop order), then point loops i, k and j by 8.
  ASSERT_EQ(nest->loops.size(), 6u);
  EXPECT_EQ(nest->loops[0].dim, 0u);
  EXPECT_EQ(nest->loops[0].trip, 4);
  EXPECT_EQ(nest->loops[0].step, 16);
  EXPECT_EQ(nest->loops[1].dim, 2u);
  EXPECT_EQ(nest->loops[1].trip, 4);
  EXPECT_EQ(nest->loops[2].dim, 1u);
  EXPECT_EQ(nest->loops[2].trip, 3);
  EXPECT_EQ(nest->loops[5].dim, 1u);
  EXPECT_EQ(nest->loops[5].trip, 2);
  EXPECT_EQ(nest->loops[5].step, 8);
  EXPECT_EQ(nest->vectorDim, 1u);
  EXPECT_EQ(nest->vectorWidth, 8);
  EXPECT_EQ(nest->unroll, 2);
  EXPECT_EQ(nest->parallelExtent, 4);

  std::string error;
  auto wrong = getDefaultKernelConfig(&ctx, 2);
  EXPECT_TRUE(failed(computeScheduledNest({64, 48, 32}, wrong, &error)));
  EXPECT_NE(error.find("schedules 2 loops but the operator has 3"),
            std::string::npos);
}

TEST_F(CostModelIR, ApplyKernelConfigBuildsTheNest) {
  OwningOpRef<ModuleOp> module = parse(kMatmul);
  ASSERT_TRUE(module);
  auto op = first<linalg::MatmulOp>(*module);
  auto config =
      op->getAttrOfType<mlir::tessera::KernelConfigAttr>(kKernelConfigAttrName);
  IRRewriter rewriter(&ctx);
  ASSERT_TRUE(isa<TilingInterface>(op.getOperation()));
  ASSERT_TRUE(succeeded(applyKernelConfig(rewriter, op, config)));
  EXPECT_TRUE(succeeded(verify(*module)));
  // No linalg operator is left; the vector body is vector code: an 8-wide
  // multiply-add per unrolled iteration, A's element broadcast.
  EXPECT_FALSE(first<linalg::LinalgOp>(*module));
  unsigned loops = 0;
  module->walk([&](scf::ForOp) { ++loops; });
  EXPECT_GE(loops, 5u);
  unsigned multiplies = 0, scalarMultiplies = 0, reads = 0;
  module->walk([&](arith::MulFOp mul) {
    auto type = dyn_cast<VectorType>(mul.getType());
    if (type && type.getShape() == ArrayRef<int64_t>{8})
      ++multiplies;
    else
      ++scalarMultiplies;
  });
  module->walk([&](vector::TransferReadOp) { ++reads; });
  EXPECT_EQ(multiplies, 2u); // unroll 2
  EXPECT_EQ(scalarMultiplies, 0u);
  EXPECT_EQ(reads, 6u); // A, B and C per iteration
}

TEST_F(CostModelIR, CompactConfigRoundTrip) {
  std::string error;
  FailureOr<mlir::tessera::KernelConfigAttr> config =
      parseCompactConfig(&ctx, "t=16x0x8/4x0x0;o=0.2.1;v=8;u=2;p=0", &error);
  ASSERT_TRUE(succeeded(config)) << error;
  EXPECT_EQ(formatCompactConfig(*config), "t=16x0x8/4x0x0;o=0.2.1;v=8;u=2;p=0");
  EXPECT_TRUE(failed(parseCompactConfig(&ctx, "t=;o=0.0;v=1;u=1;p=", &error)));
  EXPECT_NE(error.find("repeats loop 0"), std::string::npos) << error;
  EXPECT_TRUE(failed(parseCompactConfig(&ctx, "t=;o=0;v=3;u=1;p=", &error)));
}

//===----------------------------------------------------------------------===//
// Features
//===----------------------------------------------------------------------===//

static double feature(ArrayRef<float> features, StringRef name) {
  for (auto [i, n] : llvm::enumerate(FeatureSchema::names()))
    if (n == name)
      return features[i];
  ADD_FAILURE() << "no feature " << name.str();
  return 0;
}

TEST_F(CostModelIR, DescribeMatmul) {
  OwningOpRef<ModuleOp> module = parse(kMatmul);
  ASSERT_TRUE(module);
  auto op = first<linalg::MatmulOp>(*module);
  std::string error;
  FailureOr<KernelDescription> d = describeOperator(op, &error);
  ASSERT_TRUE(succeeded(d)) << error;
  EXPECT_EQ(d->kind, OpKind::Matmul);
  EXPECT_EQ(d->domain, (SmallVector<int64_t>{64, 48, 32}));
  EXPECT_EQ(d->isReduction, (SmallVector<bool>{false, false, true}));
  ASSERT_EQ(d->accesses.size(), 3u);
  // A[i, k]: row 0 = i, row 1 = k.
  EXPECT_EQ(d->accesses[0].coefficients[0], (SmallVector<int64_t>{1, 0, 0}));
  EXPECT_EQ(d->accesses[0].coefficients[1], (SmallVector<int64_t>{0, 0, 1}));
  EXPECT_TRUE(d->accesses[2].isWrite);
  EXPECT_TRUE(d->accesses[2].isRead);
  EXPECT_EQ(d->body.mul, 1);
  EXPECT_EQ(d->body.add, 1);

  SmallVector<float> f = computeFeatures(*d);
  ASSERT_EQ(f.size(), FeatureSchema::size());
  EXPECT_EQ(feature(f, "kind_matmul"), 1);
  EXPECT_EQ(feature(f, "num_loops"), 3);
  EXPECT_EQ(feature(f, "num_reduction_loops"), 1);
  EXPECT_NEAR(feature(f, "log2_flops"), std::log2(1 + 2.0 * 64 * 48 * 32),
              1e-4);
  EXPECT_EQ(feature(f, "log2_vector_width"), 3);
  EXPECT_EQ(feature(f, "log2_unroll"), 1);
  EXPECT_EQ(feature(f, "num_tile_levels"), 1);
  EXPECT_EQ(feature(f, "tile0_log2_d0"), 4);
  // j is the vector loop: C and B are unit-stride along it, A invariant.
  EXPECT_EQ(feature(f, "vector_unit_stride_accesses"), 2);
  EXPECT_EQ(feature(f, "vector_invariant_accesses"), 1);
  // Unique bytes: A, B and C once each (rows of 128, 192, 192 bytes).
  KernelStatistics stats = computeStatistics(*d, kFeatureCacheBytes);
  EXPECT_DOUBLE_EQ(stats.uniqueBytes, 4.0 * (64 * 32 + 32 * 48 + 64 * 48));
  EXPECT_DOUBLE_EQ(stats.flops, 2.0 * 64 * 48 * 32);
  // Everything fits in L2: the traffic into it is the unique bytes.
  EXPECT_DOUBLE_EQ(stats.trafficBytes[1], stats.uniqueBytes);
  // The terms the roofline is calibrated from survive the feature vector.
  RooflineTerms terms = computeRooflineTerms(*d, stats);
  RooflineTerms back = rooflineTermsFromFeatures(f);
  EXPECT_NEAR(back.flops / terms.flops, 1.0, 1e-5);
  EXPECT_NEAR(back.traffic[0] / terms.traffic[0], 1.0, 1e-5);
  EXPECT_NEAR(back.coreBytes / terms.coreBytes, 1.0, 1e-5);
  EXPECT_EQ(back.effectiveLanes, 8);
}

TEST_F(CostModelIR, ScheduleChangesFeaturesNotTheProblem) {
  OwningOpRef<ModuleOp> module = parse(kMatmul);
  auto op = first<linalg::MatmulOp>(*module);
  std::string error;
  FailureOr<KernelDescription> tiled = describeOperator(op, &error);
  ASSERT_TRUE(succeeded(tiled));
  KernelDescription plain = *tiled;
  ASSERT_TRUE(
      succeeded(setSchedule(plain, getDefaultKernelConfig(&ctx, 3), &error)));
  SmallVector<float> a = computeFeatures(*tiled), b = computeFeatures(plain);
  EXPECT_EQ(feature(a, "log2_flops"), feature(b, "log2_flops"));
  EXPECT_NE(feature(a, "log2_loop_iterations"),
            feature(b, "log2_loop_iterations"));
  EXPECT_NE(a, b);
}

TEST_F(CostModelIR, PredictConfigsEqualsOneByOne) {
  // More candidates than one chunk of predictConfigs, schedules alternating:
  // every prediction is that of the candidate described on its own.
  OwningOpRef<ModuleOp> module = parse(kMatmul);
  auto op = first<linalg::MatmulOp>(*module);
  SmallVector<mlir::tessera::KernelConfigAttr> configs;
  for (unsigned i = 0; i < 600; ++i) {
    std::string config =
        llvm::formatv("t={0}x16x8;o={1};v={2};u={3};p=0", 8 << (i % 3),
                      i % 2 ? "0.2.1" : "2.0.1", 1 << (i % 4), 1 + i % 2);
    std::string error;
    auto attr = parseCompactConfig(&ctx, config, &error);
    ASSERT_TRUE(succeeded(attr)) << config << ": " << error;
    configs.push_back(*attr);
  }
  RooflineCostModel model;
  SmallVector<Prediction> batch;
  std::string error;
  ASSERT_TRUE(succeeded(model.predictConfigs(op, configs, batch, &error)))
      << error;
  ASSERT_EQ(batch.size(), configs.size());
  FailureOr<KernelDescription> base = describeOperator(op, &error);
  ASSERT_TRUE(succeeded(base));
  for (auto [config, prediction] : llvm::zip(configs, batch)) {
    KernelDescription one = *base;
    ASSERT_TRUE(succeeded(setSchedule(one, config, &error)));
    EXPECT_EQ(prediction.latencyUs, model.predict(one).latencyUs);
  }
  EXPECT_NE(batch[0].latencyUs, batch[1].latencyUs);
}

TEST_F(CostModelIR, LoopNestAgreesWithOperator) {
  OwningOpRef<ModuleOp> module = parse(R"mlir(
func.func @mm(%a: memref<64x32xf32>, %b: memref<32x48xf32>, %c: memref<64x48xf32>) {
  linalg.matmul ins(%a, %b : memref<64x32xf32>, memref<32x48xf32>) outs(%c : memref<64x48xf32>)
  return
}
)mlir");
  ASSERT_TRUE(module);
  auto op = first<linalg::MatmulOp>(*module);
  std::string error;
  FailureOr<KernelDescription> fromOp = describeOperator(op, &error);
  ASSERT_TRUE(succeeded(fromOp)) << error;
  IRRewriter rewriter(&ctx);
  rewriter.setInsertionPoint(op);
  ASSERT_TRUE(succeeded(linalg::linalgOpToAffineLoops(rewriter, op)));
  rewriter.eraseOp(op);
  auto loop = first<affine::AffineForOp>(*module);
  FailureOr<KernelDescription> fromLoops = describeLoopNest(loop, &error);
  ASSERT_TRUE(succeeded(fromLoops)) << error;
  EXPECT_EQ(fromLoops->kind, OpKind::Contraction);
  EXPECT_EQ(fromLoops->domain, fromOp->domain);
  EXPECT_EQ(fromLoops->isReduction, fromOp->isReduction);
  KernelStatistics a = computeStatistics(*fromOp, kFeatureCacheBytes);
  KernelStatistics b = computeStatistics(*fromLoops, kFeatureCacheBytes);
  EXPECT_DOUBLE_EQ(a.iterations, b.iterations);
  EXPECT_DOUBLE_EQ(a.flops, b.flops);
  EXPECT_DOUBLE_EQ(a.uniqueBytes, b.uniqueBytes);
  for (unsigned l = 0; l < 3; ++l)
    EXPECT_DOUBLE_EQ(a.trafficBytes[l], b.trafficBytes[l]);
}

TEST_F(CostModelIR, ScfLoopNestAgreesWithAffineNest) {
  // The same matmul lowered to affine loops and to scf loops (memref loads
  // and stores) is one description, but for the IR tokens.
  const char *source = R"mlir(
func.func @mm(%a: memref<64x32xf32>, %b: memref<32x48xf32>, %c: memref<64x48xf32>) {
  linalg.matmul ins(%a, %b : memref<64x32xf32>, memref<32x48xf32>) outs(%c : memref<64x48xf32>)
  return
}
)mlir";
  OwningOpRef<ModuleOp> affineModule = parse(source), scfModule = parse(source);
  ASSERT_TRUE(affineModule && scfModule);
  IRRewriter rewriter(&ctx);
  auto affineOp = first<linalg::MatmulOp>(*affineModule);
  rewriter.setInsertionPoint(affineOp);
  ASSERT_TRUE(succeeded(linalg::linalgOpToAffineLoops(rewriter, affineOp)));
  rewriter.eraseOp(affineOp);
  auto scfOp = first<linalg::MatmulOp>(*scfModule);
  rewriter.setInsertionPoint(scfOp);
  ASSERT_TRUE(succeeded(linalg::linalgOpToLoops(rewriter, scfOp)));
  rewriter.eraseOp(scfOp);
  std::string error;
  auto scfLoop = first<scf::ForOp>(*scfModule);
  EXPECT_TRUE(isLoopNestKernel(scfLoop));
  FailureOr<KernelDescription> fromAffine =
      describeKernel(first<affine::AffineForOp>(*affineModule), &error);
  ASSERT_TRUE(succeeded(fromAffine)) << error;
  FailureOr<KernelDescription> fromScf = describeKernel(scfLoop, &error);
  ASSERT_TRUE(succeeded(fromScf)) << error;
  EXPECT_EQ(fromScf->kind, OpKind::Contraction);
  EXPECT_EQ(fromScf->domain, fromAffine->domain);
  EXPECT_EQ(fromScf->isReduction, fromAffine->isReduction);
  ASSERT_EQ(fromScf->accesses.size(), fromAffine->accesses.size());
  for (auto [a, b] : llvm::zip(fromScf->accesses, fromAffine->accesses)) {
    EXPECT_EQ(a.buffer, b.buffer);
    EXPECT_EQ(a.isWrite, b.isWrite);
    EXPECT_EQ(a.coefficients, b.coefficients);
    EXPECT_EQ(a.offsets, b.offsets);
  }
  EXPECT_EQ(fromScf->body.add, fromAffine->body.add);
  EXPECT_EQ(fromScf->body.mul, fromAffine->body.mul);
  EXPECT_EQ(fromScf->body.other, fromAffine->body.other);
  SmallVector<float> affineFeatures = computeFeatures(*fromAffine),
                     scfFeatures = computeFeatures(*fromScf);
  ArrayRef<std::string> names = FeatureSchema::names();
  for (size_t f = 0; f < names.size(); ++f)
    if (!StringRef(names[f]).starts_with("ir_token_"))
      EXPECT_EQ(scfFeatures[f], affineFeatures[f]) << names[f];
}

TEST_F(CostModelIR, ScfNestIndexArithmeticIsLinear) {
  // Tiled bounds that move together, a reversed index computed with arith
  // (address arithmetic, not body work), and vector loads and stores.
  OwningOpRef<ModuleOp> module = parse(R"mlir(
func.func @reverse(%a: memref<64xf32>, %b: memref<64xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c16 = arith.constant 16 : index
  %c63 = arith.constant 63 : index
  %c64 = arith.constant 64 : index
  scf.for %ii = %c0 to %c64 step %c16 {
    %hi = arith.addi %ii, %c16 : index
    scf.for %i = %ii to %hi step %c1 {
      %r = arith.subi %c63, %i : index
      %v = memref.load %a[%i] : memref<64xf32>
      memref.store %v, %b[%r] : memref<64xf32>
    }
  }
  return
}
func.func @partial(%a: memref<64xf32>) {
  %c0 = arith.constant 0 : index
  %c4 = arith.constant 4 : index
  %c10 = arith.constant 10 : index
  %zero = arith.constant 0.0 : f32
  scf.for %i = %c0 to %c10 step %c4 {
    memref.store %zero, %a[%i] : memref<64xf32>
  }
  return
}
func.func @vectors(%a: memref<64xf32>, %b: memref<64xf32>) {
  %c0 = arith.constant 0 : index
  %c8 = arith.constant 8 : index
  %c64 = arith.constant 64 : index
  scf.for %i = %c0 to %c64 step %c8 {
    %v = vector.load %a[%i] : memref<64xf32>, vector<8xf32>
    %w = arith.addf %v, %v : vector<8xf32>
    vector.store %w, %b[%i] : memref<64xf32>, vector<8xf32>
  }
  return
}
)mlir");
  ASSERT_TRUE(module);
  SmallVector<scf::ForOp> outermost = scfLoopNestKernels(*module);
  ASSERT_EQ(outermost.size(), 3u);
  std::string error;
  FailureOr<KernelDescription> reverse = describeLoopNest(outermost[0], &error);
  ASSERT_TRUE(succeeded(reverse)) << error;
  EXPECT_EQ(reverse->domain, (SmallVector<int64_t>{4, 16}));
  ASSERT_EQ(reverse->accesses.size(), 2u);
  EXPECT_EQ(reverse->accesses[0].coefficients[0],
            (SmallVector<int64_t>{16, 1}));
  EXPECT_EQ(reverse->accesses[1].coefficients[0],
            (SmallVector<int64_t>{-16, -1}));
  EXPECT_EQ(reverse->accesses[1].offsets[0], 63);
  EXPECT_EQ(reverse->body.add, 0);
  EXPECT_EQ(reverse->kind, OpKind::Elementwise);

  // 0, 4, 8: a step that does not divide the range.
  FailureOr<KernelDescription> partial = describeLoopNest(outermost[1], &error);
  ASSERT_TRUE(succeeded(partial)) << error;
  EXPECT_EQ(partial->domain, (SmallVector<int64_t>{3}));

  FailureOr<KernelDescription> vectors = describeLoopNest(outermost[2], &error);
  ASSERT_TRUE(succeeded(vectors)) << error;
  EXPECT_EQ(vectors->domain, (SmallVector<int64_t>{8}));
  EXPECT_EQ(vectors->accesses[0].coefficients[0], (SmallVector<int64_t>{8}));
  EXPECT_EQ(vectors->schedule.vectorWidth, 8);
  EXPECT_EQ(vectors->body.add, 1);
}

TEST_F(CostModelIR, UnknownScfNestsAreErrors) {
  OwningOpRef<ModuleOp> module = parse(R"mlir(
func.func @carried(%a: memref<64xf32>, %out: memref<f32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c64 = arith.constant 64 : index
  %zero = arith.constant 0.0 : f32
  %sum = scf.for %i = %c0 to %c64 step %c1 iter_args(%acc = %zero) -> f32 {
    %v = memref.load %a[%i] : memref<64xf32>
    %s = arith.addf %acc, %v : f32
    scf.yield %s : f32
  }
  memref.store %sum, %out[] : memref<f32>
  return
}
func.func @gather(%a: memref<64xf32>, %idx: memref<64xindex>, %b: memref<64xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c64 = arith.constant 64 : index
  scf.for %i = %c0 to %c64 step %c1 {
    %j = memref.load %idx[%i] : memref<64xindex>
    %v = memref.load %a[%j] : memref<64xf32>
    memref.store %v, %b[%i] : memref<64xf32>
  }
  return
}
func.func @square(%a: memref<4096xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c64 = arith.constant 64 : index
  %zero = arith.constant 0.0 : f32
  scf.for %i = %c0 to %c64 step %c1 {
    %j = arith.muli %i, %i : index
    memref.store %zero, %a[%j] : memref<4096xf32>
  }
  return
}
func.func @unsigned(%a: memref<64xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c64 = arith.constant 64 : index
  %zero = arith.constant 0.0 : f32
  scf.for unsigned %i = %c0 to %c64 step %c1 {
    memref.store %zero, %a[%i] : memref<64xf32>
  }
  return
}
func.func @narrow(%a: memref<64xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c64 = arith.constant 64 : index
  %one = arith.constant 1 : i32
  %zero = arith.constant 0.0 : f32
  scf.for %i = %c0 to %c64 step %c1 {
    %n = arith.index_cast %i : index to i32
    %m = arith.addi %n, %one : i32
    %j = arith.index_cast %m : i32 to index
    memref.store %zero, %a[%j] : memref<64xf32>
  }
  return
}
func.func @triangle(%a: memref<64xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c64 = arith.constant 64 : index
  %zero = arith.constant 0.0 : f32
  scf.for %i = %c0 to %c64 step %c1 {
    scf.for %j = %c0 to %i step %c1 {
      memref.store %zero, %a[%j] : memref<64xf32>
    }
  }
  return
}
)mlir");
  ASSERT_TRUE(module);
  SmallVector<scf::ForOp> outermost = scfLoopNestKernels(*module);
  ASSERT_EQ(outermost.size(), 6u);
  std::string error;
  EXPECT_TRUE(failed(describeLoopNest(outermost[0], &error)));
  EXPECT_NE(error.find("iter_args of 'scf.for'"), std::string::npos) << error;
  EXPECT_TRUE(failed(describeLoopNest(outermost[1], &error)));
  EXPECT_NE(error.find("indices linear in its loops"), std::string::npos)
      << error;
  EXPECT_TRUE(failed(describeLoopNest(outermost[2], &error)));
  EXPECT_NE(error.find("indices linear in its loops"), std::string::npos)
      << error;
  EXPECT_TRUE(failed(describeLoopNest(outermost[3], &error)));
  EXPECT_NE(error.find("unsigned"), std::string::npos) << error;
  // i32 arithmetic wraps: not the exact index arithmetic described.
  EXPECT_TRUE(failed(describeLoopNest(outermost[4], &error)));
  EXPECT_NE(error.find("indices linear in its loops"), std::string::npos)
      << error;
  EXPECT_TRUE(failed(describeLoopNest(outermost[5], &error)));
  EXPECT_NE(error.find("no constant positive trip count"), std::string::npos)
      << error;
}

TEST_F(CostModelIR, LoopsAroundOperatorsAreNotKernels) {
  // A tiling loop: the operator inside is the kernel, the loop is not.
  OwningOpRef<ModuleOp> module = parse(R"mlir(
func.func @tiled(%a: memref<64x64xf32>) {
  %c0 = arith.constant 0 : index
  %c16 = arith.constant 16 : index
  %c64 = arith.constant 64 : index
  %zero = arith.constant 0.0 : f32
  scf.for %i = %c0 to %c64 step %c16 {
    %tile = memref.subview %a[%i, 0] [16, 64] [1, 1]
        : memref<64x64xf32> to memref<16x64xf32, strided<[64, 1], offset: ?>>
    linalg.fill ins(%zero : f32) outs(%tile : memref<16x64xf32, strided<[64, 1], offset: ?>>)
  }
  return
}
)mlir");
  ASSERT_TRUE(module);
  EXPECT_FALSE(isLoopNestKernel(first<scf::ForOp>(*module)));
  EXPECT_TRUE(scfLoopNestKernels(*module).empty());
}

TEST_F(CostModelIR, OverflowingIndexIsNotLinear) {
  // An index doubled 70 times: its coefficient does not fit in 64 bits (and
  // each of the shared halves is visited once).
  std::string text = R"mlir(
func.func @doubling(%a: memref<64xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c64 = arith.constant 64 : index
  %zero = arith.constant 0.0 : f32
  scf.for %i = %c0 to %c64 step %c1 {
    %x0 = arith.addi %i, %c0 : index
)mlir";
  for (int k = 0; k < 70; ++k)
    text +=
        llvm::formatv("    %x{0} = arith.addi %x{1}, %x{1} : index\n", k + 1, k)
            .str();
  text += R"mlir(
    memref.store %zero, %a[%x70] : memref<64xf32>
  }
  return
}
)mlir";
  OwningOpRef<ModuleOp> module = parse(text);
  ASSERT_TRUE(module);
  std::string error;
  EXPECT_TRUE(failed(describeLoopNest(first<scf::ForOp>(*module), &error)));
  EXPECT_NE(error.find("indices linear in its loops"), std::string::npos)
      << error;
}

TEST_F(CostModelIR, TiledLoopNestCountersCombine) {
  // i = 16 * ii + i', the access A[i] depends on both loops.
  OwningOpRef<ModuleOp> module = parse(R"mlir(
func.func @copy(%a: memref<64xf32>, %b: memref<64xf32>) {
  affine.for %ii = 0 to 64 step 16 {
    affine.for %i = affine_map<(d0) -> (d0)>(%ii) to affine_map<(d0) -> (d0 + 16)>(%ii) {
      %v = affine.load %a[%i] : memref<64xf32>
      affine.store %v, %b[%i] : memref<64xf32>
    }
  }
  return
}
)mlir");
  ASSERT_TRUE(module);
  std::string error;
  FailureOr<KernelDescription> d =
      describeLoopNest(first<affine::AffineForOp>(*module), &error);
  ASSERT_TRUE(succeeded(d)) << error;
  EXPECT_EQ(d->domain, (SmallVector<int64_t>{4, 16}));
  EXPECT_EQ(d->accesses[0].coefficients[0], (SmallVector<int64_t>{16, 1}));
  EXPECT_EQ(d->kind, OpKind::Elementwise);
  EXPECT_DOUBLE_EQ(computeStatistics(*d, kFeatureCacheBytes).uniqueBytes,
                   2 * 64 * 4);
}

TEST_F(CostModelIR, UnknownKernelsAreErrors) {
  OwningOpRef<ModuleOp> module = parse(R"mlir(
func.func @dyn(%a: memref<?x4xf32>, %b: memref<?x4xf32>) {
  linalg.copy ins(%a : memref<?x4xf32>) outs(%b : memref<?x4xf32>)
  %c0 = arith.constant 0 : index
  %x = memref.load %a[%c0, %c0] : memref<?x4xf32>
  affine.for %i = 0 to 4 {
    memref.store %x, %b[%c0, %i] : memref<?x4xf32>
  }
  return
}
)mlir");
  ASSERT_TRUE(module);
  std::string error;
  EXPECT_TRUE(failed(describeOperator(first<linalg::CopyOp>(*module), &error)));
  EXPECT_NE(error.find("dynamic"), std::string::npos) << error;
  EXPECT_TRUE(failed(describeOperator(first<memref::LoadOp>(*module), &error)));
  EXPECT_NE(error.find("not a kernel the cost model knows"), std::string::npos)
      << error;
  EXPECT_TRUE(
      failed(describeLoopNest(first<affine::AffineForOp>(*module), &error)));
  EXPECT_NE(error.find("of a static memref"), std::string::npos) << error;
}

TEST_F(CostModelIR, GeneratedKernelsDescribe) {
  // One variant of every family parses and is described with its kind.
  VariantOptions options;
  options.groupScale = 0.01;
  options.schedulesPerGroup = 2;
  std::vector<KernelVariant> variants = enumerateVariants(options);
  EXPECT_EQ(variants.size(), 2 * getKernelFamilies().size());
  for (const KernelVariant &variant : variants) {
    std::string error;
    FailureOr<KernelSource> source = generateKernel(variant, "k", &error);
    ASSERT_TRUE(succeeded(source)) << error;
    OwningOpRef<ModuleOp> module = parse(source->text);
    ASSERT_TRUE(module) << source->text;
    auto op = first<linalg::LinalgOp>(*module);
    FailureOr<KernelDescription> d = describeOperator(op, &error);
    ASSERT_TRUE(succeeded(d)) << variant.key() << ": " << error;
    EXPECT_NE(d->kind, OpKind::Other) << variant.key();
    if (StringRef(variant.family).starts_with("pb_jacobi") ||
        variant.family == "pb_heat3d")
      EXPECT_EQ(d->kind, OpKind::Stencil) << variant.key();
  }
}

//===----------------------------------------------------------------------===//
// Datasets and model files
//===----------------------------------------------------------------------===//

class CostModelFiles : public ::testing::Test {
protected:
  void SetUp() override {
    ASSERT_FALSE(llvm::sys::fs::createUniqueDirectory("tessera-cost", dir));
  }
  void TearDown() override { llvm::sys::fs::remove_directories(dir); }
  std::string path(StringRef name) {
    SmallString<128> p(dir);
    llvm::sys::path::append(p, name);
    return std::string(p);
  }
  void writeFile(StringRef name, StringRef text) {
    std::error_code ec;
    llvm::raw_fd_ostream os(path(name), ec);
    os << text;
  }
  /// A synthetic dataset: latency grows with two features.
  Dataset synthetic(size_t groups, size_t perGroup) {
    Dataset dataset =
        Dataset::create("cpu x86_64 test", kCollectedLatencyStatistic);
    size_t n = FeatureSchema::size();
    for (size_t g = 0; g < groups; ++g) {
      for (size_t i = 0; i < perGroup; ++i) {
        DatasetRow row;
        row.group = "matmul_" + std::to_string(g);
        row.family = "matmul";
        row.config = "c" + std::to_string(i);
        row.key = row.group + "|" + row.config;
        row.features.assign(n, 0.0f);
        row.features[static_cast<unsigned>(OpKind::Matmul)] = 1;
        row.features[20] = g;
        row.features[21] = i;
        row.latencyUs = 10.0 * (1 + g) * (1 + 0.5 * i);
        row.repeats = 9;
        dataset.rows.push_back(row);
      }
    }
    return dataset;
  }
  SmallString<128> dir;
};

TEST_F(CostModelFiles, DatasetRoundTripAndMerge) {
  Dataset dataset = synthetic(3, 4);
  DatasetRow failedRow;
  failedRow.key = "x|y";
  failedRow.group = "x";
  failedRow.family = "matmul";
  failedRow.config = "y";
  failedRow.status = "failed:crash";
  dataset.rows.push_back(failedRow);
  std::string error;
  ASSERT_TRUE(succeeded(dataset.write(path("a.csv"), &error))) << error;
  FailureOr<Dataset> back = Dataset::read(path("a.csv"), &error);
  ASSERT_TRUE(succeeded(back)) << error;
  EXPECT_TRUE(succeeded(back->checkCurrent(&error))) << error;
  ASSERT_EQ(back->rows.size(), 13u);
  EXPECT_EQ(back->rows[5].features, dataset.rows[5].features);
  EXPECT_DOUBLE_EQ(back->rows[5].latencyUs, dataset.rows[5].latencyUs);
  EXPECT_FALSE(back->rows[12].isOk());
  EXPECT_EQ(back->latencyStatistic, "min");

  // Shards: rows of a second file are appended, duplicates dropped.
  Dataset other = synthetic(4, 4);
  ASSERT_TRUE(
      succeeded(appendToDataset(path("b.csv"), other, other.rows, &error)));
  FailureOr<Dataset> merged =
      mergeDatasets({path("a.csv"), path("b.csv")}, &error);
  ASSERT_TRUE(succeeded(merged)) << error;
  EXPECT_EQ(merged->rows.size(), 13u + 4u);

  // A dataset of median latencies (no `latency` line) does not merge in.
  Dataset medians = synthetic(2, 4);
  medians.latencyStatistic = kLegacyLatencyStatistic.str();
  ASSERT_TRUE(succeeded(medians.write(path("median.csv"), &error))) << error;
  FailureOr<Dataset> legacy = Dataset::read(path("median.csv"), &error);
  ASSERT_TRUE(succeeded(legacy)) << error;
  EXPECT_EQ(legacy->latencyStatistic, "median");
  EXPECT_TRUE(
      failed(mergeDatasets({path("a.csv"), path("median.csv")}, &error)));
  EXPECT_NE(error.find("latency statistic"), std::string::npos) << error;

  // Latencies of an older code generation (no `codegen` line) neither merge
  // with current ones nor train.
  EXPECT_EQ(back->codegenVersion, kCodegenVersion);
  Dataset older = synthetic(2, 4);
  older.codegenVersion = 1;
  ASSERT_TRUE(succeeded(older.write(path("older.csv"), &error))) << error;
  FailureOr<Dataset> olderBack = Dataset::read(path("older.csv"), &error);
  ASSERT_TRUE(succeeded(olderBack)) << error;
  EXPECT_EQ(olderBack->codegenVersion, 1u);
  EXPECT_TRUE(failed(olderBack->checkCurrent(&error)));
  EXPECT_NE(error.find("code generation v1"), std::string::npos) << error;
  EXPECT_TRUE(
      failed(mergeDatasets({path("a.csv"), path("older.csv")}, &error)));
  EXPECT_NE(error.find("code generation"), std::string::npos) << error;
  EXPECT_TRUE(failed(trainModel(*olderBack, TrainOptions(), &error, nullptr)));
}

TEST_F(CostModelFiles, RepeatCollectionsMergeByGeometricMean) {
  // Two repeats of the same kernels (the second twice as slow on one, with a
  // failure on another), a third measuring one kernel only.
  std::string error;
  Dataset first = synthetic(2, 3), second = synthetic(2, 3),
          third = synthetic(1, 1);
  second.rows[0].latencyUs *= 2;
  second.rows[0].noise = 0.5;
  second.rows[1].status = "failed:timeout";
  third.rows[0].latencyUs *= 8;
  ASSERT_TRUE(succeeded(first.write(path("r0.csv"), &error))) << error;
  ASSERT_TRUE(succeeded(second.write(path("r1.csv"), &error))) << error;
  ASSERT_TRUE(succeeded(third.write(path("r2.csv"), &error))) << error;
  FailureOr<Dataset> merged =
      mergeDatasets({path("r0.csv"), path("r1.csv"), path("r2.csv")}, &error,
                    MergeRule::GeometricMean);
  ASSERT_TRUE(succeeded(merged)) << error;
  EXPECT_EQ(merged->latencyStatistic, kRepeatedLatencyStatistic);
  ASSERT_EQ(merged->rows.size(), 6u);
  // 10 us, 20 us and 80 us: the geometric mean is 10 * (1 * 2 * 8)^(1/3).
  EXPECT_EQ(merged->rows[0].key, first.rows[0].key);
  EXPECT_NEAR(merged->rows[0].latencyUs, 10.0 * std::cbrt(16.0), 1e-9);
  EXPECT_EQ(merged->rows[0].repeats, 27u);
  EXPECT_DOUBLE_EQ(merged->rows[0].noise, 0.5);
  // A failed repeat does not count; the features are the first row's.
  EXPECT_TRUE(merged->rows[1].isOk());
  EXPECT_DOUBLE_EQ(merged->rows[1].latencyUs, first.rows[1].latencyUs);
  EXPECT_EQ(merged->rows[1].repeats, 9u);
  EXPECT_EQ(merged->rows[5].features, first.rows[5].features);
  // The result reads back with its statistic, and does not average again
  // (nor do median latencies).
  ASSERT_TRUE(succeeded(merged->write(path("avg.csv"), &error))) << error;
  FailureOr<Dataset> back = Dataset::read(path("avg.csv"), &error);
  ASSERT_TRUE(succeeded(back)) << error;
  EXPECT_EQ(back->latencyStatistic, kRepeatedLatencyStatistic);
  EXPECT_TRUE(failed(mergeDatasets({path("avg.csv"), path("r0.csv")}, &error,
                                   MergeRule::GeometricMean)));
  EXPECT_NE(error.find("fastest samples"), std::string::npos) << error;
  Dataset medians = synthetic(2, 3);
  medians.latencyStatistic = kLegacyLatencyStatistic.str();
  ASSERT_TRUE(succeeded(medians.write(path("median.csv"), &error))) << error;
  EXPECT_TRUE(failed(mergeDatasets({path("median.csv"), path("r0.csv")}, &error,
                                   MergeRule::GeometricMean)));
  EXPECT_NE(error.find("its latencies are the median"), std::string::npos)
      << error;
  // Shards of different statistics still refuse to merge.
  EXPECT_TRUE(failed(mergeDatasets({path("r0.csv"), path("avg.csv")}, &error,
                                   MergeRule::GeometricMean)));
  EXPECT_NE(error.find("latency statistic"), std::string::npos) << error;
}

TEST_F(CostModelFiles, DatasetErrors) {
  std::string error;
  Dataset dataset = synthetic(1, 2);
  ASSERT_TRUE(succeeded(dataset.write(path("a.csv"), &error)));
  // A row with a missing column.
  auto buffer = llvm::MemoryBuffer::getFile(path("a.csv"));
  std::string text = (*buffer)->getBuffer().str();
  text = text.substr(0, text.rfind(',')) + "\n";
  writeFile("short.csv", text);
  EXPECT_TRUE(failed(Dataset::read(path("short.csv"), &error)));
  EXPECT_NE(error.find("columns; the header has"), std::string::npos) << error;
  // Another schema's columns.
  Dataset renamed = dataset;
  renamed.featureNames[3] = "something_else";
  ASSERT_TRUE(succeeded(renamed.write(path("renamed.csv"), &error)));
  FailureOr<Dataset> read = Dataset::read(path("renamed.csv"), &error);
  ASSERT_TRUE(succeeded(read));
  EXPECT_TRUE(failed(read->checkCurrent(&error)));
  // Appending to a file of another target is refused.
  Dataset elsewhere =
      Dataset::create("cpu aarch64 other", kCollectedLatencyStatistic);
  EXPECT_TRUE(failed(appendToDataset(path("a.csv"), elsewhere, {}, &error)));
  writeFile("garbage.csv", "hello,world\n1,2\n");
  EXPECT_TRUE(failed(Dataset::read(path("garbage.csv"), &error)));
  EXPECT_NE(error.find("not a tessera-cost dataset"), std::string::npos);
}

TEST_F(CostModelFiles, TrainLoadPredictAndModelFileErrors) {
  Dataset dataset = synthetic(30, 8);
  TrainOptions options;
  options.rounds = 30;
  options.maxDepth = 4;
  options.holdoutPercent = 20;
  std::string error;
  FailureOr<ModelFileContents> contents =
      trainModel(dataset, options, &error, nullptr);
  ASSERT_TRUE(succeeded(contents)) << error;
  EXPECT_FALSE(contents->ranker.empty());
  ASSERT_TRUE(succeeded(writeModelFile(path("m.json"), *contents, &error)));

  FailureOr<std::unique_ptr<LearnedCostModel>> model =
      LearnedCostModel::load(path("m.json"), &error);
  ASSERT_TRUE(succeeded(model)) << error;
  EXPECT_TRUE((*model)->coversKind(OpKind::Matmul));
  EXPECT_FALSE((*model)->coversKind(OpKind::Conv2D));
  std::vector<double> latency(2);
  std::vector<float> rows(dataset.rows[0].features);
  rows.insert(rows.end(), dataset.rows[7].features.begin(),
              dataset.rows[7].features.end());
  (*model)->predictFeatures(rows, 2, latency);
  EXPECT_GT(latency[1], latency[0]);
  EXPECT_GT(latency[0], 0);

  // A kernel of a kind the model never saw: analytical, with a reason.
  KernelDescription conv;
  conv.kind = OpKind::Conv2D;
  conv.domain = {8};
  conv.isReduction = {false};
  conv.schedule.loops.push_back({0, 8, 1, 0});
  Prediction p = (*model)->predict(conv);
  EXPECT_EQ(p.source, "analytical");
  EXPECT_NE(p.fallbackReason.find("not trained on 'conv2d'"),
            std::string::npos);

  // Missing, corrupt and wrong-schema files are clear errors.
  EXPECT_TRUE(failed(LearnedCostModel::load(path("none.json"), &error)));
  EXPECT_NE(error.find("none.json"), std::string::npos);
  writeFile("corrupt.json", "{\"format\": \"tessera-cost-model\", ");
  EXPECT_TRUE(failed(LearnedCostModel::load(path("corrupt.json"), &error)));
  EXPECT_NE(error.find("not valid JSON"), std::string::npos) << error;
  auto buffer = llvm::MemoryBuffer::getFile(path("m.json"));
  std::string text = (*buffer)->getBuffer().str();
  std::string fingerprint = FeatureSchema::fingerprint().str();
  text.replace(text.find(fingerprint), fingerprint.size(), "0000000000000000");
  writeFile("schema.json", text);
  EXPECT_TRUE(failed(LearnedCostModel::load(path("schema.json"), &error)));
  EXPECT_NE(error.find("retrain"), std::string::npos) << error;
  // A model of latencies of another code generation.
  text = (*buffer)->getBuffer().str();
  std::string codegen = llvm::formatv("\"codegen\": {0}", kCodegenVersion);
  ASSERT_NE(text.find(codegen), std::string::npos);
  text.replace(text.find(codegen), codegen.size(), "\"codegen\": 1");
  writeFile("codegen.json", text);
  EXPECT_TRUE(failed(LearnedCostModel::load(path("codegen.json"), &error)));
  EXPECT_NE(error.find("code generation v1"), std::string::npos) << error;
  text = (*buffer)->getBuffer().str();
  size_t booster = text.find("\"data\": \"");
  ASSERT_NE(booster, std::string::npos);
  text.replace(booster + 9, 40, std::string(40, 'A'));
  writeFile("booster.json", text);
  EXPECT_TRUE(failed(LearnedCostModel::load(path("booster.json"), &error)));
  EXPECT_NE(error.find("booster"), std::string::npos) << error;
}

TEST_F(CostModelFiles, RegistryFallsBackWithAWarning) {
  TargetDesc target;
  target.kind = "fpga";
  std::string warning;
  std::unique_ptr<CostModel> model =
      CostModelRegistry::instance().getModelFor(target, &warning);
  ASSERT_TRUE(model);
  EXPECT_EQ(model->getName(), "analytical");
  EXPECT_NE(warning.find("no cost model file for target 'fpga'"),
            std::string::npos)
      << warning;
}

} // namespace
