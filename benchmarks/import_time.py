"""How long `import estimators` takes, against `import json` in the same session.

Each import runs in a fresh interpreter (best of several runs), so caches do not flatter
it. Target: under half a second; the baseline shows what interpreter start-up costs.
"""

import statistics
import subprocess
import sys
import time


def seconds(statement: str, runs: int = 7) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", statement], check=True)
        times.append(time.perf_counter() - start)
    return min(times), statistics.median(times)


if __name__ == "__main__":
    base_min, base_med = seconds("import json")
    est_min, est_med = seconds("import estimators")
    print(f"python -c 'import json'        best {base_min:.3f} s, median {base_med:.3f} s")
    print(f"python -c 'import estimators'  best {est_min:.3f} s, median {est_med:.3f} s")
    print(f"import estimators costs {est_med - base_med:+.3f} s over the baseline "
          f"(ratio {est_med / base_med:.2f}); target: total under 0.5 s")
    sys.exit(0 if est_med < 0.5 else 1)
