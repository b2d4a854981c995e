# Runs the gtest unit tests as part of the lit suite.
import os
import lit.formats

config.name = "TESSERA-UNIT"
config.suffixes = []
config.test_source_root = os.path.join(config.tessera_obj_root, "unittests")
config.test_exec_root = config.test_source_root
config.test_format = lit.formats.GoogleTest(".", "Tests")
