//===- Kernels.cpp - Kernel variants of dataset collection ----------------===//

#include "tessera/CostModel/Kernels.h"

#include "mlir/IR/Attributes.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Diagnostics.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/raw_ostream.h"

#include <functional>
#include <random>

using namespace mlir;

namespace tessera::cost {

std::string KernelVariant::group() const {
  std::string text = family + "_";
  llvm::raw_string_ostream os(text);
  llvm::interleave(shape, os, "x");
  return text;
}

//===----------------------------------------------------------------------===//
// Compact configurations
//===----------------------------------------------------------------------===//

std::string formatCompactConfig(mlir::tessera::KernelConfigAttr config) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << "t=";
  for (unsigned l = 0; l < config.getTiles().size(); ++l) {
    if (l)
      os << '/';
    llvm::interleave(config.getTileSizes(l), os, "x");
  }
  os << ";o=";
  llvm::interleave(config.getLoopOrder(), os, ".");
  os << ";v=" << config.getVectorWidth() << ";u=" << config.getUnroll()
     << ";p=";
  llvm::interleave(config.getParallelDims(), os, ".");
  return text;
}

FailureOr<mlir::tessera::KernelConfigAttr>
parseCompactConfig(MLIRContext *ctx, StringRef text, std::string *error) {
  auto fail =
      [&](const Twine &message) -> FailureOr<mlir::tessera::KernelConfigAttr> {
    if (error)
      *error = ("schedule '" + text + "': " + message).str();
    return failure();
  };
  auto parseList = [](StringRef list, char separator,
                      SmallVectorImpl<int64_t> &out) -> bool {
    if (list.empty())
      return true;
    SmallVector<StringRef> parts;
    list.split(parts, separator);
    for (StringRef part : parts) {
      int64_t value;
      if (part.getAsInteger(10, value))
        return false;
      out.push_back(value);
    }
    return true;
  };
  SmallVector<Attribute> levels;
  SmallVector<int64_t> order, parallel;
  int64_t vector = 1, unroll = 1;
  SmallVector<StringRef> fields;
  text.split(fields, ';');
  for (StringRef field : fields) {
    auto [key, value] = field.split('=');
    if (key == "t") {
      if (value.empty())
        continue;
      SmallVector<StringRef> parts;
      value.split(parts, '/');
      for (StringRef part : parts) {
        SmallVector<int64_t> sizes;
        if (!parseList(part, 'x', sizes))
          return fail("bad tile sizes");
        levels.push_back(ArrayAttr::get(
            ctx, llvm::map_to_vector(sizes, [&](int64_t s) -> Attribute {
              return IntegerAttr::get(IntegerType::get(ctx, 64), s);
            })));
      }
    } else if (key == "o") {
      if (!parseList(value, '.', order))
        return fail("bad loop order");
    } else if (key == "v") {
      if (value.getAsInteger(10, vector))
        return fail("bad vector width");
    } else if (key == "u") {
      if (value.getAsInteger(10, unroll))
        return fail("bad unroll factor");
    } else if (key == "p") {
      if (!parseList(value, '.', parallel))
        return fail("bad parallel dimensions");
    } else {
      return fail("unknown field '" + key + "'");
    }
  }
  std::string message;
  // Verify through the attribute's own verifier, capturing its message.
  ScopedDiagnosticHandler handler(ctx, [&](Diagnostic &diag) {
    message = diag.str();
    return success();
  });
  auto emitError = [&]() { return mlir::emitError(UnknownLoc::get(ctx)); };
  ArrayAttr tiles = ArrayAttr::get(ctx, levels);
  if (failed(mlir::tessera::KernelConfigAttr::verify(
          llvm::function_ref<InFlightDiagnostic()>(emitError), tiles, order,
          vector, unroll, parallel)))
    return fail(message);
  return mlir::tessera::KernelConfigAttr::get(ctx, tiles, order, vector, unroll,
                                              parallel);
}

//===----------------------------------------------------------------------===//
// Families
//===----------------------------------------------------------------------===//

namespace {
using Shape = SmallVector<int64_t>;

/// Deterministic random numbers (std distributions differ between
/// standard libraries).
struct Rng {
  std::mt19937_64 engine;
  explicit Rng(uint64_t seed) : engine(seed) {}
  uint64_t below(uint64_t n) { return n ? engine() % n : 0; }
  template <typename T> const T &pick(ArrayRef<T> values) {
    return values[below(values.size())];
  }
};

struct Domain {
  SmallVector<int64_t> extents;
  SmallVector<bool> reduction;
};

struct Family {
  StringRef name;
  unsigned groups;
  std::function<std::vector<Shape>()> grid;
  std::function<Domain(const Shape &)> domain;
  /// Emits the operator (with `cfg` as its kernel_config), filling the
  /// argument shapes; arguments are %arg0, %arg1, ...
  std::function<std::string(const Shape &, StringRef cfg,
                            SmallVector<Shape> &args)>
      emit;
};

std::string memrefType(const Shape &shape) {
  std::string text = "memref<";
  for (int64_t d : shape)
    text += std::to_string(d) + "x";
  return text + "f32>";
}

/// `ins(...) outs(...)` of an operator over arguments [0, numIns) and the
/// following outputs.
std::string operands(ArrayRef<Shape> args, ArrayRef<unsigned> ins,
                     ArrayRef<unsigned> outs) {
  auto list = [&](ArrayRef<unsigned> ids) {
    std::string names, types;
    for (auto [i, id] : llvm::enumerate(ids)) {
      names += (i ? ", %arg" : "%arg") + std::to_string(id);
      types += (i ? ", " : "") + memrefType(args[id]);
    }
    return names + " : " + types;
  };
  return "ins(" + list(ins) + ") outs(" + list(outs) + ")";
}

std::string iteratorTypes(const Domain &domain) {
  std::string text = "[";
  for (auto [i, r] : llvm::enumerate(domain.reduction))
    text += std::string(i ? ", " : "") + (r ? "\"reduction\"" : "\"parallel\"");
  return text + "]";
}

/// A linalg.generic with maps over `d0..d(n-1)` and a body.
std::string generic(const Domain &domain, ArrayRef<std::string> maps,
                    ArrayRef<Shape> args, ArrayRef<unsigned> ins,
                    ArrayRef<unsigned> outs, StringRef body, StringRef cfg) {
  std::string dims;
  for (unsigned d = 0; d < domain.extents.size(); ++d)
    dims += (d ? ", d" : "d") + std::to_string(d);
  std::string mapList;
  for (auto [i, m] : llvm::enumerate(maps))
    mapList += (i ? ", " : "") + ("affine_map<(" + dims + ") -> (" + m + ")>");
  std::string blockArgs;
  unsigned numArgs = ins.size() + outs.size();
  for (unsigned i = 0; i < numArgs; ++i)
    blockArgs += (i ? ", %b" : "%b") + std::to_string(i) + ": f32";
  return llvm::formatv("linalg.generic {{indexing_maps = [{0}], "
                       "iterator_types = {1}} {2} attrs = "
                       "{{tessera.kernel_config = {3}} {{\n"
                       "^bb0({4}):\n{5}\n}\n",
                       mapList, iteratorTypes(domain),
                       operands(args, ins, outs), cfg, blockArgs, body)
      .str();
}

/// A stencil: out = f(reads of buffer %arg0 at shifted indices), `offsets`
/// per read. Each read is an identity-indexed subview of %arg0 at its offset
/// (as a stencil of real code reads it; linalg requires pure-dimension
/// indices to cover exactly the iteration domain).
std::string stencil(const Domain &domain, ArrayRef<SmallVector<int64_t>> reads,
                    ArrayRef<Shape> args, StringRef body, StringRef cfg) {
  const Shape &in = args[0], &out = args[1];
  unsigned rank = out.size();
  SmallVector<int64_t> strides(rank, 1);
  for (int r = rank - 2; r >= 0; --r)
    strides[r] = strides[r + 1] * in[r + 1];
  auto join = [](ArrayRef<int64_t> values) {
    return llvm::join(
        llvm::map_range(values, [](int64_t v) { return std::to_string(v); }),
        ", ");
  };
  std::string views, names, types;
  for (auto [i, offsets] : llvm::enumerate(reads)) {
    int64_t offset = 0;
    for (unsigned r = 0; r < rank; ++r)
      offset += offsets[r] * strides[r];
    std::string type = "memref<";
    for (int64_t d : out)
      type += std::to_string(d) + "x";
    type += "f32, strided<[" + join(strides) +
            "], offset: " + std::to_string(offset) + ">>";
    views +=
        llvm::formatv("%v{0} = memref.subview %arg0[{1}] [{2}] [{3}] : "
                      "{4} to {5}\n",
                      i, join(offsets), join(out),
                      join(SmallVector<int64_t>(rank, 1)), memrefType(in), type)
            .str();
    names += (i ? ", %v" : "%v") + std::to_string(i);
    types += (i ? ", " : "") + type;
  }
  std::string dims, blockArgs;
  for (unsigned d = 0; d < rank; ++d)
    dims += (d ? ", d" : "d") + std::to_string(d);
  std::string map = "affine_map<(" + dims + ") -> (" + dims + ")>";
  std::string mapList;
  for (size_t i = 0; i <= reads.size(); ++i)
    mapList += (i ? ", " : "") + map;
  for (size_t i = 0; i <= reads.size(); ++i)
    blockArgs += (i ? ", %b" : "%b") + std::to_string(i) + ": f32";
  return views +
         llvm::formatv("linalg.generic {{indexing_maps = [{0}], "
                       "iterator_types = {1}} ins({2} : {3}) outs(%arg1 : {4}) "
                       "attrs = {{tessera.kernel_config = {5}} {{\n"
                       "^bb0({6}):\n{7}\n}\n",
                       mapList, iteratorTypes(domain), names, types,
                       memrefType(out), cfg, blockArgs, body)
             .str();
}

/// All combinations of the value lists, filtered.
std::vector<Shape> product(ArrayRef<SmallVector<int64_t>> lists,
                           std::function<bool(const Shape &)> keep) {
  std::vector<Shape> shapes{Shape()};
  for (const auto &list : lists) {
    std::vector<Shape> next;
    for (const Shape &prefix : shapes)
      for (int64_t v : list) {
        Shape s = prefix;
        s.push_back(v);
        next.push_back(s);
      }
    shapes = std::move(next);
  }
  std::vector<Shape> kept;
  for (Shape &s : shapes)
    if (keep(s))
      kept.push_back(s);
  return kept;
}

/// Square output windows: the second shape entry (width) takes the first's
/// (height).
std::vector<Shape> square(std::vector<Shape> shapes) {
  for (Shape &s : shapes)
    s[1] = s[0];
  return shapes;
}

bool inRange(double value, double lo, double hi) {
  return value >= lo && value <= hi;
}

const char *kWindowAttrs =
    "dilations = dense<1> : tensor<2xi64>, strides = dense<{0}> : "
    "tensor<2xi64>, tessera.kernel_config = {1}";

std::vector<Family> buildFamilies() {
  std::vector<Family> f;
  // matmul: C[m,n] += A[m,k] * B[k,n].
  f.push_back({"matmul", 40,
               [] {
                 SmallVector<int64_t> sizes{16, 24,  32,  48, 64,
                                            96, 128, 192, 256};
                 return product({sizes, sizes, sizes}, [](const Shape &s) {
                   return inRange(2.0 * s[0] * s[1] * s[2], 2e5, 1.7e7);
                 });
               },
               [](const Shape &s) {
                 return Domain{{s[0], s[1], s[2]}, {false, false, true}};
               },
               [](const Shape &s, StringRef cfg, SmallVector<Shape> &args) {
                 args = {{s[0], s[2]}, {s[2], s[1]}, {s[0], s[1]}};
                 return "linalg.matmul {tessera.kernel_config = " + cfg.str() +
                        "} " + operands(args, {0, 1}, {2}) + "\n";
               }});
  // batch_matmul: C[b,m,n] += A[b,m,k] * B[b,k,n].
  f.push_back(
      {"batch_matmul", 25,
       [] {
         SmallVector<int64_t> sizes{16, 32, 48, 64, 96, 128};
         return product(
             {{2, 4, 8, 16}, sizes, sizes, sizes}, [](const Shape &s) {
               return inRange(2.0 * s[0] * s[1] * s[2] * s[3], 2e5, 1.7e7);
             });
       },
       [](const Shape &s) {
         return Domain{{s[0], s[1], s[2], s[3]}, {false, false, false, true}};
       },
       [](const Shape &s, StringRef cfg, SmallVector<Shape> &args) {
         args = {{s[0], s[1], s[3]}, {s[0], s[3], s[2]}, {s[0], s[1], s[2]}};
         return "linalg.batch_matmul {tessera.kernel_config = " + cfg.str() +
                "} " + operands(args, {0, 1}, {2}) + "\n";
       }});
  // conv2d (NHWC, HWCF), shape [OH, OW, C, F, K, S].
  f.push_back({"conv2d", 40,
               [] {
                 return square(product({{7, 8, 14, 16, 28, 32},
                                        {0},
                                        {3, 8, 16, 32, 64},
                                        {8, 16, 32, 64},
                                        {1, 3, 5},
                                        {1, 2}},
                                       [](const Shape &s) {
                                         double flops = 2.0 * s[0] * s[0] *
                                                        s[2] * s[3] * s[4] *
                                                        s[4];
                                         return inRange(flops, 2e5, 1.7e7);
                                       }));
               },
               [](const Shape &s) {
                 return Domain{{1, s[0], s[1], s[3], s[4], s[4], s[2]},
                               {false, false, false, false, true, true, true}};
               },
               [](const Shape &s, StringRef cfg, SmallVector<Shape> &args) {
                 int64_t in = (s[0] - 1) * s[5] + s[4];
                 args = {{1, in, in, s[2]},
                         {s[4], s[4], s[2], s[3]},
                         {1, s[0], s[1], s[3]}};
                 return "linalg.conv_2d_nhwc_hwcf {" +
                        llvm::formatv(kWindowAttrs, s[5], cfg).str() + "} " +
                        operands(args, {0, 1}, {2}) + "\n";
               }});
  // depthwise conv2d (NHWC, HWC), shape [OH, OW, C, K, S].
  auto windowGrid = [](double lo, double hi, double flopsPerPoint) {
    return [=] {
      return square(product({{8, 14, 16, 28, 32, 56, 64},
                             {0},
                             {8, 16, 32, 64, 128},
                             {2, 3, 5},
                             {1, 2}},
                            [=](const Shape &s) {
                              double flops = flopsPerPoint * s[0] * s[0] *
                                             s[2] * s[3] * s[3];
                              return inRange(flops, lo, hi);
                            }));
    };
  };
  auto windowDomain = [](const Shape &s) {
    return Domain{{1, s[0], s[1], s[2], s[3], s[3]},
                  {false, false, false, false, true, true}};
  };
  f.push_back(
      {"depthwise_conv2d", 25, windowGrid(1e5, 8e6, 2), windowDomain,
       [](const Shape &s, StringRef cfg, SmallVector<Shape> &args) {
         int64_t in = (s[0] - 1) * s[4] + s[3];
         args = {{1, in, in, s[2]}, {s[3], s[3], s[2]}, {1, s[0], s[1], s[2]}};
         return "linalg.depthwise_conv_2d_nhwc_hwc {" +
                llvm::formatv(kWindowAttrs, s[4], cfg).str() + "} " +
                operands(args, {0, 1}, {2}) + "\n";
       }});
  for (StringRef kind : {"max", "sum"}) {
    f.push_back(
        {kind == "max" ? "pool_max" : "pool_sum", 15, windowGrid(5e4, 4e6, 1),
         windowDomain,
         [kind](const Shape &s, StringRef cfg, SmallVector<Shape> &args) {
           int64_t in = (s[0] - 1) * s[4] + s[3];
           args = {{1, in, in, s[2]}, {s[3], s[3]}, {1, s[0], s[1], s[2]}};
           return "linalg.pooling_nhwc_" + kind.str() + " {" +
                  llvm::formatv(kWindowAttrs, s[4], cfg).str() + "} " +
                  operands(args, {0, 1}, {2}) + "\n";
         }});
  }
  // Elementwise chains, shape [M, N, recipe].
  f.push_back(
      {"elementwise", 35,
       [] {
         SmallVector<int64_t> sizes{32, 64, 128, 256, 512, 1024};
         return product({sizes, sizes, {0, 1, 2, 3, 4, 5, 6, 7}},
                        [](const Shape &s) {
                          return inRange(double(s[0]) * s[1], 3e4, 1.1e6);
                        });
       },
       [](const Shape &s) {
         return Domain{{s[0], s[1]}, {false, false}};
       },
       [](const Shape &s, StringRef cfg, SmallVector<Shape> &args) {
         Domain dom{{s[0], s[1]}, {false, false}};
         Shape mn{s[0], s[1]};
         std::string id = "d0, d1";
         auto cst = [](StringRef name, double v) {
           return llvm::formatv("  %{0} = arith.constant {1:e} : f32\n", name,
                                v)
               .str();
         };
         switch (s[2]) {
         case 0:
           args = {mn, mn, mn};
           return generic(dom, {id, id, id}, args, {0, 1}, {2},
                          "  %r = arith.addf %b0, %b1 : f32\n"
                          "  linalg.yield %r : f32",
                          cfg);
         case 1:
           args = {mn, mn, mn, mn};
           return generic(dom, {id, id, id, id}, args, {0, 1, 2}, {3},
                          "  %m = arith.mulf %b0, %b1 : f32\n"
                          "  %r = arith.addf %m, %b2 : f32\n"
                          "  linalg.yield %r : f32",
                          cfg);
         case 2:
           args = {mn, {s[1]}, mn};
           return generic(dom, {id, "d1", id}, args, {0, 1}, {2},
                          cst("z", 0.0) + "  %a = arith.addf %b0, %b1 : f32\n"
                                          "  %r = arith.maximumf %a, %z : f32\n"
                                          "  linalg.yield %r : f32",
                          cfg);
         case 3:
           args = {mn, mn};
           return generic(dom, {id, id}, args, {0}, {1},
                          cst("one", 1.0) + "  %n = arith.negf %b0 : f32\n"
                                            "  %e = math.exp %n : f32\n"
                                            "  %d = arith.addf %e, %one : f32\n"
                                            "  %r = arith.divf %one, %d : f32\n"
                                            "  linalg.yield %r : f32",
                          cfg);
         case 4:
           args = {mn, mn, mn};
           return generic(dom, {id, id, id}, args, {0, 1}, {2},
                          "  %t = math.tanh %b0 : f32\n"
                          "  %r = arith.mulf %t, %b1 : f32\n"
                          "  linalg.yield %r : f32",
                          cfg);
         case 5:
           args = {{s[1], s[0]}, mn};
           return generic(dom, {"d1, d0", id}, args, {0}, {1},
                          cst("two", 2.0) +
                              "  %r = arith.mulf %b0, %two : f32\n"
                              "  linalg.yield %r : f32",
                          cfg);
         case 6:
           args = {mn, mn};
           return generic(dom, {id, id}, args, {0}, {1},
                          cst("h", 0.5) + cst("one", 1.0) + cst("c", 0.044715) +
                              cst("k", 0.7978845) +
                              "  %x2 = arith.mulf %b0, %b0 : f32\n"
                              "  %x3 = arith.mulf %x2, %b0 : f32\n"
                              "  %cx3 = arith.mulf %x3, %c : f32\n"
                              "  %in = arith.addf %b0, %cx3 : f32\n"
                              "  %kin = arith.mulf %in, %k : f32\n"
                              "  %t = math.tanh %kin : f32\n"
                              "  %t1 = arith.addf %t, %one : f32\n"
                              "  %hx = arith.mulf %b0, %h : f32\n"
                              "  %r = arith.mulf %hx, %t1 : f32\n"
                              "  linalg.yield %r : f32",
                          cfg);
         default:
           args = {mn, {s[0]}, mn};
           return generic(dom, {id, "d0", id}, args, {0, 1}, {2},
                          cst("one", 1.0) +
                              "  %d = arith.addf %b1, %one : f32\n"
                              "  %r = arith.divf %b0, %d : f32\n"
                              "  linalg.yield %r : f32",
                          cfg);
         }
       }});
  // Reductions, shape [M, N, recipe].
  f.push_back({"reduction", 25,
               [] {
                 SmallVector<int64_t> sizes{32, 64, 128, 256, 512, 1024, 2048};
                 return product(
                     {sizes, sizes, {0, 1, 2, 3, 4}}, [](const Shape &s) {
                       return inRange(double(s[0]) * s[1], 6e4, 2.2e6);
                     });
               },
               [](const Shape &s) {
                 bool firstAxis = s[2] == 1;
                 return Domain{{s[0], s[1]}, {firstAxis, !firstAxis}};
               },
               [](const Shape &s, StringRef cfg, SmallVector<Shape> &args) {
                 Domain dom{{s[0], s[1]}, {s[2] == 1, s[2] != 1}};
                 Shape mn{s[0], s[1]};
                 switch (s[2]) {
                 case 0:
                   args = {mn, {s[0]}};
                   return generic(dom, {"d0, d1", "d0"}, args, {0}, {1},
                                  "  %r = arith.addf %b0, %b1 : f32\n"
                                  "  linalg.yield %r : f32",
                                  cfg);
                 case 1:
                   args = {mn, {s[1]}};
                   return generic(dom, {"d0, d1", "d1"}, args, {0}, {1},
                                  "  %r = arith.addf %b0, %b1 : f32\n"
                                  "  linalg.yield %r : f32",
                                  cfg);
                 case 2:
                   args = {mn, {s[0]}};
                   return generic(dom, {"d0, d1", "d0"}, args, {0}, {1},
                                  "  %r = arith.maximumf %b0, %b1 : f32\n"
                                  "  linalg.yield %r : f32",
                                  cfg);
                 case 3:
                   args = {mn, {s[0]}};
                   return generic(dom, {"d0, d1", "d0"}, args, {0}, {1},
                                  "  %s = arith.mulf %b0, %b0 : f32\n"
                                  "  %r = arith.addf %s, %b1 : f32\n"
                                  "  linalg.yield %r : f32",
                                  cfg);
                 default:
                   args = {mn, {s[0]}};
                   return generic(dom, {"d0, d1", "d0"}, args, {0}, {1},
                                  "  %e = math.exp %b0 : f32\n"
                                  "  %r = arith.addf %e, %b1 : f32\n"
                                  "  linalg.yield %r : f32",
                                  cfg);
                 }
               }});
  // PolyBench-like loop nests.
  SmallVector<int64_t> pbSizes{20, 30, 40, 60, 80, 100, 120, 160, 200};
  f.push_back(
      {"pb_gemm", 12,
       [pbSizes] {
         return product({pbSizes, pbSizes, pbSizes}, [](const Shape &s) {
           return inRange(3.0 * s[0] * s[1] * s[2], 2e5, 1.7e7);
         });
       },
       [](const Shape &s) {
         return Domain{{s[0], s[1], s[2]}, {false, false, true}};
       },
       [](const Shape &s, StringRef cfg, SmallVector<Shape> &args) {
         args = {{s[0], s[2]}, {s[2], s[1]}, {s[0], s[1]}};
         return generic(Domain{{s[0], s[1], s[2]}, {false, false, true}},
                        {"d0, d2", "d2, d1", "d0, d1"}, args, {0, 1}, {2},
                        "  %alpha = arith.constant 1.5 : f32\n"
                        "  %p = arith.mulf %b0, %b1 : f32\n"
                        "  %s = arith.mulf %p, %alpha : f32\n"
                        "  %r = arith.addf %b2, %s : f32\n"
                        "  linalg.yield %r : f32",
                        cfg);
       }});
  f.push_back({"pb_mvt", 10,
               [] {
                 return product(
                     {{250, 400, 500, 700, 1000, 1400, 2000}, {0, 1}},
                     [](const Shape &) { return true; });
               },
               [](const Shape &s) {
                 return Domain{{s[0], s[0]}, {false, true}};
               },
               [](const Shape &s, StringRef cfg, SmallVector<Shape> &args) {
                 args = {{s[0], s[0]}, {s[0]}, {s[0]}};
                 return generic(Domain{{s[0], s[0]}, {false, true}},
                                {s[1] ? "d1, d0" : "d0, d1", "d1", "d0"}, args,
                                {0, 1}, {2},
                                "  %p = arith.mulf %b0, %b1 : f32\n"
                                "  %r = arith.addf %b2, %p : f32\n"
                                "  linalg.yield %r : f32",
                                cfg);
               }});
  f.push_back({"pb_gesummv", 8,
               [] {
                 return product({{200, 300, 400, 500, 600, 700, 1000, 1400}},
                                [](const Shape &) { return true; });
               },
               [](const Shape &s) {
                 return Domain{{s[0], s[0]}, {false, true}};
               },
               [](const Shape &s, StringRef cfg, SmallVector<Shape> &args) {
                 args = {{s[0], s[0]}, {s[0], s[0]}, {s[0]}, {s[0]}};
                 return generic(Domain{{s[0], s[0]}, {false, true}},
                                {"d0, d1", "d0, d1", "d1", "d0"}, args,
                                {0, 1, 2}, {3},
                                "  %alpha = arith.constant 1.5 : f32\n"
                                "  %beta = arith.constant 1.2 : f32\n"
                                "  %a = arith.mulf %b0, %b2 : f32\n"
                                "  %b = arith.mulf %b1, %b2 : f32\n"
                                "  %aa = arith.mulf %a, %alpha : f32\n"
                                "  %bb = arith.mulf %b, %beta : f32\n"
                                "  %s = arith.addf %aa, %bb : f32\n"
                                "  %r = arith.addf %b3, %s : f32\n"
                                "  linalg.yield %r : f32",
                                cfg);
               }});
  f.push_back({"pb_syrk", 10,
               [pbSizes] {
                 return product({pbSizes, pbSizes}, [](const Shape &s) {
                   return inRange(2.0 * s[0] * s[0] * s[1], 2e5, 1.7e7);
                 });
               },
               [](const Shape &s) {
                 return Domain{{s[0], s[0], s[1]}, {false, false, true}};
               },
               [](const Shape &s, StringRef cfg, SmallVector<Shape> &args) {
                 args = {{s[0], s[1]}, {s[0], s[0]}};
                 Domain dom{{s[0], s[0], s[1]}, {false, false, true}};
                 // The same buffer is read twice (A and its transpose).
                 return generic(dom, {"d0, d2", "d1, d2", "d0, d1"}, args,
                                {0, 0}, {1},
                                "  %p = arith.mulf %b0, %b1 : f32\n"
                                "  %r = arith.addf %b2, %p : f32\n"
                                "  linalg.yield %r : f32",
                                cfg);
               }});
  f.push_back(
      {"pb_doitgen", 10,
       [] {
         return product(
             {{8, 10, 16, 20, 32}, {8, 10, 16, 20, 32}, {16, 24, 32, 48, 64}},
             [](const Shape &s) {
               return inRange(2.0 * s[0] * s[1] * s[2] * s[2], 2e5, 1.7e7);
             });
       },
       [](const Shape &s) {
         return Domain{{s[0], s[1], s[2], s[2]}, {false, false, false, true}};
       },
       [](const Shape &s, StringRef cfg, SmallVector<Shape> &args) {
         args = {{s[0], s[1], s[2]}, {s[2], s[2]}, {s[0], s[1], s[2]}};
         return generic(
             Domain{{s[0], s[1], s[2], s[2]}, {false, false, false, true}},
             {"d0, d1, d3", "d3, d2", "d0, d1, d2"}, args, {0, 1}, {2},
             "  %p = arith.mulf %b0, %b1 : f32\n"
             "  %r = arith.addf %b2, %p : f32\n"
             "  linalg.yield %r : f32",
             cfg);
       }});
  f.push_back({"pb_jacobi1d", 6,
               [] {
                 return product(
                     {{16384, 32768, 65536, 131072, 262144, 524288, 1048576}},
                     [](const Shape &) { return true; });
               },
               [](const Shape &s) {
                 return Domain{{s[0]}, {false}};
               },
               [](const Shape &s, StringRef cfg, SmallVector<Shape> &args) {
                 args = {{s[0] + 2}, {s[0]}};
                 return stencil(Domain{{s[0]}, {false}}, {{0}, {1}, {2}}, args,
                                "  %c = arith.constant 0.33333 : f32\n"
                                "  %s0 = arith.addf %b0, %b1 : f32\n"
                                "  %s1 = arith.addf %s0, %b2 : f32\n"
                                "  %r = arith.mulf %s1, %c : f32\n"
                                "  linalg.yield %r : f32",
                                cfg);
               }});
  f.push_back({"pb_jacobi2d", 10,
               [] {
                 return product({{128, 180, 256, 300, 400, 500, 700, 1000}},
                                [](const Shape &) { return true; });
               },
               [](const Shape &s) {
                 return Domain{{s[0], s[0]}, {false, false}};
               },
               [](const Shape &s, StringRef cfg, SmallVector<Shape> &args) {
                 args = {{s[0] + 2, s[0] + 2}, {s[0], s[0]}};
                 return stencil(Domain{{s[0], s[0]}, {false, false}},
                                {{1, 1}, {0, 1}, {2, 1}, {1, 0}, {1, 2}}, args,
                                "  %c = arith.constant 0.2 : f32\n"
                                "  %s0 = arith.addf %b0, %b1 : f32\n"
                                "  %s1 = arith.addf %s0, %b2 : f32\n"
                                "  %s2 = arith.addf %s1, %b3 : f32\n"
                                "  %s3 = arith.addf %s2, %b4 : f32\n"
                                "  %r = arith.mulf %s3, %c : f32\n"
                                "  linalg.yield %r : f32",
                                cfg);
               }});
  f.push_back({"pb_heat3d", 8,
               [] {
                 return product({{24, 32, 40, 48, 64, 80, 96}},
                                [](const Shape &) { return true; });
               },
               [](const Shape &s) {
                 return Domain{{s[0], s[0], s[0]}, {false, false, false}};
               },
               [](const Shape &s, StringRef cfg, SmallVector<Shape> &args) {
                 int64_t n = s[0];
                 args = {{n + 2, n + 2, n + 2}, {n, n, n}};
                 return stencil(Domain{{n, n, n}, {false, false, false}},
                                {{1, 1, 1},
                                 {0, 1, 1},
                                 {2, 1, 1},
                                 {1, 0, 1},
                                 {1, 2, 1},
                                 {1, 1, 0},
                                 {1, 1, 2}},
                                args,
                                "  %c = arith.constant 0.125 : f32\n"
                                "  %six = arith.constant 6.0 : f32\n"
                                "  %s0 = arith.addf %b1, %b2 : f32\n"
                                "  %s1 = arith.addf %s0, %b3 : f32\n"
                                "  %s2 = arith.addf %s1, %b4 : f32\n"
                                "  %s3 = arith.addf %s2, %b5 : f32\n"
                                "  %s4 = arith.addf %s3, %b6 : f32\n"
                                "  %m = arith.mulf %b0, %six : f32\n"
                                "  %d = arith.subf %s4, %m : f32\n"
                                "  %t = arith.mulf %d, %c : f32\n"
                                "  %r = arith.addf %b0, %t : f32\n"
                                "  linalg.yield %r : f32",
                                cfg);
               }});
  f.push_back(
      {"pb_conv2d", 6,
       [] {
         return product(
             {{64, 96, 128, 192, 256, 384, 512}, {64, 128, 256, 512}, {3, 5}},
             [](const Shape &s) {
               return inRange(2.0 * s[0] * s[1] * s[2] * s[2], 2e5, 1.7e7);
             });
       },
       [](const Shape &s) {
         return Domain{{s[0], s[1], s[2], s[2]}, {false, false, true, true}};
       },
       [](const Shape &s, StringRef cfg, SmallVector<Shape> &args) {
         args = {
             {s[0] + s[2] - 1, s[1] + s[2] - 1}, {s[2], s[2]}, {s[0], s[1]}};
         return generic(
             Domain{{s[0], s[1], s[2], s[2]}, {false, false, true, true}},
             {"d0 + d2, d1 + d3", "d2, d3", "d0, d1"}, args, {0, 1}, {2},
             "  %p = arith.mulf %b0, %b1 : f32\n"
             "  %r = arith.addf %b2, %p : f32\n"
             "  linalg.yield %r : f32",
             cfg);
       }});
  return f;
}

const std::vector<Family> &families() {
  static const std::vector<Family> all = buildFamilies();
  return all;
}

const Family *findFamily(StringRef name) {
  for (const Family &family : families())
    if (family.name == name)
      return &family;
  return nullptr;
}

uint64_t hashString(StringRef text) {
  uint64_t hash = 1469598103934665603ull;
  for (char c : text) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 1099511628211ull;
  }
  return hash;
}

SmallVector<int64_t> properDivisors(int64_t n) {
  SmallVector<int64_t> divisors;
  for (int64_t d = 2; d < n; ++d)
    if (n % d == 0)
      divisors.push_back(d);
  return divisors;
}

/// A random schedule of a domain in compact form; `index` 0 is the default.
std::string sampleSchedule(Rng &rng, const Domain &domain, unsigned index) {
  unsigned n = domain.extents.size();
  SmallVector<int64_t> order;
  for (unsigned d = 0; d < n; ++d)
    order.push_back(d);
  SmallVector<SmallVector<int64_t>> levels;
  int64_t vector = 1, unroll = 1;
  if (index > 0) {
    uint64_t r = rng.below(10);
    if (r < 6) {
      for (unsigned i = n; i > 1; --i)
        std::swap(order[i - 1], order[rng.below(i)]);
    } else if (r < 8 && n > 1) {
      std::swap(order[rng.below(n)], order[rng.below(n)]);
    }
    unsigned numLevels = std::array<unsigned, 4>{0, 1, 1, 2}[rng.below(4)];
    SmallVector<int64_t> extent = domain.extents;
    for (unsigned l = 0; l < numLevels; ++l) {
      SmallVector<int64_t> sizes(n, 0);
      for (unsigned d = 0; d < n; ++d) {
        SmallVector<int64_t> divisors = properDivisors(extent[d]);
        if (divisors.empty() || rng.below(10) >= 6)
          continue;
        sizes[d] = rng.pick<int64_t>(divisors);
        extent[d] = sizes[d];
      }
      levels.push_back(sizes);
    }
    int64_t vectorExtent = extent[order.back()];
    SmallVector<int64_t> widths;
    for (int64_t w : {1, 2, 4, 8, 16})
      if (w <= vectorExtent && vectorExtent % w == 0)
        widths.push_back(w);
    // Favour the wider widths a little.
    vector = rng.pick<int64_t>(widths);
    if (vector == 1 && widths.size() > 2 && rng.below(2))
      vector = widths[widths.size() - 1 - rng.below(2)];
    int64_t trip = vectorExtent / vector;
    SmallVector<int64_t> unrolls;
    for (int64_t u : {1, 2, 4, 8})
      if (u <= trip && vector * u <= 64)
        unrolls.push_back(u);
    unroll = rng.pick<int64_t>(unrolls);
  }
  std::string text = "t=";
  for (auto [l, sizes] : llvm::enumerate(levels)) {
    if (l)
      text += "/";
    text += llvm::join(
        llvm::map_range(sizes, [](int64_t s) { return std::to_string(s); }),
        "x");
  }
  text += ";o=" +
          llvm::join(llvm::map_range(
                         order, [](int64_t d) { return std::to_string(d); }),
                     ".");
  text += ";v=" + std::to_string(vector) + ";u=" + std::to_string(unroll);
  text += ";p=";
  for (int64_t d : order) {
    if (!domain.reduction[d] && domain.extents[d] > 1) {
      text += std::to_string(d);
      break;
    }
  }
  return text;
}
} // namespace

ArrayRef<StringRef> getKernelFamilies() {
  static const std::vector<StringRef> names = [] {
    std::vector<StringRef> list;
    for (const Family &family : families())
      list.push_back(family.name);
    return list;
  }();
  return names;
}

std::vector<KernelVariant> enumerateVariants(const VariantOptions &options) {
  std::vector<KernelVariant> variants;
  for (const Family &family : families()) {
    if (!options.families.empty() &&
        !llvm::is_contained(options.families, family.name))
      continue;
    std::vector<Shape> grid = family.grid();
    Rng shapeRng(options.seed * 7919 + hashString(family.name));
    for (size_t i = grid.size(); i > 1; --i)
      std::swap(grid[i - 1], grid[shapeRng.below(i)]);
    size_t numGroups = std::min<size_t>(
        grid.size(),
        std::max<size_t>(1, std::llround(family.groups * options.groupScale)));
    for (size_t g = 0; g < numGroups; ++g) {
      KernelVariant base{family.name.str(), grid[g], ""};
      Domain domain = family.domain(grid[g]);
      Rng rng(options.seed ^ hashString(base.group()));
      llvm::StringSet<> seen;
      for (unsigned attempt = 0, kept = 0;
           kept < options.schedulesPerGroup &&
           attempt < 20 * options.schedulesPerGroup;
           ++attempt) {
        std::string config = sampleSchedule(rng, domain, attempt);
        if (!seen.insert(config).second)
          continue;
        KernelVariant variant = base;
        variant.config = config;
        variants.push_back(std::move(variant));
        ++kept;
      }
    }
  }
  return variants;
}

/// The attribute form of a compact schedule; the parser of the module
/// reports what is wrong in it.
static std::string compactConfigToAttrText(StringRef compact) {
  std::string tiles = "[", order = "[]", parallel = "[]", vector = "1",
              unroll = "1";
  SmallVector<StringRef> fields;
  compact.split(fields, ';');
  auto list = [](StringRef values, char separator) {
    SmallVector<StringRef> parts;
    values.split(parts, separator, -1, false);
    return "[" + llvm::join(parts, ", ") + "]";
  };
  for (StringRef field : fields) {
    auto [key, value] = field.split('=');
    if (key == "t") {
      SmallVector<StringRef> levels;
      value.split(levels, '/', -1, false);
      for (auto [i, level] : llvm::enumerate(levels))
        tiles += (i ? ", " : "") + list(level, 'x');
    } else if (key == "o") {
      order = list(value, '.');
    } else if (key == "v") {
      vector = value.str();
    } else if (key == "u") {
      unroll = value.str();
    } else if (key == "p") {
      parallel = list(value, '.');
    }
  }
  return llvm::formatv("#tessera.kernel_config<tiles = {0}], loop_order = "
                       "{1}, vector_width = {2}, unroll = {3}, parallel_dims "
                       "= {4}>",
                       tiles, order, vector, unroll, parallel)
      .str();
}

FailureOr<KernelSource> generateKernel(const KernelVariant &variant,
                                       StringRef name, std::string *error) {
  const Family *family = findFamily(variant.family);
  if (!family) {
    if (error)
      *error = "unknown kernel family '" + variant.family + "'";
    return failure();
  }
  std::vector<Shape> grid = family->grid();
  if (grid.empty() || variant.shape.size() != grid.front().size()) {
    if (error)
      *error =
          llvm::formatv("a '{0}' kernel's shape has {1} numbers",
                        variant.family, grid.empty() ? 0 : grid.front().size())
              .str();
    return failure();
  }
  std::string cfg = compactConfigToAttrText(variant.config);
  KernelSource source;
  std::string body = family->emit(variant.shape, cfg, source.argShapes);
  std::string signature;
  for (auto [i, shape] : llvm::enumerate(source.argShapes))
    signature +=
        (i ? ", %arg" : "%arg") + std::to_string(i) + ": " + memrefType(shape);
  source.text = llvm::formatv("func.func @{0}({1}) attributes "
                              "{{llvm.emit_c_interface} {{\n{2}  return\n}\n",
                              name, signature, body)
                    .str();
  return source;
}

} // namespace tessera::cost
