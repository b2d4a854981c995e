//===- Importer.cpp - Load an ONNX model and import its graph -------------===//
//
// Loading (protobuf, opset, checker, shape overrides, shape inference) and
// the walk over the graph that hands each node to its converter.
//
//===----------------------------------------------------------------------===//

#include "tessera/Frontend/ONNX/Import.h"
#include "tessera/Frontend/ONNX/ImportContext.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/Verifier.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include "onnx/checker.h"

#include "onnx/defs/schema.h"
#include "onnx/shape_inference/implementation.h"
#include <algorithm>

using namespace mlir;
using namespace tessera;

std::string tessera::parseShapeOverride(StringRef text,
                                        ImportOptions &options) {
  auto [name, dims] = text.rsplit(':');
  if (name.empty() || dims.empty())
    return "--shape expects NAME:DIMS, e.g. input:1x3x224x224, got '" +
           text.str() + "'";
  SmallVector<int64_t> shape;
  SmallVector<StringRef> parts;
  dims.split(parts, 'x');
  for (StringRef part : parts) {
    int64_t size;
    if (part.getAsInteger(10, size) || size < 0)
      return "--shape '" + text.str() + "': '" + part.str() +
             "' is not a dimension size";
    shape.push_back(size);
  }
  options.inputShapes[name] = shape;
  return "";
}

void tessera::registerImportDialects(DialectRegistry &registry) {
  registry.insert<arith::ArithDialect, func::FuncDialect, linalg::LinalgDialect,
                  math::MathDialect, tensor::TensorDialect>();
}

namespace {

/// Imports one loaded, shape-inferred model.
class GraphImporter {
public:
  GraphImporter(MLIRContext &context, StringRef path,
                const ImportOptions &options)
      : context(context), path(path), options(options), builder(&context) {}

  OwningOpRef<ModuleOp> run();

private:
  /// Reports an error about the model as a whole.
  InFlightDiagnostic emitError() {
    return mlir::emitError(FileLineColLoc::get(&context, path, 0, 0));
  }
  LogicalResult load();
  LogicalResult checkOpset();
  LogicalResult applyShapeOverrides();
  LogicalResult inferShapes();
  /// The graph inputs that are not initializers.
  SmallVector<const onnx::ValueInfoProto *> getRuntimeInputs();
  FailureOr<RankedTensorType> getStaticType(const onnx::ValueInfoProto &info,
                                            StringRef role);

  MLIRContext &context;
  StringRef path;
  const ImportOptions &options;
  OpBuilder builder;
  onnx::ModelProto model;
  int64_t opset = 0;
};

} // namespace

LogicalResult GraphImporter::load() {
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                            /*RequiresNullTerminator=*/false);
  if (!buffer)
    return emitError() << "cannot read model: " << buffer.getError().message();
  StringRef data = (*buffer)->getBuffer();
  if (!model.ParseFromArray(data.data(), static_cast<int>(data.size())))
    return emitError() << "not a valid ONNX model: the protobuf is truncated "
                          "or corrupt";
  if (!model.has_graph())
    return emitError() << "not a valid ONNX model: it has no graph";
  return success();
}

LogicalResult GraphImporter::checkOpset() {
  const auto &ranges =
      onnx::OpSchemaRegistry::DomainToVersionRange::Instance().Map();
  auto [minVersion, maxVersion] = ranges.at(onnx::ONNX_DOMAIN);
  for (const onnx::OperatorSetIdProto &import : model.opset_import()) {
    if (!import.domain().empty() && import.domain() != "ai.onnx")
      continue;
    opset = import.version();
  }
  if (opset == 0)
    return emitError() << "the model imports no opset of the default ONNX "
                          "domain";
  if (opset < minVersion || opset > maxVersion)
    return emitError() << "unsupported opset version " << opset
                       << " of domain ai.onnx (supported: " << minVersion
                       << " to " << maxVersion << ")";
  return success();
}

SmallVector<const onnx::ValueInfoProto *> GraphImporter::getRuntimeInputs() {
  llvm::StringSet<> initializers;
  for (const onnx::TensorProto &tensor : model.graph().initializer())
    initializers.insert(tensor.name());
  SmallVector<const onnx::ValueInfoProto *> inputs;
  for (const onnx::ValueInfoProto &input : model.graph().input())
    if (!initializers.contains(input.name()))
      inputs.push_back(&input);
  return inputs;
}

LogicalResult GraphImporter::applyShapeOverrides() {
  for (const auto &entry : options.inputShapes) {
    onnx::ValueInfoProto *input = nullptr;
    for (onnx::ValueInfoProto &candidate :
         *model.mutable_graph()->mutable_input())
      if (candidate.name() == entry.getKey())
        input = &candidate;
    if (!input)
      return emitError() << "--shape names '" << entry.getKey()
                         << "', which is not an input of the model";
    onnx::TensorShapeProto *shape =
        input->mutable_type()->mutable_tensor_type()->mutable_shape();
    if (shape->dim_size() != 0 &&
        shape->dim_size() != static_cast<int>(entry.getValue().size()))
      return emitError() << "--shape gives " << entry.getValue().size()
                         << " dimensions for input '" << entry.getKey()
                         << "', which has rank " << shape->dim_size();
    shape->clear_dim();
    for (int64_t size : entry.getValue())
      shape->add_dim()->set_dim_value(size);
  }
  return success();
}

LogicalResult GraphImporter::inferShapes() {
  try {
    // The path form of the checker knows the model's directory, where
    // external-data files live.
    onnx::checker::check_model(path.str());
    onnx::ShapeInferenceOptions inferenceOptions{/*check_type=*/true,
                                                 /*error_mode=*/1,
                                                 /*enable_data_propagation=*/
                                                 true};
    onnx::shape_inference::InferShapes(
        model, onnx::OpSchemaRegistry::Instance(), inferenceOptions);
  } catch (const std::exception &e) {
    std::string message = e.what();
    std::replace(message.begin(), message.end(), '\n', ' ');
    return emitError() << "invalid ONNX model: " << StringRef(message).trim();
  }
  return success();
}

FailureOr<RankedTensorType>
GraphImporter::getStaticType(const onnx::ValueInfoProto &info, StringRef role) {
  if (!info.type().has_tensor_type())
    return emitError() << role << " '" << info.name()
                       << "' is not a tensor (sequences, maps and optionals "
                          "are unsupported)";
  const onnx::TypeProto::Tensor &tensorType = info.type().tensor_type();
  Type elementType = elementTypeFromONNX(&context, tensorType.elem_type());
  if (!elementType)
    return emitError() << role << " '" << info.name()
                       << "' has an unsupported element type ("
                       << onnx::TensorProto::DataType_Name(
                              static_cast<onnx::TensorProto::DataType>(
                                  tensorType.elem_type()))
                       << ")";
  if (!tensorType.has_shape())
    return emitError() << role << " '" << info.name()
                       << "' has an unknown rank; give its shape with --shape "
                       << info.name() << ":DIMS";
  SmallVector<int64_t> shape;
  for (auto [i, dim] : llvm::enumerate(tensorType.shape().dim())) {
    if (dim.has_dim_value()) {
      shape.push_back(dim.dim_value());
      continue;
    }
    auto diag = emitError() << role << " '" << info.name()
                            << "' has a dynamic dimension " << i;
    if (!dim.dim_param().empty())
      diag << " ('" << dim.dim_param() << "')";
    if (role == "input")
      diag << "; pin it with --shape " << info.name() << ":DIMS";
    else
      diag << " that shape inference cannot resolve from the input shapes";
    return failure();
  }
  return RankedTensorType::get(shape, elementType);
}

OwningOpRef<ModuleOp> GraphImporter::run() {
  if (failed(load()) || failed(checkOpset()) || failed(applyShapeOverrides()) ||
      failed(inferShapes()))
    return nullptr;
  const onnx::GraphProto &graph = model.graph();

  SmallVector<const onnx::ValueInfoProto *> inputs = getRuntimeInputs();
  SmallVector<Type> inputTypes, outputTypes;
  for (const onnx::ValueInfoProto *input : inputs) {
    FailureOr<RankedTensorType> type = getStaticType(*input, "input");
    if (failed(type))
      return nullptr;
    inputTypes.push_back(*type);
  }
  for (const onnx::ValueInfoProto &output : graph.output()) {
    FailureOr<RankedTensorType> type = getStaticType(output, "output");
    if (failed(type))
      return nullptr;
    outputTypes.push_back(*type);
  }

  Location fileLoc = FileLineColLoc::get(&context, path, 0, 0);
  OwningOpRef<ModuleOp> module = ModuleOp::create(fileLoc);
  std::string modelName =
      graph.name().empty() ? llvm::sys::path::stem(path).str() : graph.name();
  (*module)->setAttr("tessera.model_name", builder.getStringAttr(modelName));
  builder.setInsertionPointToEnd(module->getBody());
  auto func =
      func::FuncOp::create(builder, fileLoc, options.functionName,
                           builder.getFunctionType(inputTypes, outputTypes));
  auto describe = [&](const onnx::ValueInfoProto &info) {
    return builder.getDictionaryAttr(
        {builder.getNamedAttr("tessera.name",
                              builder.getStringAttr(info.name())),
         builder.getNamedAttr("tessera.dtype",
                              builder.getI32IntegerAttr(
                                  info.type().tensor_type().elem_type()))});
  };
  for (auto [i, input] : llvm::enumerate(inputs))
    func.setArgAttrs(i, describe(*input));
  for (auto [i, output] : llvm::enumerate(graph.output()))
    func.setResultAttrs(i, describe(output));

  Block *entry = func.addEntryBlock();
  builder.setInsertionPointToStart(entry);
  ImportContext ctx(builder, path, opset);
  ctx.modelDir = llvm::sys::path::parent_path(path).str();
  if (ctx.modelDir.empty())
    ctx.modelDir = ".";
  for (const onnx::ValueInfoProto &info : graph.input())
    ctx.bindType(info.name(), info.type());
  for (const onnx::ValueInfoProto &info : graph.value_info())
    ctx.bindType(info.name(), info.type());
  for (const onnx::ValueInfoProto &info : graph.output())
    ctx.bindType(info.name(), info.type());
  for (auto [i, input] : llvm::enumerate(inputs))
    ctx.bindValue(input->name(), entry->getArgument(i));

  // Initializers become constants at the top of the function.
  for (const onnx::TensorProto &tensor : graph.initializer()) {
    std::string error;
    DenseElementsAttr attr =
        tensorToAttr(&context, tensor, ctx.modelDir, error);
    if (!attr) {
      emitError() << "initializer: " << error;
      return nullptr;
    }
    ctx.bindConstant(tensor.name(), tensor);
    ctx.bindValue(
        tensor.name(),
        arith::ConstantOp::create(
            builder, NameLoc::get(builder.getStringAttr(tensor.name())), attr));
  }

  ConverterTable converters;
  addElementwiseConverters(converters);
  addLinearConverters(converters);
  addPoolingConverters(converters);
  addNormalizationConverters(converters);
  addShapeConverters(converters);
  addReductionConverters(converters);

  for (const onnx::NodeProto &node : graph.node()) {
    if (!node.domain().empty() && node.domain() != "ai.onnx") {
      ctx.emitError(node) << "unsupported operator '" << node.op_type()
                          << "' of domain '" << node.domain() << "'";
      return nullptr;
    }
    auto it = converters.find(node.op_type());
    if (it == converters.end()) {
      ctx.emitError(node) << "unsupported operator '" << node.op_type() << "'";
      return nullptr;
    }
    if (failed(it->second(ctx, node)))
      return nullptr;
  }

  SmallVector<Value> results;
  for (const onnx::ValueInfoProto &output : graph.output()) {
    Value value = ctx.lookupValue(output.name());
    if (!value) {
      emitError() << "graph output '" << output.name()
                  << "' is not produced by any node";
      return nullptr;
    }
    results.push_back(value);
  }
  func::ReturnOp::create(builder, fileLoc, results);

  if (failed(verify(*module)))
    return nullptr;
  return module;
}

OwningOpRef<ModuleOp> tessera::importONNXModel(StringRef path,
                                               MLIRContext &context,
                                               const ImportOptions &options) {
  DialectRegistry registry;
  registerImportDialects(registry);
  context.appendDialectRegistry(registry);
  context.loadAllAvailableDialects();
  return GraphImporter(context, path, options).run();
}
