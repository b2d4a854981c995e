//===- Features.cpp - Features of kernels for the cost model --------------===//

#include "tessera/CostModel/Features.h"
#include "tessera/CostModel/CostModel.h"

#include "mlir/Dialect/Affine/Analysis/LoopAnalysis.h"
#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/AffineExpr.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/bit.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/MathExtras.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>
#include <functional>

using namespace mlir;

namespace tessera::cost {

//===----------------------------------------------------------------------===//
// Operator kinds
//===----------------------------------------------------------------------===//

static const char *const kOpKindNames[kNumOpKinds] = {
    "matmul",      "batch_matmul", "conv2d",      "depthwise_conv2d",
    "pool_max",    "pool_sum",     "elementwise", "reduction",
    "contraction", "stencil",      "other"};

StringRef stringifyOpKind(OpKind kind) {
  return kOpKindNames[static_cast<unsigned>(kind)];
}

std::optional<OpKind> symbolizeOpKind(StringRef name) {
  for (unsigned i = 0; i < kNumOpKinds; ++i)
    if (name == kOpKindNames[i])
      return static_cast<OpKind>(i);
  return std::nullopt;
}

//===----------------------------------------------------------------------===//
// IR tokens
//===----------------------------------------------------------------------===//

static uint64_t fnv1a(StringRef text, uint64_t hash = 1469598103934665603ull) {
  for (char c : text) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 1099511628211ull;
  }
  return hash;
}

static bool isIdentChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' ||
         c == '$';
}

void addTokenNgrams(StringRef text,
                    std::array<float, kNumTokenBuckets> &buckets) {
  uint64_t previous = 0;
  bool havePrevious = false;
  auto emit = [&](StringRef token) {
    uint64_t hash = fnv1a(token);
    buckets[hash % kNumTokenBuckets] += 1;
    if (havePrevious) {
      uint64_t bigram = (previous * 1099511628211ull) ^ (hash + 0x9e3779b9);
      buckets[bigram % kNumTokenBuckets] += 1;
    }
    previous = hash;
    havePrevious = true;
  };
  size_t i = 0, n = text.size();
  while (i < n) {
    char c = text[i];
    if (std::isspace(static_cast<unsigned char>(c))) {
      ++i;
      continue;
    }
    size_t start = i;
    if (c == '%' || c == '^') {
      // SSA values and blocks: the name does not matter.
      ++i;
      while (i < n && (isIdentChar(text[i]) || text[i] == '#'))
        ++i;
      emit(c == '%' ? "%" : "^");
      continue;
    }
    if (c == '#' || c == '!') {
      // Attribute and type aliases: #map3 -> #map.
      ++i;
      while (i < n && isIdentChar(text[i]))
        ++i;
      StringRef token = text.slice(start, i).rtrim("0123456789");
      emit(token);
      continue;
    }
    if (c == '"') {
      ++i;
      while (i < n && text[i] != '"')
        ++i;
      ++i;
      emit(text.slice(start, std::min(i, n)));
      continue;
    }
    if (isIdentChar(c) || c == '-') {
      ++i;
      while (i < n && isIdentChar(text[i]))
        ++i;
      emit(text.slice(start, i));
      continue;
    }
    ++i;
    emit(text.slice(start, i));
  }
}

/// Removes `name = #...<...>` attribute entries (balanced angle brackets)
/// from printed IR.
static void eraseAttribute(std::string &text, StringRef name) {
  std::string needle = (name + " = ").str();
  size_t pos;
  while ((pos = text.find(needle)) != std::string::npos) {
    size_t end = text.find('<', pos);
    if (end == std::string::npos)
      return;
    int depth = 0;
    for (; end < text.size(); ++end) {
      if (text[end] == '<')
        ++depth;
      else if (text[end] == '>' && --depth == 0)
        break;
    }
    size_t stop = std::min(end + 1, text.size());
    if (stop < text.size() && text[stop] == ',')
      ++stop;
    text.erase(pos, stop - pos);
  }
}

static void tokenizeOperation(Operation *op,
                              std::array<float, kNumTokenBuckets> &buckets) {
  std::string text;
  llvm::raw_string_ostream os(text);
  OpPrintingFlags flags;
  flags.printGenericOpForm().elideLargeElementsAttrs(16).useLocalScope();
  op->print(os, flags);
  eraseAttribute(text, kKernelConfigAttrName);
  eraseAttribute(text, "tessera.cost");
  addTokenNgrams(text, buckets);
}

//===----------------------------------------------------------------------===//
// Descriptions
//===----------------------------------------------------------------------===//

/// a * x + b * y into `result`; false on overflow (no index of a static
/// memref is that large).
static bool linearCombine(int64_t a, int64_t x, int64_t b, int64_t y,
                          int64_t &result) {
  int64_t ax, by;
  return !llvm::MulOverflow(a, x, ax) && !llvm::MulOverflow(b, y, by) &&
         !llvm::AddOverflow(ax, by, result);
}

/// Linear coefficients of `expr` over `numDims` dimensions (symbols are not
/// supported). Returns false for a non-linear expression (or one whose
/// coefficients overflow).
static bool linearize(AffineExpr expr, unsigned numDims,
                      SmallVectorImpl<int64_t> &coefficients,
                      int64_t &constant) {
  coefficients.assign(numDims, 0);
  constant = 0;
  std::function<bool(AffineExpr, int64_t)> visit = [&](AffineExpr e,
                                                       int64_t scale) -> bool {
    if (auto dim = dyn_cast<AffineDimExpr>(e))
      return linearCombine(1, coefficients[dim.getPosition()], 1, scale,
                           coefficients[dim.getPosition()]);
    if (auto cst = dyn_cast<AffineConstantExpr>(e))
      return linearCombine(1, constant, scale, cst.getValue(), constant);
    auto binary = dyn_cast<AffineBinaryOpExpr>(e);
    if (!binary)
      return false;
    if (e.getKind() == AffineExprKind::Add)
      return visit(binary.getLHS(), scale) && visit(binary.getRHS(), scale);
    if (e.getKind() == AffineExprKind::Mul) {
      auto lhs = dyn_cast<AffineConstantExpr>(binary.getLHS());
      auto rhs = dyn_cast<AffineConstantExpr>(binary.getRHS());
      int64_t product;
      if (rhs && !llvm::MulOverflow(scale, rhs.getValue(), product))
        return visit(binary.getLHS(), product);
      if (lhs && !llvm::MulOverflow(scale, lhs.getValue(), product))
        return visit(binary.getRHS(), product);
    }
    return false;
  };
  return visit(expr, 1);
}

static int64_t elementBytes(Type type) {
  if (auto shaped = dyn_cast<ShapedType>(type))
    type = shaped.getElementType();
  if (auto vector = dyn_cast<VectorType>(type))
    type = vector.getElementType();
  if (type.isIntOrIndexOrFloat() && !type.isIndex())
    return std::max<int64_t>(1, type.getIntOrFloatBitWidth() / 8);
  return 8;
}

/// Whether `op` is a load or store that the loop-nest extractor reads as an
/// access.
static bool isNestAccess(Operation *op) {
  return isa<affine::AffineReadOpInterface, affine::AffineWriteOpInterface,
             memref::LoadOp, memref::StoreOp, vector::LoadOp, vector::StoreOp>(
      op);
}

/// Counts the scalar operations of one iteration of a body, but for those
/// `isAddress` names (in a loop nest, the integer arithmetic that computes
/// the indices, which the access functions already describe).
static void
countBodyOps(Block &block, BodyOpCounts &counts,
             llvm::function_ref<bool(Operation *)> isAddress = nullptr) {
  for (Operation &op : block) {
    if (op.hasTrait<OpTrait::IsTerminator>() || op.getNumRegions() > 0)
      continue;
    if (isAddress && isAddress(&op))
      continue;
    StringRef name = op.getName().getStringRef();
    StringRef dialect = op.getName().getDialectNamespace();
    if (dialect == "math") {
      if (name == "math.fma") {
        counts.add += 1;
        counts.mul += 1;
      } else if (name == "math.absf" || name == "math.copysign") {
        counts.other += 1;
      } else {
        counts.transcendental += 1;
      }
      continue;
    }
    if (dialect != "arith") {
      if (!isNestAccess(&op) && name != "affine.apply" &&
          name != "linalg.index")
        counts.other += 1;
      continue;
    }
    if (name == "arith.constant" || name.contains("index_cast"))
      continue;
    if (name == "arith.addf" || name == "arith.subf" || name == "arith.addi" ||
        name == "arith.subi")
      counts.add += 1;
    else if (name == "arith.mulf" || name == "arith.muli")
      counts.mul += 1;
    else if (name == "arith.divf" || name == "arith.divsi" ||
             name == "arith.divui" || name == "arith.remf")
      counts.div += 1;
    else if (name.starts_with("arith.cmp") || name.starts_with("arith.max") ||
             name.starts_with("arith.min") || name == "arith.select")
      counts.cmp += 1;
    else
      counts.other += 1;
  }
}

/// Kind of a kernel from its structure, for generic operators and nests:
/// with reductions, a contraction (products of two inputs summed) or a
/// reduction; without, a stencil when a buffer is read at several offsets
/// of one index function, else elementwise.
static OpKind classifyStructure(const KernelDescription &d) {
  bool hasReduction = llvm::is_contained(d.isReduction, true);
  if (hasReduction) {
    if (d.body.mul >= 1 && d.body.add >= 1 && d.numInputs >= 2)
      return OpKind::Contraction;
    return OpKind::Reduction;
  }
  for (size_t i = 0; i < d.accesses.size(); ++i) {
    for (size_t j = i + 1; j < d.accesses.size(); ++j) {
      const KernelAccess &a = d.accesses[i], &b = d.accesses[j];
      if (a.buffer == b.buffer && a.isRead && b.isRead &&
          a.coefficients == b.coefficients && a.offsets != b.offsets)
        return OpKind::Stencil;
    }
  }
  return OpKind::Elementwise;
}

static OpKind classifyNamedOp(Operation *op, const KernelDescription &d) {
  StringRef name = op->getName().getStringRef();
  if (name == "linalg.matmul" || name.starts_with("linalg.matmul_"))
    return OpKind::Matmul;
  if (name == "linalg.batch_matmul" || name.starts_with("linalg.batch_matmul"))
    return OpKind::BatchMatmul;
  if (name.starts_with("linalg.depthwise_conv_2d"))
    return OpKind::DepthwiseConv2D;
  if (name.starts_with("linalg.conv_2d"))
    return OpKind::Conv2D;
  if (name.starts_with("linalg.pooling_")) {
    if (name.contains("max") || name.contains("min"))
      return OpKind::PoolMax;
    return OpKind::PoolSum;
  }
  return classifyStructure(d);
}

FailureOr<KernelDescription> describeOperator(Operation *op,
                                              std::string *error) {
  auto fail = [&](const Twine &message) -> FailureOr<KernelDescription> {
    if (error)
      *error = message.str();
    return failure();
  };
  auto linalgOp = dyn_cast<linalg::LinalgOp>(op);
  if (!linalgOp)
    return fail(llvm::formatv("'{0}' is not a kernel the cost model knows: "
                              "it describes linalg operators with static "
                              "shapes and affine loop nests",
                              op->getName().getStringRef()));
  KernelDescription d;
  d.domain = linalgOp.getStaticLoopRanges();
  if (llvm::any_of(d.domain, [](int64_t e) {
        return ShapedType::isDynamic(e) || e <= 0;
      }))
    return fail(llvm::formatv("'{0}' has a dynamic or empty iteration domain",
                              op->getName().getStringRef()));
  if (d.domain.empty())
    return fail(llvm::formatv("'{0}' has no loops (0-d operands): there is "
                              "no loop nest to describe",
                              op->getName().getStringRef()));
  for (utils::IteratorType type : linalgOp.getIteratorTypesArray())
    d.isReduction.push_back(type == utils::IteratorType::reduction);

  unsigned numDims = d.domain.size();
  llvm::DenseMap<Value, unsigned> bufferIds;
  for (OpOperand &operand : op->getOpOperands()) {
    auto shaped = dyn_cast<ShapedType>(operand.get().getType());
    if (!shaped)
      continue;
    if (!shaped.hasStaticShape())
      return fail(llvm::formatv("'{0}' has an operand of dynamic shape",
                                op->getName().getStringRef()));
    bool isInit = linalgOp.isDpsInit(&operand);
    // An input the body never reads is never loaded.
    if (!isInit && !linalgOp.payloadUsesValueFromOperand(&operand))
      continue;
    // A static, unit-stride subview is an access of its source buffer at an
    // offset.
    Value buffer = operand.get();
    SmallVector<int64_t> viewOffsets(shaped.getRank(), 0);
    if (auto view = buffer.getDefiningOp<memref::SubViewOp>()) {
      if (view.getSourceType().getRank() == shaped.getRank() &&
          view.getSourceType().hasStaticShape() &&
          llvm::none_of(view.getStaticOffsets(), ShapedType::isDynamic) &&
          llvm::all_of(view.getStaticStrides(),
                       [](int64_t s) { return s == 1; })) {
        viewOffsets = llvm::to_vector(view.getStaticOffsets());
        buffer = view.getSource();
        shaped = view.getSourceType();
      }
    }
    KernelAccess access;
    access.buffer =
        bufferIds.try_emplace(buffer, bufferIds.size()).first->second;
    access.shape = llvm::to_vector(shaped.getShape());
    access.elementBytes = elementBytes(shaped);
    access.isWrite = isInit;
    access.isRead = !isInit || linalgOp.payloadUsesValueFromOperand(&operand);
    AffineMap map = linalgOp.getMatchingIndexingMap(&operand);
    for (AffineExpr expr : map.getResults()) {
      SmallVector<int64_t> row;
      int64_t offset;
      if (!linearize(expr, numDims, row, offset))
        return fail(llvm::formatv("'{0}' has a non-linear indexing map",
                                  op->getName().getStringRef()));
      access.coefficients.push_back(row);
      access.offsets.push_back(offset);
    }
    for (auto [r, extra] : llvm::enumerate(viewOffsets))
      if (r < access.offsets.size())
        access.offsets[r] += extra;
    if (isInit)
      ++d.numOutputs;
    else
      ++d.numInputs;
    d.accesses.push_back(std::move(access));
  }
  countBodyOps(*linalgOp.getBlock(), d.body);
  d.kind = classifyNamedOp(op, d);
  tokenizeOperation(op, d.opTokens);

  mlir::tessera::KernelConfigAttr config;
  if (Attribute attr = op->getAttr(kKernelConfigAttrName)) {
    config = dyn_cast<mlir::tessera::KernelConfigAttr>(attr);
    if (!config)
      return fail(llvm::formatv("'{0}': '{1}' is not a #tessera.kernel_config",
                                op->getName().getStringRef(),
                                kKernelConfigAttrName));
  } else {
    config = getDefaultKernelConfig(op->getContext(), numDims);
  }
  std::string scheduleError;
  if (failed(setSchedule(d, config, &scheduleError)))
    return fail(llvm::formatv("'{0}': {1}", op->getName().getStringRef(),
                              scheduleError));
  return d;
}

LogicalResult setSchedule(KernelDescription &d,
                          mlir::tessera::KernelConfigAttr config,
                          std::string *error) {
  FailureOr<ScheduledNest> nest = computeScheduledNest(d.domain, config, error);
  if (failed(nest))
    return failure();
  d.schedule = std::move(*nest);
  d.loopOrder = llvm::to_vector(config.getLoopOrder());
  d.vectorBodySpansDomain = true;
  d.scheduleTokens.fill(0);
  // The schedule's text, formatted here rather than by the attribute
  // printer (a search describes thousands of candidates).
  std::string text;
  llvm::raw_string_ostream os(text);
  os << "#tessera.kernel_config<tiles = [";
  for (unsigned l = 0; l < config.getTiles().size(); ++l) {
    os << (l ? ", [" : "[");
    llvm::interleaveComma(config.getTileSizes(l), os);
    os << "]";
  }
  os << "], loop_order = [";
  llvm::interleaveComma(config.getLoopOrder(), os);
  os << "], vector_width = " << config.getVectorWidth()
     << ", unroll = " << config.getUnroll() << ", parallel_dims = [";
  llvm::interleaveComma(config.getParallelDims(), os);
  os << "]>";
  addTokenNgrams(text, d.scheduleTokens);
  return success();
}

namespace {
/// One loop of a nest the extractor describes: an affine.for or an scf.for.
struct NestLoop {
  Operation *op = nullptr;
  Value inductionVar;
  Block *body = nullptr;
};
} // namespace

static std::optional<NestLoop> asNestLoop(Operation *op) {
  if (auto loop = dyn_cast<affine::AffineForOp>(op))
    return NestLoop{op, loop.getInductionVar(), loop.getBody()};
  if (auto loop = dyn_cast<scf::ForOp>(op))
    return NestLoop{op, loop.getInductionVar(), loop.getBody()};
  return std::nullopt;
}

bool isLoopNestKernel(Operation *op) {
  if (!asNestLoop(op) || op->getParentOfType<affine::AffineForOp>() ||
      op->getParentOfType<scf::ForOp>())
    return false;
  // Loops around operators (as tiling makes) are not kernels: the operators
  // are.
  return !op->walk([](linalg::LinalgOp) {
              return WalkResult::interrupt();
            }).wasInterrupted();
}

FailureOr<KernelDescription> describeKernel(Operation *op, std::string *error) {
  return asNestLoop(op) ? describeLoopNest(op, error)
                        : describeOperator(op, error);
}

FailureOr<KernelDescription> describeLoopNest(Operation *outermost,
                                              std::string *error) {
  auto fail = [&](const Twine &message) -> FailureOr<KernelDescription> {
    if (error)
      *error = message.str();
    return failure();
  };
  std::optional<NestLoop> root = asNestLoop(outermost);
  if (!root)
    return fail(llvm::formatv("'{0}' is not an affine.for or scf.for loop nest",
                              outermost->getName().getStringRef()));

  // The loops of the nest, outermost first: one child loop per loop.
  SmallVector<NestLoop> loops;
  for (std::optional<NestLoop> loop = root; loop;) {
    if (loop->op->getNumResults() > 0)
      return fail(llvm::formatv("a loop of the nest carries values "
                                "(iter_args of '{0}'); the cost model "
                                "describes nests that accumulate in memory",
                                loop->op->getName().getStringRef()));
    loops.push_back(*loop);
    std::optional<NestLoop> child;
    for (Operation &op : *loop->body) {
      if (std::optional<NestLoop> inner = asNestLoop(&op)) {
        if (child)
          return fail("the loop nest has sibling loops; the cost model "
                      "describes one nest with one loop per level");
        child = inner;
      } else if (op.getNumRegions() > 0) {
        return fail(llvm::formatv("the loop nest contains '{0}'; the cost "
                                  "model describes affine.for and scf.for "
                                  "nests only",
                                  op.getName().getStringRef()));
      }
    }
    loop = child;
  }
  unsigned numLoops = loops.size();
  llvm::DenseMap<Value, unsigned> loopOfIV;
  for (auto [q, loop] : llvm::enumerate(loops))
    loopOfIV[loop.inductionVar] = q;

  KernelDescription d;
  d.kind = OpKind::Other;
  // Each induction variable as a linear function of the loop counters.
  SmallVector<SmallVector<int64_t>> ivCounters(numLoops,
                                               SmallVector<int64_t>(numLoops));
  SmallVector<int64_t> ivConstant(numLoops, 0);
  // A value (an index) as a linear function of the loop counters: induction
  // variables, constants, affine.apply, and integer +, - and * by a
  // constant; false if it is not linear in known values.
  std::function<bool(Value, SmallVectorImpl<int64_t> &, int64_t &)> linearValue;
  // The same for the result of an operation (arith, affine.apply).
  std::function<bool(Operation *, SmallVectorImpl<int64_t> &, int64_t &)>
      linearOfOp;
  llvm::DenseMap<Value, std::optional<std::pair<SmallVector<int64_t>, int64_t>>>
      linearOfValue;
  // An affine map result over operands, likewise.
  auto expand = [&](AffineMap map, ValueRange operands, unsigned result,
                    SmallVectorImpl<int64_t> &counters,
                    int64_t &constant) -> bool {
    SmallVector<int64_t> coefficients;
    unsigned numInputs = map.getNumInputs();
    // Symbols are treated as dimensions after the map's dims.
    AffineExpr expr = map.getResult(result).replaceDimsAndSymbols(
        llvm::to_vector(llvm::map_range(
            llvm::seq<unsigned>(0, map.getNumDims()),
            [&](unsigned i) { return getAffineDimExpr(i, map.getContext()); })),
        llvm::to_vector(llvm::map_range(
            llvm::seq<unsigned>(0, map.getNumSymbols()), [&](unsigned i) {
              return getAffineDimExpr(map.getNumDims() + i, map.getContext());
            })));
    if (!linearize(expr, numInputs, coefficients, constant))
      return false;
    counters.assign(numLoops, 0);
    for (auto [i, operand] : llvm::enumerate(operands)) {
      if (coefficients[i] == 0)
        continue;
      SmallVector<int64_t> inner;
      int64_t innerConstant;
      if (!linearValue(operand, inner, innerConstant))
        return false;
      for (unsigned p = 0; p < numLoops; ++p)
        if (!linearCombine(1, counters[p], coefficients[i], inner[p],
                           counters[p]))
          return false;
      if (!linearCombine(1, constant, coefficients[i], innerConstant, constant))
        return false;
    }
    return true;
  };
  linearValue = [&](Value value, SmallVectorImpl<int64_t> &counters,
                    int64_t &constant) -> bool {
    counters.assign(numLoops, 0);
    constant = 0;
    if (auto it = loopOfIV.find(value); it != loopOfIV.end()) {
      counters.assign(ivCounters[it->second]);
      constant = ivConstant[it->second];
      return true;
    }
    APInt integer;
    if (matchPattern(value, m_ConstantInt(&integer))) {
      constant = integer.getSExtValue();
      return true;
    }
    Operation *def = value.getDefiningOp();
    if (!def)
      return false;
    // Each computed value once: indices share subexpressions.
    if (auto it = linearOfValue.find(value); it != linearOfValue.end()) {
      if (!it->second)
        return false;
      counters.assign(it->second->first);
      constant = it->second->second;
      return true;
    }
    bool linear = linearOfOp(def, counters, constant);
    linearOfValue[value] =
        linear ? std::optional(std::make_pair(
                     SmallVector<int64_t>(counters.begin(), counters.end()),
                     constant))
               : std::nullopt;
    return linear;
  };
  linearOfOp = [&](Operation *def, SmallVectorImpl<int64_t> &counters,
                   int64_t &constant) -> bool {
    counters.assign(numLoops, 0);
    constant = 0;
    if (auto apply = dyn_cast<affine::AffineApplyOp>(def))
      return expand(apply.getAffineMap(), apply.getMapOperands(), 0, counters,
                    constant);
    // Exact 64-bit arithmetic only: index values, and signed casts to them
    // (narrower integers wrap, unsigned casts zero-extend).
    if (isa<arith::IndexCastOp>(def) && def->getResult(0).getType().isIndex())
      return linearValue(def->getOperand(0), counters, constant);
    if (!isa<arith::AddIOp, arith::SubIOp, arith::MulIOp>(def) ||
        !def->getResult(0).getType().isIndex())
      return false;
    SmallVector<int64_t> lhs, rhs;
    int64_t lhsConstant, rhsConstant;
    if (!linearValue(def->getOperand(0), lhs, lhsConstant) ||
        !linearValue(def->getOperand(1), rhs, rhsConstant))
      return false;
    auto isConstant = [](ArrayRef<int64_t> c) {
      return llvm::all_of(c, [](int64_t x) { return x == 0; });
    };
    if (isa<arith::MulIOp>(def)) {
      // Linear when one side is a constant.
      if (!isConstant(lhs) && !isConstant(rhs))
        return false;
      for (unsigned p = 0; p < numLoops; ++p)
        if (!linearCombine(lhs[p], rhsConstant, rhs[p], lhsConstant,
                           counters[p]))
          return false;
      return linearCombine(lhsConstant, rhsConstant, 0, 0, constant);
    }
    int64_t sign = isa<arith::SubIOp>(def) ? -1 : 1;
    for (unsigned p = 0; p < numLoops; ++p)
      if (!linearCombine(1, lhs[p], sign, rhs[p], counters[p]))
        return false;
    return linearCombine(1, lhsConstant, sign, rhsConstant, constant);
  };

  for (auto [q, loop] : llvm::enumerate(loops)) {
    SmallVector<int64_t> counters;
    int64_t constant = 0, step = 0;
    uint64_t trip = 0;
    if (auto affineFor = dyn_cast<affine::AffineForOp>(loop.op)) {
      std::optional<uint64_t> tripCount =
          affine::getConstantTripCount(affineFor);
      if (!tripCount || *tripCount == 0)
        return fail("a loop of the nest has no constant positive trip count");
      trip = *tripCount;
      AffineMap lower = affineFor.getLowerBoundMap();
      if (lower.getNumResults() != 1)
        return fail("a loop of the nest has a max/min lower bound");
      if (!expand(lower, affineFor.getLowerBoundOperands(), 0, counters,
                  constant))
        return fail("a loop bound of the nest is not linear in outer loops");
      step = affineFor.getStepAsInt();
    } else {
      auto scfFor = cast<scf::ForOp>(loop.op);
      std::optional<int64_t> constantStep =
          getConstantIntValue(scfFor.getStep());
      SmallVector<int64_t> upper;
      int64_t upperConstant;
      if (!constantStep || *constantStep <= 0)
        return fail("an scf.for of the nest has no constant positive step");
      if (scfFor.getUnsignedCmp())
        return fail("an scf.for of the nest compares its bounds unsigned");
      if (!linearValue(scfFor.getLowerBound(), counters, constant) ||
          !linearValue(scfFor.getUpperBound(), upper, upperConstant))
        return fail("a loop bound of the nest is not linear in outer loops");
      // The trip count is constant when the bounds move together.
      int64_t span;
      if (upper != counters ||
          llvm::SubOverflow(upperConstant, constant, span) || span <= 0)
        return fail("a loop of the nest has no constant positive trip count");
      step = *constantStep;
      trip = llvm::divideCeil(static_cast<uint64_t>(span),
                              static_cast<uint64_t>(step));
    }
    counters[q] += step;
    ivCounters[q] = counters;
    ivConstant[q] = constant;
    d.domain.push_back(trip);
  }

  // Accesses, grouped by memref.
  llvm::DenseMap<Value, unsigned> bufferIds;
  llvm::DenseMap<Value, bool> isWritten, isReadBuf;
  int64_t vectorWidth = 1;
  SmallVector<SmallVector<bool>> writeInvariant; // per loop: a write ignores it
  d.isReduction.assign(numLoops, false);
  WalkResult walk = root->op->walk([&](Operation *op) -> WalkResult {
    Value memref;
    // Affine accesses: a map over operands; the others: one index each.
    AffineMap map;
    SmallVector<Value> operands;
    bool write = false;
    Type accessType;
    if (auto read = dyn_cast<affine::AffineReadOpInterface>(op)) {
      memref = read.getMemRef();
      map = read.getAffineMap();
      operands = llvm::to_vector(read.getMapOperands());
      accessType = read.getValue().getType();
    } else if (auto writeOp = dyn_cast<affine::AffineWriteOpInterface>(op)) {
      memref = writeOp.getMemRef();
      map = writeOp.getAffineMap();
      operands = llvm::to_vector(writeOp.getMapOperands());
      accessType = writeOp.getValueToStore().getType();
      write = true;
    } else if (auto load = dyn_cast<memref::LoadOp>(op)) {
      memref = load.getMemRef();
      operands = llvm::to_vector(load.getIndices());
      accessType = load.getType();
    } else if (auto store = dyn_cast<memref::StoreOp>(op)) {
      memref = store.getMemRef();
      operands = llvm::to_vector(store.getIndices());
      accessType = store.getValueToStore().getType();
      write = true;
    } else if (auto load = dyn_cast<vector::LoadOp>(op)) {
      memref = load.getBase();
      operands = llvm::to_vector(load.getIndices());
      accessType = load.getVectorType();
    } else if (auto store = dyn_cast<vector::StoreOp>(op)) {
      memref = store.getBase();
      operands = llvm::to_vector(store.getIndices());
      accessType = store.getVectorType();
      write = true;
    } else if (op->hasTrait<OpTrait::HasRecursiveMemoryEffects>() ||
               isMemoryEffectFree(op)) {
      return WalkResult::advance();
    } else {
      // Vector transfers, copies, calls: accesses the features cannot see.
      return WalkResult::interrupt();
    }
    auto type = dyn_cast<MemRefType>(memref.getType());
    if (!type || !type.hasStaticShape())
      return WalkResult::interrupt();
    if (auto vector = dyn_cast<VectorType>(accessType))
      vectorWidth = std::max<int64_t>(vectorWidth, vector.getNumElements());
    KernelAccess access;
    access.buffer =
        bufferIds.try_emplace(memref, bufferIds.size()).first->second;
    access.shape = llvm::to_vector(type.getShape());
    access.elementBytes = elementBytes(type);
    access.isRead = !write;
    access.isWrite = write;
    unsigned rank = map ? map.getNumResults() : operands.size();
    for (unsigned r = 0; r < rank; ++r) {
      SmallVector<int64_t> counters;
      int64_t constant;
      if (map ? !expand(map, operands, r, counters, constant)
              : !linearValue(operands[r], counters, constant))
        return WalkResult::interrupt();
      access.coefficients.push_back(counters);
      access.offsets.push_back(constant);
    }
    if (write) {
      isWritten[memref] = true;
      // Loops around the write that the written element does not depend on
      // carry a reduction.
      for (unsigned q = 0; q < numLoops; ++q) {
        if (!loops[q].op->isAncestor(op))
          continue;
        bool depends = llvm::any_of(access.coefficients,
                                    [&](auto &row) { return row[q] != 0; });
        if (!depends)
          d.isReduction[q] = true;
      }
    } else {
      isReadBuf[memref] = true;
    }
    d.accesses.push_back(std::move(access));
    return WalkResult::advance();
  });
  if (walk.wasInterrupted())
    return fail("the loop nest has an access that is not a load or store "
                "(affine, memref or vector) of a static memref with indices "
                "linear in its loops (or an operation with other memory "
                "effects)");
  for (auto &[memref, id] : bufferIds) {
    if (isWritten.lookup(memref))
      ++d.numOutputs;
    if (isReadBuf.lookup(memref) && !isWritten.lookup(memref))
      ++d.numInputs;
  }
  countBodyOps(*loops.back().body, d.body, [&](Operation *op) {
    return op->getNumResults() == 1 &&
           linearOfValue.lookup(op->getResult(0)).has_value();
  });
  d.kind = classifyStructure(d);
  tokenizeOperation(root->op, d.opTokens);

  // The nest is its own schedule: loop q iterates over dimension q.
  ScheduledNest nest;
  for (unsigned q = 0; q < numLoops; ++q)
    nest.loops.push_back({q, d.domain[q], 1, 0});
  nest.vectorDim = numLoops - 1;
  nest.vectorWidth = vectorWidth;
  nest.unroll = 1;
  d.schedule = std::move(nest);
  d.vectorBodySpansDomain = false;
  for (unsigned q = 0; q < numLoops; ++q)
    d.loopOrder.push_back(q);
  return d;
}

//===----------------------------------------------------------------------===//
// Statistics
//===----------------------------------------------------------------------===//

namespace {
static unsigned numBuffers(const KernelDescription &d) {
  unsigned n = 0;
  for (const KernelAccess &a : d.accesses)
    n = std::max(n, a.buffer + 1);
  return n;
}

/// The index range an access reaches in one dimension of its buffer.
struct IndexRange {
  int64_t low, high;
};

/// Per buffer, the bytes of the bounding box of its accesses' index ranges
/// (`ranges[access][index]`), at cache-line granularity in the innermost
/// buffer dimension.
static SmallVector<double>
boundingBoxBytes(const KernelDescription &d,
                 ArrayRef<SmallVector<IndexRange, 4>> ranges,
                 unsigned numBuffers) {
  SmallVector<SmallVector<IndexRange, 4>, 4> box(numBuffers);
  SmallVector<const KernelAccess *, 4> last(numBuffers, nullptr);
  for (auto [a, accessRanges] : llvm::zip(d.accesses, ranges)) {
    SmallVector<IndexRange, 4> &bufferBox = box[a.buffer];
    if (!last[a.buffer])
      bufferBox.assign(accessRanges.begin(), accessRanges.end());
    last[a.buffer] = &a;
    for (auto [range, boxRange] : llvm::zip(accessRanges, bufferBox)) {
      boxRange.low = std::min(boxRange.low, range.low);
      boxRange.high = std::max(boxRange.high, range.high);
    }
  }
  SmallVector<double> bytes(numBuffers, 0);
  for (unsigned b = 0; b < numBuffers; ++b) {
    if (!last[b])
      continue;
    ArrayRef<int64_t> shape = last[b]->shape;
    int64_t elementBytes = last[b]->elementBytes;
    unsigned rank = box[b].size();
    double total = rank == 0 ? elementBytes : 1;
    for (unsigned r = 0; r < rank; ++r) {
      int64_t range = box[b][r].high - box[b][r].low + 1;
      if (r < shape.size())
        range = std::min(range, shape[r]);
      range = std::max<int64_t>(range, 1);
      if (r + 1 == rank)
        total *=
            std::ceil(static_cast<double>(range) * elementBytes / 64.0) * 64.0;
      else
        total *= range;
    }
    bytes[b] = total;
  }
  return bytes;
}

/// What the features and the cache model need of a scheduled nest, computed
/// once per description: trip products and the bytes of each buffer the
/// loops from each position inwards touch.
struct NestFootprints {
  unsigned numLoops;
  /// Product of trip counts of loops [0, p).
  SmallVector<double> outerTrips;
  /// bytesAt[p][buffer]: p = 0 (whole nest) .. numLoops (the body alone).
  SmallVector<SmallVector<double>> bytesAt;

  explicit NestFootprints(const KernelDescription &d);
};

NestFootprints::NestFootprints(const KernelDescription &d)
    : numLoops(d.schedule.loops.size()) {
  outerTrips.assign(numLoops + 1, 1);
  for (unsigned p = 0; p < numLoops; ++p)
    outerTrips[p + 1] = outerTrips[p] * d.schedule.loops[p].trip;

  unsigned buffers = numBuffers(d);
  // Each access's index ranges over the loops from position p inwards, p
  // going outwards: a loop over dimension `dim` spanning `span` elements of
  // it widens every index by the index's coefficient of `dim` times `span`.
  SmallVector<SmallVector<IndexRange, 4>, 8> ranges;
  for (const KernelAccess &a : d.accesses) {
    ranges.emplace_back();
    for (int64_t offset : a.offsets)
      ranges.back().push_back({offset, offset});
  }
  auto widen = [&](unsigned dim, int64_t span) {
    for (auto [a, accessRanges] : llvm::zip(d.accesses, ranges))
      for (auto [row, range] : llvm::zip(a.coefficients, accessRanges)) {
        if (dim >= row.size())
          continue;
        int64_t width = row[dim] * span;
        (width < 0 ? range.low : range.high) += width;
      }
  };
  bytesAt.resize(numLoops + 1);
  if (d.vectorBodySpansDomain && d.schedule.vectorDim < d.domain.size())
    widen(d.schedule.vectorDim, d.schedule.vectorWidth - 1);
  bytesAt[numLoops] = boundingBoxBytes(d, ranges, buffers);
  for (int p = numLoops - 1; p >= 0; --p) {
    const ScheduledLoop &loop = d.schedule.loops[p];
    widen(loop.dim, loop.step * (loop.trip - 1));
    bytesAt[p] = boundingBoxBytes(d, ranges, buffers);
  }
}

/// Whether any access of buffer `b` depends on domain dimension `dim`.
static bool bufferDependsOn(const KernelDescription &d, unsigned b,
                            unsigned dim) {
  for (const KernelAccess &a : d.accesses)
    if (a.buffer == b)
      for (const auto &row : a.coefficients)
        if (dim < row.size() && row[dim] != 0)
          return true;
  return false;
}

/// log2 of the largest power of two that divides `bytes` (0 for 0), at most
/// 16: strides of 4 KiB and its multiples map every access to one L1 set.
static int strideAlignment(int64_t bytes) {
  return bytes ? std::min(16, llvm::countr_zero<uint64_t>(std::abs(bytes))) : 0;
}

/// Element stride of an access per unit step of dimension `dim`.
static int64_t elementStride(const KernelAccess &a, unsigned dim) {
  int64_t stride = 0, rowMajor = 1;
  for (int r = static_cast<int>(a.coefficients.size()) - 1; r >= 0; --r) {
    if (dim < a.coefficients[r].size())
      stride += a.coefficients[r][dim] * rowMajor;
    rowMajor *= r < static_cast<int>(a.shape.size()) ? a.shape[r] : 1;
  }
  return stride;
}
} // namespace

static double sum(ArrayRef<double> values) {
  double total = 0;
  for (double v : values)
    total += v;
  return total;
}

/// Estimated bytes moved into a cache of `capacity` bytes.
static double trafficInto(const KernelDescription &d, const NestFootprints &f,
                          int64_t capacity) {
  ArrayRef<SmallVector<double>> bytesAt = f.bytesAt;
  unsigned n = f.numLoops, buffers = numBuffers(d);
  // The outermost position whose working set fits.
  unsigned fit = n;
  for (unsigned p = 0; p <= n; ++p) {
    if (sum(bytesAt[p]) <= static_cast<double>(capacity)) {
      fit = p;
      break;
    }
  }
  double traffic = 0;
  for (unsigned b = 0; b < buffers; ++b) {
    double moved = bytesAt[fit][b];
    for (unsigned q = 0; q < fit; ++q) {
      const ScheduledLoop &loop = d.schedule.loops[q];
      bool reused = !bufferDependsOn(d, b, loop.dim) && q + 1 == fit;
      if (!reused)
        moved *= loop.trip;
    }
    traffic += moved;
  }
  return traffic;
}

static KernelStatistics computeStatistics(const KernelDescription &d,
                                          const NestFootprints &f,
                                          ArrayRef<int64_t> cacheBytes) {
  KernelStatistics stats;
  stats.iterations = 1;
  for (int64_t e : d.domain)
    stats.iterations *= e;
  stats.flops = stats.iterations * d.body.flops();
  stats.uniqueBytes = sum(f.bytesAt[0]);
  for (int64_t capacity : cacheBytes)
    stats.trafficBytes.push_back(trafficInto(d, f, capacity));
  return stats;
}

KernelStatistics computeStatistics(const KernelDescription &d,
                                   ArrayRef<int64_t> cacheBytes) {
  return computeStatistics(d, NestFootprints(d), cacheBytes);
}

//===----------------------------------------------------------------------===//
// Feature vector
//===----------------------------------------------------------------------===//

namespace {
constexpr unsigned kMaxDims = 8;
constexpr unsigned kLoopSlots = 8;
constexpr unsigned kTileLevelSlots = 2;
const char *const kLoopFeatureNames[] = {
    "log2_trip",     "is_reduction",          "log2_footprint_bytes",
    "log2_reuse",    "num_invariant",         "num_unit_stride",
    "num_strided",   "log2_max_stride_bytes", "log2_step",
    "is_point_loop", "is_vector_loop",        "log2_stride_pow2"};

std::vector<std::string> buildNames() {
  std::vector<std::string> names;
  for (unsigned k = 0; k < kNumOpKinds; ++k)
    names.push_back(("kind_" + stringifyOpKind(static_cast<OpKind>(k))).str());
  for (const char *name :
       {"num_loops",         "num_parallel_loops", "num_reduction_loops",
        "log2_iterations",   "log2_flops",         "log2_unique_bytes",
        "log2_output_bytes", "log2_intensity",     "num_inputs",
        "num_outputs",       "body_add",           "body_mul",
        "body_div",          "body_cmp",           "body_transcendental",
        "body_other",        "element_bytes",      "max_index_coefficient",
        "sliding_window",    "num_accesses"})
    names.push_back(name);
  names.push_back("num_tile_levels");
  for (unsigned l = 0; l < kTileLevelSlots; ++l)
    for (unsigned d = 0; d < kMaxDims; ++d)
      names.push_back(llvm::formatv("tile{0}_log2_d{1}", l, d).str());
  for (unsigned d = 0; d < kMaxDims; ++d)
    names.push_back(llvm::formatv("order_pos_d{0}", d).str());
  for (const char *name : {"log2_vector_width",
                           "log2_unroll",
                           "vector_dim_is_reduction",
                           "log2_vector_dim_tile",
                           "vector_unit_stride_accesses",
                           "vector_invariant_accesses",
                           "vector_strided_accesses",
                           "log2_parallel_extent",
                           "num_scheduled_loops",
                           "log2_body_executions",
                           "log2_loop_iterations",
                           "log2_innermost_trip",
                           "innermost_is_vector_loop",
                           "log2_body_ops",
                           "explicit_lanes",
                           "num_buffers",
                           "has_effective_inner",
                           "effective_inner_log2_trip",
                           "effective_inner_is_reduction",
                           "effective_inner_unit_stride",
                           "effective_inner_strided",
                           "absorbed_loops",
                           "log2_unrolled_body",
                           "log2_vector_gathers",
                           "log2_vector_body_accesses",
                           "vector_log2_stride_pow2",
                           "log2_body_instructions",
                           "log2_dynamic_instructions",
                           "log2_dynamic_element_accesses"})
    names.push_back(name);
  for (unsigned k = 0; k < kLoopSlots; ++k)
    for (const char *name : kLoopFeatureNames)
      names.push_back(llvm::formatv("loop{0}_{1}", k, name).str());
  for (const char *level : {"l1", "l2", "l3"}) {
    names.push_back(llvm::formatv("log2_traffic_{0}", level).str());
    names.push_back(llvm::formatv("log2_intensity_{0}", level).str());
  }
  names.push_back("log2_core_bytes");
  names.push_back("effective_lanes");
  names.push_back("log2_roofline_us");
  names.push_back("log2_additive_us");
  for (unsigned b = 0; b < kNumTokenBuckets; ++b)
    names.push_back(llvm::formatv("ir_token_{0}", b).str());
  return names;
}

float lg(double x) {
  return static_cast<float>(std::log2(1.0 + std::max(0.0, x)));
}
} // namespace

ArrayRef<std::string> FeatureSchema::names() {
  static const std::vector<std::string> names = buildNames();
  return names;
}

int FeatureSchema::indexOf(StringRef name) {
  static const llvm::StringMap<unsigned> index = [] {
    llvm::StringMap<unsigned> map;
    for (auto [i, n] : llvm::enumerate(names()))
      map[n] = i;
    return map;
  }();
  auto it = index.find(name);
  return it == index.end() ? -1 : static_cast<int>(it->second);
}

StringRef FeatureSchema::fingerprint() {
  static const std::string value = [] {
    uint64_t hash = fnv1a(llvm::formatv("v{0}", kVersion).str());
    for (const std::string &name : names())
      hash = fnv1a(name, hash ^ 0x2c);
    return llvm::formatv("{0:x-16}", hash).str();
  }();
  return value;
}

namespace {
/// What the code generator makes of the kernel's vector loop: explicit
/// lanes (counted for a vector body along a parallel dimension whose
/// accesses are contiguous or invariant along it; vector reductions and
/// strided lines count as one lane), and the loops LLVM unrolls fully around
/// the body. LLVM's loop vectoriser adds no lanes (Schedule.h).
struct VectorAnalysis {
  int64_t explicitLanes = 1;
  /// The loop LLVM sees innermost once it has fully unrolled the small
  /// innermost loops (trip <= 4, body <= 64 elements); -1 when everything
  /// is unrolled.
  int effectiveInner = -1;
  unsigned absorbedLoops = 0;
  /// Elements of the straight-line body inside the effective loop.
  int64_t unrolledBody = 1;
};

unsigned stridedVectorAccesses(const KernelDescription &d) {
  unsigned count = 0;
  for (const KernelAccess &a : d.accesses)
    count += std::abs(elementStride(a, d.schedule.vectorDim)) > 1;
  return count;
}

bool contiguousAlong(const KernelDescription &d, unsigned dim) {
  return llvm::all_of(d.accesses, [&](const KernelAccess &a) {
    return std::abs(elementStride(a, dim)) <= 1;
  });
}

bool isReductionDim(const KernelDescription &d, unsigned dim) {
  return dim < d.isReduction.size() && d.isReduction[dim];
}

VectorAnalysis analyzeVectors(const KernelDescription &d) {
  VectorAnalysis v;
  const ScheduledNest &s = d.schedule;
  if (s.vectorWidth > 1 && !isReductionDim(d, s.vectorDim) &&
      contiguousAlong(d, s.vectorDim))
    v.explicitLanes = s.vectorWidth;
  int64_t body = d.vectorBodySpansDomain ? s.vectorWidth : 1;
  int p = static_cast<int>(s.loops.size()) - 1;
  for (; p >= 0; --p) {
    const ScheduledLoop &loop = s.loops[p];
    int64_t trip = loop.trip;
    bool isVectorLoop =
        static_cast<size_t>(p) + 1 == s.loops.size() && loop.dim == s.vectorDim;
    if (isVectorLoop && s.unroll > 1) {
      body *= s.unroll;
      trip = (trip + s.unroll - 1) / s.unroll;
    }
    if (trip > 4 || body * trip > 64)
      break;
    body *= trip;
    ++v.absorbedLoops;
  }
  v.effectiveInner = p;
  v.unrolledBody = body;
  return v;
}
} // namespace

RooflineTerms computeRooflineTerms(const KernelDescription &d) {
  return computeRooflineTerms(d, computeStatistics(d, kFeatureCacheBytes));
}

RooflineTerms computeRooflineTerms(const KernelDescription &d,
                                   const KernelStatistics &stats) {
  RooflineTerms terms;
  terms.flops = stats.flops;
  for (unsigned l = 0; l < 3 && l < stats.trafficBytes.size(); ++l)
    terms.traffic[l] = stats.trafficBytes[l];
  const ScheduledNest &s = d.schedule;
  terms.effectiveLanes = analyzeVectors(d).explicitLanes;
  // Core loads and stores: accesses invariant in the innermost loop stay in
  // registers for its duration.
  double innermostTrip = s.loops.empty() ? 1 : s.loops.back().trip;
  unsigned innermostDim = s.loops.empty() ? 0 : s.loops.back().dim;
  for (const KernelAccess &a : d.accesses) {
    double count = stats.iterations;
    if (!s.loops.empty() && elementStride(a, innermostDim) == 0)
      count /= innermostTrip;
    terms.coreBytes += count * a.elementBytes;
  }
  return terms;
}

RooflineTerms rooflineTermsFromFeatures(ArrayRef<float> features) {
  static const auto index = [] {
    llvm::StringMap<unsigned> map;
    for (auto [i, name] : llvm::enumerate(FeatureSchema::names()))
      map[name] = i;
    return map;
  }();
  auto get = [&](StringRef name) -> double {
    auto it = index.find(name);
    if (it == index.end() || it->second >= features.size())
      return 0;
    return features[it->second];
  };
  auto unlg = [](double v) { return std::max(0.0, std::exp2(v) - 1.0); };
  RooflineTerms terms;
  terms.flops = unlg(get("log2_flops"));
  terms.effectiveLanes = std::max(1.0, get("effective_lanes"));
  terms.coreBytes = unlg(get("log2_core_bytes"));
  terms.traffic[0] = unlg(get("log2_traffic_l1"));
  terms.traffic[1] = unlg(get("log2_traffic_l2"));
  terms.traffic[2] = unlg(get("log2_traffic_l3"));
  return terms;
}

SmallVector<float> computeFeatures(const KernelDescription &d) {
  SmallVector<float> out(FeatureSchema::size(), 0.0f);
  computeFeatures(d, out);
  return out;
}

void computeFeatures(const KernelDescription &d, MutableArrayRef<float> out) {
  std::fill(out.begin(), out.end(), 0.0f);
  size_t i = 0;
  auto put = [&](double value) {
    if (i < out.size())
      out[i] = static_cast<float>(value);
    ++i;
  };
  const ScheduledNest &s = d.schedule;
  unsigned numDims = d.domain.size();

  // Kind.
  for (unsigned k = 0; k < kNumOpKinds; ++k)
    put(static_cast<unsigned>(d.kind) == k ? 1 : 0);

  // Problem.
  NestFootprints footprints(d);
  KernelStatistics stats = computeStatistics(d, footprints, kFeatureCacheBytes);
  unsigned numReduction = llvm::count(d.isReduction, true);
  double outputBytes = 0;
  int64_t maxElement = 1, maxCoefficient = 0;
  bool sliding = false;
  {
    ArrayRef<double> bytes = footprints.bytesAt[0];
    SmallVector<bool> counted(bytes.size(), false);
    for (const KernelAccess &a : d.accesses) {
      if (a.isWrite && !counted[a.buffer]) {
        outputBytes += bytes[a.buffer];
        counted[a.buffer] = true;
      }
      maxElement = std::max(maxElement, a.elementBytes);
      for (const auto &row : a.coefficients) {
        if (llvm::count_if(row, [](int64_t c) { return c != 0; }) > 1)
          sliding = true;
        for (int64_t c : row)
          maxCoefficient = std::max(maxCoefficient, std::abs(c));
      }
    }
  }
  put(numDims);
  put(numDims - numReduction);
  put(numReduction);
  put(lg(stats.iterations));
  put(lg(stats.flops));
  put(lg(stats.uniqueBytes));
  put(lg(outputBytes));
  put(lg(stats.flops / std::max(1.0, stats.uniqueBytes)));
  put(d.numInputs);
  put(d.numOutputs);
  put(d.body.add);
  put(d.body.mul);
  put(d.body.div);
  put(d.body.cmp);
  put(d.body.transcendental);
  put(d.body.other);
  put(maxElement);
  put(maxCoefficient);
  put(sliding ? 1 : 0);
  put(d.accesses.size());

  // Schedule.
  put(s.numTileLevels);
  for (unsigned l = 0; l < kTileLevelSlots; ++l) {
    for (unsigned dim = 0; dim < kMaxDims; ++dim) {
      if (dim >= numDims) {
        put(-1);
        continue;
      }
      int64_t extent = l < s.tileExtents.size() ? s.tileExtents[l][dim]
                       : !s.tileExtents.empty() ? s.tileExtents.back()[dim]
                                                : d.domain[dim];
      put(std::log2(static_cast<double>(extent)));
    }
  }
  for (unsigned dim = 0; dim < kMaxDims; ++dim) {
    auto it = llvm::find(d.loopOrder, static_cast<int64_t>(dim));
    if (dim >= numDims || it == d.loopOrder.end()) {
      put(-1);
      continue;
    }
    put(numDims > 1 ? double(it - d.loopOrder.begin()) / (numDims - 1) : 0);
  }
  unsigned vectorDim = s.vectorDim;
  int unitStride = 0, invariant = 0, strided = 0;
  for (const KernelAccess &a : d.accesses) {
    int64_t stride = std::abs(elementStride(a, vectorDim));
    (stride == 0 ? invariant : stride == 1 ? unitStride : strided) += 1;
  }
  int64_t vectorTile =
      vectorDim < numDims
          ? (s.tileExtents.empty() ? d.domain[vectorDim]
                                   : s.tileExtents.back()[vectorDim])
          : 1;
  double loopIterations = 0;
  for (unsigned p = 0; p < s.loops.size(); ++p) {
    double trips = 1;
    for (unsigned q = 0; q <= p; ++q)
      trips *= s.loops[q].trip;
    bool isVectorLoop = p + 1 == s.loops.size() && s.loops[p].dim == vectorDim;
    loopIterations += isVectorLoop ? trips / s.unroll : trips;
  }
  put(std::log2(static_cast<double>(s.vectorWidth)));
  put(std::log2(static_cast<double>(s.unroll)));
  put(vectorDim < numDims && d.isReduction[vectorDim] ? 1 : 0);
  put(std::log2(static_cast<double>(std::max<int64_t>(1, vectorTile))));
  put(unitStride);
  put(invariant);
  put(strided);
  put(lg(s.parallelExtent));
  put(s.loops.size());
  put(lg(stats.iterations / (d.vectorBodySpansDomain ? s.vectorWidth : 1)));
  put(lg(loopIterations));
  put(s.loops.empty() ? 0 : lg(s.loops.back().trip));
  put(!s.loops.empty() && s.loops.back().dim == vectorDim ? 1 : 0);
  put(lg(double(s.vectorWidth) * s.unroll *
         std::max<int64_t>(1, d.body.flops() + d.body.other)));
  VectorAnalysis vectors = analyzeVectors(d);
  put(vectors.explicitLanes);
  put(numBuffers(d));
  {
    // The effective innermost loop after LLVM's full unrolling.
    int unit = 0, strided = 0;
    double trip = 1;
    bool reduction = false;
    if (vectors.effectiveInner >= 0) {
      const ScheduledLoop &inner = s.loops[vectors.effectiveInner];
      trip = inner.trip;
      reduction = inner.dim < d.isReduction.size() && d.isReduction[inner.dim];
      for (const KernelAccess &a : d.accesses) {
        int64_t stride = std::abs(elementStride(a, inner.dim));
        unit += stride == 1;
        strided += stride > 1;
      }
    }
    put(vectors.effectiveInner >= 0 ? 1 : 0);
    put(lg(trip));
    put(reduction ? 1 : 0);
    put(unit);
    put(strided);
    put(vectors.absorbedLoops);
    put(lg(vectors.unrolledBody));
    // Scalar strided accesses in the vector body (gathers and scatters).
    put(lg(double(stridedVectorAccesses(d)) * s.vectorWidth * s.unroll));
    put(lg(double(d.accesses.size()) * s.vectorWidth * s.unroll));
    // Alignment of the strided lines of the vector body.
    int alignment = 0;
    for (const KernelAccess &a : d.accesses) {
      int64_t stride = std::abs(elementStride(a, vectorDim));
      if (stride > 1)
        alignment =
            std::max(alignment, strideAlignment(stride * a.elementBytes));
    }
    put(alignment);

    // The instructions the schedule emits (Schedule.h): per execution of the
    // vector body, a contiguous line is one vector load or store, an
    // invariant element one broadcast load (or, reduced, one store), a
    // strided line one element access and one lane insert or extract per
    // lane; every body operation is one instruction, a reduction along the
    // vector loop a shuffle tree.
    int64_t width = s.vectorWidth;
    double bodyInstructions = d.body.flops() + d.body.other;
    double elementAccesses = 0;
    for (const KernelAccess &a : d.accesses) {
      int64_t stride = std::abs(elementStride(a, vectorDim));
      int uses = int(a.isRead) + int(a.isWrite);
      double lanes = width > 1 && stride > 1 ? 2.0 * width : 1.0;
      bodyInstructions += uses * lanes;
      elementAccesses += uses * (width == 1 || stride > 1 ? width : 0);
    }
    if (width > 1 && vectorDim < numDims && d.isReduction[vectorDim])
      bodyInstructions += 2 * std::log2(static_cast<double>(width)) + 1;
    double executions =
        stats.iterations / (d.vectorBodySpansDomain ? width : 1);
    put(lg(bodyInstructions));
    put(lg(executions * bodyInstructions + 2 * loopIterations));
    put(lg(executions * elementAccesses));
  }

  // Loops, innermost first.
  ArrayRef<SmallVector<double>> bytesAt = footprints.bytesAt;
  for (unsigned k = 0; k < kLoopSlots; ++k) {
    if (k >= s.loops.size()) {
      for (size_t f = 0; f < std::size(kLoopFeatureNames); ++f)
        put(0);
      continue;
    }
    unsigned p = s.loops.size() - 1 - k;
    const ScheduledLoop &loop = s.loops[p];
    double footprint = sum(bytesAt[p]);
    double executed =
        footprints.outerTrips[s.loops.size()] / footprints.outerTrips[p] *
        (d.vectorBodySpansDomain ? s.vectorWidth : 1) * d.accesses.size();
    double footprintElements = footprint / std::max<int64_t>(1, maxElement);
    // Strides per element of the loop's dimension (layout) and per
    // iteration (bytes jumped).
    int stride0 = 0, stride1 = 0, strideN = 0;
    int64_t maxStrideBytes = 0;
    int alignment = 0;
    for (const KernelAccess &a : d.accesses) {
      int64_t stride = std::abs(elementStride(a, loop.dim));
      (stride == 0 ? stride0 : stride == 1 ? stride1 : strideN) += 1;
      int64_t bytes = stride * loop.step * a.elementBytes;
      maxStrideBytes = std::max(maxStrideBytes, bytes);
      alignment = std::max(alignment, strideAlignment(bytes));
    }
    bool isPoint = loop.level == s.numTileLevels;
    put(lg(loop.trip));
    put(loop.dim < d.isReduction.size() && d.isReduction[loop.dim] ? 1 : 0);
    put(lg(footprint));
    put(std::log2(std::max(1.0, executed / std::max(1.0, footprintElements))));
    put(stride0);
    put(stride1);
    put(strideN);
    put(lg(maxStrideBytes));
    put(std::log2(static_cast<double>(std::max<int64_t>(1, loop.step))));
    put(isPoint ? 1 : 0);
    put(isPoint && loop.dim == vectorDim ? 1 : 0);
    put(alignment);
  }

  // Cache traffic and the roofline.
  for (double traffic : stats.trafficBytes) {
    put(lg(traffic));
    put(lg(stats.flops / std::max(1.0, traffic)));
  }
  RooflineTerms terms = computeRooflineTerms(d, stats);
  put(lg(terms.coreBytes));
  put(terms.effectiveLanes);
  put(std::log2(evaluateRoofline(terms, RooflineParams())));
  {
    // The same terms added rather than overlapped: a second estimate whose
    // ratio to the first says how balanced the kernel is.
    RooflineParams p;
    double lanes = std::min<double>(terms.effectiveLanes, p.simdLanes);
    double seconds = terms.flops / (p.scalarFlops * lanes) +
                     terms.coreBytes / (p.bandwidth[0] * lanes / p.simdLanes);
    for (unsigned level = 0; level < 3; ++level)
      seconds += terms.traffic[level] / p.bandwidth[level + 1];
    put(std::log2(seconds * 1e6 + p.overheadUs));
  }

  // IR tokens.
  for (unsigned b = 0; b < kNumTokenBuckets; ++b)
    put(std::log1p(d.opTokens[b] + d.scheduleTokens[b]));
}

} // namespace tessera::cost
