#!/usr/bin/env python3
"""Validate JSON documents against a JSON Schema with Python's jsonschema.

Usage: validate-json.py SCHEMA FILE...

Checks the schema against its meta-schema first, then prints one line per
file: "FILE: valid", or "FILE: invalid: REASON at /PATH" (the first error by
path). Exit 0 when every file is valid, 1 when one is not, 2 when the schema
itself is invalid, 3 when jsonschema is not installed.
"""
import json
import sys

try:
    import jsonschema
except ImportError:
    print("validate-json: Python's jsonschema is not installed (pip install jsonschema)",
          file=sys.stderr)
    sys.exit(3)


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__.strip().splitlines()[2])
    with open(sys.argv[1], encoding="utf-8") as f:
        schema = json.load(f)
    cls = jsonschema.validators.validator_for(schema)
    try:
        cls.check_schema(schema)
    except jsonschema.exceptions.SchemaError as e:
        print("%s: not a valid schema: %s" % (sys.argv[1], e.message))
        sys.exit(2)
    validator = cls(schema, format_checker=cls.FORMAT_CHECKER)
    bad = 0
    for path in sys.argv[2:]:
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
        errors = sorted(validator.iter_errors(doc), key=lambda e: list(map(str, e.absolute_path)))
        if errors:
            bad += 1
            e = errors[0]
            message = e.message if len(e.message) <= 300 else e.message[:300] + "…"
            print("%s: invalid: %s at /%s" % (path, message, "/".join(map(str, e.absolute_path))))
        else:
            print("%s: valid" % path)
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
