// MemoryPlanTest.cpp: being written.
