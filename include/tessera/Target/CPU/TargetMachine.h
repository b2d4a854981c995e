//===- TargetMachine.h - The host CPU as an LLVM target ---------*- C++ -*-===//

#ifndef TESSERA_TARGET_CPU_TARGETMACHINE_H
#define TESSERA_TARGET_CPU_TARGETMACHINE_H

#include "llvm/Support/Error.h"
#include "llvm/Target/TargetMachine.h"

#include <memory>

namespace tessera {

/// A target machine for the host: its triple, CPU and features,
/// position-independent code, at `optLevel` (0 to 3).
llvm::Expected<std::unique_ptr<llvm::TargetMachine>>
createHostTargetMachine(unsigned optLevel);

} // namespace tessera

#endif // TESSERA_TARGET_CPU_TARGETMACHINE_H
