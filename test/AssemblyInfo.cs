// Tests measure latencies of tens of milliseconds on a 2-core machine: run them one at a time.
[assembly: DoNotParallelize]
