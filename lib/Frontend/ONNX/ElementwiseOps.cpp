//===- ElementwiseOps.cpp - ONNX elementwise operators --------------------===//
//
// Unary activations and binary arithmetic with multidirectional
// broadcasting, each one linalg.generic.
//
//===----------------------------------------------------------------------===//

#include "tessera/Frontend/ONNX/ImportContext.h"
#include "tessera/Frontend/ONNX/LinalgBuilders.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"

#include <limits>

using namespace mlir;
using namespace tessera;

namespace {

/// Computes one element from the elements of the operands.
using ElementFn = Value (*)(OpBuilder &, Location, ValueRange, bool isUnsigned);

/// Imports a node whose every input takes part in an elementwise map.
LogicalResult convertElementwise(ImportContext &ctx,
                                 const onnx::NodeProto &node, ElementFn fn) {
  SmallVector<Value> inputs;
  for (unsigned i = 0, e = ctx.getNumInputs(node); i < e; ++i) {
    FailureOr<Value> input = ctx.getInput(node, i);
    if (failed(input))
      return failure();
    inputs.push_back(*input);
  }
  FailureOr<RankedTensorType> type = ctx.getResultType(node, 0);
  if (failed(type))
    return failure();
  bool isUnsigned = isUnsignedONNXType(ctx.getDataType(node.input(0)));
  Value result = elementwise(ctx.builder, ctx.getLoc(node), inputs, *type,
                             [&](OpBuilder &b, Location loc, ValueRange args) {
                               return fn(b, loc, args, isUnsigned);
                             });
  ctx.setResult(node, 0, result);
  return success();
}

Value add(OpBuilder &b, Location loc, ValueRange args, bool) {
  return addScalar(b, loc, args[0], args[1]);
}

Value sub(OpBuilder &b, Location loc, ValueRange args, bool) {
  if (isa<FloatType>(args[0].getType()))
    return arith::SubFOp::create(b, loc, args[0], args[1]);
  return arith::SubIOp::create(b, loc, args[0], args[1]);
}

Value mul(OpBuilder &b, Location loc, ValueRange args, bool) {
  return mulScalar(b, loc, args[0], args[1]);
}

Value div(OpBuilder &b, Location loc, ValueRange args, bool isUnsigned) {
  if (isa<FloatType>(args[0].getType()))
    return arith::DivFOp::create(b, loc, args[0], args[1]);
  if (isUnsigned)
    return arith::DivUIOp::create(b, loc, args[0], args[1]);
  return arith::DivSIOp::create(b, loc, args[0], args[1]);
}

Value relu(OpBuilder &b, Location loc, ValueRange args, bool isUnsigned) {
  Value zero = scalarConstant(b, loc, args[0].getType(), 0.0);
  return maxScalar(b, loc, args[0], zero, isUnsigned);
}

Value sigmoid(OpBuilder &b, Location loc, ValueRange args, bool) {
  Value one = scalarConstant(b, loc, args[0].getType(), 1.0);
  Value negated = arith::NegFOp::create(b, loc, args[0]);
  Value exp = math::ExpOp::create(b, loc, negated);
  Value denominator = arith::AddFOp::create(b, loc, one, exp);
  return arith::DivFOp::create(b, loc, one, denominator);
}

Value tanh(OpBuilder &b, Location loc, ValueRange args, bool) {
  return math::TanhOp::create(b, loc, args[0]);
}

Value exp(OpBuilder &b, Location loc, ValueRange args, bool) {
  return math::ExpOp::create(b, loc, args[0]);
}

Value sqrt(OpBuilder &b, Location loc, ValueRange args, bool) {
  return math::SqrtOp::create(b, loc, args[0]);
}

Value neg(OpBuilder &b, Location loc, ValueRange args, bool) {
  if (isa<FloatType>(args[0].getType()))
    return arith::NegFOp::create(b, loc, args[0]);
  Value zero = scalarConstant(b, loc, args[0].getType(), 0.0);
  return arith::SubIOp::create(b, loc, zero, args[0]);
}

Value abs(OpBuilder &b, Location loc, ValueRange args, bool isUnsigned) {
  if (isa<FloatType>(args[0].getType()))
    return math::AbsFOp::create(b, loc, args[0]);
  if (isUnsigned)
    return args[0];
  return math::AbsIOp::create(b, loc, args[0]);
}

/// Clip with bounds as operands (opset 11 and later): x, [min], [max].
LogicalResult convertClip(ImportContext &ctx, const onnx::NodeProto &node) {
  FailureOr<Value> input = ctx.getInput(node, 0);
  FailureOr<RankedTensorType> type = ctx.getResultType(node, 0);
  if (failed(input) || failed(type))
    return failure();
  OpBuilder &b = ctx.builder;
  Location loc = ctx.getLoc(node);
  bool isUnsigned = isUnsignedONNXType(ctx.getDataType(node.input(0)));
  SmallVector<Value> operands = {*input};
  bool hasMin = false, hasMax = false;
  if (ctx.getOpset() < 11) {
    Type elementType = type->getElementType();
    auto bound = [&](StringRef name, float fallback, bool &present) {
      if (!ctx.findAttr(node, name))
        return;
      present = true;
      auto scalarType = RankedTensorType::get({}, elementType);
      operands.push_back(arith::ConstantOp::create(
          b, loc,
          DenseElementsAttr::get(
              scalarType,
              b.getFloatAttr(elementType,
                             ctx.getFloatAttr(node, name, fallback)))));
    };
    bound("min", std::numeric_limits<float>::lowest(), hasMin);
    bound("max", std::numeric_limits<float>::max(), hasMax);
  } else {
    for (unsigned i = 1; i <= 2; ++i) {
      if (!ctx.hasInput(node, i))
        continue;
      FailureOr<Value> bound = ctx.getInput(node, i);
      if (failed(bound))
        return failure();
      operands.push_back(*bound);
      (i == 1 ? hasMin : hasMax) = true;
    }
  }
  Value result =
      elementwise(b, loc, operands, *type,
                  [&](OpBuilder &nb, Location nloc, ValueRange args) {
                    Value x = args[0];
                    unsigned next = 1;
                    if (hasMin)
                      x = maxScalar(nb, nloc, x, args[next++], isUnsigned);
                    if (hasMax)
                      x = minScalar(nb, nloc, x, args[next++], isUnsigned);
                    return x;
                  });
  ctx.setResult(node, 0, result);
  return success();
}

LogicalResult convertLeakyRelu(ImportContext &ctx,
                               const onnx::NodeProto &node) {
  FailureOr<Value> input = ctx.getInput(node, 0);
  FailureOr<RankedTensorType> type = ctx.getResultType(node, 0);
  if (failed(input) || failed(type))
    return failure();
  double alpha = ctx.getFloatAttr(node, "alpha", 0.01f);
  Value result = elementwise(
      ctx.builder, ctx.getLoc(node), {*input}, *type,
      [&](OpBuilder &b, Location loc, ValueRange args) {
        Value zero = scalarConstant(b, loc, args[0].getType(), 0.0);
        Value slope = scalarConstant(b, loc, args[0].getType(), alpha);
        Value scaled = arith::MulFOp::create(b, loc, args[0], slope);
        Value positive = arith::CmpFOp::create(
            b, loc, arith::CmpFPredicate::OGT, args[0], zero);
        return arith::SelectOp::create(b, loc, positive, args[0], scaled);
      });
  ctx.setResult(node, 0, result);
  return success();
}

/// max(0, min(1, alpha * x + beta)), the ramp of HardSigmoid and HardSwish.
Value hardSigmoidScalar(OpBuilder &b, Location loc, Value x, double alpha,
                        double beta) {
  Type type = x.getType();
  Value scaled =
      arith::MulFOp::create(b, loc, x, scalarConstant(b, loc, type, alpha));
  Value shifted =
      arith::AddFOp::create(b, loc, scaled, scalarConstant(b, loc, type, beta));
  Value upper = minScalar(b, loc, shifted, scalarConstant(b, loc, type, 1.0));
  return maxScalar(b, loc, upper, scalarConstant(b, loc, type, 0.0));
}

/// HardSigmoid (`alpha`, default 0.2; `beta`, default 0.5) and HardSwish
/// (x * HardSigmoid(x) with alpha = 1/6, beta = 0.5).
LogicalResult convertHardSigmoid(ImportContext &ctx,
                                 const onnx::NodeProto &node, bool isSwish) {
  FailureOr<Value> input = ctx.getInput(node, 0);
  FailureOr<RankedTensorType> type = ctx.getResultType(node, 0);
  if (failed(input) || failed(type))
    return failure();
  if (!isa<FloatType>(type->getElementType()))
    return ctx.emitError(node) << "only float element types are supported";
  double alpha = isSwish ? 1.0 / 6.0 : ctx.getFloatAttr(node, "alpha", 0.2f);
  double beta = isSwish ? 0.5 : ctx.getFloatAttr(node, "beta", 0.5f);
  Value result =
      elementwise(ctx.builder, ctx.getLoc(node), {*input}, *type,
                  [&](OpBuilder &b, Location loc, ValueRange args) -> Value {
                    Value ramp =
                        hardSigmoidScalar(b, loc, args[0], alpha, beta);
                    if (!isSwish)
                      return ramp;
                    return arith::MulFOp::create(b, loc, args[0], ramp);
                  });
  ctx.setResult(node, 0, result);
  return success();
}

} // namespace

#define ELEMENTWISE(NAME, FN)                                                  \
  table[NAME] = [](ImportContext &ctx, const onnx::NodeProto &node) {          \
    return convertElementwise(ctx, node, FN);                                  \
  }

void tessera::addElementwiseConverters(ConverterTable &table) {
  ELEMENTWISE("Add", add);
  ELEMENTWISE("Sub", sub);
  ELEMENTWISE("Mul", mul);
  ELEMENTWISE("Div", div);
  ELEMENTWISE("Relu", relu);
  ELEMENTWISE("Sigmoid", sigmoid);
  ELEMENTWISE("Tanh", tanh);
  ELEMENTWISE("Exp", exp);
  ELEMENTWISE("Sqrt", sqrt);
  ELEMENTWISE("Neg", neg);
  ELEMENTWISE("Abs", abs);
  table["Clip"] = convertClip;
  table["LeakyRelu"] = convertLeakyRelu;
  table["HardSigmoid"] = [](ImportContext &ctx, const onnx::NodeProto &node) {
    return convertHardSigmoid(ctx, node, /*isSwish=*/false);
  };
  table["HardSwish"] = [](ImportContext &ctx, const onnx::NodeProto &node) {
    return convertHardSigmoid(ctx, node, /*isSwish=*/true);
  };
}
