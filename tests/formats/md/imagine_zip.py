#!/usr/bin/env python3
"""An export ZIP for the Imagine and card tests of md.sh and html.sh: the
conversations of parse goldens 60-62 and the media posts of 63 in one
prod-grok-backend.json, with some of their assets (the rest are missing):

  3c4d5e6f-...  the generated image of a tag without a type (60, g1)
  4d5e6f7a-...  an unreferenced card's image (61, g1: image_chunk as text)
  5e6f7a8b-...  an unreferenced card's image also in generated_image_urls (61, g2)
  6f7a8b9c-...  the only card of an answer with no text (61, g9)
  7a8b9c0d-...  an imagine turn's image (62, a2)
  5d8e9f00-...  an image post (63), PNG
  6e9fa011-...  a video post (63), MP4

    python3 tests/formats/md/imagine_zip.py OUT.zip"""
import json, sys, zipfile

G = 'tests/parse/golden/'
doc = {'conversations': [], 'projects': [], 'tasks': [], 'media_posts': []}
for case in ('60-render-tags-without-type', '61-unreferenced-cards', '62-imagine-turns', '63-media-posts'):
    d = json.load(open(G + case + '/input.json', encoding='utf-8'))
    doc['conversations'] += d.get('conversations', [])
    doc['media_posts'] += d.get('media_posts', [])
PNG = b'\x89PNG\r\n\x1a\n' + b'\0' * 32
MP4 = b'\0\0\0\x18ftypmp42' + b'\0' * 32
assets = {'3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f': PNG, '4d5e6f7a-8b9c-4d0e-9f1a-2b3c4d5e6f7a': PNG,
          '5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b': PNG, '6f7a8b9c-0d1e-4f2a-9b3c-4d5e6f7a8b9c': PNG,
          '7a8b9c0d-1e2f-4a3b-8c4d-5e6f7a8b9c0d': PNG, '5d8e9f00-1a2b-4c3d-8e4f-50617283a4b5': PNG,
          '6e9fa011-2b3c-4d4e-9f50-61728394b5c6': MP4}
with zipfile.ZipFile(sys.argv[1], 'w', zipfile.ZIP_DEFLATED) as zf:
    zf.writestr('ttl/30d/export_data/u/prod-grok-backend.json', json.dumps(doc, ensure_ascii=False))
    for a, data in assets.items():
        zf.writestr('ttl/30d/export_data/u/prod-mc-asset-server//%s/content' % a, data)
