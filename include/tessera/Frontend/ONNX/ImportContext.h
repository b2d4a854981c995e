//===- ImportContext.h - State of one ONNX graph import ---------*- C++ -*-===//
//
// What an operator converter sees while a graph is imported: the values of
// the tensors already imported, the shapes ONNX shape inference found, the
// constant tensors (initializers and Constant nodes), and node attributes.
// Only the frontend's own files include this header: it pulls in ONNX's
// protobuf classes, which need C++ exceptions.
//
//===----------------------------------------------------------------------===//

#ifndef TESSERA_FRONTEND_ONNX_IMPORTCONTEXT_H
#define TESSERA_FRONTEND_ONNX_IMPORTCONTEXT_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Value.h"
#include "llvm/ADT/StringMap.h"

#include "onnx/onnx_pb.h"

namespace tessera {

class ImportContext;

/// Imports one ONNX node; reports and returns failure on unsupported input.
using NodeConverter = mlir::LogicalResult (*)(ImportContext &,
                                              const onnx::NodeProto &);

/// The converters of each supported op type of the default domain.
using ConverterTable = llvm::StringMap<NodeConverter>;

/// Each of these adds the converters of one family of operators.
void addElementwiseConverters(ConverterTable &table);
void addLinearConverters(ConverterTable &table);
void addPoolingConverters(ConverterTable &table);
void addNormalizationConverters(ConverterTable &table);
void addShapeConverters(ConverterTable &table);
void addReductionConverters(ConverterTable &table);

/// Whether an ONNX TensorProto data type is an unsigned integer type (MLIR's
/// signless integers lose that, so ops that care ask for it).
bool isUnsignedONNXType(int32_t dataType);

/// The element type that an ONNX TensorProto data type maps to, or null.
mlir::Type elementTypeFromONNX(mlir::MLIRContext *ctx, int32_t dataType);

class ImportContext {
public:
  ImportContext(mlir::OpBuilder &builder, llvm::StringRef fileName,
                int64_t opsetVersion)
      : builder(builder), fileName(fileName), opsetVersion(opsetVersion) {}

  mlir::OpBuilder &builder;

  /// Opset version of the default ONNX domain.
  int64_t getOpset() const { return opsetVersion; }

  /// Location of `node`: the file, the node's name and its op type.
  mlir::Location getLoc(const onnx::NodeProto &node);
  /// Starts an error at `node`'s location.
  mlir::InFlightDiagnostic emitError(const onnx::NodeProto &node);

  /// Number of inputs of `node`, not counting omitted optional ones at the
  /// end.
  unsigned getNumInputs(const onnx::NodeProto &node) const;
  /// Whether optional input `index` is present.
  bool hasInput(const onnx::NodeProto &node, unsigned index) const;
  /// The value of input `index`; reports an error when it is missing.
  mlir::FailureOr<mlir::Value> getInput(const onnx::NodeProto &node,
                                        unsigned index);
  /// The static type of output `index` as shape inference found it.
  mlir::FailureOr<mlir::RankedTensorType>
  getResultType(const onnx::NodeProto &node, unsigned index);
  /// Binds output `index` of `node` to `value`.
  void setResult(const onnx::NodeProto &node, unsigned index,
                 mlir::Value value);
  /// The ONNX data type of a tensor, or 0 when unknown.
  int32_t getDataType(llvm::StringRef name) const;

  /// The constant tensor named `name` (an initializer or the output of a
  /// Constant node), or null.
  const onnx::TensorProto *getConstant(llvm::StringRef name) const;
  /// The values of a constant integer input; reports an error when input
  /// `index` is not a constant.
  mlir::FailureOr<llvm::SmallVector<int64_t>>
  getConstantInts(const onnx::NodeProto &node, unsigned index);
  /// The values of a constant input of any numeric type, as doubles.
  mlir::FailureOr<llvm::SmallVector<double>>
  getConstantDoubles(const onnx::NodeProto &node, unsigned index);

  /// Attributes of `node`, with defaults.
  const onnx::AttributeProto *findAttr(const onnx::NodeProto &node,
                                       llvm::StringRef name) const;
  int64_t getIntAttr(const onnx::NodeProto &node, llvm::StringRef name,
                     int64_t defaultValue) const;
  float getFloatAttr(const onnx::NodeProto &node, llvm::StringRef name,
                     float defaultValue) const;
  std::string getStringAttr(const onnx::NodeProto &node, llvm::StringRef name,
                            llvm::StringRef defaultValue) const;
  llvm::SmallVector<int64_t> getIntsAttr(const onnx::NodeProto &node,
                                         llvm::StringRef name) const;

  /// The value of the tensor `name`, or null when nothing produced it.
  mlir::Value lookupValue(llvm::StringRef name) const {
    return values.lookup(name);
  }

  /// Registration of graph state by the importer.
  void bindValue(llvm::StringRef name, mlir::Value value) {
    values[name] = value;
  }
  void bindType(llvm::StringRef name, const onnx::TypeProto &type) {
    types[name] = &type;
  }
  void bindConstant(llvm::StringRef name, const onnx::TensorProto &tensor) {
    constants[name] = &tensor;
  }

  /// The directory of the model file, for external-data tensors.
  std::string modelDir;

private:
  llvm::StringRef fileName;
  int64_t opsetVersion;
  llvm::StringMap<mlir::Value> values;
  llvm::StringMap<const onnx::TypeProto *> types;
  llvm::StringMap<const onnx::TensorProto *> constants;
};

/// The sliding-window geometry of a Conv or pooling node over the spatial
/// dims of its input: kernel sizes, strides, dilations and the padding
/// before and after each dim (explicit `pads` or `auto_pad`).
struct WindowGeometry {
  llvm::SmallVector<int64_t> kernel, strides, dilations, padsBegin, padsEnd;
};

/// Reads the window attributes of `node` for an input whose spatial sizes
/// are `inputSpatial` and a kernel of `kernel` taps per dim.
mlir::FailureOr<WindowGeometry>
getWindowGeometry(ImportContext &ctx, const onnx::NodeProto &node,
                  llvm::ArrayRef<int64_t> inputSpatial,
                  llvm::ArrayRef<int64_t> kernel);

/// Reads the elements of `tensor` (inline, raw or external data relative to
/// `modelDir`) into `bytes`, row-major, in the element type's native layout.
/// Returns an error message, or an empty string on success.
std::string readTensorBytes(const onnx::TensorProto &tensor,
                            llvm::StringRef modelDir, std::vector<char> &bytes);

/// A dense constant attribute of `tensor`'s contents, or a null attribute
/// with `error` set.
mlir::DenseElementsAttr tensorToAttr(mlir::MLIRContext *ctx,
                                     const onnx::TensorProto &tensor,
                                     llvm::StringRef modelDir,
                                     std::string &error);

} // namespace tessera

#endif // TESSERA_FRONTEND_ONNX_IMPORTCONTEXT_H
