//===- ShapeOps.cpp - ONNX data movement and constant operators -----------===//
//
// Reshape-like ops (their result shape comes from shape inference),
// Transpose, Concat, Gather, Expand, pass-through ops, and the ops that make
// constants: Constant, ConstantOfShape and Shape.
//
//===----------------------------------------------------------------------===//

#include "tessera/Frontend/ONNX/ImportContext.h"
#include "tessera/Frontend/ONNX/LinalgBuilders.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include <algorithm>
#include <numeric>

using namespace mlir;
using namespace tessera;

namespace {

/// Flatten, Reshape, Squeeze, Unsqueeze: a row-major reshape of input 0 to
/// the inferred result shape.
LogicalResult convertReshapeLike(ImportContext &ctx,
                                 const onnx::NodeProto &node) {
  FailureOr<Value> input = ctx.getInput(node, 0);
  FailureOr<RankedTensorType> type = ctx.getResultType(node, 0);
  if (failed(input) || failed(type))
    return failure();
  ctx.setResult(node, 0, reshape(ctx.builder, ctx.getLoc(node), *input, *type));
  return success();
}

/// Identity and Dropout (inference: no mask, output = input).
LogicalResult convertPassThrough(ImportContext &ctx,
                                 const onnx::NodeProto &node) {
  for (int i = 1; i < node.output_size(); ++i)
    if (!node.output(i).empty())
      return ctx.emitError(node) << "only the first output is supported "
                                    "(inference mode)";
  FailureOr<Value> input = ctx.getInput(node, 0);
  if (failed(input))
    return failure();
  ctx.setResult(node, 0, *input);
  return success();
}

LogicalResult convertTranspose(ImportContext &ctx,
                               const onnx::NodeProto &node) {
  FailureOr<Value> input = ctx.getInput(node, 0);
  if (failed(input))
    return failure();
  int64_t rank = cast<RankedTensorType>(input->getType()).getRank();
  SmallVector<int64_t> perm = ctx.getIntsAttr(node, "perm");
  if (perm.empty()) {
    perm.resize(rank);
    std::iota(perm.rbegin(), perm.rend(), 0);
  }
  if (static_cast<int64_t>(perm.size()) != rank)
    return ctx.emitError(node) << "perm has " << perm.size()
                               << " entries for an input of rank " << rank;
  ctx.setResult(node, 0,
                transpose(ctx.builder, ctx.getLoc(node), *input, perm));
  return success();
}

LogicalResult convertConcat(ImportContext &ctx, const onnx::NodeProto &node) {
  FailureOr<RankedTensorType> type = ctx.getResultType(node, 0);
  if (failed(type))
    return failure();
  int64_t rank = type->getRank();
  int64_t axis = ctx.getIntAttr(node, "axis", 0);
  if (axis < 0)
    axis += rank;
  if (axis < 0 || axis >= rank)
    return ctx.emitError(node) << "axis is out of range for rank " << rank;
  OpBuilder &b = ctx.builder;
  Location loc = ctx.getLoc(node);
  Value result =
      tensor::EmptyOp::create(b, loc, type->getShape(), type->getElementType());
  int64_t offset = 0;
  for (unsigned i = 0, e = ctx.getNumInputs(node); i < e; ++i) {
    FailureOr<Value> input = ctx.getInput(node, i);
    if (failed(input))
      return failure();
    auto inputType = cast<RankedTensorType>(input->getType());
    SmallVector<int64_t> offsets(rank, 0), strides(rank, 1);
    offsets[axis] = offset;
    offset += inputType.getDimSize(axis);
    result = tensor::InsertSliceOp::create(b, loc, *input, result, ValueRange{},
                                           ValueRange{}, ValueRange{}, offsets,
                                           inputType.getShape(), strides);
  }
  ctx.setResult(node, 0, result);
  return success();
}

/// Pad in constant mode with non-negative pads.
LogicalResult convertPad(ImportContext &ctx, const onnx::NodeProto &node) {
  FailureOr<Value> input = ctx.getInput(node, 0);
  if (failed(input))
    return failure();
  std::string mode = ctx.getStringAttr(node, "mode", "constant");
  if (mode != "constant")
    return ctx.emitError(node)
           << "only mode 'constant' is supported, got '" << mode << "'";
  SmallVector<int64_t> pads;
  double value = 0.0;
  if (ctx.getOpset() < 11) {
    pads = ctx.getIntsAttr(node, "pads");
    value = ctx.getFloatAttr(node, "value", 0.0f);
  } else {
    FailureOr<SmallVector<int64_t>> constantPads = ctx.getConstantInts(node, 1);
    if (failed(constantPads))
      return failure();
    pads = *constantPads;
    if (ctx.hasInput(node, 2)) {
      FailureOr<SmallVector<double>> padValue = ctx.getConstantDoubles(node, 2);
      if (failed(padValue))
        return failure();
      value = padValue->empty() ? 0.0 : padValue->front();
    }
    if (ctx.hasInput(node, 3))
      return ctx.emitError(node) << "the 'axes' input is unsupported";
  }
  int64_t rank = cast<RankedTensorType>(input->getType()).getRank();
  if (static_cast<int64_t>(pads.size()) != 2 * rank)
    return ctx.emitError(node) << "'pads' must have " << 2 * rank << " entries";
  if (llvm::any_of(pads, [](int64_t p) { return p < 0; }))
    return ctx.emitError(node) << "negative pads (cropping) are unsupported";
  ArrayRef<int64_t> padsRef(pads);
  ctx.setResult(node, 0,
                pad(ctx.builder, ctx.getLoc(node), *input,
                    padsRef.take_front(rank), padsRef.drop_front(rank), value));
  return success();
}

LogicalResult convertConstant(ImportContext &ctx, const onnx::NodeProto &node) {
  const onnx::AttributeProto *value = ctx.findAttr(node, "value");
  if (!value || !value->has_t())
    return ctx.emitError(node) << "only Constant nodes with a 'value' tensor "
                                  "are supported";
  std::string error;
  DenseElementsAttr attr =
      tensorToAttr(ctx.builder.getContext(), value->t(), ctx.modelDir, error);
  if (!attr)
    return ctx.emitError(node) << error;
  ctx.bindConstant(node.output(0), value->t());
  ctx.setResult(node, 0,
                arith::ConstantOp::create(ctx.builder, ctx.getLoc(node), attr));
  return success();
}

/// Shape: the input's static shape (dims `start` to `end`, opset 15) as a
/// constant.
LogicalResult convertShape(ImportContext &ctx, const onnx::NodeProto &node) {
  FailureOr<Value> input = ctx.getInput(node, 0);
  FailureOr<RankedTensorType> type = ctx.getResultType(node, 0);
  if (failed(input) || failed(type))
    return failure();
  ArrayRef<int64_t> shape = cast<RankedTensorType>(input->getType()).getShape();
  int64_t rank = shape.size();
  auto clampDim = [&](int64_t dim) {
    if (dim < 0)
      dim += rank;
    return std::clamp<int64_t>(dim, 0, rank);
  };
  int64_t start = clampDim(ctx.getIntAttr(node, "start", 0));
  int64_t end = clampDim(ctx.getIntAttr(node, "end", rank));
  SmallVector<int64_t> dims(shape.begin() + start,
                            shape.begin() + std::max(start, end));
  if (type->getRank() != 1 ||
      type->getDimSize(0) != static_cast<int64_t>(dims.size()) ||
      !type->getElementType().isInteger(64))
    return ctx.emitError(node)
           << "shape inference gave the output type " << *type
           << ", expected tensor<" << dims.size() << "xi64>";
  ctx.setResult(node, 0,
                arith::ConstantOp::create(
                    ctx.builder, ctx.getLoc(node),
                    DenseIntElementsAttr::get(*type, ArrayRef(dims))));
  return success();
}

/// Gather along `axis`: out[i..., j..., k...] = data[i..., indices[j...],
/// k...], one linalg.generic over the output that reads the indices and
/// extracts the element; negative indices count from the end.
LogicalResult convertGather(ImportContext &ctx, const onnx::NodeProto &node) {
  FailureOr<Value> data = ctx.getInput(node, 0);
  FailureOr<Value> indices = ctx.getInput(node, 1);
  FailureOr<RankedTensorType> type = ctx.getResultType(node, 0);
  if (failed(data) || failed(indices) || failed(type))
    return failure();
  auto dataType = cast<RankedTensorType>(data->getType());
  auto indicesType = cast<RankedTensorType>(indices->getType());
  int64_t rank = dataType.getRank();
  int64_t indicesRank = indicesType.getRank();
  int64_t axis = ctx.getIntAttr(node, "axis", 0);
  if (axis < 0)
    axis += rank;
  if (axis < 0 || axis >= rank)
    return ctx.emitError(node) << "axis is out of range for rank " << rank;
  if (type->getRank() != rank - 1 + indicesRank)
    return ctx.emitError(node) << "the output rank " << type->getRank()
                               << " is not the data rank plus the indices "
                                  "rank minus 1";
  OpBuilder &b = ctx.builder;
  Location loc = ctx.getLoc(node);
  MLIRContext *mctx = b.getContext();
  int64_t outRank = type->getRank();
  SmallVector<AffineExpr> indexExprs;
  for (int64_t i = 0; i < indicesRank; ++i)
    indexExprs.push_back(getAffineDimExpr(axis + i, mctx));
  SmallVector<AffineMap> maps = {
      AffineMap::get(outRank, 0, indexExprs, mctx),
      AffineMap::getMultiDimIdentityMap(outRank, mctx)};
  SmallVector<utils::IteratorType> iterators(outRank,
                                             utils::IteratorType::parallel);
  Value init =
      tensor::EmptyOp::create(b, loc, type->getShape(), type->getElementType());
  int64_t axisSize = dataType.getDimSize(axis);
  Value result =
      linalg::GenericOp::create(
          b, loc, TypeRange{*type}, ValueRange{*indices}, ValueRange{init},
          maps, iterators,
          [&](OpBuilder &nb, Location nl, ValueRange args) {
            Value index =
                arith::IndexCastOp::create(nb, nl, nb.getIndexType(), args[0]);
            Value zero = arith::ConstantIndexOp::create(nb, nl, 0);
            Value size = arith::ConstantIndexOp::create(nb, nl, axisSize);
            Value negative = arith::CmpIOp::create(
                nb, nl, arith::CmpIPredicate::slt, index, zero);
            Value wrapped = arith::AddIOp::create(nb, nl, index, size);
            index = arith::SelectOp::create(nb, nl, negative, wrapped, index);
            SmallVector<Value> coords;
            for (int64_t i = 0; i < rank; ++i) {
              if (i == axis)
                coords.push_back(index);
              else
                coords.push_back(linalg::IndexOp::create(
                    nb, nl, i < axis ? i : i - 1 + indicesRank));
            }
            Value element = tensor::ExtractOp::create(nb, nl, *data, coords);
            linalg::YieldOp::create(nb, nl, element);
          })
          .getResult(0);
  ctx.setResult(node, 0, result);
  return success();
}

/// Expand: input 0 broadcast to the inferred output shape (the shape input
/// is not read).
LogicalResult convertExpand(ImportContext &ctx, const onnx::NodeProto &node) {
  FailureOr<Value> input = ctx.getInput(node, 0);
  FailureOr<RankedTensorType> type = ctx.getResultType(node, 0);
  if (failed(input) || failed(type))
    return failure();
  if (input->getType() == *type) {
    ctx.setResult(node, 0, *input);
    return success();
  }
  ctx.setResult(node, 0,
                elementwise(ctx.builder, ctx.getLoc(node), {*input}, *type,
                            [](OpBuilder &, Location, ValueRange args) {
                              return args[0];
                            }));
  return success();
}

/// ConstantOfShape: a splat constant of the inferred output shape holding
/// the one element of `value` (default: float 0).
LogicalResult convertConstantOfShape(ImportContext &ctx,
                                     const onnx::NodeProto &node) {
  FailureOr<RankedTensorType> type = ctx.getResultType(node, 0);
  if (failed(type))
    return failure();
  OpBuilder &b = ctx.builder;
  Attribute element = b.getZeroAttr(type->getElementType());
  if (const onnx::AttributeProto *value = ctx.findAttr(node, "value")) {
    std::string error;
    DenseElementsAttr attr =
        tensorToAttr(b.getContext(), value->t(), ctx.modelDir, error);
    if (!attr)
      return ctx.emitError(node) << error;
    if (attr.getNumElements() != 1 ||
        attr.getElementType() != type->getElementType())
      return ctx.emitError(node) << "'value' must hold one element of the "
                                    "output's element type";
    element = *attr.value_begin<Attribute>();
  }
  ctx.setResult(node, 0,
                arith::ConstantOp::create(
                    b, ctx.getLoc(node),
                    DenseElementsAttr::get(*type, ArrayRef(element))));
  return success();
}

} // namespace

void tessera::addShapeConverters(ConverterTable &table) {
  for (StringRef name : {"Flatten", "Reshape", "Squeeze", "Unsqueeze"})
    table[name] = convertReshapeLike;
  table["Identity"] = convertPassThrough;
  table["Dropout"] = convertPassThrough;
  table["Transpose"] = convertTranspose;
  table["Concat"] = convertConcat;
  table["Pad"] = convertPad;
  table["Constant"] = convertConstant;
  table["Shape"] = convertShape;
  table["Gather"] = convertGather;
  table["Expand"] = convertExpand;
  table["ConstantOfShape"] = convertConstantOfShape;
}
