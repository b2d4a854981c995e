//===- ModelLibrary.cpp - Load and run a compiled Tessera model -----------===//

#include "tessera/Runtime/ModelLibrary.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/Twine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/MathExtras.h"

#include <dlfcn.h>

using namespace llvm;
using namespace tessera;

void ModelLibrary::HandleCloser::operator()(void *handle) const {
  dlclose(handle);
}

/// Returns "1 input" or "2 inputs".
static std::string countOf(size_t count, StringRef noun) {
  return std::to_string(count) + " " + noun.str() + (count == 1 ? "" : "s");
}

/// Checks one tensor description of a signature: its name, dtype and shape.
static Error validateTensorInfo(StringRef path, StringRef kind, int32_t index,
                                const tessera_tensor_info &info) {
  auto invalid = [&](const Twine &what) {
    return createStringError("'" + path + "' has an invalid signature: " +
                             kind + " " + Twine(index) + " " + what);
  };
  if (!info.name)
    return invalid("has no name");
  if (info.rank < 0 || (info.rank > 0 && !info.shape))
    return invalid("has no valid shape");
  int64_t bytes = tessera_dtype_size(info.dtype);
  if (bytes == 0)
    return invalid("has unsupported dtype " + Twine(info.dtype));
  for (int64_t dim : ArrayRef<int64_t>(info.shape, info.rank)) {
    if (dim < 0)
      return invalid("has a negative dimension");
    if (MulOverflow(bytes, dim, bytes))
      return invalid("is too large");
  }
  return Error::success();
}

/// Checks the tensor lists of `signature`, whose ABI version is known to match.
static Error validateSignature(StringRef path,
                               const tessera_signature &signature) {
  auto invalid = [&](const Twine &what) {
    return createStringError("'" + path +
                             "' has an invalid signature: " + what);
  };
  if (signature.num_inputs < 0 ||
      (signature.num_inputs > 0 && !signature.inputs))
    return invalid("bad input list");
  if (signature.num_outputs < 0 ||
      (signature.num_outputs > 0 && !signature.outputs))
    return invalid("bad output list");
  for (int32_t i = 0; i < signature.num_inputs; ++i)
    if (Error error = validateTensorInfo(path, "input", i, signature.inputs[i]))
      return error;
  for (int32_t i = 0; i < signature.num_outputs; ++i)
    if (Error error =
            validateTensorInfo(path, "output", i, signature.outputs[i]))
      return error;
  return Error::success();
}

Expected<ModelLibrary> ModelLibrary::load(StringRef path) {
  if (!sys::fs::exists(path))
    return createStringError("cannot open model library '" + path +
                             "': no such file");
  // dlopen searches the library path for a name without a slash.
  SmallString<256> absolutePath(path);
  if (std::error_code ec = sys::fs::make_absolute(absolutePath))
    return createStringError("cannot open model library '" + path +
                             "': " + ec.message());

  // RTLD_LOCAL: every model exports the same symbol names.
  std::unique_ptr<void, HandleCloser> handle(
      dlopen(absolutePath.c_str(), RTLD_NOW | RTLD_LOCAL));
  if (!handle) {
    StringRef reason = dlerror();
    reason.consume_front((absolutePath + ": ").str());
    return createStringError("cannot load model library '" + path +
                             "': " + reason);
  }

  auto lookup = [&](const char *symbol) -> Expected<void *> {
    if (void *address = dlsym(handle.get(), symbol))
      return address;
    return createStringError("'" + path +
                             "' is not a Tessera model library: it does not "
                             "export " +
                             symbol);
  };
  Expected<void *> signatureFn = lookup("tessera_model_signature");
  if (!signatureFn)
    return signatureFn.takeError();
  Expected<void *> runFn = lookup("tessera_model_run");
  if (!runFn)
    return runFn.takeError();

  auto getSignature =
      reinterpret_cast<const tessera_signature *(*)()>(*signatureFn);
  const tessera_signature *signature = getSignature();
  if (!signature)
    return createStringError("'" + path +
                             "': tessera_model_signature() returned null");
  if (signature->abi_version != TESSERA_ABI_VERSION)
    return createStringError(
        formatv("'{0}' was compiled for Tessera ABI version {1}, but this "
                "runtime implements version {2}",
                path, signature->abi_version, TESSERA_ABI_VERSION));
  if (Error error = validateSignature(path, *signature))
    return std::move(error);
  return ModelLibrary(path.str(), std::move(handle), signature,
                      reinterpret_cast<RunFn>(*runFn));
}

StringRef ModelLibrary::getModelName() const {
  return signature->model_name ? signature->model_name : "";
}

ArrayRef<tessera_tensor_info> ModelLibrary::getInputs() const {
  return ArrayRef(signature->inputs, signature->num_inputs);
}

ArrayRef<tessera_tensor_info> ModelLibrary::getOutputs() const {
  return ArrayRef(signature->outputs, signature->num_outputs);
}

/// Checks that `tensors` match `infos` (the model's inputs or outputs, named
/// by `kind`) in number, dtype, shape and size.
static Error checkTensors(StringRef modelName, StringRef kind,
                          ArrayRef<tessera_tensor_info> infos,
                          ArrayRef<Tensor> tensors,
                          ArrayRef<std::string> sources) {
  if (tensors.size() != infos.size())
    return createStringError("model '" + modelName + "' expects " +
                             countOf(infos.size(), kind) + ", got " +
                             Twine(tensors.size()));
  for (auto [index, info, tensor] : enumerate(infos, tensors)) {
    ArrayRef<int64_t> shape(info.shape, info.rank);
    std::string from =
        index < sources.size() ? " from " + sources[index] : std::string();
    if (tensor.dtype != info.dtype || ArrayRef(tensor.shape) != shape)
      return createStringError(kind + " '" + info.name + "' expects " +
                               formatType(info.dtype, shape) + ", got " +
                               formatType(tensor.dtype, tensor.shape) + from);
    size_t bytes = tessera_num_elements(&info) * tessera_dtype_size(info.dtype);
    if (tensor.data.size() != bytes)
      return createStringError(formatv("{0} '{1}' needs {2} bytes of data, "
                                       "got {3}{4}",
                                       kind, info.name, bytes,
                                       tensor.data.size(), from));
  }
  return Error::success();
}

Error ModelLibrary::checkInputs(ArrayRef<Tensor> inputs,
                                ArrayRef<std::string> sources) const {
  return checkTensors(getModelName(), "input", getInputs(), inputs, sources);
}

std::vector<Tensor> ModelLibrary::createOutputTensors() const {
  std::vector<Tensor> outputs;
  for (const tessera_tensor_info &info : getOutputs()) {
    Tensor &tensor = outputs.emplace_back();
    tensor.name = info.name;
    tensor.dtype = info.dtype;
    tensor.shape.assign(info.shape, info.shape + info.rank);
    tensor.data.resize(tessera_num_elements(&info) *
                       tessera_dtype_size(info.dtype));
  }
  return outputs;
}

Error ModelLibrary::run(ArrayRef<const void *> inputs,
                        ArrayRef<void *> outputs) const {
  if (inputs.size() != getInputs().size() ||
      outputs.size() != getOutputs().size())
    return createStringError("model '" + getModelName() + "' takes " +
                             countOf(getInputs().size(), "input") + " and " +
                             countOf(getOutputs().size(), "output") + ", got " +
                             Twine(inputs.size()) + " and " +
                             Twine(outputs.size()));
  if (int status = runFn(inputs.data(), outputs.data()))
    return createStringError("model '" + getModelName() +
                             "' failed with status " + Twine(status));
  return Error::success();
}

Error ModelLibrary::run(ArrayRef<Tensor> inputs,
                        MutableArrayRef<Tensor> outputs) const {
  if (Error error = checkInputs(inputs))
    return error;
  if (Error error = checkTensors(getModelName(), "output", getOutputs(),
                                 outputs, /*sources=*/{}))
    return error;
  return run(getConstDataPointers(inputs), getDataPointers(outputs));
}
