"""wrk's figures for the benchmark scripts.

  python3 bench/wrk.py figures < wrk-output      prints "req/s p50_ms p99_ms errors" of one wrk run (with --latency)
  python3 bench/wrk.py median "a b c d;e f g h"  prints the median of each of the rows' columns
"""
import re
import statistics
import sys


def figures(text):
    def ms(label):
        match = re.search(r"^\s*" + label + r"%\s+([\d.]+)(us|ms|s)\s*$", text, re.M)
        value, unit = float(match.group(1)), match.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", text))
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
    errors += int(non2xx.group(1)) if non2xx else 0
    return f"{rps:.0f} {ms('50'):.3f} {ms('99'):.3f} {errors}"


def median(rows):
    parsed = [row.split() for row in rows.split(";") if row]
    return " ".join(f"{statistics.median(float(row[i]) for row in parsed):g}" for i in range(len(parsed[0])))


if __name__ == "__main__":
    if sys.argv[1] == "figures":
        print(figures(sys.stdin.read()))
    else:
        print(median(sys.argv[2]))
