//===- TensorFile.cpp - Tensors in ONNX .pb and NumPy .npy files ----------===//
//
// Reads and writes ONNX TensorProto files and NumPy .npy files (format 1.0,
// 2.0 and 3.0, little-endian, C order), and compares tensors. Both formats
// store elements little-endian, the order of the hosts Tessera runs on.
//
//===----------------------------------------------------------------------===//

#include "tessera/Runtime/TensorFile.h"
#include "tessera-c/Runtime.h"

#include "llvm/ADT/APFloat.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/bit.h"
#include "llvm/Support/Endian.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/MathExtras.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include "onnx/onnx_pb.h"

#include <climits>
#include <cmath>
#include <cstring>
#include <limits>

using namespace llvm;
using namespace tessera;

static_assert(endianness::native == endianness::little,
              "tensor files hold little-endian data; a big-endian host would "
              "need byte swapping");

//===----------------------------------------------------------------------===//
// Tensor helpers
//===----------------------------------------------------------------------===//

int64_t Tensor::getNumElements() const {
  int64_t count = 1;
  for (int64_t dim : shape)
    count *= dim;
  return count;
}

std::string tessera::formatShape(ArrayRef<int64_t> shape) {
  if (shape.empty())
    return "scalar";
  return join(map_range(shape, [](int64_t dim) { return std::to_string(dim); }),
              "x");
}

std::string tessera::formatType(int32_t dtype, ArrayRef<int64_t> shape) {
  return std::string(tessera_dtype_name(dtype)) + " " + formatShape(shape);
}

/// Returns the value of the element of type `T` at `index` of `data`.
template <typename T> static T loadElement(const char *data, int64_t index) {
  T value;
  std::memcpy(&value, data + index * sizeof(T), sizeof(T));
  return value;
}

double tessera::getElementAsDouble(const Tensor &tensor, int64_t index) {
  const char *data = tensor.data.data();
  switch (tensor.dtype) {
  case TESSERA_DTYPE_FLOAT:
    return loadElement<float>(data, index);
  case TESSERA_DTYPE_DOUBLE:
    return loadElement<double>(data, index);
  case TESSERA_DTYPE_FLOAT16: {
    APFloat value(APFloat::IEEEhalf(),
                  APInt(16, loadElement<uint16_t>(data, index)));
    bool losesInfo;
    value.convert(APFloat::IEEEdouble(), APFloat::rmNearestTiesToEven,
                  &losesInfo);
    return value.convertToDouble();
  }
  case TESSERA_DTYPE_INT8:
    return loadElement<int8_t>(data, index);
  case TESSERA_DTYPE_UINT8:
  case TESSERA_DTYPE_BOOL:
    return loadElement<uint8_t>(data, index);
  case TESSERA_DTYPE_INT16:
    return loadElement<int16_t>(data, index);
  case TESSERA_DTYPE_UINT16:
    return loadElement<uint16_t>(data, index);
  case TESSERA_DTYPE_INT32:
    return loadElement<int32_t>(data, index);
  case TESSERA_DTYPE_UINT32:
    return loadElement<uint32_t>(data, index);
  case TESSERA_DTYPE_INT64:
    return static_cast<double>(loadElement<int64_t>(data, index));
  case TESSERA_DTYPE_UINT64:
    return static_cast<double>(loadElement<uint64_t>(data, index));
  default:
    return std::numeric_limits<double>::quiet_NaN();
  }
}

//===----------------------------------------------------------------------===//
// Common checks
//===----------------------------------------------------------------------===//

/// Returns an error about the tensor file `path`.
static Error fileError(StringRef path, const Twine &message) {
  return createStringError("tensor file '" + path + "': " + message);
}

/// The two tensor file formats.
enum class FileFormat { Proto, Npy };

/// Returns the format of `path`, chosen by its extension.
static Expected<FileFormat> getFileFormat(StringRef path) {
  StringRef extension = sys::path::extension(path);
  if (extension.equals_insensitive(".pb"))
    return FileFormat::Proto;
  if (extension.equals_insensitive(".npy"))
    return FileFormat::Npy;
  return fileError(path, "unknown extension '" + extension +
                             "' (expected .pb or .npy)");
}

/// Returns the number of bytes of a tensor of `dtype` and `shape`, or an error
/// for an unknown dtype, a negative dimension or a size that overflows.
static Expected<int64_t> getByteSize(StringRef path, int32_t dtype,
                                     ArrayRef<int64_t> shape) {
  int64_t bytes = tessera_dtype_size(dtype);
  if (bytes == 0)
    return fileError(path, "unsupported dtype " + Twine(dtype));
  for (int64_t dim : shape) {
    if (dim < 0)
      return fileError(path,
                       "negative dimension in shape " + formatShape(shape));
    if (MulOverflow(bytes, dim, bytes))
      return fileError(path, "shape " + formatShape(shape) + " is too large");
  }
  return bytes;
}

//===----------------------------------------------------------------------===//
// ONNX TensorProto
//===----------------------------------------------------------------------===//

/// Fills `tensor.data` from the typed repeated field `values` (named `field`),
/// converting each value to `T`.
template <typename T, typename Values>
static Error copyTypedValues(StringRef path, const Values &values,
                             StringRef field, Tensor &tensor) {
  int64_t numElements = tensor.getNumElements();
  if (values.size() != numElements)
    return fileError(path, formatv("{0} holds {1} values, expected {2} for {3}",
                                   field, values.size(), numElements,
                                   formatType(tensor.dtype, tensor.shape)));
  tensor.data.resize(numElements * sizeof(T));
  for (int64_t i = 0; i < numElements; ++i) {
    T value = static_cast<T>(values.Get(i));
    std::memcpy(tensor.data.data() + i * sizeof(T), &value, sizeof(T));
  }
  return Error::success();
}

/// Fills `tensor.data` from the typed field of `proto` that holds its dtype.
static Error copyTypedData(StringRef path, const onnx::TensorProto &proto,
                           Tensor &tensor) {
  switch (tensor.dtype) {
  case TESSERA_DTYPE_FLOAT:
    return copyTypedValues<float>(path, proto.float_data(), "float_data",
                                  tensor);
  case TESSERA_DTYPE_DOUBLE:
    return copyTypedValues<double>(path, proto.double_data(), "double_data",
                                   tensor);
  case TESSERA_DTYPE_INT64:
    return copyTypedValues<int64_t>(path, proto.int64_data(), "int64_data",
                                    tensor);
  case TESSERA_DTYPE_UINT32:
    return copyTypedValues<uint32_t>(path, proto.uint64_data(), "uint64_data",
                                     tensor);
  case TESSERA_DTYPE_UINT64:
    return copyTypedValues<uint64_t>(path, proto.uint64_data(), "uint64_data",
                                     tensor);
  case TESSERA_DTYPE_INT32:
    return copyTypedValues<int32_t>(path, proto.int32_data(), "int32_data",
                                    tensor);
  case TESSERA_DTYPE_INT16:
    return copyTypedValues<int16_t>(path, proto.int32_data(), "int32_data",
                                    tensor);
  case TESSERA_DTYPE_INT8:
    return copyTypedValues<int8_t>(path, proto.int32_data(), "int32_data",
                                   tensor);
  case TESSERA_DTYPE_UINT16:
  case TESSERA_DTYPE_FLOAT16: // int32_data holds the IEEE half bits.
    return copyTypedValues<uint16_t>(path, proto.int32_data(), "int32_data",
                                     tensor);
  case TESSERA_DTYPE_UINT8:
  case TESSERA_DTYPE_BOOL:
    return copyTypedValues<uint8_t>(path, proto.int32_data(), "int32_data",
                                    tensor);
  default:
    return fileError(path, "unsupported dtype " + Twine(tensor.dtype));
  }
}

/// Reads a tensor from the serialized TensorProto `bytes` of file `path`.
static Expected<Tensor> readProto(StringRef path, StringRef bytes) {
  onnx::TensorProto proto;
  if (bytes.size() > INT_MAX ||
      !proto.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())))
    return fileError(path, "not a valid ONNX TensorProto");
  if (proto.has_segment())
    return fileError(path, "segmented tensors are not supported");
  if (proto.data_location() == onnx::TensorProto::EXTERNAL)
    return fileError(path, "tensors with external data are not supported");

  Tensor tensor;
  tensor.name = proto.name();
  tensor.dtype = proto.data_type();
  tensor.shape.assign(proto.dims().begin(), proto.dims().end());
  if (tessera_dtype_size(tensor.dtype) == 0)
    return fileError(
        path, "unsupported dtype " +
                  onnx::TensorProto::DataType_Name(
                      static_cast<onnx::TensorProto::DataType>(tensor.dtype)) +
                  " (" + Twine(tensor.dtype) + ")");
  Expected<int64_t> byteSize = getByteSize(path, tensor.dtype, tensor.shape);
  if (!byteSize)
    return byteSize.takeError();

  if (!proto.has_raw_data()) {
    if (Error error = copyTypedData(path, proto, tensor))
      return std::move(error);
    return tensor;
  }
  const std::string &raw = proto.raw_data();
  if (static_cast<int64_t>(raw.size()) != *byteSize)
    return fileError(path, formatv("raw_data holds {0} bytes, expected {1} "
                                   "for {2}",
                                   raw.size(), *byteSize,
                                   formatType(tensor.dtype, tensor.shape)));
  tensor.data.assign(raw.begin(), raw.end());
  return tensor;
}

/// Returns `tensor` serialized as a TensorProto with raw_data.
static std::string writeProto(const Tensor &tensor) {
  onnx::TensorProto proto;
  proto.set_name(tensor.name);
  proto.set_data_type(tensor.dtype);
  for (int64_t dim : tensor.shape)
    proto.add_dims(dim);
  proto.set_raw_data(tensor.data.data(), tensor.data.size());
  return proto.SerializeAsString();
}

//===----------------------------------------------------------------------===//
// NumPy .npy
//===----------------------------------------------------------------------===//

/// The magic string that opens every .npy file.
static constexpr StringLiteral npyMagic("\x93NUMPY");

/// The fields of the dictionary in a .npy header.
struct NpyHeader {
  std::string descr;
  bool fortranOrder = false;
  std::vector<int64_t> shape;
};

/// Parses a Python string literal ('...' or "...") at the front of `text`.
static bool parsePythonString(StringRef &text, std::string &result) {
  if (text.empty() || (text.front() != '\'' && text.front() != '"'))
    return false;
  char quote = text.front();
  size_t end = text.find(quote, 1);
  if (end == StringRef::npos)
    return false;
  result = text.slice(1, end).str();
  text = text.drop_front(end + 1);
  return true;
}

/// Parses a Python tuple of non-negative integers at the front of `text`.
static bool parsePythonShape(StringRef &text, std::vector<int64_t> &shape) {
  if (!text.consume_front("("))
    return false;
  while (true) {
    text = text.ltrim();
    if (text.consume_front(")"))
      return true;
    uint64_t dim;
    if (text.consumeInteger(10, dim) ||
        dim > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
      return false;
    shape.push_back(static_cast<int64_t>(dim));
    text = text.ltrim();
    if (text.consume_front(","))
      continue;
    if (text.consume_front(")"))
      return true;
    return false;
  }
}

/// Parses the header dictionary of a .npy file, for example
/// "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }".
static Expected<NpyHeader> parseNpyHeader(StringRef path, StringRef text) {
  auto malformed = [&](const Twine &what) {
    return fileError(path, "malformed .npy header (" + what + ")");
  };
  NpyHeader header;
  bool hasDescr = false, hasFortranOrder = false, hasShape = false;
  text = text.trim();
  if (!text.consume_front("{"))
    return malformed("expected '{'");
  while (true) {
    text = text.ltrim();
    if (text.consume_front("}"))
      break;
    std::string key;
    if (!parsePythonString(text, key))
      return malformed("expected a key");
    text = text.ltrim();
    if (!text.consume_front(":"))
      return malformed("expected ':' after '" + key + "'");
    text = text.ltrim();
    if (key == "descr") {
      if (!parsePythonString(text, header.descr))
        return malformed("bad 'descr'");
      hasDescr = true;
    } else if (key == "fortran_order") {
      if (text.consume_front("True"))
        header.fortranOrder = true;
      else if (!text.consume_front("False"))
        return malformed("bad 'fortran_order'");
      hasFortranOrder = true;
    } else if (key == "shape") {
      if (!parsePythonShape(text, header.shape))
        return malformed("bad 'shape'");
      hasShape = true;
    } else {
      return malformed("unknown key '" + key + "'");
    }
    text = text.ltrim();
    if (text.consume_front(","))
      continue;
    if (text.consume_front("}"))
      break;
    return malformed("expected ',' or '}'");
  }
  if (!text.trim().empty())
    return malformed("text after '}'");
  if (!hasDescr || !hasFortranOrder || !hasShape)
    return malformed("needs 'descr', 'fortran_order' and 'shape'");
  return header;
}

/// Returns the dtype of the NumPy type string `descr` ("<f4", "|b1", ...).
static Expected<int32_t> getDtypeOfDescr(StringRef path, StringRef descr) {
  auto unsupported = [&] {
    return fileError(path, "unsupported dtype '" + descr + "'");
  };
  if (descr.size() != 3)
    return unsupported();
  char order = descr[0];
  int32_t dtype = StringSwitch<int32_t>(descr.drop_front())
                      .Case("f2", TESSERA_DTYPE_FLOAT16)
                      .Case("f4", TESSERA_DTYPE_FLOAT)
                      .Case("f8", TESSERA_DTYPE_DOUBLE)
                      .Case("i1", TESSERA_DTYPE_INT8)
                      .Case("i2", TESSERA_DTYPE_INT16)
                      .Case("i4", TESSERA_DTYPE_INT32)
                      .Case("i8", TESSERA_DTYPE_INT64)
                      .Case("u1", TESSERA_DTYPE_UINT8)
                      .Case("u2", TESSERA_DTYPE_UINT16)
                      .Case("u4", TESSERA_DTYPE_UINT32)
                      .Case("u8", TESSERA_DTYPE_UINT64)
                      .Case("b1", TESSERA_DTYPE_BOOL)
                      .Default(0);
  if (dtype == 0 ||
      (order != '<' && order != '>' && order != '|' && order != '='))
    return unsupported();
  if (order == '>' && tessera_dtype_size(dtype) > 1)
    return fileError(path, "big-endian dtype '" + descr + "' is not supported");
  return dtype;
}

/// Returns the NumPy type string of `dtype`.
static StringRef getDescrOfDtype(int32_t dtype) {
  switch (dtype) {
  case TESSERA_DTYPE_FLOAT16:
    return "<f2";
  case TESSERA_DTYPE_FLOAT:
    return "<f4";
  case TESSERA_DTYPE_DOUBLE:
    return "<f8";
  case TESSERA_DTYPE_INT8:
    return "|i1";
  case TESSERA_DTYPE_INT16:
    return "<i2";
  case TESSERA_DTYPE_INT32:
    return "<i4";
  case TESSERA_DTYPE_INT64:
    return "<i8";
  case TESSERA_DTYPE_UINT8:
    return "|u1";
  case TESSERA_DTYPE_UINT16:
    return "<u2";
  case TESSERA_DTYPE_UINT32:
    return "<u4";
  case TESSERA_DTYPE_UINT64:
    return "<u8";
  case TESSERA_DTYPE_BOOL:
    return "|b1";
  default:
    return "";
  }
}

/// Reads a tensor from the bytes of the .npy file `path`.
static Expected<Tensor> readNpy(StringRef path, StringRef bytes) {
  if (!bytes.starts_with(npyMagic))
    return fileError(path, "not a NumPy .npy file (bad magic)");
  // Magic, two version bytes, then a 2-byte (1.0) or 4-byte header length.
  size_t lengthOffset = npyMagic.size() + 2;
  if (bytes.size() < lengthOffset)
    return fileError(path, "truncated .npy header");
  unsigned major = static_cast<uint8_t>(bytes[npyMagic.size()]);
  unsigned minor = static_cast<uint8_t>(bytes[npyMagic.size() + 1]);
  if (major < 1 || major > 3 || minor != 0)
    return fileError(
        path, formatv("unsupported .npy format version {0}.{1}", major, minor));
  size_t lengthSize = major == 1 ? 2 : 4;
  if (bytes.size() < lengthOffset + lengthSize)
    return fileError(path, "truncated .npy header");
  const char *lengthBytes = bytes.data() + lengthOffset;
  size_t headerLength = major == 1 ? support::endian::read16le(lengthBytes)
                                   : support::endian::read32le(lengthBytes);
  size_t dataOffset = lengthOffset + lengthSize + headerLength;
  if (bytes.size() < dataOffset)
    return fileError(path, "truncated .npy header");

  Expected<NpyHeader> header =
      parseNpyHeader(path, bytes.slice(lengthOffset + lengthSize, dataOffset));
  if (!header)
    return header.takeError();
  // Fortran and C order lay out tensors of rank 0 and 1 the same way.
  if (header->fortranOrder && header->shape.size() > 1)
    return fileError(path, "Fortran-order arrays are not supported");
  Expected<int32_t> dtype = getDtypeOfDescr(path, header->descr);
  if (!dtype)
    return dtype.takeError();
  Expected<int64_t> byteSize = getByteSize(path, *dtype, header->shape);
  if (!byteSize)
    return byteSize.takeError();

  StringRef data = bytes.drop_front(dataOffset);
  if (static_cast<int64_t>(data.size()) < *byteSize)
    return fileError(path, formatv("truncated: {0} needs {1} bytes of data, "
                                   "the file holds {2}",
                                   formatType(*dtype, header->shape), *byteSize,
                                   data.size()));
  if (static_cast<int64_t>(data.size()) > *byteSize)
    return fileError(path, formatv("{0} bytes after the data of {1}",
                                   data.size() - *byteSize,
                                   formatType(*dtype, header->shape)));
  Tensor tensor;
  tensor.dtype = *dtype;
  tensor.shape = std::move(header->shape);
  tensor.data.assign(data.begin(), data.end());
  return tensor;
}

/// Returns `tensor` serialized as a .npy file, format 1.0 when the header
/// fits and 2.0 otherwise.
static std::string writeNpy(const Tensor &tensor) {
  std::string shape;
  if (tensor.shape.size() == 1)
    shape = std::to_string(tensor.shape.front()) + ",";
  else
    shape = join(map_range(tensor.shape,
                           [](int64_t dim) { return std::to_string(dim); }),
                 ", ");
  std::string dict = "{'descr': '" + getDescrOfDtype(tensor.dtype).str() +
                     "', 'fortran_order': False, 'shape': (" + shape + "), }";

  // The header ends with '\n' and pads the data offset to 64 bytes.
  constexpr size_t alignment = 64;
  bool needsVersion2 = npyMagic.size() + 4 + dict.size() + 1 + alignment >
                       std::numeric_limits<uint16_t>::max();
  size_t prefixSize = npyMagic.size() + 2 + (needsVersion2 ? 4 : 2);
  size_t headerLength =
      alignTo(prefixSize + dict.size() + 1, alignment) - prefixSize;
  dict.append(headerLength - dict.size() - 1, ' ');
  dict.push_back('\n');

  std::string result = npyMagic.str();
  result.push_back(needsVersion2 ? 2 : 1);
  result.push_back(0);
  char length[4];
  if (needsVersion2) {
    support::endian::write32le(length, headerLength);
    result.append(length, 4);
  } else {
    support::endian::write16le(length, headerLength);
    result.append(length, 2);
  }
  result += dict;
  result.append(tensor.data.begin(), tensor.data.end());
  return result;
}

//===----------------------------------------------------------------------===//
// Reading and writing
//===----------------------------------------------------------------------===//

Expected<Tensor> tessera::readTensorFile(StringRef path) {
  Expected<FileFormat> format = getFileFormat(path);
  if (!format)
    return format.takeError();
  ErrorOr<std::unique_ptr<MemoryBuffer>> buffer = MemoryBuffer::getFile(
      path, /*IsText=*/false, /*RequiresNullTerminator=*/false);
  if (!buffer)
    return fileError(path, "cannot read: " + buffer.getError().message());
  StringRef bytes = (*buffer)->getBuffer();
  if (*format == FileFormat::Proto)
    return readProto(path, bytes);
  return readNpy(path, bytes);
}

Error tessera::writeTensorFile(StringRef path, const Tensor &tensor) {
  Expected<FileFormat> format = getFileFormat(path);
  if (!format)
    return format.takeError();
  Expected<int64_t> byteSize = getByteSize(path, tensor.dtype, tensor.shape);
  if (!byteSize)
    return byteSize.takeError();
  if (static_cast<int64_t>(tensor.data.size()) != *byteSize)
    return fileError(path, formatv("cannot write {0} bytes as {1}",
                                   tensor.data.size(),
                                   formatType(tensor.dtype, tensor.shape)));
  std::string contents =
      *format == FileFormat::Proto ? writeProto(tensor) : writeNpy(tensor);
  Error error = writeToOutput(path, [&](raw_ostream &os) {
    os << contents;
    return Error::success();
  });
  if (error)
    return fileError(path, "cannot write: " +
                               errorToErrorCode(std::move(error)).message());
  return Error::success();
}

//===----------------------------------------------------------------------===//
// Comparison
//===----------------------------------------------------------------------===//

/// Returns the row-major `index` of a tensor of `shape` as "[i, j, k]".
static std::string formatIndex(ArrayRef<int64_t> shape, int64_t index) {
  SmallVector<int64_t> coordinates(shape.size());
  for (size_t dim = shape.size(); dim-- > 0;) {
    coordinates[dim] = shape[dim] == 0 ? 0 : index % shape[dim];
    index = shape[dim] == 0 ? 0 : index / shape[dim];
  }
  return "[" +
         join(map_range(coordinates,
                        [](int64_t c) { return std::to_string(c); }),
              ", ") +
         "]";
}

std::vector<const void *>
tessera::getConstDataPointers(ArrayRef<Tensor> tensors) {
  std::vector<const void *> pointers;
  for (const Tensor &tensor : tensors)
    pointers.push_back(tensor.data.data());
  return pointers;
}

std::vector<void *> tessera::getDataPointers(MutableArrayRef<Tensor> tensors) {
  std::vector<void *> pointers;
  for (Tensor &tensor : tensors)
    pointers.push_back(tensor.data.data());
  return pointers;
}

TensorComparison tessera::compareTensors(const Tensor &actual,
                                         const Tensor &expected, double rtol,
                                         double atol) {
  TensorComparison result;
  if (actual.dtype != expected.dtype || actual.shape != expected.shape) {
    result.message = "got " + formatType(actual.dtype, actual.shape) +
                     ", expected " + formatType(expected.dtype, expected.shape);
    return result;
  }
  int64_t numElements = expected.getNumElements();
  int64_t byteSize = numElements * tessera_dtype_size(expected.dtype);
  if (static_cast<int64_t>(actual.data.size()) != byteSize ||
      static_cast<int64_t>(expected.data.size()) != byteSize) {
    result.message =
        formatv("{0} needs {1} bytes, got {2} and {3}",
                formatType(expected.dtype, expected.shape), byteSize,
                actual.data.size(), expected.data.size());
    return result;
  }

  constexpr double infinity = std::numeric_limits<double>::infinity();
  for (int64_t i = 0; i < numElements; ++i) {
    double a = getElementAsDouble(actual, i);
    double e = getElementAsDouble(expected, i);
    bool close;
    double absError = 0, relError = 0;
    if (std::isnan(a) || std::isnan(e)) {
      close = std::isnan(a) && std::isnan(e);
      absError = relError = close ? 0 : infinity;
    } else if (a == e) {
      // Equal values, infinities included.
      close = true;
    } else {
      absError = std::fabs(a - e);
      relError =
          std::isfinite(e) && e != 0 ? absError / std::fabs(e) : infinity;
      close = absError <= atol + rtol * std::fabs(e);
    }
    result.maxAbsError = std::max(result.maxAbsError, absError);
    result.maxRelError = std::max(result.maxRelError, relError);
    if (close)
      continue;
    if (result.mismatches++ == 0)
      raw_string_ostream(result.message)
          << "first mismatch at " << formatIndex(expected.shape, i) << ": got "
          << format("%g", a) << ", expected " << format("%g", e);
  }
  result.ok = result.mismatches == 0;
  return result;
}
