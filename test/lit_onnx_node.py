"""lit test format of the ONNX node conformance tests (libonnx-testdata).

Every name in a directory's node-tests.txt is one lit test that compiles the
node's model.onnx with tessera-compile and runs every test_data_set_*
through tessera-run, comparing the outputs with the expected ones. It lives
in a module (not a lit.local.cfg) so that lit's worker processes can
unpickle it.
"""
import os
import subprocess

import lit.formats
import lit.Test

NODE_DIR = "/usr/share/libonnx-testdata/data/node"


class ONNXNodeTest(lit.formats.TestFormat):
    def getTestsInDirectory(self, testSuite, path_in_suite, litConfig, localConfig):
        source = testSuite.getSourcePath(path_in_suite)
        with open(os.path.join(source, "node-tests.txt")) as listing:
            for line in listing:
                name = line.split("#")[0].strip()
                if name:
                    yield lit.Test.Test(testSuite, path_in_suite + (name,),
                                        localConfig)

    def execute(self, test, litConfig):
        if "onnx-testdata" not in test.config.available_features:
            return lit.Test.UNSUPPORTED, "libonnx-testdata is not installed"
        name = test.path_in_suite[-1]
        model_dir = os.path.join(NODE_DIR, name)
        tools = test.config.tessera_tools_dir
        library = test.getExecPath() + ".so"
        os.makedirs(os.path.dirname(library), exist_ok=True)
        commands = [[os.path.join(tools, "tessera-compile"),
                     os.path.join(model_dir, "model.onnx"), "-o", library]]
        for data_set in sorted(os.listdir(model_dir)):
            if data_set.startswith("test_data_set_"):
                commands.append([os.path.join(tools, "tessera-run"), library,
                                 "--test-data", os.path.join(model_dir, data_set)])
        log = ""
        for command in commands:
            result = subprocess.run(command, stdout=subprocess.PIPE,
                                    stderr=subprocess.STDOUT, text=True)
            log += "$ " + " ".join(command) + "\n" + result.stdout
            if result.returncode != 0:
                return lit.Test.FAIL, log
        return lit.Test.PASS, log

