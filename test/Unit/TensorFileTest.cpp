//===- TensorFileTest.cpp - Unit tests of tensor files and comparison -----===//

#include "tessera/Runtime/TensorFile.h"
#include "tessera-c/Runtime.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>

using namespace llvm;
using namespace tessera;

namespace {

/// Returns a tensor of `dtype` and `shape` holding `values`.
template <typename T>
Tensor makeTensor(int32_t dtype, std::vector<int64_t> shape,
                  const std::vector<T> &values) {
  Tensor tensor;
  tensor.dtype = dtype;
  tensor.shape = std::move(shape);
  tensor.data.resize(values.size() * sizeof(T));
  std::memcpy(tensor.data.data(), values.data(), tensor.data.size());
  return tensor;
}

/// Returns a float32 tensor of shape {size} holding `values`.
Tensor makeFloats(const std::vector<float> &values) {
  return makeTensor<float>(TESSERA_DTYPE_FLOAT,
                           {static_cast<int64_t>(values.size())}, values);
}

/// Gives each test a fresh temporary directory.
class TensorFileTest : public ::testing::Test {
protected:
  void SetUp() override {
    ASSERT_FALSE(sys::fs::createUniqueDirectory("tessera-tensorfile", dir));
  }
  void TearDown() override { sys::fs::remove_directories(dir); }

  /// Returns the path of `name` in the temporary directory.
  std::string path(StringRef name) const {
    SmallString<128> result(dir);
    sys::path::append(result, name);
    return std::string(result);
  }

  /// Writes `tensor` to `name` and reads it back.
  Tensor roundTrip(StringRef name, const Tensor &tensor) {
    EXPECT_FALSE(errorToBool(writeTensorFile(path(name), tensor)));
    Expected<Tensor> result = readTensorFile(path(name));
    EXPECT_TRUE(static_cast<bool>(result)) << toString(result.takeError());
    return result ? std::move(*result) : Tensor();
  }

  /// Returns the message of the error of reading `name`, or "" on success.
  std::string readError(StringRef name) {
    Expected<Tensor> result = readTensorFile(path(name));
    return result ? std::string() : toString(result.takeError());
  }

  SmallString<128> dir;
};

TEST_F(TensorFileTest, NpyRoundTripFloat32) {
  Tensor tensor = makeTensor<float>(TESSERA_DTYPE_FLOAT, {2, 3},
                                    {0.5f, -1.25f, 3.0f, 1e-7f, -0.0f, 42.0f});
  Tensor result = roundTrip("f32.npy", tensor);
  EXPECT_EQ(result.dtype, TESSERA_DTYPE_FLOAT);
  EXPECT_EQ(result.shape, tensor.shape);
  EXPECT_EQ(result.data, tensor.data);
}

TEST_F(TensorFileTest, NpyRoundTripInt64) {
  Tensor tensor =
      makeTensor<int64_t>(TESSERA_DTYPE_INT64, {4},
                          {-1, 0, std::numeric_limits<int64_t>::max(),
                           std::numeric_limits<int64_t>::min()});
  Tensor result = roundTrip("i64.npy", tensor);
  EXPECT_EQ(result.dtype, TESSERA_DTYPE_INT64);
  EXPECT_EQ(result.shape, tensor.shape);
  EXPECT_EQ(result.data, tensor.data);
}

TEST_F(TensorFileTest, NpyRoundTripScalarAndHeaderLayout) {
  Tensor tensor = makeTensor<int64_t>(TESSERA_DTYPE_INT64, {}, {7});
  Tensor result = roundTrip("scalar.npy", tensor);
  EXPECT_TRUE(result.shape.empty());
  EXPECT_EQ(result.data, tensor.data);

  // NumPy aligns the data to 64 bytes and ends the header with a newline.
  auto buffer = MemoryBuffer::getFile(path("scalar.npy"));
  ASSERT_TRUE(static_cast<bool>(buffer));
  StringRef bytes = (*buffer)->getBuffer();
  size_t dataOffset = bytes.size() - sizeof(int64_t);
  EXPECT_EQ(dataOffset % 64, 0u);
  EXPECT_EQ(bytes[dataOffset - 1], '\n');
  EXPECT_TRUE(bytes.contains("'descr': '<i8'"));
  EXPECT_TRUE(bytes.contains("'shape': ()"));
}

TEST_F(TensorFileTest, ProtoRoundTrip) {
  Tensor tensor =
      makeTensor<float>(TESSERA_DTYPE_FLOAT, {3, 1, 2}, {1, 2, 3, 4, 5, 6});
  tensor.name = "logits";
  Tensor result = roundTrip("t.pb", tensor);
  EXPECT_EQ(result.name, "logits");
  EXPECT_EQ(result.dtype, TESSERA_DTYPE_FLOAT);
  EXPECT_EQ(result.shape, tensor.shape);
  EXPECT_EQ(result.data, tensor.data);
}

TEST_F(TensorFileTest, TruncatedNpyIsAnError) {
  Tensor tensor = makeFloats({1, 2, 3, 4});
  ASSERT_FALSE(errorToBool(writeTensorFile(path("full.npy"), tensor)));
  auto buffer = MemoryBuffer::getFile(path("full.npy"));
  ASSERT_TRUE(static_cast<bool>(buffer));
  StringRef bytes = (*buffer)->getBuffer();

  std::error_code ec;
  raw_fd_ostream(path("data.npy"), ec) << bytes.drop_back(3);
  raw_fd_ostream(path("header.npy"), ec) << bytes.take_front(20);
  ASSERT_FALSE(ec);
  EXPECT_NE(readError("data.npy").find("truncated"), std::string::npos)
      << readError("data.npy");
  EXPECT_NE(readError("header.npy").find("truncated"), std::string::npos)
      << readError("header.npy");
}

TEST_F(TensorFileTest, ReadErrorsNameTheFile) {
  std::string missing = readError("missing.npy");
  EXPECT_NE(missing.find("missing.npy"), std::string::npos) << missing;

  std::error_code ec;
  raw_fd_ostream(path("text.npy"), ec) << "not a numpy file";
  ASSERT_FALSE(ec);
  EXPECT_NE(readError("text.npy").find("bad magic"), std::string::npos);
  EXPECT_NE(readError("tensor.txt").find("unknown extension"),
            std::string::npos);
}

TEST_F(TensorFileTest, ReadOnnxTestData) {
  const char *file = "/usr/share/libonnx-testdata/data/node/test_relu/"
                     "test_data_set_0/input_0.pb";
  if (!sys::fs::exists(file))
    GTEST_SKIP() << file << " is not installed";
  Expected<Tensor> tensor = readTensorFile(file);
  ASSERT_TRUE(static_cast<bool>(tensor)) << toString(tensor.takeError());
  EXPECT_EQ(tensor->dtype, TESSERA_DTYPE_FLOAT);
  EXPECT_EQ(tensor->shape, (std::vector<int64_t>{3, 4, 5}));
  EXPECT_EQ(tensor->data.size(), 60u * sizeof(float));
}

TEST(CompareTensorsTest, Tolerances) {
  Tensor expected = makeFloats({1, 2, 100, 0});
  Tensor actual = makeFloats({1.00001f, 2, 100.01f, 1e-6f});

  // |a - e| <= atol + rtol * |e| holds for every element.
  TensorComparison loose = compareTensors(actual, expected, 1e-3, 1e-5);
  EXPECT_TRUE(loose.ok) << loose.message;
  EXPECT_EQ(loose.mismatches, 0);
  EXPECT_NEAR(loose.maxAbsError, 0.01, 1e-4);

  // Without rtol, 1.00001 and 100.01 are too far.
  TensorComparison tight = compareTensors(actual, expected, 0, 2e-6);
  EXPECT_FALSE(tight.ok);
  EXPECT_EQ(tight.mismatches, 2);
  EXPECT_NE(tight.message.find("[0]"), std::string::npos) << tight.message;
}

TEST(CompareTensorsTest, NaNEqualsNaN) {
  float nan = std::numeric_limits<float>::quiet_NaN();
  float inf = std::numeric_limits<float>::infinity();
  TensorComparison same = compareTensors(makeFloats({nan, inf, 1}),
                                         makeFloats({nan, inf, 1}), 1e-4, 1e-5);
  EXPECT_TRUE(same.ok);
  EXPECT_EQ(same.maxAbsError, 0);

  TensorComparison different =
      compareTensors(makeFloats({nan, 1}), makeFloats({1, nan}), 1e-4, 1e-5);
  EXPECT_FALSE(different.ok);
  EXPECT_EQ(different.mismatches, 2);
}

TEST(CompareTensorsTest, ShapeAndDtypeMustMatch) {
  Tensor floats = makeTensor<float>(TESSERA_DTYPE_FLOAT, {2, 2}, {1, 2, 3, 4});
  Tensor reshaped = makeTensor<float>(TESSERA_DTYPE_FLOAT, {4}, {1, 2, 3, 4});
  Tensor ints = makeTensor<int32_t>(TESSERA_DTYPE_INT32, {2, 2}, {1, 2, 3, 4});

  TensorComparison shape = compareTensors(reshaped, floats, 1e-4, 1e-5);
  EXPECT_FALSE(shape.ok);
  EXPECT_EQ(shape.message, "got float32 4, expected float32 2x2");
  TensorComparison dtype = compareTensors(ints, floats, 1e-4, 1e-5);
  EXPECT_FALSE(dtype.ok);
  EXPECT_EQ(dtype.message, "got int32 2x2, expected float32 2x2");
  // Integers compare as doubles.
  EXPECT_TRUE(compareTensors(ints, ints, 0, 0).ok);
}

} // namespace
