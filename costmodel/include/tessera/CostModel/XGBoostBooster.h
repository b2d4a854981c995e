//===- XGBoostBooster.h - XGBoost boosters: load, save, blend ---*- C++ -*-===//
//
// Model files store their boosters in XGBoost's own serialised form; these
// helpers load one into XGBoost (which checks it), save it again in another
// form, and blend several regression boosters into one.
//
// A blend of boosters trained on the same rows (with different objectives,
// say) is one booster holding every member's trees, each leaf divided by the
// number of members: its margin is the mean of the members' margins (up to
// float rounding), and predicting with it walks all their trees. It keeps
// only what prediction reads: the trees' training statistics (node weights,
// split gains, hessian sums, which feature importances and SHAP values would
// need) are zeroed, which makes it, compressed, about half the size of its
// members together. A model file stores a blend as its one regression booster;
// nothing that reads the file knows it is one.
//
//===----------------------------------------------------------------------===//

#ifndef TESSERA_COSTMODEL_XGBOOSTBOOSTER_H
#define TESSERA_COSTMODEL_XGBOOSTBOOSTER_H

#include "mlir/Support/LLVM.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/JSON.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace tessera::cost {

/// An XGBoost booster (its C API's BoosterHandle), freed with its owner.
using OwnedBooster = std::unique_ptr<void, int (*)(void *)>;

/// XGBoost's booster of serialised form `bytes` (UBJSON or JSON); failure
/// with XGBoost's reason in `message`.
mlir::FailureOr<OwnedBooster> loadXGBoost(llvm::ArrayRef<uint8_t> bytes,
                                          std::string *message);

/// `object[key]`, an integer written as a string (the parameters in XGBoost's
/// JSON model); none if absent or not an integer.
std::optional<int64_t> xgboostIntegerParam(const llvm::json::Object &object,
                                           llvm::StringRef key);

/// `booster` serialised as `format` ("json" or "ubj"); failure with
/// XGBoost's reason in `message`.
mlir::FailureOr<std::string> saveXGBoost(void *booster, llvm::StringRef format,
                                         std::string *message);

/// The blend of `members` (serialised boosters) as UBJSON. The members must
/// be gbtree boosters that agree on the objective, the base score, the
/// number of features, of rounds and of trees per round; each round of the
/// blend holds the members' trees of that round, in member order, and XGBoost
/// reads the blend back before it is returned. One member is returned as it
/// is. Failure, with why in `message`, otherwise.
mlir::FailureOr<std::string> blendBoosters(llvm::ArrayRef<std::string> members,
                                           std::string *message);

} // namespace tessera::cost

#endif // TESSERA_COSTMODEL_XGBOOSTBOOSTER_H
