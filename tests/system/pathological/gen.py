#!/usr/bin/env python3
"""Pathological exports for tests/system/pathological/run.sh, written to stdout
(or, for the gzip case, to a file) as a stream: never held in memory.

  gen.py nesting N            an array nested N deep under an unknown key of a
                              conversation, then its one message
  gen.py string MIB           one message of MIB MiB
  gen.py tiny N               N conversations of one short message each
  gen.py dupkeys N            a conversation whose "title" key appears N times
  gen.py titles N             N conversations all titled "Same title", ids alike
  gen.py trace KIB N          an answer whose thinking trace is KIB KiB of "a",
                              with N steps whose texts are long runs of "a"
                              ending in "b" (found nowhere: a naive search is
                              quadratic)
  gen.py calls N              a step with N parsed calls, the XML repeating
                              them, a result for each (the first with N hits)
                              and the step's list of the same N hits
                              (matching them by scanning lists is quadratic)
  gen.py gz-error GIB FILE    a .json.gz whose JSON breaks after GIB GiB;
                              prints the expected "byte B (line L, column C)"
  gen.py gap GIB CHAR FILE    to stdout: JSON whose first conversation is
                              preceded by GIB GiB of CHAR ("nl": newlines, so
                              the line passes 2^32; "sp": spaces, so the
                              column does; "str": strings of 60 MiB in an
                              unknown section) and breaks just after it; FILE
                              gets the expected "byte B (line L, column C)"
"""
import json
import random
import sys
import zlib

out = sys.stdout.buffer


def conv(i, title, text="hello there", idfmt="c%d"):
    cid = idfmt % i
    return ('{"conversation":{"id":"%s","title":"%s","create_time":"2025-01-01T00:00:00Z"},'
            '"responses":[{"response":{"_id":"m%d","sender":"human","message":"%s",'
            '"create_time":{"$date":{"$numberLong":"1735689600000"}}}}]}' % (cid, title, i, text)).encode()


def same(i):
    # ids alike in their first 8 characters too: every note name collides
    return conv(i, "Same title", idfmt="samesame-%d")


def many(n, make):
    out.write(b'{"conversations":[')
    buf = []
    for i in range(n):
        buf.append(make(i))
        if len(buf) == 10000 or i == n - 1:
            out.write((b"," if i >= len(buf) else b"") + b",".join(buf))
            buf = []
    out.write(b"]}\n")


def main():
    kind = sys.argv[1]
    if kind == "nesting":
        n = int(sys.argv[2])
        # an unknown key's value: skipped past max_depth with a warning; the
        # conversation and its message are still read (a note is written)
        out.write(b'{"conversations":[{"conversation":{"id":"c","title":"deep","x":' + b"[" * n + b"]" * n +
                  b'},"responses":[{"response":{"_id":"m","sender":"human","message":"after the deep value"}}]}]}\n')
    elif kind == "string":
        mib = int(sys.argv[2])
        out.write(b'{"conversations":[{"conversation":{"id":"c"},"responses":[{"response":'
                  b'{"_id":"m","sender":"human","message":"')
        chunk = b"abcdefghij" * 104857 + b"abcdef"  # 1 MiB
        for _ in range(mib):
            out.write(chunk)
        out.write(b'"}}]}]}\n')
    elif kind == "tiny":
        many(int(sys.argv[2]), lambda i: conv(i, "t%d" % i))
    elif kind == "titles":
        many(int(sys.argv[2]), same)
    elif kind == "dupkeys":
        n = int(sys.argv[2])
        out.write(b'{"conversations":[{"conversation":{"id":"c",')
        out.write(b'"title":"t",' * n)
        out.write(b'"starred":false},"responses":[]}]}\n')
    elif kind == "trace":
        kib, n = int(sys.argv[2]), int(sys.argv[3])
        miss = "a" * 40000 + "b"
        steps = ",".join('{"tag_order":["header","summary"],"tagged_text":{"header":"%s","summary":"%s"}}'
                         % (miss[:23 - i % 20] + "b", miss) for i in range(n))
        out.write(('{"conversations":[{"conversation":{"id":"c","title":"t"},"responses":['
                   '{"response":{"_id":"q","sender":"human","message":"q"}},'
                   '{"response":{"_id":"a","parent_response_id":"q","sender":"assistant","message":"x",'
                   '"thinking_trace":"%s","steps":[%s]}}]}]}\n' % ("a" * (kib * 1024), steps)).encode())
    elif kind == "calls":
        n = int(sys.argv[2])
        cards = ",".join('{"tool_usage_card_id":"id%07d","tool":{"A":{}}}' % i for i in range(n))
        xml = "".join("<xai:tool_usage_card><xai:tool_usage_card_id>id%07d</xai:tool_usage_card_id>"
                      "<xai:tool_name>A</xai:tool_name></xai:tool_usage_card>" % i for i in range(n))
        hits = ",".join('{"url":"https://e.example/%07d","title":"t"}' % i for i in range(n))
        results = "".join(',{"tool_usage_card_id":"id%07d","result":{"R":"v"}}' % i for i in range(1, n))
        out.write(('{"conversations":[{"conversation":{"id":"c","title":"t"},"responses":['
                   '{"response":{"_id":"q","sender":"human","message":"q"}},'
                   '{"response":{"_id":"a","parent_response_id":"q","sender":"assistant","message":"x",'
                   '"steps":[{"tag_order":["tool_usage_card"],"tagged_text":{"tool_usage_card":"%s"},'
                   '"tool_usage_cards":[%s],'
                   '"tool_usage_results":[{"tool_usage_card_id":"id0000000","result":{"WebSearchResults":[%s]}}%s],'
                   '"web_search_results":[%s]}]}}]}]}\n' % (xml, cards, hits, results, hits)).encode())
    elif kind == "gz-error":
        gib, path = float(sys.argv[2]), sys.argv[3]
        z = zlib.compressobj(1, zlib.DEFLATED, 31)  # gzip
        line = conv(7, "x", "y" * 900) + b",\n"  # one conversation per line
        block = line * 1024
        target = int(gib * (1 << 30))
        offset = 0
        with open(path, "wb") as f:
            head = b'{"conversations":[\n'
            f.write(z.compress(head))
            offset += len(head)
            lines = 2  # the head ends with a newline
            while offset < target:
                f.write(z.compress(block))
                offset += len(block)
                lines += 1024
            bad = b'{"conversation":}'  # "}" where a value belongs
            f.write(z.compress(bad))
            f.write(z.flush())
        col = bad.index(b"}") + 1
        print("byte %d (line %d, column %d)" % (offset + col - 1, lines, col))  # bytes from 0
    elif kind == "gap":
        gib, char, path = float(sys.argv[2]), sys.argv[3], sys.argv[4]
        c = {"nl": b"\n", "sp": b" ", "str": b"a"}[char]
        head = b'{"conversations":['
        n = int(gib * (1 << 30))
        block = c * (1 << 20)
        if char == "str":  # {"x":["aaa...","aaa...",...],"conversations":[
            out.write(b'{"x":[')
            written, first = 6, True
            while written < n:
                out.write(b'"' if first else b',"')
                written += 1 if first else 2
                for _ in range(60):
                    out.write(block)
                out.write(b'"')
                written += 60 * len(block) + 1
                first = False
            out.write(b'],"conversations":[')
            head, n = b"", written + len(b'],"conversations":[')
        else:
            out.write(head)
            for _ in range(n >> 20):
                out.write(block)
            out.write(c * (n & ((1 << 20) - 1)))
        bad = b'{"conversation":}'  # "}" where a value belongs
        out.write(bad)
        out.flush()
        at = bad.index(b"}")
        line, col = (1 + n, at + 1) if c == b"\n" else (1, len(head) + n + at + 1)
        with open(path, "w") as f:
            f.write("byte %d (line %d, column %d)\n" % (len(head) + n + at, line, col))
    elif kind == "links":
        # one conversation of n turns whose links are lost in the ways
        # assemble.c places by time: "roots" (every turn names no parent
        # but one), "none" (no links, shuffled), "orphans" (answers with
        # no question anywhere, 1 ms apart, after a long chain: the
        # longest searches S_place makes)
        shape, n = sys.argv[2], int(sys.argv[3])
        rnd = random.Random(7)
        resp = []
        for i in range(n):
            r = {"_id": "m%d" % i, "message": "x", "create_time": {"$date": {"$numberLong": str(1760000000000 + i * (1 if shape == "orphans" else 1000))}},
                 "sender": "assistant" if shape == "orphans" or i % 2 else "human"}
            if (shape == "roots" and i == 1) or (shape == "orphans" and 0 < i < n // 2):
                r["parent_response_id"] = "m%d" % (i - 1)
            resp.append(r)
        if shape == "none":
            rnd.shuffle(resp)
        out.write(('{"conversations":[{"conversation":{"id":"c","title":"t"},"responses":[%s]}]}\n'
                   % ",".join('{"response":%s}' % json.dumps(r) for r in resp)).encode())
    else:
        sys.exit("gen.py: unknown case " + kind)


if __name__ == "__main__":
    main()
