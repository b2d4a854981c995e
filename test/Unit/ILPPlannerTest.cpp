// ILPPlannerTest.cpp: being written.
