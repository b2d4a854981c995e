//===- ModelLibrary.h - Load and run a compiled Tessera model ---*- C++ -*-===//
//
// A compiled model is a shared library implementing the ABI of
// tessera-c/Runtime.h. ModelLibrary opens one, checks that it is a Tessera
// model of the right ABI version, and runs it on host tensors.
//
//===----------------------------------------------------------------------===//

#ifndef TESSERA_RUNTIME_MODELLIBRARY_H
#define TESSERA_RUNTIME_MODELLIBRARY_H

#include "tessera-c/Runtime.h"
#include "tessera/Runtime/TensorFile.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <memory>
#include <string>
#include <vector>

namespace tessera {

/// A loaded model library; unloads it when destroyed.
class ModelLibrary {
public:
  /// Opens the model library at `path`. Fails with a one-line message when
  /// the file is missing or cannot be loaded, does not export the Tessera
  /// model functions, has another ABI version, or has an invalid signature.
  static llvm::Expected<ModelLibrary> load(llvm::StringRef path);

  /// Returns the path the library was loaded from.
  llvm::StringRef getPath() const { return path; }
  /// Returns the signature the library exports.
  const tessera_signature &getSignature() const { return *signature; }
  /// Returns the name of the model.
  llvm::StringRef getModelName() const;
  /// Returns the inputs of the model, in call order.
  llvm::ArrayRef<tessera_tensor_info> getInputs() const;
  /// Returns the outputs of the model, in call order.
  llvm::ArrayRef<tessera_tensor_info> getOutputs() const;

  /// Checks that `inputs` match the model's inputs in number, dtype, shape and
  /// size. `sources` optionally names where each input came from (a file) for
  /// the message, e.g. "input 'x' expects float32 1x3x224x224, got float32
  /// 1x3x32x32 from x.npy".
  llvm::Error checkInputs(llvm::ArrayRef<Tensor> inputs,
                          llvm::ArrayRef<std::string> sources = {}) const;

  /// Returns zero-filled tensors of the model's output names, dtypes and
  /// shapes.
  std::vector<Tensor> createOutputTensors() const;

  /// Runs the model once on the buffers `inputs` and `outputs`, which must
  /// have the sizes of the signature. Fails when the counts differ from the
  /// signature or the model returns a non-zero status.
  llvm::Error run(llvm::ArrayRef<const void *> inputs,
                  llvm::ArrayRef<void *> outputs) const;

  /// Runs the model on `inputs` (checked with checkInputs) and writes
  /// `outputs` (checked against the signature).
  llvm::Error run(llvm::ArrayRef<Tensor> inputs,
                  llvm::MutableArrayRef<Tensor> outputs) const;

private:
  /// The signature of tessera_model_run.
  using RunFn = int (*)(const void *const *, void *const *);

  /// Closes a dlopen handle.
  struct HandleCloser {
    void operator()(void *handle) const;
  };

  ModelLibrary(std::string path, std::unique_ptr<void, HandleCloser> handle,
               const tessera_signature *signature, RunFn runFn)
      : path(std::move(path)), handle(std::move(handle)), signature(signature),
        runFn(runFn) {}

  std::string path;
  std::unique_ptr<void, HandleCloser> handle;
  const tessera_signature *signature;
  RunFn runFn;
};

} // namespace tessera

#endif // TESSERA_RUNTIME_MODELLIBRARY_H
