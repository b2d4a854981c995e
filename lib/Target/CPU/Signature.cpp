//===- Signature.cpp - The signature of a model's entry function ----------===//

#include "tessera/Target/CPU/ModelLibrary.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

using namespace mlir;
using namespace tessera;

/// Describes one argument or result from its type and attributes.
static llvm::Expected<TensorSignature> describe(Type type, DictionaryAttr attrs,
                                                StringRef fallbackName) {
  auto tensorType = dyn_cast<RankedTensorType>(type);
  if (!tensorType || !tensorType.hasStaticShape())
    return llvm::createStringError("entry function tensors must have static "
                                   "shapes, got " +
                                   fallbackName.str());
  TensorSignature tensor;
  auto name = attrs ? attrs.getAs<StringAttr>("tessera.name") : StringAttr();
  tensor.name = name ? name.str() : fallbackName.str();
  auto dtype =
      attrs ? attrs.getAs<IntegerAttr>("tessera.dtype") : IntegerAttr();
  tensor.dtype = dtype ? dtype.getInt() : 0;
  if (!dtype) {
    Type element = tensorType.getElementType();
    // ONNX data type numbers of the element types without signedness
    // information.
    if (element.isF32())
      tensor.dtype = 1;
    else if (element.isF64())
      tensor.dtype = 11;
    else if (element.isF16())
      tensor.dtype = 10;
    else if (element.isInteger(8))
      tensor.dtype = 3;
    else if (element.isInteger(32))
      tensor.dtype = 6;
    else if (element.isInteger(64))
      tensor.dtype = 7;
    else if (element.isInteger(1))
      tensor.dtype = 9;
  }
  if (tensor.dtype == 0)
    return llvm::createStringError("unsupported element type of tensor '" +
                                   tensor.name + "'");
  tensor.shape.assign(tensorType.getShape().begin(),
                      tensorType.getShape().end());
  return tensor;
}

llvm::Expected<ModelSignature>
tessera::extractSignature(ModuleOp module, StringRef functionName) {
  auto func = module.lookupSymbol<func::FuncOp>(functionName);
  if (!func)
    return llvm::createStringError("the module has no function @" +
                                   functionName.str());
  ModelSignature signature;
  signature.functionName = functionName.str();
  auto modelName = module->getAttrOfType<StringAttr>("tessera.model_name");
  signature.modelName = modelName ? modelName.str() : functionName.str();
  FunctionType type = func.getFunctionType();
  for (unsigned i = 0; i < type.getNumInputs(); ++i) {
    auto tensor = describe(type.getInput(i), func.getArgAttrDict(i),
                           "input_" + std::to_string(i));
    if (!tensor)
      return tensor.takeError();
    signature.inputs.push_back(std::move(*tensor));
  }
  for (unsigned i = 0; i < type.getNumResults(); ++i) {
    auto tensor = describe(type.getResult(i), func.getResultAttrDict(i),
                           "output_" + std::to_string(i));
    if (!tensor)
      return tensor.takeError();
    signature.outputs.push_back(std::move(*tensor));
  }
  return signature;
}
