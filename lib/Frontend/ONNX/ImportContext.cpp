//===- ImportContext.cpp - State of one ONNX graph import -----------------===//

#include "tessera/Frontend/ONNX/ImportContext.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <cstring>

using namespace mlir;
using namespace tessera;

Type tessera::elementTypeFromONNX(MLIRContext *ctx, int32_t dataType) {
  Builder b(ctx);
  switch (dataType) {
  case onnx::TensorProto::FLOAT:
    return b.getF32Type();
  case onnx::TensorProto::DOUBLE:
    return b.getF64Type();
  case onnx::TensorProto::FLOAT16:
    return b.getF16Type();
  case onnx::TensorProto::BFLOAT16:
    return b.getBF16Type();
  case onnx::TensorProto::INT8:
  case onnx::TensorProto::UINT8:
    return b.getI8Type();
  case onnx::TensorProto::INT16:
  case onnx::TensorProto::UINT16:
    return b.getI16Type();
  case onnx::TensorProto::INT32:
  case onnx::TensorProto::UINT32:
    return b.getI32Type();
  case onnx::TensorProto::INT64:
  case onnx::TensorProto::UINT64:
    return b.getI64Type();
  case onnx::TensorProto::BOOL:
    return b.getI1Type();
  default:
    return {};
  }
}

bool tessera::isUnsignedONNXType(int32_t dataType) {
  return dataType == onnx::TensorProto::UINT8 ||
         dataType == onnx::TensorProto::UINT16 ||
         dataType == onnx::TensorProto::UINT32 ||
         dataType == onnx::TensorProto::UINT64;
}

Location ImportContext::getLoc(const onnx::NodeProto &node) {
  MLIRContext *ctx = builder.getContext();
  std::string name = node.name().empty()
                         ? (node.output_size() ? node.output(0) : "")
                         : node.name();
  return NameLoc::get(StringAttr::get(ctx, name + " (" + node.op_type() + ")"),
                      FileLineColLoc::get(ctx, fileName, 0, 0));
}

InFlightDiagnostic ImportContext::emitError(const onnx::NodeProto &node) {
  return mlir::emitError(getLoc(node));
}

unsigned ImportContext::getNumInputs(const onnx::NodeProto &node) const {
  unsigned count = node.input_size();
  while (count > 0 && node.input(count - 1).empty())
    --count;
  return count;
}

bool ImportContext::hasInput(const onnx::NodeProto &node,
                             unsigned index) const {
  return index < static_cast<unsigned>(node.input_size()) &&
         !node.input(index).empty();
}

FailureOr<Value> ImportContext::getInput(const onnx::NodeProto &node,
                                         unsigned index) {
  if (!hasInput(node, index))
    return emitError(node) << "input " << index << " is missing";
  auto it = values.find(node.input(index));
  if (it == values.end())
    return emitError(node) << "input '" << node.input(index)
                           << "' is not produced by any earlier node";
  return it->second;
}

FailureOr<RankedTensorType>
ImportContext::getResultType(const onnx::NodeProto &node, unsigned index) {
  const std::string &name = node.output(index);
  auto it = types.find(name);
  if (it == types.end() || !it->second->has_tensor_type() ||
      !it->second->tensor_type().has_shape())
    return emitError(node) << "shape inference found no shape for output '"
                           << name << "'";
  const onnx::TypeProto::Tensor &tensorType = it->second->tensor_type();
  Type elementType =
      elementTypeFromONNX(builder.getContext(), tensorType.elem_type());
  if (!elementType)
    return emitError(node) << "output '" << name
                           << "' has an unsupported element type ("
                           << onnx::TensorProto::DataType_Name(
                                  static_cast<onnx::TensorProto::DataType>(
                                      tensorType.elem_type()))
                           << ")";
  SmallVector<int64_t> shape;
  for (const onnx::TensorShapeProto::Dimension &dim :
       tensorType.shape().dim()) {
    if (!dim.has_dim_value())
      return emitError(node) << "output '" << name
                             << "' has a dynamic shape; pin the model's "
                                "input shapes with --shape";
    shape.push_back(dim.dim_value());
  }
  return RankedTensorType::get(shape, elementType);
}

void ImportContext::setResult(const onnx::NodeProto &node, unsigned index,
                              Value value) {
  values[node.output(index)] = value;
}

int32_t ImportContext::getDataType(StringRef name) const {
  auto it = types.find(name);
  if (it == types.end() || !it->second->has_tensor_type())
    return 0;
  return it->second->tensor_type().elem_type();
}

const onnx::TensorProto *ImportContext::getConstant(StringRef name) const {
  auto it = constants.find(name);
  return it == constants.end() ? nullptr : it->second;
}

FailureOr<SmallVector<double>>
ImportContext::getConstantDoubles(const onnx::NodeProto &node, unsigned index) {
  const onnx::TensorProto *tensor =
      hasInput(node, index) ? getConstant(node.input(index)) : nullptr;
  if (!tensor)
    return emitError(node) << "input " << index
                           << " must be a constant (an initializer or a "
                              "Constant node)";
  std::string error;
  DenseElementsAttr attr =
      tensorToAttr(builder.getContext(), *tensor, modelDir, error);
  if (!attr)
    return emitError(node) << error;
  SmallVector<double> result;
  if (isa<FloatType>(attr.getElementType())) {
    for (APFloat value : attr.getValues<APFloat>())
      result.push_back(value.convertToDouble());
    return result;
  }
  bool isUnsigned = isUnsignedONNXType(tensor->data_type());
  // Not one conditional expression: its common type, uint64_t, would turn
  // negative values into huge positive ones.
  for (APInt value : attr.getValues<APInt>()) {
    if (isUnsigned)
      result.push_back(static_cast<double>(value.getZExtValue()));
    else
      result.push_back(static_cast<double>(value.getSExtValue()));
  }
  return result;
}

FailureOr<SmallVector<int64_t>>
ImportContext::getConstantInts(const onnx::NodeProto &node, unsigned index) {
  FailureOr<SmallVector<double>> values = getConstantDoubles(node, index);
  if (failed(values))
    return failure();
  return llvm::map_to_vector(*values,
                             [](double v) { return static_cast<int64_t>(v); });
}

const onnx::AttributeProto *ImportContext::findAttr(const onnx::NodeProto &node,
                                                    StringRef name) const {
  for (const onnx::AttributeProto &attr : node.attribute())
    if (attr.name() == name)
      return &attr;
  return nullptr;
}

int64_t ImportContext::getIntAttr(const onnx::NodeProto &node, StringRef name,
                                  int64_t defaultValue) const {
  const onnx::AttributeProto *attr = findAttr(node, name);
  return attr ? attr->i() : defaultValue;
}

float ImportContext::getFloatAttr(const onnx::NodeProto &node, StringRef name,
                                  float defaultValue) const {
  const onnx::AttributeProto *attr = findAttr(node, name);
  return attr ? attr->f() : defaultValue;
}

std::string ImportContext::getStringAttr(const onnx::NodeProto &node,
                                         StringRef name,
                                         StringRef defaultValue) const {
  const onnx::AttributeProto *attr = findAttr(node, name);
  return attr ? attr->s() : defaultValue.str();
}

SmallVector<int64_t> ImportContext::getIntsAttr(const onnx::NodeProto &node,
                                                StringRef name) const {
  const onnx::AttributeProto *attr = findAttr(node, name);
  if (!attr)
    return {};
  return SmallVector<int64_t>(attr->ints().begin(), attr->ints().end());
}

FailureOr<WindowGeometry>
tessera::getWindowGeometry(ImportContext &ctx, const onnx::NodeProto &node,
                           ArrayRef<int64_t> inputSpatial,
                           ArrayRef<int64_t> kernel) {
  size_t rank = inputSpatial.size();
  WindowGeometry geometry;
  geometry.kernel.assign(kernel.begin(), kernel.end());
  geometry.strides = ctx.getIntsAttr(node, "strides");
  geometry.dilations = ctx.getIntsAttr(node, "dilations");
  if (geometry.strides.empty())
    geometry.strides.assign(rank, 1);
  if (geometry.dilations.empty())
    geometry.dilations.assign(rank, 1);
  if (geometry.kernel.size() != rank || geometry.strides.size() != rank ||
      geometry.dilations.size() != rank)
    return ctx.emitError(node) << "kernel_shape, strides and dilations must "
                                  "have one entry per spatial dimension ("
                               << rank << ")";
  std::string autoPad = ctx.getStringAttr(node, "auto_pad", "NOTSET");
  if (autoPad == "NOTSET") {
    SmallVector<int64_t> pads = ctx.getIntsAttr(node, "pads");
    if (pads.empty())
      pads.assign(2 * rank, 0);
    if (pads.size() != 2 * rank)
      return ctx.emitError(node)
             << "'pads' must have " << 2 * rank << " entries";
    geometry.padsBegin.assign(pads.begin(), pads.begin() + rank);
    geometry.padsEnd.assign(pads.begin() + rank, pads.end());
    return geometry;
  }
  if (autoPad != "VALID" && autoPad != "SAME_UPPER" && autoPad != "SAME_LOWER")
    return ctx.emitError(node) << "unknown auto_pad '" << autoPad << "'";
  for (size_t i = 0; i < rank; ++i) {
    int64_t total = 0;
    if (autoPad != "VALID") {
      int64_t stride = geometry.strides[i];
      int64_t out = (inputSpatial[i] + stride - 1) / stride;
      int64_t extent = (kernel[i] - 1) * geometry.dilations[i] + 1;
      total =
          std::max<int64_t>((out - 1) * stride + extent - inputSpatial[i], 0);
    }
    int64_t begin = autoPad == "SAME_LOWER" ? total - total / 2 : total / 2;
    geometry.padsBegin.push_back(begin);
    geometry.padsEnd.push_back(total - begin);
  }
  return geometry;
}

//===----------------------------------------------------------------------===//
// Tensor contents
//===----------------------------------------------------------------------===//

/// Appends the elements of a typed repeated field, converted to `T`.
template <typename T, typename Field>
static void appendAs(const Field &field, std::vector<char> &bytes) {
  for (auto value : field) {
    T converted = static_cast<T>(value);
    const char *raw = reinterpret_cast<const char *>(&converted);
    bytes.insert(bytes.end(), raw, raw + sizeof(T));
  }
}

/// Reads the external data of `tensor` (location, offset, length).
static std::string readExternalBytes(const onnx::TensorProto &tensor,
                                     StringRef modelDir,
                                     std::vector<char> &bytes) {
  std::string location;
  uint64_t offset = 0;
  int64_t length = -1;
  for (const onnx::StringStringEntryProto &entry : tensor.external_data()) {
    if (entry.key() == "location")
      location = entry.value();
    else if (entry.key() == "offset")
      offset = std::stoull(entry.value());
    else if (entry.key() == "length")
      length = std::stoll(entry.value());
  }
  if (location.empty())
    return "tensor '" + tensor.name() +
           "' has external data without a location";
  SmallString<256> path(modelDir);
  llvm::sys::path::append(path, location);
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                            /*RequiresNullTerminator=*/false);
  if (!buffer)
    return "cannot read external data '" + std::string(path) + "' of tensor '" +
           tensor.name() + "': " + buffer.getError().message();
  uint64_t size = (*buffer)->getBufferSize();
  uint64_t end = length < 0 ? size : offset + static_cast<uint64_t>(length);
  if (offset > size || end > size)
    return "external data '" + std::string(path) + "' of tensor '" +
           tensor.name() + "' is shorter than its offset and length";
  const char *start = (*buffer)->getBufferStart();
  bytes.assign(start + offset, start + end);
  return "";
}

std::string tessera::readTensorBytes(const onnx::TensorProto &tensor,
                                     StringRef modelDir,
                                     std::vector<char> &bytes) {
  bytes.clear();
  if (tensor.data_location() == onnx::TensorProto::EXTERNAL)
    return readExternalBytes(tensor, modelDir, bytes);
  if (tensor.has_raw_data()) {
    bytes.assign(tensor.raw_data().begin(), tensor.raw_data().end());
    return "";
  }
  switch (tensor.data_type()) {
  case onnx::TensorProto::FLOAT:
    appendAs<float>(tensor.float_data(), bytes);
    break;
  case onnx::TensorProto::DOUBLE:
    appendAs<double>(tensor.double_data(), bytes);
    break;
  case onnx::TensorProto::INT64:
    appendAs<int64_t>(tensor.int64_data(), bytes);
    break;
  case onnx::TensorProto::UINT64:
    appendAs<uint64_t>(tensor.uint64_data(), bytes);
    break;
  case onnx::TensorProto::UINT32:
    appendAs<uint32_t>(tensor.uint64_data(), bytes);
    break;
  case onnx::TensorProto::INT32:
    appendAs<int32_t>(tensor.int32_data(), bytes);
    break;
  case onnx::TensorProto::INT16:
  case onnx::TensorProto::UINT16:
  case onnx::TensorProto::FLOAT16:
  case onnx::TensorProto::BFLOAT16:
    appendAs<uint16_t>(tensor.int32_data(), bytes);
    break;
  case onnx::TensorProto::INT8:
  case onnx::TensorProto::UINT8:
  case onnx::TensorProto::BOOL:
    appendAs<uint8_t>(tensor.int32_data(), bytes);
    break;
  default:
    return "tensor '" + tensor.name() + "' has an unsupported data type (" +
           onnx::TensorProto::DataType_Name(
               static_cast<onnx::TensorProto::DataType>(tensor.data_type())) +
           ")";
  }
  return "";
}

DenseElementsAttr tessera::tensorToAttr(MLIRContext *ctx,
                                        const onnx::TensorProto &tensor,
                                        StringRef modelDir,
                                        std::string &error) {
  Type elementType = elementTypeFromONNX(ctx, tensor.data_type());
  if (!elementType) {
    error = "tensor '" + tensor.name() + "' has an unsupported data type (" +
            onnx::TensorProto::DataType_Name(
                static_cast<onnx::TensorProto::DataType>(tensor.data_type())) +
            ")";
    return {};
  }
  SmallVector<int64_t> shape(tensor.dims().begin(), tensor.dims().end());
  auto type = RankedTensorType::get(shape, elementType);
  std::vector<char> bytes;
  error = readTensorBytes(tensor, modelDir, bytes);
  if (!error.empty())
    return {};
  int64_t elementBytes =
      elementType.isInteger(1) ? 1 : elementType.getIntOrFloatBitWidth() / 8;
  int64_t expected = type.getNumElements() * elementBytes;
  if (static_cast<int64_t>(bytes.size()) != expected) {
    error = "tensor '" + tensor.name() + "' holds " +
            std::to_string(bytes.size()) + " bytes, but its shape and type " +
            "need " + std::to_string(expected);
    return {};
  }
  if (elementType.isInteger(1)) {
    SmallVector<bool> bits;
    for (char byte : bytes)
      bits.push_back(byte != 0);
    return DenseElementsAttr::get(type, bits);
  }
  return DenseElementsAttr::getFromRawBuffer(type, bytes);
}
