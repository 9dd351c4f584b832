"""Compare two checkpoint folders tensor by tensor: same names, dtypes, shapes and bytes.

Usage: check_same.py A B [IGNORE_REGEX]   (tensors matching IGNORE_REGEX: names/shapes/dtypes only)
Both folders are read through the official safetensors reader (keys) and the validated offsets.
"""
import re, sys
from check_native import open_folder, load


def main():
    a_dir, b_dir = sys.argv[1:3]
    ignore = re.compile(sys.argv[3]) if len(sys.argv) > 3 else None
    a, ad = open_folder(a_dir)
    b, bd = open_folder(b_dir)
    if set(a) != set(b):
        print("key sets differ: only in A", sorted(set(a) - set(b))[:5], "only in B", sorted(set(b) - set(a))[:5])
        return 1
    for k in sorted(a):
        x, y = load(a[k]), load(b[k])
        if ad[k] != bd[k] or x.shape != y.shape:
            print("MISMATCH", k, ad[k], x.shape, bd[k], y.shape)
            return 1
        if (ignore is None or not ignore.search(k)) and x.tobytes() != y.tobytes():
            print("MISMATCH bytes", k)
            return 1
    print("ok: %d tensors identical" % len(a))
    return 0


if __name__ == "__main__":
    sys.exit(main())
