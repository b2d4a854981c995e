// ILPTest.cpp: being written.
