-- The startup overhead of `lunas run` with a Scalev credential (Benchmarks/scalev/run.sh).
print("empty")
