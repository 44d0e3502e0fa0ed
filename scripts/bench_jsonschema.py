#!/usr/bin/env python3
"""Measures Python jsonschema validations per second on the Trellis JSON Schema benchmark cases.

The baseline for scripts/bench-json-schema.sh. It reads the same Benchmarks/Fixtures/json-schema/
cases.json as the Swift json-schema-throughput executable and measures the same way: build the
validator once (format checking off, as in TrellisJSON's default), one warm-up, then validate back
to back until the wall-time budget is spent, reading the clock after every validation. Both also
read the process's CPU time at the start and the end of each measurement (validations per
CPU-second move far less with the load of a shared machine than per wall-clock second). Prints JSON.

    bench_jsonschema.py [--seconds 3] [--warmup 0.5] [--fixtures DIR] [--case NAME]
"""

import argparse
import json
import sys
import time
from importlib.metadata import version
from pathlib import Path

import jsonschema

DEFAULT_FIXTURES = Path(__file__).resolve().parent.parent / "Benchmarks" / "Fixtures" / "json-schema"


def load_cases(directory):
    manifest = json.loads((directory / "cases.json").read_text())
    validators = {}
    cases = []
    for entry in manifest["cases"]:
        schema_file = entry["schema"]
        if schema_file not in validators:
            schema = json.loads((directory / schema_file).read_text())
            cls = jsonschema.validators.validator_for(schema)
            cls.check_schema(schema)
            validators[schema_file] = cls(schema)  # no format_checker: formats only annotate
        validator = validators[schema_file]
        document = json.loads((directory / entry["document"]).read_text())
        if entry["method"] == "isValid":
            run = lambda v=validator, d=document: 0 if v.is_valid(d) else 1
        elif entry["method"] == "validate":
            run = lambda v=validator, d=document: len(list(v.iter_errors(d)))
        else:
            sys.exit(f"{entry['name']}: unknown method {entry['method']!r}")
        if validator.is_valid(document) != entry["valid"]:
            sys.exit(f"{entry['name']}: expected {entry['document']} to be {'valid' if entry['valid'] else 'invalid'}")
        cases.append((entry, run))
    return cases


def measure(run, seconds):
    clock = time.perf_counter
    cpu_start = time.process_time()
    start = clock()
    deadline = start + seconds
    validations = 0
    while True:
        errors = run()
        validations += 1
        now = clock()
        if now >= deadline:
            return validations, now - start, time.process_time() - cpu_start, errors


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--warmup", type=float, default=0.5)
    parser.add_argument("--fixtures", type=Path, default=DEFAULT_FIXTURES)
    parser.add_argument("--case", help="run only the case with this exact name")
    arguments = parser.parse_args()

    results = []
    for entry, run in load_cases(arguments.fixtures):
        if arguments.case is not None and entry["name"] != arguments.case:
            continue
        measure(run, arguments.warmup)
        validations, seconds, cpu_seconds, errors = measure(run, arguments.seconds)
        results.append(
            {
                "name": entry["name"],
                "method": entry["method"],
                "validations": validations,
                "seconds": seconds,
                "per_second": validations / seconds,
                "cpu_seconds": cpu_seconds,
                "per_cpu_second": validations / cpu_seconds,
                "errors": errors,
            }
        )
    if not results:
        sys.exit(f"no case is named {arguments.case!r}; see {arguments.fixtures / 'cases.json'}")
    report = {
        "implementation": f"jsonschema {version('jsonschema')} (Python {sys.version.split()[0]})",
        "seconds_per_case": arguments.seconds,
        "results": results,
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
