// In-process open time of a (full-scale, sparse) checkpoint: Checkpoint::open, which reads every
// shard header, the index and config.json, sorts the tensors, checks them against the index and
// pairs the quantized weights: everything the GUI's tensor tree and the CLI's inspect start from.
// usage: bench_open DIR [RUNS=7] [THREADS=1]  -> wall and CPU seconds per run, then medians.
// No timing thresholds here: bench/open-time.sh puts the figures next to Python's in one run.

#include "core/checkpoint/checkpoint.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>
#include <vector>

int main(int argc, char** argv)
{
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s DIR [RUNS=7] [THREADS=1]\n", argv[0]);
        return 2;
    }
    const std::string dir = argv[1];
    const int runs = argc > 2 ? std::max(1, std::atoi(argv[2])) : 7;
    ckpt::OpenOptions options;
    options.threads = argc > 3 ? unsigned(std::max(0, std::atoi(argv[3]))) : 1u;
    std::vector<double> seconds, cpuSeconds;
    std::size_t tensors = 0, pairs = 0;
    for (int r = 0; r < runs; ++r) {
        const auto start = std::chrono::steady_clock::now();
        const std::clock_t cpuStart = std::clock();  // process CPU time, all threads
        auto opened = ckpt::Checkpoint::open(dir, options);
        const double cpu = double(std::clock() - cpuStart) / CLOCKS_PER_SEC;
        const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        if (!opened) {
            std::fprintf(stderr, "bench_open: %s\n", opened.error().toString().c_str());
            return 1;
        }
        tensors = opened.value()->tensors().size();
        pairs = opened.value()->quant().pairs.size();
        seconds.push_back(s);
        cpuSeconds.push_back(cpu);
        std::printf("run %d: %.4f s wall, %.4f s cpu\n", r + 1, s, cpu);
    }
    std::sort(seconds.begin(), seconds.end());
    std::sort(cpuSeconds.begin(), cpuSeconds.end());
    std::printf("median %.4f s wall, %.4f s cpu  (%zu tensors, %zu quant pairs, %u header threads)\n",
                seconds[seconds.size() / 2], cpuSeconds[cpuSeconds.size() / 2], tensors, pairs, options.threads);
    return 0;
}
