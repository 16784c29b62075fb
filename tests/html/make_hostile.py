#!/usr/bin/env python3
"""Write tests/html/hostile/input.json: an export whose every field tries to
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
json.dump(doc, open(sys.argv[1] if len(sys.argv) > 1 else "tests/html/hostile/input.json", "w"), indent=1)
