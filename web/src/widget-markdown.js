// The roadmap's Markdown (api/core/roadmap.py: headings, lists, **bold**, _notes_, <https://…> links, escaped
// characters) turned into DOM nodes. Text only ever becomes text nodes; links only for https addresses.

import { el } from "./widget-dom.js";

const INLINE = /\*\*(.+?)\*\*|<(https:\/\/[^\s<>]+)>|\\([\\`*_{}[\]<>#|])/g;

// One line's inline Markdown: bold, https autolinks and backslash escapes; everything else stays text.
export function inline(text) {
  const nodes = [];
  let last = 0;
  const source = String(text || "");
  for (const m of source.matchAll(INLINE)) {
    if (m.index > last) nodes.push(source.slice(last, m.index));
    if (m[1] !== undefined) nodes.push(el("strong", null, ...inline(m[1])));
    else if (m[2] !== undefined) nodes.push(link(m[2], m[2]));
    else nodes.push(m[3]);
    last = m.index + m[0].length;
  }
  if (last < source.length) nodes.push(source.slice(last));
  return nodes;
}

export function link(url, text) {
  const href = String(url || "");
  if (!/^https:\/\/[^\s<>"]+$/.test(href)) return String(text || "");
  return el("a", { href, target: "_blank", rel: "noopener noreferrer" }, String(text || href));
}

// The document as a title, a lead paragraph and one folded section per lever (open when it is the only one).
export function roadmapNodes(markdown) {
  const root = el("div", { class: "gw-doc" });
  let box = root; // where paragraphs and lists go: the document, then the current lever's section
  let list = null;
  let levers = 0;
  for (const raw of String(markdown || "").split("\n")) {
    const line = raw.trim();
    const item = /^(-|\d+\.)\s+(.*)$/.exec(line);
    if (!item) list = null;
    if (!line || line === "---") continue;
    if (line.startsWith("# ")) {
      root.append(el("p", { class: "gw-doc-title" }, ...inline(line.slice(2))));
    } else if (line.startsWith("## ")) {
      levers += 1;
      const section = el("details", { class: "gw-doc-lever" }, el("summary", null, ...inline(line.slice(3))));
      root.append(section);
      box = section;
    } else if (line.startsWith("### ")) {
      box.append(el("p", { class: "gw-label" }, ...inline(line.slice(4))));
    } else if (item) {
      if (!list) {
        list = el(item[1] === "-" ? "ul" : "ol");
        box.append(list);
      }
      list.append(el("li", null, ...inline(item[2])));
    } else if (/^_.*_$/.test(line)) {
      root.append(el("p", { class: "gw-doc-note" }, ...inline(line.slice(1, -1))));
    } else {
      box.append(el("p", null, ...inline(line)));
    }
  }
  const sections = root.querySelectorAll(".gw-doc-lever");
  if (sections.length === 1) sections[0].open = true;
  return root;
}
