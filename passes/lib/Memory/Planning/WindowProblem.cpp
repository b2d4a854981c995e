//===- WindowProblem.cpp - The COSMA ILP over a window of steps -----------===//
//
// Builds the integer program of a window (the formulation is documented at
// the top of ILPPlanner.cpp), seeds it with the current plan, solves it
// and splices the solution back into the plan.
//
//===----------------------------------------------------------------------===//

#include "WindowProblem.h"
#include "tessera/Memory/Heuristics.h"

#include "llvm/ADT/BitVector.h"
#include "llvm/ADT/STLExtras.h"

#include <algorithm>
#include <cmath>
#include <limits>

using namespace tessera;
using namespace tessera::memory;
using namespace tessera::memory::detail;

/// Address granules above this are coarsened, so that big-M terms stay
/// within what CBC's integrality tolerance resolves.
static constexpr uint64_t kMaxAddressUnits = 1 << 17;
/// Models beyond these sizes are not built (the planner keeps its warm
/// start instead of exhausting memory or the time limit in presolve).
static constexpr uint64_t kMaxRows = 400000;
static constexpr uint64_t kMaxColumns = 200000;
/// With addresses, CBC 2.10's root processing does not watch the clock:
/// DenseNet-121's whole graph (23,528 columns) ran 15 to 23 s under a 1.9 s
/// limit and never found a plan. Such windows are left to smaller ones (the
/// window search, divide and conquer); the first tier's whole graphs have at
/// most 14,300 columns.
static constexpr uint64_t kMaxAddressColumns = 20000;

namespace {

/// A variable or a constant, for terms that one window fixes and another
/// leaves free.
struct Term {
  int var = -1;
  double constant = 0;

  static Term of(ilp::Var var) { return {static_cast<int>(var), 0}; }
  static Term fixed(double value) { return {-1, value}; }
  bool isVar() const { return var >= 0; }
};

/// A linear expression plus a constant.
struct Affine {
  ilp::LinearExpr expr;
  double constant = 0;

  Affine &add(Term term, double coefficient = 1.0) {
    if (term.isVar())
      expr.add(term.var, coefficient);
    else
      constant += coefficient * term.constant;
    return *this;
  }
};

/// What the window needs to know about one tensor.
struct TensorState {
  /// Resident just before the window (at step begin - 1).
  bool initial = false;
  /// Off-chip at the window's start: an input or weight, or an
  /// intermediate with a residency before the window that stores it.
  bool offChip = false;
  /// Inputs and weights: loaded before the window.
  bool loadedBefore = false;
  /// Fixed tail: a residency runs from inside the window past its end.
  bool crossingEnd = false;
  /// Fixed tail: a later residency loads it before any later one stores it.
  bool suffixNeedsOffChip = false;
  /// Open tail: an operator after the window reads it.
  bool liveAfter = false;
  /// The window operator that writes it, by local index.
  int producer = -1;
  /// The window operators that read or write it, by local index.
  std::vector<unsigned> users;

  bool relevant = false;
  /// The local steps [lo, hi] with residency variables (empty if hi < lo).
  int lo = 0, hi = -1;
  std::vector<ilp::Var> resident;
  /// Load variables by local step (-1: no load possible there).
  std::vector<int> load;
  /// The off-chip copy: made on the tensor's first residency in the window
  /// (its production, or the one it is resident in at the start).
  Term store = Term::fixed(0);
  /// The offset of the residency it is in at the start, and of the one
  /// that runs past the end.
  uint64_t entryOffset = 0;
  uint64_t exitOffset = 0;
  /// Address in address units during each step of [lo, hi] (meaningful
  /// while resident); empty without addresses or for zero-byte tensors.
  std::vector<ilp::Var> address;
  uint64_t units = 0;
  /// With addresses, binaries that let a buffer move at the boundaries at
  /// the price of a load: the tensor resident at the start is reloaded at
  /// another offset at step 0, or the residency after the window starts
  /// with a load instead of continuing the window's last one.
  int entryMove = -1;
  int exitMove = -1;

  Term residentAt(int t) const {
    if (t < lo || t > hi)
      return Term::fixed(t < 0 && initial ? 1 : 0);
    return Term::of(resident[t - lo]);
  }
};

/// Builds, seeds, solves and decodes one window problem.
class WindowBuilder {
public:
  WindowBuilder(const Graph &graph, const ScratchpadConfig &spm,
                const Plan &current, const WindowSpec &spec)
      : graph(graph), spm(spm), current(current), spec(spec),
        numSteps(spec.end - spec.begin) {}

  /// Builds and solves the model, starting from `seed` if given (else
  /// from the current plan, as the spec says).
  llvm::Expected<WindowResult> run(const Plan *seed);

private:
  void analyzeOperators();
  void analyzeTensors();
  /// Returns a reason to skip the window, or an empty string.
  std::string addVariables();
  std::string addConstraints();
  void addAddressConstraints();
  /// The MIP start of a plan that agrees with `current` outside the
  /// window; `full` tells whether it sets every integer variable.
  std::vector<double> getWarmStart(const Plan &source, bool &full);
  /// The full order with the window's operators in solution order; empty
  /// if the solution breaks "one operator per step".
  std::vector<unsigned> decodeOrder(const ilp::Solution &solution) const;
  std::optional<Plan> decode(const ilp::Solution &solution,
                             llvm::ArrayRef<unsigned> order);

  /// Started by step t: the sum of x[op][t'] for t' <= t.
  Affine startedBy(unsigned op, int t) const;
  Term runsAt(unsigned op, int t) const;

  const Graph &graph;
  const ScratchpadConfig &spm;
  const Plan &current;
  const WindowSpec &spec;
  int numSteps;

  ilp::Model model;
  /// Window operators by local index (their current order).
  std::vector<unsigned> ops;
  /// Local index of each operator, -1 outside the window.
  std::vector<int> localOf;
  /// Step of each operator in the current plan.
  std::vector<unsigned> stepOf;
  std::vector<int> asap, alap;
  /// x[k][t - asap[k]].
  std::vector<std::vector<ilp::Var>> runs;
  std::vector<TensorState> tensors;
  /// Tensors with residency variables.
  std::vector<unsigned> active;
  /// One ordering variable z of two tensors at one step: 1 when `first`
  /// lies below `second`.
  struct Pair {
    unsigned first, second;
    int step;
    ilp::Var order;
  };
  std::vector<Pair> pairs;
  uint64_t unit = 1;
  uint64_t capacityUnits = 0;
  double compulsoryConstant = 0;
  double penaltyConstant = 0;
};

} // namespace

void WindowBuilder::analyzeOperators() {
  unsigned numOps = graph.numOperators();
  stepOf.assign(numOps, 0);
  for (auto [step, op] : llvm::enumerate(current.order))
    stepOf[op] = step;
  localOf.assign(numOps, -1);
  for (int step = spec.begin; step < static_cast<int>(spec.end); ++step) {
    localOf[current.order[step]] = ops.size();
    ops.push_back(current.order[step]);
  }

  // Earliest and latest local step of each operator: its ancestors inside
  // the window run before it, its descendants after it.
  unsigned n = ops.size();
  std::vector<std::vector<unsigned>> preds(n), succs(n);
  for (unsigned k = 0; k < n; ++k)
    for (unsigned tensor : graph.getOperator(ops[k]).inputs) {
      int producer = graph.getTensor(tensor).producer;
      if (producer < 0 || localOf[producer] < 0)
        continue;
      unsigned p = localOf[producer];
      if (!llvm::is_contained(preds[k], p)) {
        preds[k].push_back(p);
        succs[p].push_back(k);
      }
    }
  asap.assign(n, 0);
  alap.assign(n, 0);
  if (spec.fixedOrder) {
    for (unsigned k = 0; k < n; ++k)
      asap[k] = alap[k] = k;
    return;
  }
  std::vector<llvm::BitVector> ancestors(n, llvm::BitVector(n));
  for (unsigned k = 0; k < n; ++k) {
    for (unsigned p : preds[k]) {
      ancestors[k] |= ancestors[p];
      ancestors[k].set(p);
    }
    asap[k] = ancestors[k].count();
  }
  std::vector<llvm::BitVector> descendants(n, llvm::BitVector(n));
  for (unsigned k = n; k-- > 0;) {
    for (unsigned s : succs[k]) {
      descendants[k] |= descendants[s];
      descendants[k].set(s);
    }
    alap[k] = n - 1 - descendants[k].count();
  }
}

void WindowBuilder::analyzeTensors() {
  tensors.assign(graph.numTensors(), {});
  int begin = spec.begin, end = spec.end;
  bool fixedTail = spec.tail == WindowTail::Fixed;

  for (auto [id, tensor] : llvm::enumerate(graph.getTensors())) {
    TensorState &state = tensors[id];
    state.offChip = tensor.isExternal();
    if (tensor.producer >= 0 && localOf[tensor.producer] >= 0)
      state.producer = localOf[tensor.producer];
    if (spec.tail == WindowTail::Open)
      state.liveAfter = llvm::any_of(tensor.consumers, [&](unsigned op) {
        return static_cast<int>(stepOf[op]) >= end;
      });
  }
  for (unsigned k = 0; k < ops.size(); ++k)
    for (unsigned tensor : graph.getWorkingSet(ops[k]))
      tensors[tensor].users.push_back(k);

  // The current plan's residencies outside the window.
  std::vector<std::vector<unsigned>> suffix(graph.numTensors());
  for (auto [id, residency] : llvm::enumerate(current.residencies)) {
    TensorState &state = tensors[residency.tensor];
    int first = residency.begin, last = residency.end;
    if (first < begin) {
      state.loadedBefore |= residency.load;
      state.offChip |= residency.store;
      if (last >= begin - 1) {
        state.initial = true;
        state.entryOffset = residency.offset;
      }
    }
    if (fixedTail && last >= end)
      suffix[residency.tensor].push_back(id);
    if (fixedTail && first < end && last >= end) {
      state.crossingEnd = true;
      state.exitOffset = residency.offset;
    }
  }
  for (auto [id, state] : llvm::enumerate(tensors)) {
    llvm::sort(suffix[id], [&](unsigned a, unsigned b) {
      return current.residencies[a].begin < current.residencies[b].begin;
    });
    bool stored = false;
    for (unsigned residency : suffix[id]) {
      const Residency &r = current.residencies[residency];
      if (static_cast<int>(r.begin) >= end && r.load && !stored)
        state.suffixNeedsOffChip = true;
      stored |= r.store;
    }
  }

  // Residency variables span the steps where the tensor can be useful.
  for (auto [id, state] : llvm::enumerate(tensors)) {
    const Tensor &tensor = graph.getTensor(id);
    bool used = !state.users.empty();
    bool keepToEnd =
        state.crossingEnd || (state.liveAfter && (state.initial || used));
    bool storeDue = !state.offChip && !tensor.isExternal() && state.initial &&
                    state.suffixNeedsOffChip;
    state.relevant = used || keepToEnd || storeDue;
    if (!state.relevant)
      continue;
    if (state.initial)
      state.lo = 0;
    else if (state.producer >= 0)
      state.lo = asap[state.producer];
    else if (used)
      state.lo = numSteps;
    else
      state.lo = 0;
    for (unsigned k : state.users)
      if (static_cast<int>(k) != state.producer)
        state.lo = std::min(state.lo, asap[k]);
    state.hi = -1;
    for (unsigned k : state.users)
      state.hi = std::max(state.hi, alap[k]);
    if (keepToEnd)
      state.hi = numSteps - 1;
    // The first load of an input or weight is compulsory.
    if (tensor.isExternal() && (used || state.crossingEnd) &&
        !state.loadedBefore)
      compulsoryConstant += tensor.bytes;
  }
}

Term WindowBuilder::runsAt(unsigned k, int t) const {
  if (t < asap[k] || t > alap[k])
    return Term::fixed(0);
  if (asap[k] == alap[k])
    return Term::fixed(1);
  return Term::of(runs[k][t - asap[k]]);
}

Affine WindowBuilder::startedBy(unsigned k, int t) const {
  Affine sum;
  if (t >= alap[k]) {
    sum.constant = 1;
    return sum;
  }
  for (int s = asap[k]; s <= t; ++s)
    sum.add(runsAt(k, s));
  return sum;
}

std::string WindowBuilder::addVariables() {
  uint64_t alignment = spm.getAlignment();
  uint64_t granules = spm.capacity / alignment;
  uint64_t factor = std::max<uint64_t>(1, (granules + kMaxAddressUnits - 1) /
                                              kMaxAddressUnits);
  unit = alignment * factor;
  capacityUnits = spm.capacity / unit;

  runs.assign(ops.size(), {});
  for (unsigned k = 0; k < ops.size(); ++k)
    if (asap[k] < alap[k])
      for (int t = asap[k]; t <= alap[k]; ++t)
        runs[k].push_back(model.addBinary());

  for (auto [id, state] : llvm::enumerate(tensors)) {
    if (!state.relevant)
      continue;
    const Tensor &tensor = graph.getTensor(id);
    uint64_t footprint = spm.footprint(tensor.bytes);
    state.units = (footprint + unit - 1) / unit;
    if (state.lo <= state.hi)
      active.push_back(id);
    for (int t = state.lo; t <= state.hi; ++t)
      state.resident.push_back(model.addBinary());

    // The off-chip copy of an intermediate not yet off-chip.
    if (!tensor.isExternal() && !state.offChip &&
        (state.producer >= 0 || state.initial)) {
      bool forced = tensor.isOutput || (spec.tail == WindowTail::Fixed &&
                                        state.suffixNeedsOffChip);
      ilp::Var w = model.addContinuous(0, 1);
      if (forced)
        model.fix(w, 1);
      if (!tensor.isOutput)
        model.addObjective(w, tensor.bytes);
      state.store = Term::of(w);
    } else if (!tensor.isExternal()) {
      state.store = Term::fixed(state.offChip ? 1 : 0);
    }

    // Loads: wherever a residency may start without the producer.
    state.load.assign(std::max(state.hi - state.lo + 1, 0), -1);
    for (int t = state.lo; t <= state.hi; ++t) {
      if (t == state.lo && (state.initial || state.producer >= 0))
        continue;
      if (!tensor.isExternal() && !state.store.isVar() &&
          state.store.constant == 0)
        continue;
      ilp::Var l = model.addContinuous(0, 1);
      model.addObjective(l, tensor.bytes);
      state.load[t - state.lo] = l;
    }

    // Moves at the boundaries (see TensorState); leaving at the end is an
    // option without addresses too, so the relaxation stays a relaxation.
    bool reloadable =
        tensor.isExternal() || state.store.isVar() || state.store.constant == 1;
    if (state.crossingEnd && reloadable) {
      state.exitMove = model.addBinary();
      model.addObjective(state.exitMove, tensor.bytes);
    }

    if (spec.withAddresses && state.lo <= state.hi && state.units > 0) {
      if (state.units > capacityUnits)
        return "tensor '" + tensor.name + "' exceeds the scratchpad";
      if ((state.initial && state.entryOffset % unit != 0) ||
          (state.crossingEnd && state.exitOffset % unit != 0))
        return "tensor '" + tensor.name + "' sits off the address grid";
      for (int t = state.lo; t <= state.hi; ++t)
        state.address.push_back(
            model.addInteger(0, capacityUnits - state.units));
      if (state.initial && reloadable) {
        state.entryMove = model.addBinary();
        model.addObjective(state.entryMove, tensor.bytes);
      }
      if (state.crossingEnd && !reloadable)
        model.fix(state.address.back(), state.exitOffset / unit);
    }
  }
  return {};
}

std::string WindowBuilder::addConstraints() {
  // Each operator runs once, each step runs one operator, producers first.
  if (!spec.fixedOrder) {
    for (unsigned k = 0; k < ops.size(); ++k) {
      if (runs[k].empty())
        continue;
      ilp::LinearExpr once;
      for (ilp::Var x : runs[k])
        once.add(x);
      model.addEqual(once, 1);
    }
    for (int t = 0; t < numSteps; ++t) {
      Affine step;
      for (unsigned k = 0; k < ops.size(); ++k)
        step.add(runsAt(k, t));
      if (step.expr.terms.empty())
        continue;
      model.addEqual(step.expr, 1 - step.constant);
    }
    for (unsigned c = 0; c < ops.size(); ++c) {
      llvm::SmallVector<unsigned> producers;
      for (unsigned tensor : graph.getOperator(ops[c]).inputs)
        if (int p = tensors[tensor].producer; p >= 0)
          if (!llvm::is_contained(producers, p))
            producers.push_back(p);
      // Started(c, t) <= Started(p, t - 1).
      for (unsigned p : producers)
        for (int t = asap[c]; t <= alap[p]; ++t) {
          Affine row = startedBy(c, t);
          Affine before = startedBy(p, t - 1);
          for (auto [var, coefficient] : before.expr.terms)
            row.expr.add(var, -coefficient);
          row.constant -= before.constant;
          if (!row.expr.terms.empty())
            model.addLessEqual(row.expr, -row.constant);
        }
    }
  }

  for (unsigned id : active) {
    TensorState &state = tensors[id];
    const Tensor &tensor = graph.getTensor(id);
    // Resident while an operator that touches it runs.
    for (unsigned k : state.users)
      for (int t = asap[k]; t <= alap[k]; ++t) {
        Term x = runsAt(k, t);
        ilp::Var r = state.resident[t - state.lo];
        if (!x.isVar()) {
          model.fix(r, 1);
          continue;
        }
        model.addGreaterEqual(ilp::LinearExpr().add(r).add(x.var, -1), 0);
      }
    // Not resident before its producer runs.
    if (state.producer >= 0 && !state.initial)
      for (int t = state.lo; t <= state.hi && t < alap[state.producer]; ++t) {
        Affine row = startedBy(state.producer, t);
        ilp::LinearExpr expr;
        expr.add(state.resident[t - state.lo]);
        for (auto [var, coefficient] : row.expr.terms)
          expr.add(var, -coefficient);
        model.addLessEqual(expr, row.constant);
      }
    // A residency starts with a load unless the producer runs then:
    // l[t] >= r[t] - r[t-1] - x[producer][t].
    for (int t = state.lo; t <= state.hi; ++t) {
      Affine row;
      row.add(state.residentAt(t)).add(state.residentAt(t - 1), -1);
      if (state.producer >= 0)
        row.add(runsAt(state.producer, t), -1);
      int l = state.load[t - state.lo];
      if (l >= 0)
        row.expr.add(l, -1);
      if (row.expr.terms.empty())
        continue;
      model.addLessEqual(row.expr, -row.constant);
      // Reloading an intermediate needs its off-chip copy.
      if (l >= 0 && !tensor.isExternal() && state.store.isVar())
        model.addLessEqual(ilp::LinearExpr().add(l).add(state.store.var, -1),
                           0);
    }
    // A cut: a tensor the window needs and neither holds at its start nor
    // produces is loaded at least once (the LP would spread fractional
    // residencies over fractional loads).
    bool mustArrive = !state.initial && state.producer < 0 &&
                      (!state.users.empty() || state.crossingEnd);
    if (mustArrive) {
      ilp::LinearExpr loads;
      for (int l : state.load)
        if (l >= 0)
          loads.add(l);
      if (!loads.terms.empty())
        model.addGreaterEqual(loads, 1);
    }
    // Open tail: resident at the end, or off-chip and reloaded later.
    if (state.liveAfter && state.hi == numSteps - 1) {
      ilp::Var last = state.resident.back();
      model.addObjective(last, -static_cast<double>(tensor.bytes));
      penaltyConstant += tensor.bytes;
      if (state.store.isVar())
        model.addGreaterEqual(ilp::LinearExpr().add(last).add(state.store.var),
                              1);
    }
    // A move at a boundary reloads, so it needs the off-chip copy.
    for (int move : {state.entryMove, state.exitMove})
      if (move >= 0 && state.store.isVar())
        model.addLessEqual(ilp::LinearExpr().add(move).add(state.store.var, -1),
                           0);
    if (state.entryMove >= 0)
      model.addLessEqual(ilp::LinearExpr()
                             .add(state.entryMove)
                             .add(state.resident.front(), -1),
                         0);
    if (state.exitMove >= 0)
      model.addGreaterEqual(
          ilp::LinearExpr().add(state.resident.back()).add(state.exitMove), 1);
    else if (state.crossingEnd)
      model.fix(state.resident.back(), 1);
  }

  // The live footprint of each step fits (a cut with addresses, the only
  // memory constraint without). Without addresses it may keep a share of
  // the capacity free for fragmentation, except for what the step's own
  // operator needs: footprint(t) <= C' + sum_k x[k][t] max(0, ws_k - C').
  uint64_t alignment = spm.getAlignment();
  uint64_t fullLimit = spm.capacity / alignment;
  uint64_t limit = fullLimit;
  if (!spec.withAddresses && spec.capacityScale < 1)
    limit = static_cast<uint64_t>(fullLimit * spec.capacityScale);
  std::vector<uint64_t> excess(ops.size(), 0);
  for (unsigned k = 0; k < ops.size(); ++k) {
    uint64_t bytes = 0;
    for (unsigned tensor : graph.getWorkingSet(ops[k]))
      bytes += spm.footprint(graph.getTensor(tensor).bytes);
    excess[k] = bytes / alignment > limit ? bytes / alignment - limit : 0;
  }
  for (int t = 0; t < numSteps; ++t) {
    Affine row;
    for (unsigned id : active) {
      const TensorState &state = tensors[id];
      uint64_t granules = spm.footprint(graph.getTensor(id).bytes) / alignment;
      if (t >= state.lo && t <= state.hi && granules > 0)
        row.expr.add(state.resident[t - state.lo], granules);
    }
    for (unsigned k = 0; k < ops.size(); ++k)
      if (excess[k] > 0)
        row.add(runsAt(k, t), -static_cast<double>(excess[k]));
    if (!row.expr.terms.empty())
      model.addLessEqual(row.expr, limit - row.constant);
  }

  if (spec.withAddresses)
    addAddressConstraints();
  uint64_t maxColumns = spec.withAddresses ? kMaxAddressColumns : kMaxColumns;
  if (model.numConstraints() > kMaxRows || model.numVariables() > maxColumns)
    return "the model is too large (" + std::to_string(model.numVariables()) +
           " variables, " + std::to_string(model.numConstraints()) +
           " constraints)";
  return {};
}

void WindowBuilder::addAddressConstraints() {
  double big = capacityUnits;
  // A buffer keeps its address while it stays resident:
  // |a[t] - a[t-1]| <= C (2 - r[t] - r[t-1]).
  for (unsigned id : active) {
    TensorState &state = tensors[id];
    if (state.address.empty())
      continue;
    for (int t = state.initial ? state.lo : state.lo + 1; t <= state.hi; ++t) {
      Term previous = t == state.lo ? Term::fixed(state.entryOffset / unit)
                                    : Term::of(state.address[t - 1 - state.lo]);
      for (double sign : {1.0, -1.0}) {
        Affine row;
        row.add(Term::of(state.address[t - state.lo]), sign)
            .add(previous, -sign)
            .add(state.residentAt(t), big)
            .add(state.residentAt(t - 1), big);
        if (t == state.lo && state.entryMove >= 0)
          row.expr.add(state.entryMove, -big);
        model.addLessEqual(row.expr, 2 * big - row.constant);
      }
    }
    // The last step's buffer is the one the next residency continues:
    // |a[K-1] - exit| <= C exitMove + C (1 - r[K-1]).
    if (state.exitMove >= 0 && !state.address.empty())
      for (double sign : {1.0, -1.0})
        model.addLessEqual(ilp::LinearExpr()
                               .add(state.address.back(), sign)
                               .add(state.exitMove, -big)
                               .add(state.resident.back(), big),
                           big + sign * (state.exitOffset / unit));
  }

  // Buffers resident at one step do not overlap; z = 1 puts the first
  // below the second: a1 + f1 <= a2 + C (1 - z) + C (2 - r1 - r2) and
  // a2 + f2 <= a1 + C z + C (2 - r1 - r2).
  for (unsigned a = 0; a < active.size(); ++a) {
    TensorState &first = tensors[active[a]];
    if (first.address.empty())
      continue;
    for (unsigned b = a + 1; b < active.size(); ++b) {
      TensorState &second = tensors[active[b]];
      if (second.address.empty())
        continue;
      int lo = std::max(first.lo, second.lo);
      int hi = std::min(first.hi, second.hi);
      bool apart = first.units + second.units > capacityUnits;
      for (int t = lo; t <= hi; ++t) {
        ilp::Var r1 = first.resident[t - first.lo];
        ilp::Var r2 = second.resident[t - second.lo];
        if (apart) {
          model.addLessEqual(ilp::LinearExpr().add(r1).add(r2), 1);
          continue;
        }
        ilp::Var a1 = first.address[t - first.lo];
        ilp::Var a2 = second.address[t - second.lo];
        ilp::Var z = model.addBinary();
        pairs.push_back({active[a], active[b], t, z});
        model.addLessEqual(
            ilp::LinearExpr().add(a1).add(a2, -1).add(z, big).add(r1, big).add(
                r2, big),
            3 * big - first.units);
        model.addLessEqual(
            ilp::LinearExpr().add(a2).add(a1, -1).add(z, -big).add(r1, big).add(
                r2, big),
            2 * big - second.units);
      }
    }
  }
}

std::vector<double> WindowBuilder::getWarmStart(const Plan &source,
                                                bool &full) {
  std::vector<double> start(model.numVariables(),
                            std::numeric_limits<double>::quiet_NaN());
  std::vector<int> sourceStep(graph.numOperators(), -1);
  for (auto [step, op] : llvm::enumerate(source.order))
    sourceStep[op] = static_cast<int>(step) - static_cast<int>(spec.begin);
  for (unsigned k = 0; k < ops.size(); ++k)
    for (auto [index, x] : llvm::enumerate(runs[k]))
      start[x] = asap[k] + static_cast<int>(index) == sourceStep[ops[k]];

  // Residency and offsets of the current plan inside the window.
  std::vector<std::vector<const Residency *>> byTensor(graph.numTensors());
  for (const Residency &residency : source.residencies)
    byTensor[residency.tensor].push_back(&residency);
  auto residencyAt = [&](unsigned id, int t) -> const Residency * {
    unsigned step = spec.begin + t;
    for (const Residency *residency : byTensor[id])
      if (residency->begin <= step && step <= residency->end)
        return residency;
    return nullptr;
  };
  // offsets[id][t - lo]: the address in units, -1 when not resident.
  std::vector<std::vector<int64_t>> offsets(graph.numTensors());
  bool addressable = true;
  for (unsigned id : active) {
    TensorState &state = tensors[id];
    int64_t previous = state.initial ? state.entryOffset / unit : -1;
    // A residency that starts at the window's first step while the tensor
    // was resident just before is a move.
    if (state.entryMove >= 0) {
      const Residency *first = residencyAt(id, 0);
      bool moves = first && first->begin == spec.begin;
      start[state.entryMove] = moves;
      if (moves)
        previous = -1;
    }
    if (state.exitMove >= 0) {
      const Residency *last = residencyAt(id, numSteps - 1);
      start[state.exitMove] = !last || last->end < spec.end;
    }
    for (int t = state.lo; t <= state.hi; ++t) {
      const Residency *residency = residencyAt(id, t);
      start[state.resident[t - state.lo]] = residency != nullptr;
      int64_t offset = residency ? residency->offset / unit : -1;
      offsets[id].push_back(offset);
      if (!residency)
        previous = -1;
      if (!residency || state.address.empty())
        continue;
      // Back-to-back residencies at two offsets form one run here, which
      // cannot move.
      if (residency->offset % unit != 0 ||
          (previous >= 0 && previous != offset))
        addressable = false;
      previous = offset;
    }
  }
  full = addressable;
  if (!addressable)
    return start;
  for (unsigned id : active) {
    TensorState &state = tensors[id];
    int64_t last = 0;
    for (auto [index, var] : llvm::enumerate(state.address)) {
      if (offsets[id][index] >= 0)
        last = offsets[id][index];
      start[var] = last;
    }
  }
  for (const Pair &pair : pairs) {
    int64_t x = offsets[pair.first][pair.step - tensors[pair.first].lo];
    int64_t y = offsets[pair.second][pair.step - tensors[pair.second].lo];
    start[pair.order] = x >= 0 && y >= 0 && x < y;
  }
  return start;
}

std::vector<unsigned>
WindowBuilder::decodeOrder(const ilp::Solution &solution) const {
  std::vector<std::pair<int, unsigned>> steps;
  for (unsigned k = 0; k < ops.size(); ++k) {
    int step = asap[k];
    for (int t = asap[k]; t <= alap[k]; ++t) {
      Term x = runsAt(k, t);
      if (x.isVar() ? solution.getInteger(x.var) == 1 : x.constant == 1)
        step = t;
    }
    steps.push_back({step, k});
  }
  llvm::sort(steps);
  std::vector<unsigned> order = current.order;
  for (auto [index, entry] : llvm::enumerate(steps)) {
    if (entry.first != static_cast<int>(index))
      return {};
    order[spec.begin + index] = ops[entry.second];
  }
  return order;
}

std::optional<Plan> WindowBuilder::decode(const ilp::Solution &solution,
                                          llvm::ArrayRef<unsigned> order) {
  auto value = [&](Term term) -> int64_t {
    return term.isVar() ? solution.getInteger(term.var)
                        : std::llround(term.constant);
  };
  Plan plan;
  plan.order = order;
  std::vector<unsigned> newStep(graph.numOperators());
  for (auto [step, op] : llvm::enumerate(order))
    newStep[op] = step;

  // The runs of r = 1; one at the window's first step continues the
  // residency the tensor is in before the window, one at its last step
  // the residency that goes on after it (fixed tail).
  struct Run {
    unsigned tensor;
    int first, last;
    bool continuesHead, joinsTail;
  };
  std::vector<Run> runList;
  std::vector<Buffer> buffers;
  for (unsigned id : active) {
    const TensorState &state = tensors[id];
    for (int t = state.lo; t <= state.hi; ++t) {
      if (value(state.residentAt(t)) != 1 ||
          (t > state.lo && value(state.residentAt(t - 1)) == 1))
        continue;
      int last = t;
      while (last < state.hi && value(state.residentAt(last + 1)) == 1)
        ++last;
      bool movesIn =
          state.entryMove >= 0 && solution.getInteger(state.entryMove) == 1;
      bool movesOut =
          state.exitMove >= 0 && solution.getInteger(state.exitMove) == 1;
      Run run{id, t, last, t == 0 && state.initial && !movesIn,
              last == numSteps - 1 && state.crossingEnd && !movesOut};
      Buffer buffer{static_cast<unsigned>(t), static_cast<unsigned>(last),
                    spm.footprint(graph.getTensor(id).bytes), std::nullopt};
      if (run.continuesHead)
        buffer.fixedOffset = state.entryOffset;
      if (run.joinsTail) {
        if (buffer.fixedOffset && *buffer.fixedOffset != state.exitOffset)
          return std::nullopt;
        buffer.fixedOffset = state.exitOffset;
      }
      if (!state.address.empty() && !buffer.fixedOffset)
        buffer.fixedOffset =
            solution.getInteger(state.address[t - state.lo]) * unit;
      runList.push_back(run);
      buffers.push_back(buffer);
      t = last;
    }
  }
  // Without address variables, offsets come from first-fit placement.
  std::optional<std::vector<uint64_t>> offsets =
      placeBuffers(buffers, spm.capacity);
  if (!offsets)
    return std::nullopt;

  // Residencies outside the window stay; those crossing its boundaries are
  // cut there and joined to the window's runs below.
  unsigned begin = spec.begin, end = spec.end;
  bool fixedTail = spec.tail == WindowTail::Fixed;
  std::vector<int> prefixAt(graph.numTensors(), -1);
  std::vector<int> suffixAt(graph.numTensors(), -1);
  std::vector<Residency> &out = plan.residencies;
  for (const Residency &residency : current.residencies) {
    bool atStart = residency.begin < begin && residency.end + 1 >= begin;
    if ((residency.end < begin && !atStart) ||
        (fixedTail && residency.begin >= end)) {
      out.push_back(residency);
      continue;
    }
    if (atStart) {
      Residency head = residency;
      head.end = begin - 1;
      prefixAt[residency.tensor] = out.size();
      out.push_back(head);
    }
    if (fixedTail && residency.end >= end) {
      Residency tail = residency;
      tail.begin = end;
      tail.load = false;
      suffixAt[residency.tensor] = out.size();
      out.push_back(tail);
    }
  }

  // The off-chip copy goes on the tensor's first residency: the one it is
  // in at the start, or the one its producer opens.
  std::vector<bool> dropped(out.size(), false);
  std::vector<bool> storeDone(graph.numTensors(), false);
  for (auto [run, offset] : llvm::zip(runList, *offsets)) {
    const TensorState &state = tensors[run.tensor];
    unsigned index;
    if (run.continuesHead) {
      index = prefixAt[run.tensor];
      out[index].end = begin + run.last;
    } else {
      Residency residency;
      residency.tensor = run.tensor;
      residency.begin = begin + run.first;
      residency.end = begin + run.last;
      residency.offset = offset;
      residency.load = !(state.producer >= 0 &&
                         newStep[ops[state.producer]] == begin + run.first);
      index = out.size();
      out.push_back(residency);
    }
    if (run.joinsTail) {
      const Residency &tail = out[suffixAt[run.tensor]];
      out[index].end = tail.end;
      out[index].store |= tail.store;
      dropped[suffixAt[run.tensor]] = true;
    }
    bool stores = state.store.isVar() && value(state.store) == 1;
    if (stores && !state.initial && !storeDone[run.tensor])
      out[index].store = true;
    storeDone[run.tensor] = true;
  }
  for (auto [id, state] : llvm::enumerate(tensors))
    if (state.relevant && state.initial && state.store.isVar() &&
        value(state.store) == 1)
      out[prefixAt[id]].store = true;

  // A tail left unjoined starts with a load (a move at the end); without a
  // move the solution broke a fixed residency.
  for (auto [id, at] : llvm::enumerate(suffixAt)) {
    if (at < 0 || dropped[at] || !tensors[id].relevant)
      continue;
    const TensorState &state = tensors[id];
    if (state.exitMove < 0 || solution.getInteger(state.exitMove) != 1)
      return std::nullopt;
    out[at].load = true;
  }
  std::vector<Residency> kept;
  for (auto [index, residency] : llvm::enumerate(out))
    if (index >= dropped.size() || !dropped[index])
      kept.push_back(residency);
  plan.residencies = std::move(kept);
  // With an open tail, later parts may still reload what was stored.
  normalizePlan(graph, plan, /*dropUnusedStores=*/fixedTail);
  return plan;
}

llvm::Expected<WindowResult> WindowBuilder::run(const Plan *seed) {
  WindowResult result;
  if (numSteps <= 0 || spec.end > current.order.size()) {
    result.skipped = "empty window";
    return result;
  }
  analyzeOperators();
  analyzeTensors();
  result.skipped = addVariables();
  if (result.skipped.empty())
    result.skipped = addConstraints();
  result.numVariables = model.numVariables();
  result.numConstraints = model.numConstraints();
  if (!result.skipped.empty())
    return result;

  ilp::SolveOptions options;
  options.timeLimitSeconds = spec.timeLimitSeconds;
  const Plan *source = seed;
  if (!source && spec.warmStart && spec.tail == WindowTail::Fixed &&
      !current.residencies.empty())
    source = &current;
  if (source)
    options.warmStart = getWarmStart(*source, result.fullWarmStart);
  llvm::Expected<ilp::Solution> solution = model.solve(options);
  if (!solution)
    return solution.takeError();
  result.status = solution->status;
  result.seconds = solution->seconds;
  double offset = penaltyConstant - compulsoryConstant;
  result.ncBound = std::max(0.0, solution->bound + offset);
  if (!solution->hasSolution())
    return result;
  result.ncObjective = std::max(0.0, solution->objective + offset);
  result.order = decodeOrder(*solution);
  if (!result.order.empty() && (spec.withAddresses || spec.placeBuffers))
    result.plan = decode(*solution, result.order);
  return result;
}

llvm::Expected<WindowResult> tessera::memory::detail::solveWindowModel(
    const Graph &graph, const ScratchpadConfig &spm, const Plan &current,
    const WindowSpec &spec, const Plan *seed) {
  WindowBuilder builder(graph, spm, current, spec);
  return builder.run(seed);
}

void tessera::memory::detail::normalizePlan(const Graph &graph, Plan &plan,
                                            bool dropUnusedStores) {
  std::vector<Residency> &residencies = plan.residencies;
  llvm::sort(residencies, [](const Residency &a, const Residency &b) {
    return std::make_pair(a.tensor, a.begin) <
           std::make_pair(b.tensor, b.begin);
  });
  // Back-to-back at one offset: one residency, one load.
  std::vector<Residency> merged;
  for (const Residency &residency : residencies) {
    if (!merged.empty()) {
      Residency &last = merged.back();
      if (last.tensor == residency.tensor && last.end + 1 == residency.begin &&
          last.offset == residency.offset) {
        last.end = residency.end;
        last.store |= residency.store;
        continue;
      }
    }
    merged.push_back(residency);
  }
  // One store, and only if something reloads the value or it is an output.
  for (size_t first = 0; first < merged.size();) {
    size_t last = first;
    unsigned tensor = merged[first].tensor;
    while (last < merged.size() && merged[last].tensor == tensor)
      ++last;
    const Tensor &t = graph.getTensor(tensor);
    bool stored = false, reloaded = false;
    int storing = -1;
    for (size_t i = first; i < last; ++i) {
      Residency &residency = merged[i];
      if (t.isExternal()) {
        residency.store = false;
        continue;
      }
      reloaded |= stored && residency.load;
      if (residency.store && stored)
        residency.store = false;
      if (residency.store && storing < 0) {
        storing = i;
        stored = true;
      }
    }
    if (dropUnusedStores && storing >= 0 && !reloaded && !t.isOutput)
      merged[storing].store = false;
    first = last;
  }
  llvm::sort(merged, [](const Residency &a, const Residency &b) {
    return std::make_pair(a.begin, a.tensor) <
           std::make_pair(b.begin, b.tensor);
  });
  residencies = std::move(merged);
}

bool tessera::memory::detail::isValidPlan(const Graph &graph,
                                          const ScratchpadConfig &spm,
                                          const Plan &plan) {
  if (llvm::Error error = verifyPlan(graph, spm, plan)) {
    llvm::consumeError(std::move(error));
    return false;
  }
  return true;
}

uint64_t tessera::memory::detail::getNCBytes(const Graph &graph,
                                             const Plan &plan) {
  return computeTraffic(graph, plan).ncBytes();
}

std::optional<Plan> tessera::memory::detail::getStartPlan(
    const Graph &graph, const ScratchpadConfig &spm, const Plan *warmStart,
    llvm::ArrayRef<unsigned> fixedOrder, std::string &name,
    std::vector<std::string> &warnings) {
  if (warmStart) {
    llvm::Error error = verifyPlan(graph, spm, *warmStart);
    if (!error && (fixedOrder.empty() ||
                   llvm::ArrayRef<unsigned>(warmStart->order) == fixedOrder)) {
      name = "warm start";
      return *warmStart;
    }
    warnings.push_back(
        error ? "warm start ignored: " + llvm::toString(std::move(error))
              : "warm start ignored: it does not follow the fixed order");
  }
  std::vector<unsigned> order = fixedOrder.empty()
                                    ? getMemoryAwareOrder(graph, spm)
                                    : std::vector<unsigned>(fixedOrder);
  llvm::Expected<Plan> plan =
      simulateSchedule(graph, spm, order, Placement::BestFit, Eviction::Belady);
  if (!plan) {
    llvm::consumeError(plan.takeError());
    return std::nullopt;
  }
  if (!isValidPlan(graph, spm, *plan))
    return std::nullopt;
  bool modelOrder = llvm::equal(order, getModelOrder(graph));
  name = fixedOrder.empty() ? "b3" : modelOrder ? "b1" : "baseline";
  return std::move(*plan);
}
