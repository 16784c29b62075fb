#!/usr/bin/env python3
"""Write tests/formats/html/hostile/input.json: an export whose every field tries to
break out of the HTML (script tags, event handlers, javascript: links in
every disguise, remote images, broken Markdown, a huge table). Rerun after
changing it; the file is committed so the test needs no generator.
A script that ran would put the marker PW + NED-JS into the page; the
marker never appears whole in the input."""
import json, sys

RUN = "document.title='PW'+'NED-JS';document.body.append('PW'+'NED-JS')"
payloads = [
    "<script>%s</script>" % RUN,
    "<img src=x onerror=\"%s\">" % RUN,
    "<svg onload=\"%s\"></svg>" % RUN,
    "<iframe src=\"https://evil.example/frame\"></iframe>",
    "<a href=\"https://evil.example\" onclick=\"%s\">raw anchor</a>" % RUN,
    "[plain js](javascript:%s)" % RUN,
    "[mixed case](JaVaScRiPt:%s)" % RUN,
    "[entity](&#106;avascript:%s)" % RUN,
    "[hex entity](&#x6A;avascript:%s)" % RUN,
    "[named entity](javascript&colon;%s)" % RUN,
    "[tab inside](java&#9;script:%s)" % RUN,
    "[leading space]( javascript:%s)" % RUN,
    "<javascript:%s>" % RUN,
    "[vbscript](vbscript:msgbox(1))",
    "[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[file](file:///etc/passwd)",
    "[protocol relative](//evil.example/x)",
    "[backslashes](\\\\evil.example\\share)",
    "![remote image](https://evil.example/track.png)",
    "![js image](javascript:%s)" % RUN,
    "[![nested](https://evil.example/a.png)](https://example.com/ok)",
    "[a fine link](https://example.com/ok?a=1&b=\"2\")",
    "<style>body{background:url(https://evil.example/css)}</style>",
    "<link rel=stylesheet href=https://evil.example/x.css>",
    "<meta http-equiv=refresh content=\"0;url=https://evil.example\">",
    "<base href=\"https://evil.example/\">",
    "<form action=\"https://evil.example\"><input name=q></form>",
    "**unclosed emphasis and `unclosed code",
    "[" * 2000 + "deep brackets" + "]" * 2000,
    "> " * 200 + "deep quote",
    "| " + " | ".join("c%d" % i for i in range(300)) + " |\n|" + "---|" * 300 + "\n| " + " | ".join("v" for _ in range(300)) + " |",
    "# A heading in a message\n\n###### the smallest",
    "```\n</code></pre><script>%s</script>\n```" % RUN,
    "`</code><script>%s</script>`" % RUN,
    "\u202eRTL override text and \u0000 NUL",
]
card_js = {"id": "c1", "type": "render_inline_citation", "url": "javascript:%s" % RUN,
           "title": "<b onmouseover=\"%s\">card title</b>" % RUN}
card_ok = {"id": "c2", "type": "render_inline_citation", "url": "https://example.com/source",
           "title": "A \"quoted\" <source>"}
answer = "\n\n".join(payloads)
answer += ' Cited here<grok:render card_id="c1" card_type="citation_card" type="render_inline_citation"><argument name="citation_id">1</argument></grok:render>'
answer += ' and here<grok:render card_id="c2" card_type="citation_card" type="render_inline_citation"><argument name="citation_id">2</argument></grok:render>.'
answer += '\n<xaiArtifact title="</div><script>x</script>" contentType="text/html"><script>%s</script></xaiArtifact>' % RUN
def resp(i, parent, sender, text, **kw):
    r = {"_id": "h-r%d" % i, "parent_response_id": parent, "sender": sender, "message": text,
         "model": kw.pop("model", "grok-4" if sender == "assistant" else ""),
         "create_time": {"$date": {"$numberLong": str(1749554989000 + i * 1000)}}}
    r.update(kw)
    return {"response": r}
doc = {"conversations": [{
    "conversation": {"id": "\"><script>%s</script>" % RUN,
                     "title": "<script>%s</script><img src=x onerror=\"%s\"> & ../../etc/passwd #?%%" % (RUN, RUN),
                     "create_time": "2025-06-10T11:29:49.867890Z", "starred": True},
    "responses": [
        resp(0, None, "human", "<script>%s</script> a question with <b>tags</b>" % RUN),
        resp(1, "h-r0", "assistant", answer, model="<svg onload=\"%s\">" % RUN,
             thinking_trace="<script>%s</script> thinking [js](javascript:alert(1))" % RUN,
             card_attachments_json=[json.dumps(card_js), json.dumps(card_ok)],
             file_attachments=["../../../etc/passwd", "<script>"],
             generated_image_urls=["https://evil.example/users/x/../../gen/content"],
             error="<script>%s</script>" % RUN),
        resp(2, "h-r1", "human", "Last question: did every turn survive?"),
        resp(3, "h-r2", "assistant", "Yes, every turn survived.",
             cited_web_search_results=[{"url": "javascript:%s" % RUN, "title": "<script>bad</script>"},
                                       {"url": "https://example.com/cited", "title": "Good source"}]),
    ]}, {
    "conversation": {"id": "0000aaaa-0000-4000-8000-000000000000", "title": "A calm second conversation",
                     "create_time": "2025-05-01T08:00:00Z"},
    "responses": [resp(10, None, "human", "Hello"), resp(11, "h-r10", "assistant", "Hi! **Bold** and `code`.")],
}]}


# ---- hostile attachments (tests/formats/html/html_click.py builds a ZIP of them) -------
# Each one, were it opened as a page, would pop a dialog, retitle the page,
# write localStorage and send a request to the test's listener on
# 127.0.0.1:PORT carrying the page's address. None may do any of it.
ATTACH_USER = '0f1e2d3c-4b5a-4678-9abc-def012345678'

def attachment_payload(port):
    return ("alert('PW'+'NED-ATT');document.title='PW'+'NED-ATT';try{localStorage.x=1}catch(e){}"
            "new Image().src='http://127.0.0.1:%d/img?'+encodeURIComponent(location.href);"
            "fetch('http://127.0.0.1:%d/fetch?'+encodeURIComponent(location.href)).catch(function(){})" % (port, port))

def hostile_assets(port):
    """{asset id: bytes}, one per kind of active file."""
    js = attachment_payload(port)
    pdf = (b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R /OpenAction 4 0 R >> endobj\n"
           b"2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n"
           b"3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >> endobj\n"
           b"4 0 obj << /Type /Action /S /JavaScript /JS (app.alert\\('PWNED-PDF'\\);) >> endobj\n"
           b"trailer << /Root 1 0 R >>\n%%EOF\n")
    kinds = {
        'html': '<!DOCTYPE html><html><head><title>x</title></head><body><script>%s</script></body></html>' % js,
        'html-lower': '<!doctype html>\n<body onload="%s">lower-case doctype</body>' % js.replace('"', '&quot;'),
        'html-late': 'Some notes first, then\n<html><body><script>%s</script></body></html>\n' % js,
        'svg': ('<svg xmlns="http://www.w3.org/2000/svg" width="40" height="40" onload="%s">'
                '<script>%s</script><rect width="40" height="40" fill="red"/></svg>') % (js.replace('"', '&quot;'), js),
        'svg-xml': ('<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="40" height="40">'
                    '<script><![CDATA[%s]]></script><circle r="20" cx="20" cy="20"/></svg>') % js,
        'xhtml': ('<?xml version="1.0" encoding="UTF-8"?>\n<html xmlns="http://www.w3.org/1999/xhtml"><head>'
                  '<title>x</title></head><body><script><![CDATA[%s]]></script></body></html>') % js,
        'xml': ('<?xml version="1.0"?>\n<doc><x:script xmlns:x="http://www.w3.org/1999/xhtml"><![CDATA[%s]]>'
                '</x:script></doc>') % js,
        'xslt': ('<?xml version="1.0"?>\n<?xml-stylesheet type="text/xsl" href="#s"?>\n<doc><xsl:stylesheet id="s" '
                 'version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform"><xsl:template match="/">'
                 '<html xmlns="http://www.w3.org/1999/xhtml"><body><script><![CDATA[%s]]></script></body></html>'
                 '</xsl:template></xsl:stylesheet></doc>') % js,
        'mht': ('MIME-Version: 1.0\r\nContent-Type: multipart/related; boundary="b"\r\n\r\n--b\r\n'
                'Content-Type: text/html\r\nContent-Location: file:///x.html\r\n\r\n<script>%s</script>\r\n--b--\r\n') % js,
        'no-type': ('<html><script>%s</script></html>\n' % js).encode() + b'\xff\xfe\x00 binary tail',  # sniffed as bin
        'pdf': pdf,
        'png': b'\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89\0\0\0\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\0\x05\0\x01\xff\x89\x99=\x1d\0\0\0\0IEND\xaeB`\x82',
    }
    out = {}
    for i, (k, v) in enumerate(sorted(kinds.items())):
        out['a77ac4ed-0000-4000-8000-%012d' % i] = (k, v if isinstance(v, bytes) else v.encode())
    return out

def attachment_zip(path, port):
    """An export whose messages carry every hostile attachment, as uploads
    and as a generated image (the SVG), in a ZIP as downloaded."""
    import zipfile
    assets = hostile_assets(port)
    ids = sorted(assets)
    svg = [i for i in ids if assets[i][0] == 'svg'][0]
    msgs = [
        {"response": {"_id": "a-r0", "sender": "human", "message": "Here are my files",
                      "create_time": {"$date": {"$numberLong": "1749554989000"}}, "file_attachments": ids}},
        {"response": {"_id": "a-r1", "parent_response_id": "a-r0", "sender": "assistant", "model": "grok-4",
                      "message": "A generated picture:",
                      "create_time": {"$date": {"$numberLong": "1749554990000"}},
                      "generated_image_urls": ["users/%s/generated/%s/image.jpg" % (ATTACH_USER, svg)]}},
    ]
    doc = {"conversations": [{"conversation": {"id": "a77ac4ed-aaaa-4000-8000-000000000000",
                                               "title": "Hostile attachments",
                                               "create_time": "2025-06-10T11:29:49Z"}, "responses": msgs}]}
    root = 'ttl/30d/export_data/%s/' % ATTACH_USER
    with zipfile.ZipFile(path, 'w') as zf:
        zf.writestr(root + 'prod-grok-backend.json', json.dumps(doc))
        for i in ids:
            zf.writestr(root + 'prod-mc-asset-server//%s/content' % i, assets[i][1])
    return assets


if __name__ == '__main__':
    json.dump(doc, open(sys.argv[1] if len(sys.argv) > 1 else "tests/formats/html/hostile/input.json", "w"), indent=1)
