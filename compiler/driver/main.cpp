// Placeholder until the driver lands.
#include <cstdio>
int main() { std::puts("weir: not built yet"); return 2; }
