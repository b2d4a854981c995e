// DivideAndConquer.cpp: being written.
