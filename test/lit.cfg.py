# Lit configuration of the Tessera test suite.
import os
import sys

import lit.formats
import lit.util
from lit.llvm import llvm_config
from lit.llvm.subst import ToolSubst

config.name = "TESSERA"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".test", ".py"]
config.excludes = ["CMakeLists.txt", "Inputs", "lit.cfg.py", "lit.site.cfg.py",
                   "Unit", "python", "lit_onnx_node.py"]
config.test_source_root = os.path.dirname(__file__)
# Test formats of Tessera's own (lit_onnx_node.py) are imported from here.
sys.path.insert(0, config.test_source_root)
config.test_exec_root = os.path.join(config.tessera_obj_root, "test")

llvm_config.use_default_substitutions()
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)
llvm_config.with_environment("PATH", config.tessera_tools_dir, append_path=True)

tools = ["tessera-opt", "tessera-translate", "tessera-compile", "tessera-run",
         "tessera-cost", "tessera-plan-memory"]
llvm_config.add_tool_substitutions(tools, [config.tessera_tools_dir])

config.substitutions.append(("%python", config.tessera_python))
config.substitutions.append(("%tessera_src", config.tessera_src_root))
config.substitutions.append(("%tessera_obj", config.tessera_obj_root))
config.substitutions.append(("%cmake", config.cmake_command))
config.substitutions.append(("%cxx", config.cxx_compiler))
config.substitutions.append(("%cc", config.c_compiler))
# MLIR's C runner utilities (printing for mlir-runner), beside LLVM's tools.
config.substitutions.append(
    ("%mlir_c_runner_utils",
     os.path.join(os.path.dirname(config.llvm_tools_dir), "lib",
                  "libmlir_c_runner_utils.so")))

# Conformance data of Debian's libonnx-testdata.
onnx_node_dir = "/usr/share/libonnx-testdata/data/node"
config.substitutions.append(("%onnx_node", onnx_node_dir))
if os.path.isdir(onnx_node_dir):
    config.available_features.add("onnx-testdata")

# Python packages used to build models in tests.
def python_has(module):
    import subprocess
    return subprocess.call([config.tessera_python, "-c", "import " + module],
                           stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL) == 0

if python_has("onnx") and python_has("numpy"):
    config.available_features.add("python-onnx")
if python_has("onnx") and python_has("torchvision"):
    config.available_features.add("python-torchvision")
