// CapacityRelaxation.cpp: being written.
