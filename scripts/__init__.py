"""Developer scripts (benchmarks, load generator, private stack, tuning), run as modules from the repository
root so that they import the project as the tests do: `.venv/bin/python -m scripts.bench`."""
