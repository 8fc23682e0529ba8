// runnel-bench: load generators for bench/run.sh. `runnel-bench <mode> --flag value ...`.
#include <cstdio>
#include <cstring>

#include "common.h"

namespace bench {
int run_produce(const Flags&);
int run_consume(const Flags&);
int run_e2e(const Flags&);
int run_create(const Flags&);
int run_delete(const Flags&);
int run_offsets(const Flags&);
int run_probe(const Flags&);
int run_raw(const Flags&);
}  // namespace bench

int main(int argc, char** argv) {
  using namespace bench;
  static const struct {
    const char* name;
    int (*fn)(const Flags&);
  } modes[] = {{"produce", run_produce}, {"consume", run_consume}, {"e2e", run_e2e},   {"create", run_create}, {"delete", run_delete},
               {"offsets", run_offsets}, {"probe", run_probe},     {"raw", run_raw}};
  if (argc >= 2) {
    for (const auto& m : modes) {
      if (std::strcmp(argv[1], m.name) == 0) return m.fn(Flags(argc - 2, argv + 2));
    }
  }
  std::fprintf(stderr, "usage: runnel-bench produce|consume|e2e|create|delete|offsets|probe|raw --flag value ...\n");
  return 2;
}
