// The HTML report's script, embedded inline (the file works from file://, fetches nothing, and
// its Content-Security-Policy allows this script by hash only). It reads the packed data
// (html-data.ts gives the field order), builds one table row per probe once, and sorts and
// filters by re-ordering those rows. Every server string is set with textContent after show():
// controls and bidi overrides become visible \uXXXX text, so a banner cannot reorder or colour
// the page. Plain ES2020, no template literals (this file is a String.raw).

export const CLIENT_SCRIPT = String.raw`(function () {
'use strict';
var source = document.getElementById('mxprobe-data');
if (source.dataset.encoding !== 'gzip+base64') return start(JSON.parse(source.textContent));
// Large reports carry their data gzip-compressed (10,000 hosts: 5 MB of JSON, 1 MB this way).
if (typeof DecompressionStream !== 'function') {
  document.getElementById('shown').textContent = 'This browser cannot read the compressed report data (DecompressionStream: Chrome 80, Firefox 113, Safari 16.4 or later).';
  return;
}
var bin = atob(source.textContent.trim());
var bytes = new Uint8Array(bin.length);
for (var b = 0; b < bin.length; b++) bytes[b] = bin.charCodeAt(b);
new Response(new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'))).text().then(function (t) { start(JSON.parse(t)); });

function start(D) {
var S = D.strings;
var STATUS = ['OK', 'WARNING', 'CRITICAL', 'UNKNOWN'];
var CLS = ['ok', 'warning', 'critical', 'unknown'];
var SEV = ['info', 'warning', 'critical'];
var UNSAFE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
var now = D.generatedAt / 1000;
function str(i) { return i < 0 ? '' : S[i]; }
function show(t) {
  return String(t).replace(UNSAFE, function (c) { return '\\u' + ('000' + c.charCodeAt(0).toString(16)).slice(-4); });
}
function el(tag, cls, text) {
  var e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined && text !== null) e.textContent = show(text);
  return e;
}
function days(notAfter) { return Math.trunc((notAfter - now) / 86400); }
function colons(hex) { return /^[0-9A-F]{64}$/.test(hex) ? hex.match(/../g).join(':') : hex; }
function isoDate(sec) { return new Date(sec * 1000).toISOString().slice(0, 10); }
function hostPort(r) { return (r[2] >= 0 ? (str(r[2]).indexOf(':') >= 0 ? '[' + str(r[2]) + ']' : str(r[2])) : '-') + ':' + r[3]; }
function verdict(r) {
  if (r[11] < 0) return '';
  return (r[11] ? 'trusted' : 'untrusted') + ', ' + (r[12] ? 'name ok' : 'wrong name');
}
function problems(r) {
  var out = [];
  for (var k = 0; k < r[14].length; k++) { var f = D.findings[r[14][k]]; if (f[0] > 0) out.push(str(f[1])); }
  if (r[13]) out.unshift(str(r[13][1]));
  return out;
}

// ---- rows, built once
var tbody = document.querySelector('#hosts-table .body');
var template = document.createElement('div');
template.setAttribute('role', 'row');
for (var c = 0; c < 10; c++) { var cell = document.createElement('div'); cell.setAttribute('role', 'cell'); template.appendChild(cell); }
var items = D.rows.map(function (r, i) {
  var tr = template.cloneNode(true);
  var td = tr.children;
  var p = problems(r);
  tr.className = 'row ' + CLS[r[6]];
  tr.tabIndex = 0;
  tr.dataset.index = String(i);
  tr.dataset.expiry = String(r[10]);
  td[0].textContent = STATUS[r[6]];
  td[0].className = 'status';
  td[1].textContent = show(str(r[0]));
  td[2].textContent = show(str(r[1]));
  td[3].textContent = show(hostPort(r));
  td[4].textContent = show(str(r[7]) || '-');
  td[5].textContent = show(str(r[8]) || '-');
  if (r[10] >= 0) {
    var d = days(r[10]);
    var gone = r[10] < now;
    td[6].textContent = isoDate(r[10]) + ' (' + (gone ? 'expired' : d + ' d') + ')';
    td[6].className = gone ? 'expired' : d < D.critDays ? 'crit' : d < D.warnDays ? 'warn' : '';
  } else td[6].textContent = '-';
  td[7].textContent = verdict(r);
  td[8].textContent = show(p.length ? p.length + ': ' + p.slice(0, 2).join(', ') + (p.length > 2 ? ', ...' : '') : '');
  td[9].textContent = r[18].length ? String(r[18].length) : '';
  // Cut cells show their whole text on hover.
  td[2].title = td[2].textContent;
  td[5].title = td[5].textContent;
  td[8].title = td[8].textContent;
  var text = [str(r[0]), str(r[1]), str(r[2]), String(r[3]), str(r[7]), str(r[8]), STATUS[r[6]]].concat(p).join(' ').toLowerCase();
  return { i: i, r: r, tr: tr, text: text, details: null };
});

// ---- sorting and filtering
var KEYS = {
  status: function (x) { return x.r[6]; },
  destination: function (x) { return str(x.r[0]).toLowerCase(); },
  host: function (x) { return str(x.r[1]).toLowerCase(); },
  address: function (x) { return str(x.r[2]) + ':' + x.r[3]; },
  tls: function (x) { return str(x.r[7]); },
  cipher: function (x) { return str(x.r[8]); },
  expiry: function (x) { return x.r[10] < 0 ? Infinity : x.r[10]; },
  trust: function (x) { return x.r[11] * 2 + x.r[12]; },
  findings: function (x) { return problems(x.r).length; },
  changes: function (x) { return x.r[18].length; }
};
var order = items.slice();
var sortKey = null;
var sortDir = 1;
var range = null;
var filterInput = document.getElementById('filter');
var statusBoxes = Array.prototype.slice.call(document.querySelectorAll('input[name=status]'));
var shown = document.getElementById('shown');
var clearRange = document.getElementById('clear-range');

function render() {
  var terms = filterInput.value.toLowerCase().split(/\s+/).filter(Boolean);
  var wanted = {};
  statusBoxes.forEach(function (b) { wanted[b.value] = b.checked; });
  var visible = [];
  for (var k = 0; k < order.length; k++) {
    var x = order[k];
    if (!wanted[CLS[x.r[6]]]) continue;
    if (range) {
      if (x.r[10] < 0) continue;
      var d = (x.r[10] - now) / 86400;
      if (d < range[0] || d >= range[1]) continue;
    }
    var ok = true;
    for (var t = 0; t < terms.length && ok; t++) ok = x.text.indexOf(terms[t]) >= 0;
    if (!ok) continue;
    visible.push(x.tr);
    if (x.open) visible.push(x.details);
  }
  var rowsShown = 0;
  var frag = document.createDocumentFragment();
  for (var v = 0; v < visible.length; v++) {
    if (visible[v].className !== 'details') rowsShown++;
    frag.appendChild(visible[v]);
  }
  tbody.replaceChildren(frag);
  shown.textContent = rowsShown === items.length ? items.length + ' probes' : rowsShown + ' of ' + items.length + ' probes';
  clearRange.hidden = !range;
}

function sortBy(key) {
  if (sortKey === key) sortDir = -sortDir; else { sortKey = key; sortDir = 1; }
  var f = KEYS[key];
  order = items.slice().sort(function (a, b) {
    var va = f(a), vb = f(b);
    if (va === vb) return a.i - b.i;
    if (va === Infinity) return 1;
    if (vb === Infinity) return -1;
    return (va < vb ? -1 : 1) * sortDir;
  });
  document.querySelectorAll('#hosts-table .head > div').forEach(function (th) {
    th.setAttribute('aria-sort', th.dataset.key === key ? (sortDir > 0 ? 'ascending' : 'descending') : 'none');
  });
  render();
}

document.querySelectorAll('#hosts-table .head > div').forEach(function (th) {
  th.tabIndex = 0;
  th.addEventListener('click', function () { sortBy(th.dataset.key); });
  th.addEventListener('keydown', function (e) { if (e.key === 'Enter') sortBy(th.dataset.key); });
});
var pending = 0;
filterInput.addEventListener('input', function () { clearTimeout(pending); pending = setTimeout(render, 120); });
statusBoxes.forEach(function (b) { b.addEventListener('change', render); });
clearRange.addEventListener('click', function () { range = null; render(); });
document.querySelectorAll('#expiry-chart .bar').forEach(function (g) {
  function pick() { range = [Number(g.dataset.lo), Number(g.dataset.hi)]; render(); document.getElementById('hosts').scrollIntoView(); }
  g.addEventListener('click', pick);
  g.addEventListener('keydown', function (e) { if (e.key === 'Enter') pick(); });
});

// ---- details of one probe, built on first open
function section(title) { var s = el('div', 'part'); s.appendChild(el('h3', null, title)); return s; }
function line(parent, label, value, cls) {
  var p = el('div', 'kv' + (cls ? ' ' + cls : ''));
  p.appendChild(el('span', 'k', label));
  p.appendChild(el('span', 'v', value));
  parent.appendChild(p);
  return p;
}
function advice(parent, a) { if (a >= 0) parent.appendChild(el('div', 'advice', 'Postfix: ' + str(a))); }
function details(x) {
  var r = x.r;
  var tr = el('div', 'details');
  var td = tr;
  var conn = section('Connection');
  line(conn, 'mode', str(r[4]) + ', level ' + str(r[5]));
  line(conn, 'TLS', [str(r[7]), str(r[8]), str(r[9])].filter(Boolean).join(' ') || 'none');
  line(conn, 'time', r[17] + ' ms');
  if (r[19] >= 0) line(conn, 'policy', str(r[19]));
  td.appendChild(conn);
  if (r[13] || r[14].length) {
    var fs = section('Findings');
    if (r[13]) {
      line(fs, 'error', str(r[13][0]) + ' / ' + str(r[13][1]) + ': ' + str(r[13][2]), 'critical');
      advice(fs, r[13][3]);
    }
    r[14].forEach(function (k) {
      var f = D.findings[k];
      line(fs, SEV[f[0]], str(f[1]) + ': ' + str(f[2]), SEV[f[0]]);
      advice(fs, f[3]);
    });
    td.appendChild(fs);
  }
  if (r[15].length) {
    var ch = section('Certificate chain (as served)');
    r[15].forEach(function (k, depth) {
      var c = D.certs[k];
      var box = el('div', 'cert');
      line(box, depth + ' subject', str(c[0]));
      line(box, 'issuer', str(c[1]));
      var d = days(c[2]);
      var gone = c[2] < now;
      line(box, 'not after', isoDate(c[2]) + ' (' + (gone ? 'expired ' + (-d) + ' days ago' : d + ' days left') + ')', gone ? 'critical' : '');
      if (c[5].length) line(box, 'names', c[5].map(str).join(', '));
      line(box, 'key', str(c[4]) + (c[6] ? ', self-signed' : '') + (c[7] ? ', CA' : ''));
      line(box, 'sha256', colons(str(c[3])), 'mono');
      ch.appendChild(box);
    });
    td.appendChild(ch);
  }
  if (r[16].length) {
    var sm = section('SMTP replies');
    r[16].forEach(function (q) { line(sm, str(q[0]), q[1] + ' ' + q[2].map(str).join('\n'), 'mono'); });
    td.appendChild(sm);
  }
  if (r[18].length) {
    var cs = section('Changes since the baseline');
    r[18].forEach(function (k) { var c = D.changes[k]; line(cs, str(c[0]), (str(c[5]) || '-') + ' \u2192 ' + (str(c[6]) || '-')); });
    td.appendChild(cs);
  }
  return tr;
}
function toggle(x) {
  x.open = !x.open;
  if (x.open && !x.details) x.details = details(x);
  if (x.open) x.tr.after(x.details); else if (x.details) x.details.remove();
  x.tr.classList.toggle('open', x.open);
}
tbody.addEventListener('click', function (e) {
  var tr = e.target.closest('.row');
  if (tr) toggle(items[Number(tr.dataset.index)]);
});
tbody.addEventListener('keydown', function (e) {
  var tr = e.target.closest('.row');
  if (tr && e.key === 'Enter') toggle(items[Number(tr.dataset.index)]);
});

// ---- changes since the baseline
var ct = document.querySelector('#changes-table tbody');
if (ct) {
  var rows = D.changes.map(function (c) {
    var tr = document.createElement('tr');
    [str(c[0]), str(c[1]), str(c[2]), (c[3] >= 0 ? str(c[3]) : '-') + ':' + c[4], str(c[5]) || '-', str(c[6]) || '-'].forEach(function (v, k) {
      tr.appendChild(el('td', k >= 4 ? 'mono' : null, v));
    });
    return tr;
  });
  var cf = document.createDocumentFragment();
  rows.forEach(function (tr) { cf.appendChild(tr); });
  ct.replaceChildren(cf);
}
render();
document.documentElement.dataset.ready = '1';
}
})();`;
