// ILP.cpp: being written.
