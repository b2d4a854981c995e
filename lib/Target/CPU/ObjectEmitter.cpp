//===- ObjectEmitter.cpp - Object files and shared libraries --------------===//
//
// Code generation for the host CPU and the link of a model library. Outputs
// are written to a temporary file and renamed, so a failure never leaves a
// half-written file behind.
//
//===----------------------------------------------------------------------===//

#include "tessera/Target/CPU/ModelLibrary.h"
#include "tessera/Target/CPU/TargetMachine.h"

#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/SubtargetFeature.h"

using namespace tessera;

llvm::Expected<std::unique_ptr<llvm::TargetMachine>>
tessera::createHostTargetMachine(unsigned optLevel) {
  llvm::InitializeNativeTarget();
  llvm::InitializeNativeTargetAsmPrinter();
  llvm::Triple triple(llvm::sys::getProcessTriple());
  std::string error;
  const llvm::Target *target =
      llvm::TargetRegistry::lookupTarget(triple, error);
  if (!target)
    return llvm::createStringError("no LLVM target for the host (" +
                                   triple.str() + "): " + error);
  llvm::SubtargetFeatures features;
  for (const auto &feature : llvm::sys::getHostCPUFeatures())
    features.AddFeature(feature.first(), feature.second);
  llvm::CodeGenOptLevel level = optLevel == 0   ? llvm::CodeGenOptLevel::None
                                : optLevel == 1 ? llvm::CodeGenOptLevel::Less
                                : optLevel == 2
                                    ? llvm::CodeGenOptLevel::Default
                                    : llvm::CodeGenOptLevel::Aggressive;
  std::unique_ptr<llvm::TargetMachine> machine(target->createTargetMachine(
      triple, llvm::sys::getHostCPUName(), features.getString(),
      llvm::TargetOptions(), llvm::Reloc::PIC_, std::nullopt, level));
  if (!machine)
    return llvm::createStringError("cannot create a target machine for " +
                                   triple.str());
  return std::move(machine);
}

/// Creates a temporary file beside `path` for an output that is renamed to
/// `path` once complete.
static llvm::Expected<llvm::sys::fs::TempFile>
tempFileFor(llvm::StringRef path) {
  return llvm::sys::fs::TempFile::create(path + ".tmp-%%%%%%");
}

llvm::Error tessera::writeObjectFile(llvm::Module &module, unsigned optLevel,
                                     llvm::StringRef path) {
  auto machine = createHostTargetMachine(optLevel);
  if (!machine)
    return machine.takeError();
  auto temp = tempFileFor(path);
  if (!temp)
    return temp.takeError();
  {
    llvm::raw_fd_ostream os(temp->FD, /*shouldClose=*/false);
    llvm::legacy::PassManager passes;
    if ((*machine)->addPassesToEmitFile(passes, os, nullptr,
                                        llvm::CodeGenFileType::ObjectFile)) {
      llvm::consumeError(temp->discard());
      return llvm::createStringError("the host target cannot emit objects");
    }
    passes.run(module);
  }
  return temp->keep(path);
}

llvm::Error tessera::linkSharedLibrary(llvm::StringRef objectPath,
                                       llvm::StringRef libraryPath) {
  llvm::StringRef linkerName = TESSERA_LINKER;
  if (const char *fromEnv = std::getenv("TESSERA_LINKER"))
    linkerName = fromEnv;
  auto linker = llvm::sys::findProgramByName(linkerName);
  if (!linker)
    return llvm::createStringError("cannot find the linker driver '" +
                                   linkerName.str() +
                                   "' (set TESSERA_LINKER to a C compiler)");
  std::string tempPath = (libraryPath + ".tmp").str();
  llvm::SmallVector<llvm::StringRef> args = {*linker,  "-shared",  "-o",
                                             tempPath, objectPath, "-lm"};
  std::string message;
  int rc = llvm::sys::ExecuteAndWait(*linker, args, std::nullopt, {}, 0, 0,
                                     &message);
  if (rc != 0) {
    llvm::sys::fs::remove(tempPath);
    return llvm::createStringError("linking " + libraryPath.str() +
                                   " failed (" + *linker + " exited with " +
                                   std::to_string(rc) + ") " + message);
  }
  if (std::error_code ec = llvm::sys::fs::rename(tempPath, libraryPath))
    return llvm::createStringError("cannot write " + libraryPath.str() + ": " +
                                   ec.message());
  return llvm::Error::success();
}
