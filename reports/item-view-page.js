/*
 * The per-item view's page script (inlined by reports/item-view-html.ts; runs in the browser, from file://).
 * It reads the JSON data element and renders only the rows on screen (fixed row height, one spacer), so 11,500
 * items scroll as fast as 50. Every text from the data goes into the page through textContent, never as markup.
 */
(() => {
  // biome-ignore lint/suspicious/noRedundantUseStrict: the page runs this as a classic script, not as a module
  'use strict';
  performance.mark('item-view-start');
  const data = JSON.parse(document.getElementById('item-data').textContent);
  const compare = data.kind === 'compare';
  const ROW = 30; // px: .row's height in the style sheet
  const OVERSCAN = 8;
  const OUTCOMES = ['correct', 'wrong', 'tie', 'invalid', 'error', 'unscored'];
  const SIDES = [
    ['win', 'wins'],
    ['loss', 'losses'],
    ['differ', 'other differences'],
  ];
  const byId = (id) => document.getElementById(id);
  const number = new Intl.NumberFormat('en-US');

  function el(tag, className, text) {
    const e = document.createElement(tag);
    if (className) e.className = className;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function option(value, label) {
    const o = el('option', '', label);
    o.value = value;
    return o;
  }
  function ms(v) {
    if (v === null) return '—';
    return v < 1000 ? `${Math.round(v)} ms` : `${(v / 1000).toFixed(1)} s`;
  }
  function usd(v) {
    if (v === null) return '—';
    return `$${v < 0.01 ? v.toFixed(5) : v.toFixed(4)}`;
  }
  function sum(orders, key) {
    let total = null;
    for (const o of orders) if (o[key] !== null) total = (total ?? 0) + o[key];
    return total;
  }
  function tokens(orders) {
    const input = sum(orders, 'it');
    const output = sum(orders, 'ot');
    return input === null && output === null ? '—' : `${number.format(input ?? 0)} / ${number.format(output ?? 0)}`;
  }
  function verdicts(judgment) {
    return judgment.o.map((o) => (o.s === 'verdict' ? o.v : o.s)).join(' · ');
  }
  function snippet(index) {
    if (index === null) return '';
    return data.texts[index].slice(0, 300).replace(/\s+/g, ' ');
  }
  function truncMark(full) {
    return el(
      'span',
      'trunc',
      ` … truncated: the first ${number.format(data.textCap)} of ${number.format(full)} characters are shown`,
    );
  }

  // Filters.
  const controls = {
    bench: byId('f-bench'),
    sub: byId('f-sub'),
    outcome: byId('f-outcome'),
    side: byId('f-side'),
    pair: byId('f-pair'),
    cat: byId('f-cat'),
    flip: byId('f-flip'),
    search: byId('f-search'),
  };
  data.benchmarks.forEach((id, i) => {
    controls.bench.append(option(String(i), id));
  });
  if (compare) {
    for (const [value, label] of SIDES) controls.side.append(option(value, label));
    data.pairs.forEach((p, i) => {
      controls.pair.append(option(String(i), `${p.benchmark}: vs ${p.baseline}`));
    });
    const cats = [];
    for (const item of data.items) for (const c of item.cats) if (!cats.includes(c)) cats.push(c);
    for (const c of cats) controls.cat.append(option(c, c));
  } else {
    for (const o of OUTCOMES) controls.outcome.append(option(o, o));
  }
  if (!data.swap) controls.flip.disabled = true;

  function fillSubsets() {
    const bench = controls.bench.value;
    const previous = controls.sub.value;
    const subs = [];
    for (const item of data.items) {
      if ((bench === '' || item.b === Number(bench)) && item.sub !== '' && !subs.includes(item.sub))
        subs.push(item.sub);
    }
    controls.sub.replaceChildren(option('', 'all'));
    for (const s of subs) controls.sub.append(option(s, s));
    controls.sub.value = subs.includes(previous) ? previous : '';
  }

  // Search: each distinct text is scanned once per query, then items look up their texts' hits.
  let lowered = null;
  function textHits(query) {
    if (lowered === null) lowered = data.texts.map((t) => t.toLowerCase());
    const hits = new Uint8Array(lowered.length);
    for (let i = 0; i < lowered.length; i++) if (lowered[i].includes(query)) hits[i] = 1;
    return hits;
  }
  function itemMatches(item, query, hits) {
    const fields = [item.id, item.sub, item.gold, data.benchmarks[item.b]];
    for (const j of item.j) for (const o of j.o) fields.push(o.v);
    for (const f of fields) if (f.toLowerCase().includes(query)) return true;
    for (const j of item.j) for (const o of j.o) if (o.r !== null && hits[o.r]) return true;
    for (const p of item.p) if (p) for (const t of p) if (hits[t]) return true;
    return false;
  }

  let visible = [];
  function applyFilters() {
    const bench = controls.bench.value;
    const sub = controls.sub.value;
    const outcome = controls.outcome.value;
    const side = controls.side.value;
    const pair = controls.pair.value;
    const cat = controls.cat.value;
    const flips = controls.flip.checked;
    const query = controls.search.value.trim().toLowerCase();
    const hits = query === '' ? null : textHits(query);
    visible = [];
    data.items.forEach((item, i) => {
      if (bench !== '' && item.b !== Number(bench)) return;
      if (sub !== '' && item.sub !== sub) return;
      if (!compare && outcome !== '' && item.j[0].out !== outcome) return;
      if (compare && side !== '' && item.side !== side) return;
      if (compare && pair !== '' && item.pair !== Number(pair)) return;
      if (compare && cat !== '' && !item.cats.includes(cat)) return;
      if (flips && !item.j.some((j) => j.flip)) return;
      if (hits && !itemMatches(item, query, hits)) return;
      visible.push(i);
    });
    showCounts();
    rows.style.height = `${visible.length * ROW}px`;
    list.scrollTop = 0;
    render();
  }

  function showCounts() {
    const counts = {};
    let flipCount = 0;
    for (const i of visible) {
      const item = data.items[i];
      const key = compare ? item.side : item.j[0].out;
      counts[key] = (counts[key] ?? 0) + 1;
      if (item.j.some((j) => j.flip)) flipCount += 1;
    }
    const what = compare ? 'items answered differently' : 'items';
    const box = byId('counts');
    box.replaceChildren(
      el('strong', 'shown', number.format(visible.length)),
      ` of ${number.format(data.items.length)} ${what}`,
    );
    const parts = compare ? SIDES : OUTCOMES.map((o) => [o, o]);
    for (const [key, label] of parts) {
      if (!counts[key]) continue;
      const part = el('span', `count ${key}`);
      part.dataset.key = key;
      part.append(el('b', '', number.format(counts[key])), ` ${label}`);
      box.append(' · ', part);
    }
    if (data.swap) box.append(' · ', el('span', 'count flips', `${number.format(flipCount)} position flips`));
  }

  // The list: a spacer as tall as every matching row, and absolutely placed rows for the ones on screen.
  const list = byId('list');
  const rows = byId('rows');
  let selected = -1;

  function cell(text, className) {
    const c = el('span', `c ${className}`, text);
    if (text !== '') c.title = text;
    return c;
  }
  function badge(text, className) {
    return el('span', `badge ${className}`, text);
  }
  function rowFor(index, position) {
    const item = data.items[index];
    const row = el('div', 'row');
    row.setAttribute('role', 'row');
    row.dataset.index = String(index);
    row.style.top = `${position * ROW}px`;
    if (index === selected) row.classList.add('selected');
    row.append(cell(data.benchmarks[item.b], 'bench'), cell(item.sub, 'sub'), cell(item.id, 'id'));
    row.append(cell(item.gold, 'gold'));
    const outcomeCell = (judgment) => {
      const c = el('span', 'c out');
      c.append(badge(judgment.out, judgment.out));
      if (judgment.flip) c.append(badge('flip', 'flip'));
      return c;
    };
    if (compare) {
      const side = el('span', 'c side');
      side.append(badge(item.side === 'differ' ? 'other' : item.side, item.side));
      row.append(side);
      for (const j of item.j) row.append(cell(verdicts(j), 'verdict'), outcomeCell(j));
    } else {
      const j = item.j[0];
      row.append(cell(verdicts(j), 'verdict'), outcomeCell(j));
      row.append(cell(ms(sum(j.o, 'ms')), 'num'), cell(tokens(j.o), 'num'), cell(usd(sum(j.o, 'usd')), 'num'));
      row.append(cell(snippet(j.o[0].r), 'reply'));
    }
    return row;
  }
  function render() {
    const top = list.scrollTop;
    const first = Math.max(0, Math.floor(top / ROW) - OVERSCAN);
    const last = Math.min(visible.length, Math.ceil((top + list.clientHeight) / ROW) + OVERSCAN);
    const fragment = document.createDocumentFragment();
    for (let k = first; k < last; k++) fragment.append(rowFor(visible[k], k));
    if (visible.length === 0) fragment.append(el('div', 'empty', 'No item matches these filters.'));
    rows.replaceChildren(fragment);
  }
  let frame = 0;
  list.addEventListener('scroll', () => {
    if (frame) return;
    frame = requestAnimationFrame(() => {
      frame = 0;
      render();
    });
  });
  window.addEventListener('resize', render);

  // The selected item in full: every order's verdict, reply and numbers; the prompt when asked for.
  const detail = byId('detail');
  function textBlock(index, className) {
    const pre = el('pre', className);
    if (index === null) {
      pre.append(el('span', 'muted', '(not kept: over the page’s text budget)'));
      return pre;
    }
    pre.textContent = data.texts[index];
    if (data.truncated[index] !== undefined) pre.append(truncMark(data.truncated[index]));
    return pre;
  }
  /** The exact prompt (see promptHead in protocol/prompt.ts): head, then each field as "name:", value, "". */
  function promptBlock(ref) {
    const pre = el('pre', 'prompt');
    if (ref === null) {
      pre.append(el('span', 'muted', '(not kept: over the page’s text budget)'));
      return pre;
    }
    const segments = [data.texts[ref[0]]];
    let pending = '\n';
    for (let k = 1; k < ref.length; k += 2) {
      const value = ref[k + 1];
      segments.push(`${pending}${data.texts[ref[k]]}:\n${data.texts[value]}`);
      if (data.truncated[value] !== undefined) segments.push(truncMark(data.truncated[value]));
      pending = '\n\n';
    }
    const lastText = segments.length - 1 - [...segments].reverse().findIndex((s) => typeof s === 'string');
    segments[lastText] = `${segments[lastText].trimEnd()}\n`;
    for (const s of segments) pre.append(s);
    return pre;
  }
  function orderName(k, orders) {
    if (orders === 1) return 'Reply';
    return k === 0 ? 'Order 1 (as in the data)' : 'Order 2 (A and B exchanged)';
  }
  function field(dl, name, value) {
    dl.append(el('dt', '', name), el('dd', '', value));
  }
  function showDetail(index) {
    selected = index;
    const item = data.items[index];
    detail.hidden = false;
    const head = el('div', 'detail-head');
    const close = el('button', 'close', '×');
    close.type = 'button';
    close.setAttribute('aria-label', 'Close');
    close.addEventListener('click', () => {
      selected = -1;
      detail.hidden = true;
      render();
    });
    head.append(el('h2', '', item.id), close);
    const dl = el('dl', 'meta');
    field(dl, 'benchmark', data.benchmarks[item.b]);
    if (item.sub !== '') field(dl, 'subset', item.sub);
    field(dl, 'gold', item.gold);
    if (compare) {
      const pair = data.pairs[item.pair];
      field(dl, 'side', `${item.side === 'differ' ? 'other difference' : item.side} for ${pair.candidate}`);
      if (item.cats.length > 0) field(dl, 'categories', item.cats.join(', '));
    }
    const parts = [head, dl];
    item.j.forEach((j, ji) => {
      const section = el('section', 'judge');
      const who = compare ? [data.pairs[item.pair].candidate, data.pairs[item.pair].baseline][ji] : null;
      const title = el('h3', '', who ?? data.judge);
      title.append(' ', badge(j.out, j.out));
      if (j.flip) title.append(' ', badge('position flip', 'flip'));
      section.append(title);
      j.o.forEach((o, k) => {
        section.append(el('h4', '', orderName(k, j.o.length)));
        const odl = el('dl', 'meta');
        field(odl, o.s === 'verdict' ? 'verdict' : o.s, o.v);
        field(odl, 'latency', ms(o.ms));
        field(odl, 'tokens in / out', tokens([o]));
        field(odl, 'cost', usd(o.usd));
        section.append(odl);
        if (o.r !== null || o.s !== 'error') section.append(textBlock(o.r, 'reply'));
      });
      parts.push(section);
    });
    item.p.forEach((ref, k) => {
      const label = item.p.length === 1 ? 'Show the prompt' : `Show the prompt, order ${k + 1}`;
      const button = el('button', 'show-prompt', label);
      button.type = 'button';
      button.addEventListener('click', () => {
        button.replaceWith(promptBlock(ref));
      });
      parts.push(button);
    });
    detail.replaceChildren(...parts);
    detail.scrollTop = 0;
    render();
  }
  rows.addEventListener('click', (event) => {
    const row = event.target.closest('.row');
    if (row) showDetail(Number(row.dataset.index));
  });
  list.addEventListener('keydown', (event) => {
    if (event.key !== 'ArrowDown' && event.key !== 'ArrowUp') return;
    event.preventDefault();
    let k = visible.indexOf(selected) + (event.key === 'ArrowDown' ? 1 : -1);
    k = Math.max(0, Math.min(visible.length - 1, k));
    if (visible.length === 0) return;
    if (k * ROW < list.scrollTop + ROW) list.scrollTop = Math.max(0, (k - 1) * ROW);
    if ((k + 1) * ROW > list.scrollTop + list.clientHeight) list.scrollTop = (k + 2) * ROW - list.clientHeight;
    showDetail(visible[k]);
  });

  controls.bench.addEventListener('change', () => {
    fillSubsets();
    applyFilters();
  });
  for (const name of ['sub', 'outcome', 'side', 'pair', 'cat', 'flip']) {
    controls[name].addEventListener('change', applyFilters);
  }
  let typing = 0;
  controls.search.addEventListener('input', () => {
    clearTimeout(typing);
    typing = setTimeout(applyFilters, 150);
  });
  fillSubsets();
  applyFilters();
  document.body.dataset.ready = 'true';
  performance.mark('item-view-ready'); // time to first render, for the tests
})();
