// The Explorer's architecture picture: an SVG drawn from the scene that resnet_explorer.visual.scene
// builds from the plan. Nothing here computes a count: every number arrives in `data.scene`; this file
// lays it out (a chain with shortcuts needs no graph layout engine), lets the reader zoom, pan, open
// stages, blocks and layers, colours by a measure, and reports what is open so the page can keep it
// in the link. Written for this project; no library.
const NS = "http://www.w3.org/2000/svg";
const STATES = new Map(); // per mounted picture (data.key): what is open, the zoom, the last scene
const PALETTE = [
  // viridis, 9 steps: ordered in lightness and readable with every common colour-vision deficiency
  "#440154", "#472d7b", "#3b528b", "#2c728e", "#21918c", "#28ae80", "#5ec962", "#addc30", "#fde725",
];
const G = { // layout, in SVG units (1 unit = 1 px at zoom 1)
  gap: 24, top: 26, boxH: 150, inW: 70, endW: 108, stageW: 128, rowGap: 46, rowTitle: 30,
  blockW: 168, blockH: 104, blockGap: 30, layerH: 64, layerGap: 70, pad: 16,
};

function el(tag, attrs = {}, parent = null, text = null) {
  const e = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== null && v !== undefined) e.setAttribute(k, v);
  if (text !== null) e.textContent = text;
  if (parent) parent.appendChild(e);
  return e;
}

function html(tag, attrs = {}, parent = null, text = null) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== null && v !== undefined) e.setAttribute(k, v);
  if (text !== null) e.textContent = text;
  if (parent) parent.appendChild(e);
  return e;
}

// Counts as resnet_explorer.formatting prints them: two decimals in the largest unit that fits.
function fmtCount(n) {
  for (const [u, s] of [["T", 1e12], ["G", 1e9], ["M", 1e6], ["K", 1e3]]) {
    if (Math.abs(n) >= s) return `${(n / s).toFixed(2)} ${u}`;
  }
  return `${Math.round(n)}`;
}
function fmtBytes(n) {
  for (const [u, s] of [["GiB", 2 ** 30], ["MiB", 2 ** 20], ["KiB", 2 ** 10]]) {
    if (n >= s) return `${(n / s).toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })} ${u}`;
  }
  return `${Math.round(n)} B`;
}
const fmtExact = (n) => n.toLocaleString("en-US");

// A label longer than its box ("pre-act bottleneck ×18", a long shape) is narrowed to fit, not cut.
function fitText(node, maxW) {
  if (node.getComputedTextLength && node.getComputedTextLength() > maxW) {
    node.setAttribute("textLength", maxW);
    node.setAttribute("lengthAdjust", "spacingAndGlyphs");
  }
  return node;
}

// --- the model of what is drawn ------------------------------------------------------------------

function blockOf(run, j) { // block j of a run: the run's first block, renamed
  const from = run.prefix;
  const stage = from.slice(0, from.indexOf("."));
  const to = `${stage}.${j}.`;
  return {
    ...run,
    id: `${stage}.${j}`,
    index: j,
    layers: run.layers.map((l) => ({ ...l, name: to + l.name.slice(from.length) })),
  };
}

function findItem(scene, id) { // a group, a run, a block or a layer, by its id
  for (const g of scene.groups) {
    if (g.id === id) return { kind: "group", group: g };
    if (g.layers) {
      for (const l of g.layers) if (l.name === id) return { kind: "layer", group: g, layer: l };
    }
    for (const [r, run] of (g.runs || []).entries()) {
      if (`${g.id}/r${r}` === id) return { kind: "run", group: g, run };
      const m = id.startsWith(`${g.id}.`) ? id.slice(g.id.length + 1).split(".") : null;
      if (!m) continue;
      const j = Number(m[0]);
      if (!Number.isInteger(j) || j < run.first || j >= run.first + run.count) continue;
      const block = blockOf(run, j);
      if (m.length === 1) return { kind: "block", group: g, run, block };
      const layer = block.layers.find((l) => l.name === id);
      if (layer) return { kind: "layer", group: g, run, block, layer };
    }
  }
  return null;
}

// --- colours ---------------------------------------------------------------------------------------

function overlayFill(value, max) {
  if (!max) return { fill: PALETTE[0], text: "#ffffff" };
  const i = Math.min(PALETTE.length - 1, Math.floor((value / max) * (PALETTE.length - 1) + 1e-9));
  return { fill: PALETTE[i], text: i < 5 ? "#ffffff" : "#1f2328" };
}

function kindClass(layer) {
  if (layer.kind === "Conv2d") return "conv";
  if (layer.kind === "BatchNorm2d") return "bn";
  if (layer.kind === "ReLU") return "relu";
  if (layer.kind === "Linear") return "fc";
  if (layer.kind === "SqueezeExcite") return "se";
  return "pool";
}

// --- drawing ---------------------------------------------------------------------------------------

class Picture {
  constructor(host, st, setStateValue) {
    this.host = host;
    this.st = st;
    this.setStateValue = setStateValue;
    this.root = html("div", { class: "av-root" }, host);
    this.toolbar = html("div", { class: "av-toolbar", role: "toolbar" }, this.root);
    this.body = html("div", { class: "av-body" }, this.root);
    this.frame = html("div", { class: "av-frame", tabindex: "0" }, this.body);
    this.svg = el("svg", { class: "av-svg", role: "group" }, this.frame);
    this.desc = el("desc", { id: `${st.key}-desc` }, this.svg);
    this.viewport = el("g", { class: "av-viewport" }, this.svg);
    this.inspector = html("aside", { class: "av-inspector", "aria-live": "polite" }, this.body);
    this.legend = html("div", { class: "av-legend", "aria-hidden": "true" }, this.root);
    this.details = html("details", { class: "av-outline" }, this.root);
    this.bindEvents();
  }

  // Report what is open, picked and coloured: the page keeps it in the link (and it survives reruns).
  report() {
    const st = this.st;
    this.setStateValue("view", {
      open: [...st.open].sort(),
      sel: st.sel || "",
      color: st.color,
    });
  }

  render(scene) {
    const st = this.st;
    this.scene = scene;
    const L = scene.labels;
    this.svg.setAttribute("aria-label", L.picture);
    this.svg.setAttribute("aria-describedby", this.desc.id);
    this.desc.textContent = scene.outline.join(" ");
    this.drawToolbar(L);
    this.draw();
    this.drawInspector();
    this.details.replaceChildren();
    html("summary", {}, this.details, L.outline);
    const ol = html("ol", {}, this.details);
    for (const line of scene.outline) html("li", {}, ol, line);
  }

  drawToolbar(L) {
    const st = this.st;
    const tb = this.toolbar;
    tb.replaceChildren();
    tb.setAttribute("aria-label", L.picture);
    const button = (label, title, fn, cls = "") => {
      const b = html("button", { type: "button", class: `av-btn ${cls}`, title, "aria-label": title }, tb, label);
      b.addEventListener("click", fn);
      return b;
    };
    button("+", L.zoom_in, () => this.zoomBy(1.25));
    button("−", L.zoom_out, () => this.zoomBy(0.8));
    button(L.reset, L.reset, () => this.fit(true));
    button(L.expand_all, L.expand_all, () => {
      for (const g of this.scene.groups) st.open.add(g.id);
      this.changedView();
    }, "av-wide");
    button(L.collapse_all, L.collapse_all, () => {
      st.open.clear();
      this.changedView();
    }, "av-wide");
    const label = html("label", { class: "av-select" }, tb, `${L.overlay} `);
    const select = html("select", { "aria-label": L.overlay }, label);
    for (const m of ["none", "params", "macs", "act"]) {
      const o = html("option", { value: m }, select, L[`overlay.${m}`]);
      if (st.color === m) o.selected = true;
    }
    select.addEventListener("change", () => {
      st.color = select.value;
      this.draw();
      this.report();
    });
    button(L.export_svg, `${L.export_svg}`, () => this.exportSvg(), "av-export");
    button(L.export_png, `${L.export_png}`, () => this.exportPng(), "av-export");
    html("span", { class: "av-help" }, tb, `${L.help} · ${L["inspector.empty"]}`);
  }

  changedView(reveal = null) {
    this.draw();
    this.drawInspector();
    this.fit(reveal !== null, reveal);
    this.report();
  }

  toggle(id) {
    const st = this.st;
    if (st.open.has(id)) {
      for (const o of [...st.open]) if (o === id || o.startsWith(`${id}.`) || o.startsWith(`${id}/`)) st.open.delete(o);
    } else st.open.add(id);
  }

  // A stage opens and closes; a block opens and is inspected; a layer is inspected.
  activate(id, expandable) {
    const st = this.st;
    if (expandable) this.toggle(id);
    const group = this.scene.groups.some((g) => g.id === id);
    if (!group) st.sel = id;
    this.changedView(expandable && st.open.has(id) ? id : null);
    if (!group) this.keepClearOfInspector(id);
  }

  // The inspector lies over the picture's right side: bring what was picked out from under it.
  keepClearOfInspector(id) {
    const node = this.viewport.querySelector(`[data-id="${CSS.escape(id)}"]`);
    if (!node || this.inspector.classList.contains("av-empty")) return;
    const n = node.getBoundingClientRect();
    const panel = this.inspector.getBoundingClientRect();
    const frame = this.frame.getBoundingClientRect();
    if (panel.top >= frame.bottom || n.right <= panel.left - 8) return; // a phone's panel is below
    this.panBy(Math.max(frame.left + 8 - n.left, panel.left - 16 - n.right), 0);
  }

  // The whole drawing, from the scene and what is open. Rows: the overview, then for every open
  // stage its blocks, and under it the layers of each open block.
  draw() {
    const scene = this.scene;
    const st = this.st;
    const L = scene.labels;
    const vp = this.viewport;
    vp.replaceChildren();
    this.focusables = [];
    const prev = st.prevSigs || {};
    const sigs = {};
    const changed = new Set();
    for (const g of scene.groups) {
      sigs[g.id] = JSON.stringify([g.count, g.block, g.shortcuts, g.out, g.params, g.macs, (g.runs || []).map((r) => [r.count, r.shortcut, r.mid])]);
      if (st.prevSigs && prev[g.id] !== sigs[g.id]) changed.add(g.id);
    }
    // Only a new model marks changes: a rerun with the same scene does not flash again.
    if (st.lastSceneSig !== JSON.stringify(sigs)) {
      st.flash = changed;
      st.lastSceneSig = JSON.stringify(sigs);
      st.flashUntil = performance.now() + 2500;
    }
    st.prevSigs = sigs;
    const flashing = performance.now() < (st.flashUntil || 0) ? st.flash || new Set() : new Set();

    // overview
    const stages = scene.groups.filter((g) => g.kind === "stage");
    const maxCount = this.maxCount || Math.max(8, ...stages.map((g) => g.count));
    const measure = st.color;
    const maxOf = (items) => Math.max(0, ...items.map((x) => x[measure] || 0));
    const groupMax = measure === "none" ? 0 : maxOf(scene.groups);
    // A phone's picture runs top to bottom, so its text keeps its size; a wider one left to right.
    const vertical = this.column || this.viewSize().w < 560;
    this.vertical = vertical;
    const boxes = {};
    let width;
    let y;
    if (vertical) {
      const W = 330;
      let yy = G.pad;
      const io = (label, shape) => {
        const g = el("g", { class: "av-node av-io" }, vp);
        el("rect", { x: G.pad, y: yy, width: W, height: 36, rx: 8 }, g);
        el("text", { x: G.pad + W / 2, y: yy + 23, class: "av-t2", "text-anchor": "middle" }, g, `${label} ${shape}`);
        yy += 36;
      };
      io(L.input, scene.input);
      for (const g of scene.groups) {
        const stride = g.kind === "stage" ? g.stride : g.layers.filter((l) => l.stride > 1).reduce((a, l) => a * l.stride, 1);
        el("line", { x1: G.pad + W / 2, y1: yy, x2: G.pad + W / 2, y2: yy + G.gap - 4, class: "av-edge", "marker-end": "url(#av-arrow)" }, vp);
        if (stride > 1) el("text", { x: G.pad + W / 2 + 10, y: yy + 17, class: "av-stride" }, vp, `/${stride}`);
        yy += G.gap;
        const words = (this.diff && this.diff.stages && this.diff.stages[g.id]) || [];
        const h = (g.kind === "stage" ? 104 : 84) + 19 * words.length;
        boxes[g.id] = this.groupBox(vp, g, G.pad, yy, W, h, { maxCount, groupMax, flashing, L, card: true });
        yy += h;
      }
      el("line", { x1: G.pad + W / 2, y1: yy, x2: G.pad + W / 2, y2: yy + G.gap - 4, class: "av-edge", "marker-end": "url(#av-arrow)" }, vp);
      el("text", { x: G.pad + W / 2 + 10, y: yy + 18, class: "av-t3" }, vp, L.output);
      width = W + G.pad;
      y = yy + G.gap + G.rowGap;
    } else {
      let x = G.pad;
      const yMid = G.top + G.boxH / 2;
      const inH = 72;
      const input = el("g", { class: "av-node av-io" }, vp);
      el("rect", { x, y: yMid - inH / 2, width: G.inW, height: inH, rx: 8 }, input);
      el("text", { x: x + G.inW / 2, y: yMid - 6, class: "av-t2", "text-anchor": "middle" }, input, L.input);
      // "3×" over "224×224": the shape fits the narrow box on two lines
      const [c, ...hw] = scene.input.split("×");
      el("text", { x: x + G.inW / 2, y: yMid + 14, class: "av-t3", "text-anchor": "middle" }, input, `${c}×`);
      el("text", { x: x + G.inW / 2, y: yMid + 30, class: "av-t3", "text-anchor": "middle" }, input, hw.join("×"));
      x += G.inW;
      for (const g of scene.groups) {
        const w = g.kind === "stage" ? G.stageW : G.endW;
        // the arrow in, with "/2" where the map shrinks
        this.arrow(vp, x, yMid, x + G.gap, yMid);
        const stride = g.kind === "stage" ? g.stride : g.layers.filter((l) => l.stride > 1).reduce((a, l) => a * l.stride, 1);
        if (stride > 1) el("text", { x: x + G.gap / 2, y: yMid - 8, class: "av-stride", "text-anchor": "middle" }, vp, `/${stride}`);
        x += G.gap;
        boxes[g.id] = this.groupBox(vp, g, x, G.top, w, G.boxH, { maxCount, groupMax, flashing, L });
        x += w;
      }
      this.arrow(vp, x, yMid, x + G.gap, yMid);
      el("text", { x: x + G.gap + 6, y: yMid + 5, class: "av-t3" }, vp, L.output);
      width = x + G.gap + 56;
      y = G.top + G.boxH + G.rowGap;
    }
    this.overviewW = width + G.pad;

    // rows for what is open, in the picture's order
    this.rowTop = {};
    for (const g of scene.groups) {
      this.rowTop[g.id] = y;
      if (!st.open.has(g.id)) continue;
      if (g.kind === "stage") {
        const r = this.stageRow(vp, g, y, width, boxes[g.id], measure);
        y = r.y;
        width = Math.max(width, r.width);
      } else {
        const r = this.layerRow(vp, g, g.layers, y, `${g.paper} · ${L[g.kind]}`, boxes[g.id], measure);
        y = r.y;
        width = Math.max(width, r.width);
      }
    }
    this.contentW = width + G.pad;
    this.contentH = y - G.rowGap + G.pad + 10;
    this.drawLegend(measure, L);
    this.applyTransform();
  }

  arrow(parent, x1, y1, x2, y2, cls = "av-edge") {
    el("line", { x1, y1, x2: x2 - 4, y2, class: cls, "marker-end": "url(#av-arrow)" }, parent);
  }

  focusable(g, id, label, expandable, open) {
    g.setAttribute("tabindex", "0");
    g.setAttribute("role", "button");
    g.setAttribute("data-id", id);
    g.setAttribute("aria-label", label);
    if (expandable) g.setAttribute("aria-expanded", open ? "true" : "false");
    if (this.st.sel === id) g.classList.add("av-selected");
    g.addEventListener("click", (e) => {
      if (this.dragged) return;
      e.stopPropagation();
      this.activate(id, expandable);
    });
    g.addEventListener("keydown", (e) => {
      if (e.key === "Enter" || e.key === " ") {
        e.preventDefault();
        e.stopPropagation();
        this.activate(id, expandable);
        const again = this.viewport.querySelector(`[data-id="${CSS.escape(id)}"]`);
        if (again) again.focus();
      }
    });
    this.focusables.push(g);
  }

  groupBox(vp, grp, x, y, w, h, { maxCount, groupMax, flashing, L, card = false }) {
    const st = this.st;
    const open = st.open.has(grp.id);
    const g = el("g", { class: `av-node av-${grp.kind}${open ? " av-open" : ""}${flashing.has(grp.id) ? " av-flash" : ""}` }, vp);
    // what the last knob change changed, until the next one (the outline above fades after 2.4 s)
    if (st.flash && st.flash.has(grp.id)) g.setAttribute("data-changed", "true");
    const fill = st.color === "none" ? null : overlayFill(grp[st.color], groupMax);
    el("rect", { x, y, width: w, height: h, rx: 10, style: fill ? `fill:${fill.fill}` : null }, g);
    const tcolor = fill ? `fill:${fill.text}` : null;
    const cx = x + w / 2;
    const lines = [];
    // the paper's name large, the code's name under it (conv3_x is torchvision's layer2)
    if (card) { // a phone's card: the same facts on four lines across the width
      const name = grp.kind === "stage" ? `${grp.paper} · ${grp.code}` : `${L[grp.kind]} · ${grp.paper}`;
      lines.push([name, "av-t1"]);
      if (grp.kind === "stage") lines.push([`${grp.block} ×${grp.count}`, "av-t2 av-count"]);
      lines.push([`${grp.out} · ${fmtCount(grp.params)} ${L.params}`, "av-t3"]);
      lines.push([`${fmtCount(grp.macs)} ${L.macs}`, "av-t3"]);
      for (const word of (this.diff && this.diff.stages && this.diff.stages[grp.id]) || []) lines.push([word, "av-t3 av-diff-text"]);
    } else if (grp.kind === "stage") {
      lines.push([grp.paper, "av-t0"]);
      lines.push([grp.code, "av-t3 av-code"]);
      lines.push([`${grp.block} ×${grp.count}`, "av-t2 av-count"]);
    } else {
      lines.push([L[grp.kind], "av-t0"]);
      lines.push([grp.paper, "av-t3 av-code"]);
      lines.push(["", "av-t2"]);
    }
    if (!card) {
      lines.push([grp.out, "av-t2"]);
      lines.push([`${fmtCount(grp.params)} ${L.params}`, "av-t3"]);
      lines.push([`${fmtCount(grp.macs)} ${L.macs}`, "av-t3"]);
    }
    let ty = y + (card ? 22 : 25);
    for (const [text, cls] of lines) {
      if (text) fitText(el("text", { x: cx, y: ty, class: cls, "text-anchor": "middle", style: tcolor }, g, text), w - 12);
      ty += cls.includes("t0") ? 20 : 19;
    }
    if (grp.kind === "stage") this.blockTicks(g, grp, x + 8, y + h - 17, w - 16, maxCount, L);
    el("text", { x: x + w - 8, y: y + 16, class: "av-chevron", "text-anchor": "end", style: tcolor }, g, open ? "▾" : "▸");
    const what = grp.kind === "stage" ? `${grp.paper} (${grp.code}), ${grp.block} ×${grp.count}` : L[grp.kind];
    this.focusable(g, grp.id, `${what}, ${grp.out}. ${open ? L.collapse : L.expand}`, true, open);
    return { x, y, w, h };
  }

  // One tick per block, coloured by its shortcut: add a block and a tick appears; switch B -> A and
  // the projection ticks become zero-pad ones. Deeper than the box holds: one bar per shortcut kind.
  blockTicks(g, grp, x, y, w, maxCount, L) {
    const kinds = [];
    for (const run of grp.runs) for (let i = 0; i < run.count; i++) kinds.push(run.shortcut);
    const marked = (this.diff && this.diff.blocks) || {};
    const slot = w / maxCount;
    if (slot >= 3) {
      const tw = Math.max(2, Math.min(12, slot - 1.5));
      kinds.forEach((k, i) => {
        const name = `${grp.id}.${i}`;
        const diff = marked[name] ? " av-diff" : "";
        const tick = el("rect", { x: x + i * slot, y, width: tw, height: 10, class: `av-tick av-sc-${k}${diff}`, "data-block": name }, g);
        if (diff) {
          el("title", {}, tick, `${name}: ${marked[name].join(", ")}`);
          el("rect", { x: x + i * slot, y: y + 12, width: tw, height: 4, class: "av-diff-mark" }, g);
        }
      });
    } else {
      let at = x;
      for (const run of grp.runs) {
        const len = (run.count / maxCount) * w;
        let diff = "";
        for (let j = run.first; j < run.first + run.count; j++) if (marked[`${grp.id}.${j}`]) diff = " av-diff";
        el("rect", { x: at, y, width: Math.max(2, len - 1), height: 10, class: `av-tick av-sc-${run.shortcut}${diff}` }, g);
        at += len;
      }
    }
  }

  shortcutArc(parent, x1, x2, y, kind, L, label = true) {
    if (kind === "none") return;
    const lift = 22;
    el("path", { d: `M ${x1} ${y} C ${x1} ${y - lift}, ${x2} ${y - lift}, ${x2} ${y}`, class: `av-arc av-sc-${kind}`, fill: "none" }, parent);
    if (label) {
      el("text", { x: (x1 + x2) / 2, y: y - lift + 2, class: `av-arc-label av-sc-${kind}`, "text-anchor": "middle" }, parent, L[`shortcut.${kind}`]);
    }
  }

  rowFrame(vp, y, width, title, parent) {
    if (width > G.pad) el("rect", { x: G.pad / 2, y, width: width - G.pad / 2, height: 1, class: "av-row-rule" }, vp);
    el("text", { x: G.pad, y: y + 20, class: "av-row-title" }, vp, title);
    if (parent) { // a bracket from the box that was opened to the row it opened
      const px = parent.x + parent.w / 2;
      el("path", { d: `M ${px} ${parent.y + parent.h} L ${px} ${y}`, class: "av-bracket" }, vp);
    }
  }

  stageRow(vp, grp, y0, overviewW, parentBox, measure) {
    const st = this.st;
    const L = this.scene.labels;
    this.rowFrame(vp, y0, overviewW, `${grp.paper} · ${grp.code} — ${grp.block} ×${grp.count}`, parentBox);
    // items: each block shown, or a run folded into one box
    const items = [];
    grp.runs.forEach((run, r) => {
      const runId = `${grp.id}/r${r}`;
      if (run.count <= 3 || st.open.has(runId)) {
        for (let j = run.first; j < run.first + run.count; j++) items.push({ type: "block", block: blockOf(run, j), runId: run.count > 3 ? runId : null });
      } else items.push({ type: "run", run, runId });
    });
    const perLine = Math.max(1, Math.floor((overviewW - G.pad) / (G.blockW + G.blockGap)));
    const all = items.map((it) => (it.type === "run" ? it.run : it.block));
    const max = measure === "none" ? 0 : Math.max(0, ...all.map((b) => b[measure]));
    let y = y0 + G.rowTitle + 30;
    let width = overviewW;
    const openBlocks = [];
    for (let i = 0; i < items.length; i += perLine) {
      const line = items.slice(i, i + perLine);
      let x = G.pad;
      for (const it of line) {
        const box = { x, y, w: G.blockW, h: G.blockH };
        if (it.type === "run") this.runBox(vp, grp, it.run, it.runId, box, max, L);
        else {
          this.blockBox(vp, it.block, box, max, L);
          if (st.open.has(it.block.id)) openBlocks.push({ block: it.block, box });
        }
        x += G.blockW + G.blockGap;
      }
      y += G.blockH + 44;
    }
    let yy = y - 44 + G.rowGap;
    for (const { block, box } of openBlocks) {
      this.rowTop[block.id] = yy;
      const r = this.layerRow(vp, block, block.layers, yy, `${block.id} · ${grp.paper}`, box, measure, block);
      yy = r.y;
      width = Math.max(width, r.width);
    }
    return { y: yy, width };
  }

  runBox(vp, grp, run, runId, box, max, L) {
    const { x, y, w, h } = box;
    const g = el("g", { class: "av-node av-run" }, vp);
    const fill = max ? overlayFill(run[this.st.color] * run.count, max * run.count) : null;
    for (const d of [8, 4]) el("rect", { x: x + d, y: y - d, width: w, height: h, rx: 8, class: "av-stack" }, g);
    el("rect", { x, y, width: w, height: h, rx: 8, style: fill ? `fill:${fill.fill}` : null }, g);
    const last = run.first + run.count - 1;
    const tstyle = fill ? `fill:${fill.text}` : null;
    const texts = [
      [`${grp.id}.${run.first} – ${grp.id}.${last}`, "av-t2b"],
      [`×${run.count} ${L.fold}`, "av-t2 av-count"],
      [`${run.in} → ${run.out}`, "av-t3"],
      [`${fmtCount(run.params)} ${L.params} ×${run.count}`, "av-t3"],
    ];
    texts.forEach(([t, cls], i) => fitText(el("text", { x: x + w / 2, y: y + 22 + i * 20, class: cls, "text-anchor": "middle", style: tstyle }, g, t), w - 12));
    this.shortcutArc(g, x + 6, x + w - 6, y, run.shortcut, L);
    this.focusable(g, runId, `${grp.id}.${run.first}–${last}, ×${run.count} ${L.fold}. ${L.expand}`, true, false);
  }

  blockBox(vp, block, box, max, L) {
    const st = this.st;
    const { x, y, w, h } = box;
    const open = st.open.has(block.id);
    const g = el("g", { class: `av-node av-block${open ? " av-open" : ""}` }, vp);
    const fill = max ? overlayFill(block[st.color], max) : null;
    el("rect", { x, y, width: w, height: h, rx: 8, style: fill ? `fill:${fill.fill}` : null }, g);
    const tstyle = fill ? `fill:${fill.text}` : null;
    const convs = block.layers.filter((l) => l.role === "branch" && l.kind === "Conv2d").map((l) => `${l.kernel}×${l.kernel}`);
    const texts = [
      [`${L.block} ${block.id}`, "av-t2b"],
      [convs.join(", ") + (block.stride > 1 ? `  /${block.stride}` : ""), "av-t3"],
      [`${block.in} → ${block.out}`, "av-t3"],
      [`${fmtCount(block.params)} ${L.params}`, "av-t3"],
    ];
    texts.forEach(([t, cls], i) => fitText(el("text", { x: x + w / 2, y: y + 22 + i * 20, class: cls, "text-anchor": "middle", style: tstyle }, g, t), w - 12));
    el("text", { x: x + w - 6, y: y + 16, class: "av-chevron", "text-anchor": "end", style: tstyle }, g, open ? "▾" : "▸");
    this.shortcutArc(g, x + 6, x + w - 6, y, block.shortcut, L);
    this.focusable(g, block.id, `${L.block} ${block.id}, ${block.in} → ${block.out}, ${L[`shortcut.${block.shortcut}`]}. ${open ? L.collapse : L.expand}`, true, open);
  }

  // A block's (or the stem's, the head's) layers left to right, the shape on every edge; for a block,
  // its shortcut above the branch (with the projection's layers on it) meeting the branch at ⊕.
  layerRow(vp, owner, layers, y0, title, parentBox, measure, block = null) {
    const L = this.scene.labels;
    const widthOf = (l) => (l.kind === "Conv2d" || l.kind === "Linear" || l.kind === "SqueezeExcite" ? 132 : l.kind.includes("Pool") || l.kind === "ZeroPadShortcut" ? 118 : 70);
    const branch = layers.filter((l) => l.role !== "shortcut" && l.role !== "post");
    const shortcut = layers.filter((l) => l.role === "shortcut");
    const post = layers.filter((l) => l.role === "post");
    const max = measure === "none" ? 0 : Math.max(0, ...layers.map((l) => l[measure]));
    const hasShortcut = block && block.shortcut !== "none";
    const scY = y0 + G.rowTitle + 26; // the shortcut's line
    const y = y0 + G.rowTitle + (block ? 74 : 20); // the branch's boxes
    const mid = y + G.layerH / 2;
    this.rowFrame(vp, y0, 0, title, parentBox);
    let x = G.pad;
    el("text", { x, y: mid - 10, class: "av-t3" }, vp, block ? block.in : owner.in);
    x += 8;
    const edge = (x1, x2, shape) => {
      this.arrow(vp, x1, mid, x2, mid);
      if (shape) el("text", { x: (x1 + x2) / 2, y: mid + 20, class: "av-shape", "text-anchor": "middle" }, vp, shape);
    };
    const inX = x + 10;
    x += 20;
    let shape = null;
    const seq = block ? branch : layers;
    const chain = (items) => { // layers in a row, an edge with the incoming shape before each
      for (const l of items) {
        edge(x, x + G.layerGap, shape);
        x += G.layerGap;
        const w = widthOf(l);
        this.layerBox(vp, l, x, y, w, max);
        shape = l.out;
        x += w;
      }
    };
    chain(seq);
    if (block) {
      edge(x, x + G.layerGap, shape);
      x += G.layerGap;
      // the addition
      const ax = x + 16;
      const add = el("g", { class: "av-add" }, vp);
      el("circle", { cx: ax, cy: mid, r: 16 }, add);
      el("text", { x: ax, y: mid + 6, "text-anchor": "middle", class: "av-t2" }, add, "+");
      el("title", {}, add, L.add);
      x += 32;
      shape = block.out;
      // the shortcut, from the block's input to the addition
      if (hasShortcut) {
        const kind = block.shortcut;
        el("path", { d: `M ${inX} ${mid} L ${inX} ${scY} L ${ax} ${scY} L ${ax} ${mid - 16}`, class: `av-arc av-sc-${kind}`, fill: "none", "marker-end": "url(#av-arrow)" }, vp);
        el("text", { x: inX + 8, y: scY - 8, class: `av-arc-label av-sc-${kind}` }, vp, `${L.shortcut}: ${L[`shortcut.${kind}`]}`);
        let sx = (inX + ax) / 2 - (shortcut.reduce((a, l) => a + widthOf(l) + 24, 0)) / 2;
        for (const l of shortcut) {
          const w = widthOf(l);
          this.layerBox(vp, l, sx, scY - 24, w, max, 48);
          sx += w + 24;
        }
      }
      chain(post);
    }
    edge(x, x + G.layerGap, shape);
    x += G.layerGap;
    return { y: y + G.layerH + 40 + G.rowGap, width: x + G.pad };
  }

  layerBox(vp, l, x, y, w, max, h = G.layerH) {
    const st = this.st;
    const g = el("g", { class: `av-node av-layer av-${kindClass(l)}` }, vp);
    const fill = max ? overlayFill(l[st.color], max) : null;
    el("rect", { x, y, width: w, height: h, rx: 6, style: fill ? `fill:${fill.fill}` : null }, g);
    const tstyle = fill ? `fill:${fill.text}` : null;
    const short = l.kind === "BatchNorm2d" ? "BN" : l.kind === "ReLU" ? "ReLU" : l.op;
    fitText(el("text", { x: x + w / 2, y: y + h / 2 - (h > 50 ? 4 : -4), class: "av-t3b", "text-anchor": "middle", style: tstyle }, g, short), w - 8);
    if (h > 50 && l.params) el("text", { x: x + w / 2, y: y + h / 2 + 16, class: "av-t4", "text-anchor": "middle", style: tstyle }, g, fmtCount(l.params));
    el("title", {}, g, `${l.name}: ${l.op}, ${l.in} → ${l.out}`);
    this.focusable(g, l.name, `${l.name}: ${l.op}, ${l.in} → ${l.out}`, false, false);
  }

  drawLegend(measure, L) {
    const lg = this.legend;
    lg.replaceChildren();
    if (measure === "none") {
      // the kinds this picture has (Compare: with its peers'), "none" for a plain net
      const kinds = this.legendKinds || ["identity", "zero-pad", "projection"];
      for (const k of kinds) {
        const item = html("span", { class: "av-key" }, lg);
        html("i", { class: `av-swatch av-sc-${k}` }, item);
        html("span", {}, item, `${L.shortcut}: ${L[`shortcut.${k}`]}`);
      }
      if (this.diff) {
        const item = html("span", { class: "av-key" }, lg);
        html("i", { class: "av-swatch av-swatch-diff" }, item);
        html("span", {}, item, L.diff);
      }
      return;
    }
    html("span", {}, lg, `${L[`overlay.${measure}`]}: ${L.low} `);
    const bar = html("span", { class: "av-ramp" }, lg);
    bar.style.background = `linear-gradient(to right, ${PALETTE.join(",")})`;
    html("span", {}, lg, ` ${L.high}`);
  }

  // --- the inspector: the numbers of what was clicked, with the arithmetic behind each ------------
  drawInspector() {
    const ins = this.inspector;
    const L = this.scene.labels;
    ins.replaceChildren();
    const item = this.st.sel ? findItem(this.scene, this.st.sel) : null;
    if (item) {
      const close = html("button", { type: "button", class: "av-btn av-close", title: L.collapse, "aria-label": L.collapse }, ins, "×");
      close.addEventListener("click", () => {
        this.st.sel = null;
        this.drawInspector();
        this.draw();
        this.report();
      });
    }
    html("h3", {}, ins, L.inspector);
    if (!item) { // nothing picked yet: the picture takes the whole width; the toolbar says how to pick
      ins.classList.add("av-empty");
      return;
    }
    ins.classList.remove("av-empty");
    const row = (dl, k, v, formula) => {
      html("dt", {}, dl, k);
      const dd = html("dd", {}, dl, v);
      if (formula) html("code", { class: "av-formula", title: L.formula }, dd, formula);
    };
    if (item.kind === "layer") {
      const l = item.layer;
      html("p", { class: "av-ins-title" }, ins, `${l.name}`);
      html("p", { class: "av-ins-sub" }, ins, `${l.op} · ${L[`role.${l.role}`] || l.role}`);
      const dl = html("dl", {}, ins);
      if (l.kernel) row(dl, `${L.kernel} / ${L.stride}`, `${l.kernel}×${l.kernel} / ${l.stride}`);
      row(dl, L.shape, `${l.in} → ${l.out}`);
      row(dl, L.params, fmtExact(l.params), l.f.params);
      row(dl, L.macs, fmtExact(l.macs), l.f.macs);
      row(dl, L.act, fmtBytes(l.act), l.f.act);
      return;
    }
    let title, sub, layers, totals;
    if (item.kind === "block" || item.kind === "run") {
      const b = item.kind === "block" ? item.block : blockOf(item.run, item.run.first);
      title = item.kind === "block" ? `${L.block} ${b.id}` : `${item.group.id}.${item.run.first} – ${item.group.id}.${item.run.first + item.run.count - 1}  ×${item.run.count}`;
      sub = `${item.group.paper} · ${L.shortcut}: ${L[`shortcut.${b.shortcut}`]}`;
      layers = b.layers;
      totals = b;
    } else {
      const g = item.group;
      title = g.kind === "stage" ? `${g.paper} · ${g.code}` : L[g.kind];
      sub = g.kind === "stage" ? `${g.block} ×${g.count}` : g.paper;
      layers = g.layers || g.runs.flatMap((r) => blockOf(r, r.first).layers.map((l) => ({ ...l, name: `${l.name}${r.count > 1 ? ` (×${r.count})` : ""}` })));
      totals = g;
    }
    html("p", { class: "av-ins-title" }, ins, title);
    html("p", { class: "av-ins-sub" }, ins, sub);
    const dl = html("dl", {}, ins);
    row(dl, L.shape, `${totals.in} → ${totals.out}`);
    row(dl, L.params, fmtExact(totals.params));
    row(dl, L.macs, fmtExact(totals.macs));
    row(dl, L.act, fmtBytes(totals.act));
    const table = html("table", { class: "av-table" }, ins);
    const head = html("tr", {}, html("thead", {}, table));
    for (const h of [L.layers, L.shape, L.params, L.macs]) html("th", {}, head, h);
    const body = html("tbody", {}, table);
    for (const l of layers) {
      const tr = html("tr", {}, body);
      html("td", { title: l.op }, tr, l.name);
      html("td", {}, tr, l.out);
      html("td", { class: "av-num", title: l.f.params || "" }, tr, fmtExact(l.params));
      html("td", { class: "av-num", title: l.f.macs || "" }, tr, fmtExact(l.macs));
    }
  }

  // --- zoom and pan --------------------------------------------------------------------------------
  viewSize() {
    const r = this.frame.getBoundingClientRect();
    return { w: Math.max(100, r.width), h: Math.max(100, r.height) };
  }

  // The whole width when it stays readable (text at least ~70 % of its size); past that the picture
  // keeps that size and the reader pans. ``reveal``: the id just opened, brought into view.
  fit(force, reveal = null) {
    const st = this.st;
    const maxH = Math.max(240, Math.min(window.innerHeight * 0.62, 620));
    const { w } = this.viewSize();
    const k = Math.min(this.column ? 1.0 : 1.2, Math.max(w / this.contentW, Math.min(0.72, w / this.overviewW)));
    // On a phone the picture is as tall as it is: the page scrolls past it and pinch zooms the page,
    // as a phone's reader expects, instead of a small window that traps the finger.
    const h = this.vertical ? this.contentH * k + 4 : Math.min(maxH, Math.max(150, this.contentH * k + 4));
    this.frame.style.height = `${Math.ceil(h)}px`;
    this.frame.classList.toggle("av-vertical", this.vertical);
    if (force || !st.t || st.autoFit) {
      st.t = { k, x: Math.max(0, (w - this.contentW * k) / 2), y: 0 };
      st.autoFit = true;
      const top = reveal && this.rowTop ? this.rowTop[reveal] : undefined;
      if (top !== undefined && this.contentH * k > h) {
        // keep the opened row in sight: its top near the frame's top, never past the content's end
        st.t.y = -Math.min(Math.max(0, top * k - 12), this.contentH * k - h);
      }
    }
    this.applyTransform();
  }

  applyTransform() {
    const t = this.st.t || { k: 1, x: 0, y: 0 };
    this.viewport.setAttribute("transform", `translate(${t.x},${t.y}) scale(${t.k})`);
    this.svg.setAttribute("data-zoom", t.k.toFixed(4));
  }

  zoomBy(f, cx = null, cy = null) {
    const st = this.st;
    const { w, h } = this.viewSize();
    const t = st.t || { k: 1, x: 0, y: 0 };
    const px = cx ?? w / 2;
    const py = cy ?? h / 2;
    const k = Math.min(8, Math.max(0.05, t.k * f));
    const r = k / t.k;
    st.t = { k, x: px - (px - t.x) * r, y: py - (py - t.y) * r };
    st.autoFit = false;
    this.applyTransform();
  }

  panBy(dx, dy) {
    const t = this.st.t;
    this.st.t = { ...t, x: t.x + dx, y: t.y + dy };
    this.st.autoFit = false;
    this.applyTransform();
  }

  bindEvents() {
    const frame = this.frame;
    const pointers = new Map();
    let start = null;
    let pinch = null;
    frame.addEventListener("wheel", (e) => {
      e.preventDefault(); // the wheel zooms the picture, not the page
      const r = frame.getBoundingClientRect();
      this.zoomBy(Math.exp(-e.deltaY * 0.0015), e.clientX - r.left, e.clientY - r.top);
    }, { passive: false });
    frame.addEventListener("pointerdown", (e) => {
      if (this.vertical && e.pointerType === "touch") return; // the page's own scroll and pinch
      pointers.set(e.pointerId, { x: e.clientX, y: e.clientY });
      this.dragged = false;
      start = { x: e.clientX, y: e.clientY };
      if (pointers.size === 2) {
        const [a, b] = [...pointers.values()];
        pinch = { d: Math.hypot(a.x - b.x, a.y - b.y) };
      }
    });
    frame.addEventListener("pointermove", (e) => {
      if (!pointers.has(e.pointerId)) return;
      const prev = pointers.get(e.pointerId);
      pointers.set(e.pointerId, { x: e.clientX, y: e.clientY });
      if (pointers.size === 2 && pinch) {
        const [a, b] = [...pointers.values()];
        const d = Math.hypot(a.x - b.x, a.y - b.y);
        const r = frame.getBoundingClientRect();
        this.zoomBy(d / pinch.d, (a.x + b.x) / 2 - r.left, (a.y + b.y) / 2 - r.top);
        pinch.d = d;
        this.dragged = true;
        return;
      }
      if (!this.dragged && Math.hypot(e.clientX - start.x, e.clientY - start.y) < 5) return;
      if (!this.dragged) frame.setPointerCapture(e.pointerId);
      this.dragged = true;
      this.panBy(e.clientX - prev.x, e.clientY - prev.y);
    });
    const end = (e) => {
      pointers.delete(e.pointerId);
      if (pointers.size < 2) pinch = null;
      setTimeout(() => { this.dragged = false; }, 0);
    };
    frame.addEventListener("pointerup", end);
    frame.addEventListener("pointercancel", end);
    frame.addEventListener("keydown", (e) => {
      const step = 60;
      const keys = {
        "+": () => this.zoomBy(1.25), "=": () => this.zoomBy(1.25), "-": () => this.zoomBy(0.8),
        "0": () => this.fit(true), ArrowLeft: () => this.panBy(step, 0), ArrowRight: () => this.panBy(-step, 0),
        ArrowUp: () => this.panBy(0, step), ArrowDown: () => this.panBy(0, -step),
      };
      if (keys[e.key]) {
        e.preventDefault();
        keys[e.key]();
      }
    });
    // Refit when the picture's width changes (a window resized, Streamlit's columns settling after
    // the first draw, the sidebar opened); its own height changes are not a reason.
    let lastW = 0;
    new ResizeObserver(() => {
      const w = Math.round(this.root.getBoundingClientRect().width);
      if (w !== lastW && this.scene) {
        lastW = w;
        this.draw();
        this.fit(false);
      }
    }).observe(this.root);
  }

  // --- export: what is drawn now (open parts and colours included) ----------------------------------
  standalone() {
    const svg = this.svg.cloneNode(true);
    const vp = svg.querySelector(".av-viewport");
    vp.removeAttribute("transform");
    svg.setAttribute("xmlns", NS);
    svg.setAttribute("viewBox", `0 0 ${this.contentW} ${this.contentH}`);
    svg.setAttribute("width", this.contentW);
    svg.setAttribute("height", this.contentH);
    const style = el("style", {}, null, this.st.css || "");
    svg.insertBefore(style, svg.firstChild);
    const bg = el("rect", { x: 0, y: 0, width: this.contentW, height: this.contentH, fill: "#ffffff" });
    svg.insertBefore(bg, vp);
    svg.querySelectorAll("[tabindex]").forEach((n) => n.removeAttribute("tabindex"));
    return new XMLSerializer().serializeToString(svg);
  }

  download(blob, name) {
    const a = html("a", { href: URL.createObjectURL(blob), download: name });
    document.body.appendChild(a);
    a.click();
    setTimeout(() => { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
  }

  exportSvg() {
    this.download(new Blob([this.standalone()], { type: "image/svg+xml" }), `${this.st.name}.svg`);
  }

  exportPng() {
    const img = new Image();
    const url = URL.createObjectURL(new Blob([this.standalone()], { type: "image/svg+xml" }));
    img.onload = () => {
      const c = document.createElement("canvas");
      const s = 2; // sharp on a projector and in slides
      c.width = this.contentW * s;
      c.height = this.contentH * s;
      const ctx = c.getContext("2d");
      ctx.scale(s, s);
      ctx.drawImage(img, 0, 0);
      URL.revokeObjectURL(url);
      c.toBlob((b) => this.download(b, `${this.st.name}.png`), "image/png");
    };
    img.src = url;
  }
}

// Streamlit calls this on every rerun that sends new data; the picture and its state are kept.
export default function (component) {
  const { data, parentElement, setStateValue } = component;
  const key = data.key;
  let st = STATES.get(key);
  if (!st) {
    st = { key, open: new Set(data.view.open || []), sel: data.view.sel || null, color: data.view.color || "none", autoFit: true };
    STATES.set(key, st);
  }
  st.name = data.name;
  st.css = data.export_css;
  let host = parentElement.querySelector(".av-host");
  if (!host) host = html("div", { class: "av-host" }, parentElement);
  let pic = host.__picture;
  if (!pic) {
    pic = new Picture(host, st, setStateValue);
    host.__picture = pic;
    const defs = el("defs", {}, pic.svg);
    const m = el("marker", { id: "av-arrow", viewBox: "0 0 10 10", refX: "9", refY: "5", markerWidth: "7", markerHeight: "7", orient: "auto-start-reverse" }, defs);
    el("path", { d: "M 0 0 L 10 5 L 0 10 z", class: "av-arrowhead" }, m);
  }
  pic.setStateValue = setStateValue;
  pic.column = data.layout === "column"; // Compare: every model top to bottom, at one scale
  pic.maxCount = data.max_count || 0;
  pic.diff = data.diff || null;
  pic.legendKinds = data.scene.plain || data.layout === "column" ? ["identity", "zero-pad", "projection", "none"] : null;
  pic.root.classList.toggle("av-compare", pic.column);
  pic.render(data.scene);
  pic.fit(false);
  if (st.flash && st.flash.size) {
    setTimeout(() => { pic.draw(); }, 2600); // the highlight of what changed fades after a moment
  }
}
