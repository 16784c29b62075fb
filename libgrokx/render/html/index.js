// grokx: filter-as-you-type and sorting for index.html. No network, no
// storage; the filter lives in the address (#q=...) so it can be bookmarked.
(function () {
  "use strict";
  var list = document.getElementById("list");
  var q = document.getElementById("q");
  var sort = document.getElementById("sort");
  var starred = document.getElementById("starred");
  var count = document.getElementById("count");
  if (!list || !q || !sort || !starred || !count) return;
  var items = Array.prototype.slice.call(list.querySelectorAll("li.conv")).map(function (li, i) {
    return { li: li, i: i, t: (li.getAttribute("data-t") || "").toLowerCase(), d: Number(li.getAttribute("data-d")) || 0,
             m: li.getAttribute("data-m") || "", s: li.hasAttribute("data-s") };
  });
  var months = {};
  Array.prototype.forEach.call(list.querySelectorAll("section.month"), function (s) {
    months[s.getAttribute("data-month")] = s.querySelector("h2").textContent;
  });
  function group(title, lis) {
    var sec = document.createElement("section"), h = document.createElement("h2"), ul = document.createElement("ul");
    sec.className = "month"; ul.className = "convs"; h.textContent = title;
    lis.forEach(function (li) { ul.appendChild(li); });
    sec.appendChild(h); sec.appendChild(ul);
    return sec;
  }
  function render() {
    var words = q.value.toLowerCase().split(/\s+/).filter(Boolean), shown = [];
    items.forEach(function (it) {
      var ok = (!starred.checked || it.s) && words.every(function (w) { return it.t.indexOf(w) >= 0; });
      if (ok) shown.push(it);
    });
    var how = sort.value;
    shown.sort(function (a, b) {
      if (how === "title") return a.t < b.t ? -1 : a.t > b.t ? 1 : a.i - b.i;
      if (how === "old") return a.d - b.d || b.i - a.i;
      return b.d - a.d || a.i - b.i;
    });
    var frag = document.createDocumentFragment();
    if (how === "title") {
      if (shown.length) frag.appendChild(group("By title", shown.map(function (it) { return it.li; })));
    } else {
      var cur = null, lis = [];
      shown.forEach(function (it) {
        if (it.m !== cur) {
          if (lis.length) frag.appendChild(group(months[cur] || cur, lis));
          cur = it.m; lis = [];
        }
        lis.push(it.li);
      });
      if (lis.length) frag.appendChild(group(months[cur] || cur, lis));
    }
    if (!shown.length) { // an empty state, never an empty page
      var none = document.createElement("p");
      none.className = "note";
      none.textContent = items.length ? "No conversation matches." : "No conversations.";
      frag.appendChild(none);
    }
    list.textContent = "";
    list.appendChild(frag);
    count.textContent = shown.length === items.length ? items.length + (items.length === 1 ? " conversation" : " conversations")
                                                       : shown.length + " of " + items.length;
    var h = "";
    if (q.value) h += "q=" + encodeURIComponent(q.value);
    if (how !== "new") h += (h ? "&" : "") + "sort=" + how;
    if (starred.checked) h += (h ? "&" : "") + "starred=1";
    if (history.replaceState) history.replaceState(null, "", h ? "#" + h : location.pathname);
  }
  function decode(v) { // a malformed fragment (#q=%E0%A4) is taken as written
    try { return decodeURIComponent(v); } catch (e) { return v; }
  }
  (location.hash || "").replace(/^#/, "").split("&").forEach(function (kv) {
    var p = kv.split("="), v = decode((p[1] || "").replace(/\+/g, " "));
    if (p[0] === "q") q.value = v;
    if (p[0] === "sort" && /^(new|old|title)$/.test(v)) sort.value = v;
    if (p[0] === "starred") starred.checked = v === "1";
  });
  q.addEventListener("input", render);
  sort.addEventListener("change", render);
  starred.addEventListener("change", render);
  render();
})();
