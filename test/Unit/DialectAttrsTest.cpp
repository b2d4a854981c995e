//===- DialectAttrsTest.cpp - Unit tests of tessera attributes ------------===//

#include "tessera/Dialect/Tessera/IR/Tessera.h"

#include "mlir/AsmParser/AsmParser.h"
#include "mlir/IR/MLIRContext.h"

#include <gtest/gtest.h>

using namespace mlir;
using namespace mlir::tessera;

namespace {

class DialectAttrsTest : public ::testing::Test {
protected:
  DialectAttrsTest() { context.loadDialect<TesseraDialect>(); }

  template <typename AttrT> AttrT parse(StringRef text) {
    return dyn_cast_or_null<AttrT>(parseAttribute(text, &context));
  }

  MLIRContext context;
};

TEST_F(DialectAttrsTest, TargetDefaults) {
  auto target = parse<TargetAttr>("#tessera.target<kind = fpga, dsp = 220>");
  ASSERT_TRUE(target);
  EXPECT_EQ(target.getKind(), TargetKind::fpga);
  EXPECT_EQ(target.getScratchpad(), 0);
  EXPECT_EQ(target.getAlignment(), 64);
  EXPECT_EQ(target.getDsp(), 220);
  EXPECT_FALSE(target.getArch());
}

TEST_F(DialectAttrsTest, KernelConfigTileSizes) {
  auto config = parse<KernelConfigAttr>(
      "#tessera.kernel_config<tiles = [[64, 32, 16], [8, 8, 0]], "
      "loop_order = [2, 0, 1]>");
  ASSERT_TRUE(config);
  EXPECT_EQ(config.getNumLoops(), 3);
  EXPECT_EQ(config.getTileSizes(1), (SmallVector<int64_t>{8, 8, 0}));
  EXPECT_EQ(config.getVectorWidth(), 1);
  EXPECT_TRUE(config.getParallelDims().empty());
}

TEST_F(DialectAttrsTest, CostRoundTripsLatency) {
  auto cost = CostAttr::get(&context, llvm::APFloat(3.25), "analytical");
  std::string text;
  llvm::raw_string_ostream os(text);
  os << Attribute(cost);
  auto reparsed = parse<CostAttr>(text);
  ASSERT_TRUE(reparsed);
  EXPECT_EQ(reparsed.getLatencyUs().convertToDouble(), 3.25);
  EXPECT_EQ(reparsed, cost);
}

TEST_F(DialectAttrsTest, InvalidKernelConfigIsRejected) {
  context.getDiagEngine().registerHandler([](Diagnostic &) {});
  EXPECT_FALSE(parse<KernelConfigAttr>(
      "#tessera.kernel_config<tiles = [[4]], loop_order = [0, 0]>"));
}

} // namespace
