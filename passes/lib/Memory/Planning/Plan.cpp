// Plan.cpp: being written.
