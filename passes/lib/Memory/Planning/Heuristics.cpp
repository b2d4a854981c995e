// Heuristics.cpp: being written.
