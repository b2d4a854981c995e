//===- EntryPoints.cpp - The C ABI of a compiled model --------------------===//
//
// Adds to the LLVM IR of a model the two functions of tessera-c/Runtime.h:
// `tessera_model_signature` (constant data) and `tessera_model_run`, which
// builds a memref descriptor for each caller-provided buffer and calls the
// lowered entry function.
//
//===----------------------------------------------------------------------===//

#include "tessera/Target/CPU/ModelLibrary.h"
#include "tessera/Target/CPU/TargetMachine.h"

#include "tessera-c/Runtime.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/Module.h"
#include "llvm/IR/Verifier.h"
#include "llvm/Support/raw_ostream.h"

using namespace tessera;

namespace {

/// Emits the constant data of `signature` and the function returning it.
void emitSignature(llvm::Module &module, const ModelSignature &signature) {
  llvm::LLVMContext &ctx = module.getContext();
  llvm::Type *i32 = llvm::Type::getInt32Ty(ctx);
  llvm::PointerType *ptr = llvm::PointerType::getUnqual(ctx);
  auto *infoType = llvm::StructType::create(ctx, {ptr, i32, i32, ptr},
                                            "tessera_tensor_info");
  auto *signatureType = llvm::StructType::create(
      ctx, {i32, ptr, i32, ptr, i32, ptr}, "tessera_signature");

  auto privateConstant = [&](llvm::Constant *init, const llvm::Twine &name) {
    return new llvm::GlobalVariable(
        module, init->getType(), /*isConstant=*/true,
        llvm::GlobalValue::PrivateLinkage, init, name);
  };
  auto string = [&](llvm::StringRef text, const llvm::Twine &name) {
    return privateConstant(llvm::ConstantDataArray::getString(ctx, text), name);
  };
  auto tensorTable = [&](llvm::ArrayRef<TensorSignature> tensors,
                         llvm::StringRef kind) -> llvm::Constant * {
    llvm::SmallVector<llvm::Constant *> infos;
    for (auto [i, tensor] : llvm::enumerate(tensors)) {
      std::string prefix = ("tessera." + kind + "." + llvm::Twine(i)).str();
      llvm::SmallVector<uint64_t> dims(tensor.shape.begin(),
                                       tensor.shape.end());
      llvm::Constant *shape =
          dims.empty()
              ? static_cast<llvm::Constant *>(
                    llvm::ConstantPointerNull::get(ptr))
              : privateConstant(llvm::ConstantDataArray::get(ctx, dims),
                                prefix + ".shape");
      infos.push_back(llvm::ConstantStruct::get(
          infoType, {string(tensor.name, prefix + ".name"),
                     llvm::ConstantInt::get(i32, tensor.dtype),
                     llvm::ConstantInt::get(i32, tensor.shape.size()), shape}));
    }
    if (infos.empty())
      return llvm::ConstantPointerNull::get(ptr);
    auto *arrayType = llvm::ArrayType::get(infoType, infos.size());
    return privateConstant(llvm::ConstantArray::get(arrayType, infos),
                           "tessera." + kind);
  };

  llvm::Constant *init = llvm::ConstantStruct::get(
      signatureType, {llvm::ConstantInt::get(i32, TESSERA_ABI_VERSION),
                      string(signature.modelName, "tessera.model_name"),
                      llvm::ConstantInt::get(i32, signature.inputs.size()),
                      tensorTable(signature.inputs, "inputs"),
                      llvm::ConstantInt::get(i32, signature.outputs.size()),
                      tensorTable(signature.outputs, "outputs")});
  llvm::GlobalVariable *global = privateConstant(init, "tessera.signature");

  auto *fn = llvm::Function::Create(llvm::FunctionType::get(ptr, false),
                                    llvm::GlobalValue::ExternalLinkage,
                                    "tessera_model_signature", module);
  llvm::IRBuilder<> b(llvm::BasicBlock::Create(ctx, "entry", fn));
  b.CreateRet(global);
}

/// Emits `tessera_model_run(inputs, outputs)` calling `entry`, whose
/// parameters are the expanded memref descriptors (allocated pointer,
/// aligned pointer, offset, sizes, strides) of the inputs, then the outputs.
llvm::Error emitRun(llvm::Module &module, llvm::Function &entry,
                    const ModelSignature &signature) {
  llvm::LLVMContext &ctx = module.getContext();
  llvm::Type *i32 = llvm::Type::getInt32Ty(ctx);
  llvm::Type *i64 = llvm::Type::getInt64Ty(ctx);
  llvm::PointerType *ptr = llvm::PointerType::getUnqual(ctx);
  auto *fn = llvm::Function::Create(
      llvm::FunctionType::get(i32, {ptr, ptr}, false),
      llvm::GlobalValue::ExternalLinkage, "tessera_model_run", module);
  llvm::IRBuilder<> b(llvm::BasicBlock::Create(ctx, "entry", fn));

  llvm::SmallVector<llvm::Value *> args;
  auto addBuffers = [&](llvm::ArrayRef<TensorSignature> tensors,
                        llvm::Value *table) {
    for (auto [i, tensor] : llvm::enumerate(tensors)) {
      llvm::Value *slot = b.CreateConstInBoundsGEP1_64(ptr, table, i);
      llvm::Value *data = b.CreateLoad(ptr, slot, tensor.name);
      args.append({data, data, llvm::ConstantInt::get(i64, 0)});
      for (int64_t size : tensor.shape)
        args.push_back(llvm::ConstantInt::get(i64, size));
      int64_t stride = 1;
      llvm::SmallVector<llvm::Value *> strides;
      for (int64_t size : llvm::reverse(tensor.shape)) {
        strides.push_back(llvm::ConstantInt::get(i64, stride));
        stride *= size;
      }
      args.append(strides.rbegin(), strides.rend());
    }
  };
  addBuffers(signature.inputs, fn->getArg(0));
  addBuffers(signature.outputs, fn->getArg(1));
  if (args.size() != entry.arg_size())
    return llvm::createStringError(
        "the lowered entry function @" + entry.getName().str() + " takes " +
        std::to_string(entry.arg_size()) + " parameters, but the signature " +
        "implies " + std::to_string(args.size()));
  b.CreateCall(&entry, args);
  b.CreateRet(llvm::ConstantInt::get(i32, 0));
  return llvm::Error::success();
}

/// Gives every constant global holding a multi-dimensional dense array a
/// flat, one-dimensional array type. The translation to LLVM IR makes a
/// nested array type one llvm::ConstantDataArray per innermost row (one per
/// element for the [M x C x 1 x 1] weights of 1x1 convolutions) and one
/// ConstantArray per outer row: millions of uniqued constants for a
/// ResNet-50, which then dominate translation, the LLVM passes that visit
/// them, code generation and the LLVMContext's destruction. The bytes are
/// the same (arrays have no padding), and every use takes the global's
/// address as an opaque pointer, so no access changes.
void flattenConstantGlobals(mlir::ModuleOp module) {
  module.walk([](mlir::LLVM::GlobalOp global) {
    auto value = llvm::dyn_cast_if_present<mlir::DenseElementsAttr>(
        global.getValueOrNull());
    if (!value || value.getType().getRank() <= 1)
      return;
    mlir::Type element = global.getGlobalType();
    while (auto array = llvm::dyn_cast<mlir::LLVM::LLVMArrayType>(element))
      element = array.getElementType();
    if (element != value.getElementType())
      return;
    auto flatType = mlir::RankedTensorType::get({value.getNumElements()},
                                                value.getElementType());
    global.setValueAttr(value.reshape(flatType));
    global.setGlobalTypeAttr(mlir::TypeAttr::get(
        mlir::LLVM::LLVMArrayType::get(element, value.getNumElements())));
  });
}

} // namespace

llvm::Expected<std::unique_ptr<llvm::Module>>
tessera::translateToHostIR(mlir::ModuleOp module,
                           const ModelSignature &signature, unsigned optLevel,
                           llvm::LLVMContext &llvmContext) {
  mlir::registerBuiltinDialectTranslation(*module->getContext());
  mlir::registerLLVMDialectTranslation(*module->getContext());
  flattenConstantGlobals(module);
  std::unique_ptr<llvm::Module> llvmModule =
      mlir::translateModuleToLLVMIR(module, llvmContext, signature.modelName);
  if (!llvmModule)
    return llvm::createStringError("translation to LLVM IR failed");

  llvm::Function *entry = llvmModule->getFunction(signature.functionName);
  if (!entry)
    return llvm::createStringError("the lowered module has no function @" +
                                   signature.functionName);
  entry->setLinkage(llvm::GlobalValue::InternalLinkage);
  emitSignature(*llvmModule, signature);
  if (llvm::Error error = emitRun(*llvmModule, *entry, signature))
    return std::move(error);

  auto targetMachine = createHostTargetMachine(optLevel);
  if (!targetMachine)
    return targetMachine.takeError();
  llvmModule->setDataLayout((*targetMachine)->createDataLayout());
  llvmModule->setTargetTriple((*targetMachine)->getTargetTriple());
  std::string verifyMessage;
  llvm::raw_string_ostream verifyStream(verifyMessage);
  if (llvm::verifyModule(*llvmModule, &verifyStream))
    return llvm::createStringError("invalid LLVM IR: " + verifyMessage);
  auto optimize = mlir::makeOptimizingTransformer(optLevel, /*sizeLevel=*/0,
                                                  targetMachine->get());
  if (llvm::Error error = optimize(llvmModule.get()))
    return std::move(error);
  return std::move(llvmModule);
}
