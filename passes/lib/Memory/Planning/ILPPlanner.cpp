// ILPPlanner.cpp: being written.
