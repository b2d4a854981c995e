//===- TensorFile.h - Tensors in ONNX .pb and NumPy .npy files --*- C++ -*-===//
//
// A plain host tensor, the readers and writers of the two file formats that
// `tessera-run` accepts, and a numpy.allclose-style comparison.
//
//===----------------------------------------------------------------------===//

#ifndef TESSERA_RUNTIME_TENSORFILE_H
#define TESSERA_RUNTIME_TENSORFILE_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <string>
#include <vector>

namespace tessera {

/// A dense, row-major tensor held in host memory.
struct Tensor {
  /// The tensor's name; empty when the file gives none (.npy).
  std::string name;
  /// The element type: an ONNX TensorProto.DataType number (tessera_dtype).
  int32_t dtype = 0;
  /// The dimensions; empty for a scalar.
  std::vector<int64_t> shape;
  /// The elements, little-endian, `getNumElements() * element size` bytes.
  std::vector<char> data;

  /// Returns the number of elements that `shape` describes.
  int64_t getNumElements() const;
};

/// Returns `shape` as "1x3x32x32", or "scalar" for rank 0.
std::string formatShape(llvm::ArrayRef<int64_t> shape);

/// Returns "float32 1x3x32x32": the dtype name and the shape.
std::string formatType(int32_t dtype, llvm::ArrayRef<int64_t> shape);

/// Returns element `index` (in row-major order) of `tensor` as a double.
double getElementAsDouble(const Tensor &tensor, int64_t index);

/// Reads a tensor from an ONNX TensorProto file (`.pb`) or a NumPy file
/// (`.npy`), chosen by the extension of `path`.
llvm::Expected<Tensor> readTensorFile(llvm::StringRef path);

/// Writes `tensor` to `path` as a TensorProto (`.pb`) or a NumPy file
/// (`.npy`), chosen by the extension. The file is written to a temporary and
/// renamed, so `path` is never left half-written.
llvm::Error writeTensorFile(llvm::StringRef path, const Tensor &tensor);

/// The data pointers of `tensors`, in order, as ModelLibrary::run takes
/// its inputs and outputs.
std::vector<const void *> getConstDataPointers(llvm::ArrayRef<Tensor> tensors);
std::vector<void *> getDataPointers(llvm::MutableArrayRef<Tensor> tensors);

/// The result of comparing two tensors.
struct TensorComparison {
  /// Whether dtype and shape match and every element is close.
  bool ok = false;
  /// The largest |actual - expected| over all elements.
  double maxAbsError = 0;
  /// The largest |actual - expected| / |expected| over all elements.
  double maxRelError = 0;
  /// The number of elements that are not close.
  int64_t mismatches = 0;
  /// Why the tensors differ (dtype, shape, or the first mismatching element);
  /// empty when `ok`.
  std::string message;
};

/// Compares `actual` with `expected` like numpy.allclose: an element matches
/// when |a - e| <= atol + rtol * |e|, and NaN matches NaN. Elements of any
/// dtype are compared as doubles; dtypes and shapes must be equal.
TensorComparison compareTensors(const Tensor &actual, const Tensor &expected,
                                double rtol, double atol);

} // namespace tessera

#endif // TESSERA_RUNTIME_TENSORFILE_H
