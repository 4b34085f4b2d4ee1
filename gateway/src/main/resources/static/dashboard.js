// The admin dashboard: plain DOM and inline SVG so the gateway can serve it with no build step and
// no third-party code that would see the admin token.
(function () {
  'use strict';

  var TOKEN_KEY = 'cooperllm.adminToken';
  var REFRESH_MS = 4000;
  var SVG = 'http://www.w3.org/2000/svg';

  var state = { jobs: [], selected: decodeURIComponent(location.hash.slice(1)) || null, timer: null, busy: false };

  function $(id) { return document.getElementById(id); }

  // Builds elements with textContent only: job names and failure reasons come from the API and must
  // never be parsed as HTML.
  function el(tag, attrs) {
    var node = document.createElement(tag);
    if (attrs) Object.keys(attrs).forEach(function (k) {
      if (k === 'text') node.textContent = attrs[k];
      else if (k === 'cls') node.className = attrs[k];
      else node.setAttribute(k, attrs[k]);
    });
    for (var i = 2; i < arguments.length; i++) {
      var c = arguments[i];
      if (c == null) continue;
      node.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
    }
    return node;
  }

  function svg(tag, attrs) {
    var node = document.createElementNS(SVG, tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    return node;
  }

  function token() { return sessionStorage.getItem(TOKEN_KEY); }

  function notice(text) {
    var n = $('notice');
    n.hidden = !text;
    n.textContent = text || '';
  }

  // Every call goes through the gateway's API with the admin token; errors arrive as problem+json.
  function api(method, path) {
    return fetch('/api/v1' + path, {
      method: method,
      headers: { 'Authorization': 'Bearer ' + token(), 'Accept': 'application/json' },
      cache: 'no-store'
    }).then(function (res) {
      var type = res.headers.get('Content-Type') || '';
      var body = type.indexOf('json') >= 0 ? res.json() : res.text();
      return body.then(function (data) {
        if (res.ok) return data;
        var reason = data && data.reason ? data.reason : res.status;
        var detail = data && data.detail ? data.detail : res.statusText;
        var err = new Error(detail + ' (' + reason + ')');
        err.status = res.status;
        throw err;
      });
    });
  }

  function fmtTime(iso) {
    if (!iso) return '—';
    var d = new Date(iso);
    return d.toLocaleString(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit' });
  }

  function fmtNum(x, digits) {
    if (x == null || !isFinite(x)) return '—';
    var a = Math.abs(x);
    if (a !== 0 && (a < 1e-3 || a >= 1e5)) return x.toExponential(2);
    return x.toFixed(digits == null ? 4 : digits);
  }

  function fmtBytes(n) {
    if (n == null) return '—';
    var units = ['B', 'KiB', 'MiB', 'GiB'];
    var i = 0;
    while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
    return (i === 0 ? n : n.toFixed(1)) + ' ' + units[i];
  }

  function fmtDuration(from, to) {
    if (!from || !to) return '—';
    var s = (new Date(to) - new Date(from)) / 1000;
    if (s < 60) return s.toFixed(1) + ' s';
    return Math.floor(s / 60) + ' m ' + Math.round(s % 60) + ' s';
  }

  function badge(status) { return el('span', { cls: 'badge ' + status, text: status }); }

  // ---- jobs ---------------------------------------------------------------------------------

  function renderJobs() {
    var body = $('jobs').tBodies[0];
    body.textContent = '';
    if (!state.jobs.length) {
      body.appendChild(el('tr', null, el('td', { colspan: 6, cls: 'muted', text: 'No jobs yet.' })));
      return;
    }
    state.jobs.forEach(function (j) {
      var spec = j.spec || {};
      var row = el('tr', { 'data-id': j.id },
        el('td', null, el('div', { text: j.name || '(unnamed)' }), el('div', { cls: 'id', text: j.id })),
        el('td', null, badge(j.status)),
        el('td', { text: [spec.method && spec.method.name, spec.model, spec.peft].filter(Boolean).join(' · ') }),
        el('td', { cls: 'num', text: String(j.currentRound) + (spec.rounds ? ' / ' + spec.rounds : '') }),
        el('td', { cls: 'num', text: String(j.currentVersion) }),
        el('td', { text: fmtTime(j.createdAt) }));
      if (j.id === state.selected) row.className = 'selected';
      row.addEventListener('click', function () { select(j.id); });
      body.appendChild(row);
    });
  }

  function select(id) {
    state.selected = id;
    location.hash = encodeURIComponent(id);
    renderJobs();
    refreshJob();
  }

  // ---- one job ------------------------------------------------------------------------------

  var TRANSITIONS = {
    start: ['CREATED'], pause: ['RUNNING'], resume: ['PAUSED'], cancel: ['CREATED', 'RUNNING', 'PAUSED']
  };

  function renderJob(job, rounds) {
    $('job').hidden = false;
    var title = $('job-title');
    title.textContent = '';
    title.appendChild(document.createTextNode((job.name || job.id) + ' '));
    title.appendChild(badge(job.status));
    var s = job.spec || {};
    var m = s.method || {};
    $('job-meta').textContent = [
      'id ' + job.id, 'round ' + job.currentRound + (s.rounds ? ' of ' + s.rounds : ''),
      'model version ' + job.currentVersion, m.name && ('method ' + m.name + ' (' + m.guidance + ', ' + m.aggregator + ', guard ' + m.guard + ')'),
      m.directions && ('K = ' + m.directions), s.devicesPerRound && (s.devicesPerRound + ' devices/round, quorum ' + s.minParticipants)
    ].filter(Boolean).join(' · ');
    $('job-failure').hidden = !job.failure;
    $('job-failure').textContent = job.failure || '';

    Array.prototype.forEach.call(document.querySelectorAll('#job [data-action]'), function (b) {
      b.disabled = TRANSITIONS[b.getAttribute('data-action')].indexOf(job.status) < 0;
    });

    var sorted = rounds.slice().sort(function (a, b) { return a.round - b.round; });
    function series(key) {
      return sorted.map(function (r) { return { x: r.round, y: r[key], failed: r.status === 'FAILED', round: r }; });
    }
    lineChart($('chart-loss'), series('meanLoss'), { color: '#2563eb', digits: 4 });
    lineChart($('chart-participants'), series('participants'), { color: '#15803d', digits: 0, zero: true, integer: true });
    lineChart($('chart-eval'), series('evalLoss').filter(function (p) { return p.y != null; }), { color: '#b45309', digits: 4 });
    lineChart($('chart-spread'), series('estimateSpread'), { color: '#7c3aed', digits: 4, zero: true });

    var body = $('rounds').tBodies[0];
    body.textContent = '';
    sorted.slice().reverse().forEach(function (r) {
      var row = el('tr', r.status === 'FAILED' ? { cls: 'failed' } : null,
        el('td', { cls: 'num', text: String(r.round) }),
        el('td', null, badge(r.status)),
        el('td', { cls: 'num', text: String(r.participants) }),
        el('td', { cls: 'num', text: fmtNum(r.meanLoss) }),
        el('td', { cls: 'num', text: fmtNum(r.evalLoss) }),
        el('td', { cls: 'num', text: fmtNum(r.estimateSpread) }),
        el('td', { cls: 'num', text: fmtBytes(r.bundleBytes) }),
        el('td', { cls: 'num', text: 'v' + r.baseVersion + (r.resultVersion != null ? ' → v' + r.resultVersion : '') }),
        el('td', { text: fmtTime(r.openedAt) }),
        el('td', { cls: 'num', text: fmtDuration(r.openedAt, r.closedAt) }),
        el('td', { cls: 'reason', text: r.failure || '' }));
      body.appendChild(row);
    });
    if (!sorted.length) body.appendChild(el('tr', null, el('td', { colspan: 11, cls: 'muted', text: 'No rounds yet.' })));
  }

  // ---- charts -------------------------------------------------------------------------------

  function niceTicks(min, max, count, integer) {
    if (min === max) { min -= integer ? 1 : Math.abs(min) * 0.1 || 1; max += integer ? 1 : Math.abs(max) * 0.1 || 1; }
    var raw = (max - min) / count;
    var mag = Math.pow(10, Math.floor(Math.log10(raw)));
    var step = [1, 2, 5, 10].map(function (m) { return m * mag; }).filter(function (s) { return s >= raw; })[0];
    if (integer) step = Math.max(1, Math.round(step));
    var lo = Math.floor(min / step) * step, hi = Math.ceil(max / step) * step;
    var ticks = [];
    for (var v = lo; v <= hi + step / 2; v += step) ticks.push(+v.toPrecision(12));
    return ticks;
  }

  // A small line chart: gaps where a round has no value, failed rounds marked with a red dashed rule
  // and a red point, a tooltip per point.
  function lineChart(container, points, opts) {
    var W = 440, H = 210, L = 52, R = 12, T = 12, B = 30;
    var root = svg('svg', { viewBox: '0 0 ' + W + ' ' + H, role: 'img' });
    container.textContent = '';
    container.appendChild(root);
    var valued = points.filter(function (p) { return p.y != null && isFinite(p.y); });
    if (!points.length || !valued.length) {
      var t = svg('text', { x: W / 2, y: H / 2, 'text-anchor': 'middle', 'class': 'empty' });
      t.textContent = 'no data yet';
      root.appendChild(t);
      return;
    }
    var xs = points.map(function (p) { return p.x; });
    var x0 = Math.min.apply(null, xs), x1 = Math.max.apply(null, xs);
    if (x0 === x1) { x0 -= 1; x1 += 1; }
    var ysv = valued.map(function (p) { return p.y; });
    var ymin = Math.min.apply(null, ysv), ymax = Math.max.apply(null, ysv);
    if (opts.zero) ymin = Math.min(0, ymin);
    var yt = niceTicks(ymin, ymax, 4, opts.integer);
    var y0 = yt[0], y1 = yt[yt.length - 1];
    function sx(x) { return L + (x - x0) / (x1 - x0) * (W - L - R); }
    function sy(y) { return T + (1 - (y - y0) / (y1 - y0)) * (H - T - B); }

    yt.forEach(function (v) {
      root.appendChild(svg('line', { x1: L, x2: W - R, y1: sy(v), y2: sy(v), 'class': 'grid' }));
      var label = svg('text', { x: L - 6, y: sy(v) + 3, 'text-anchor': 'end', 'class': 'tick' });
      label.textContent = opts.integer ? String(v) : fmtNum(v, Math.max(0, Math.min(4, -Math.floor(Math.log10(Math.abs(yt[1] - yt[0]) || 1)))));
      root.appendChild(label);
    });
    niceTicks(x0, x1, Math.min(6, x1 - x0), true).filter(function (v) { return v >= x0 && v <= x1; }).forEach(function (v) {
      var label = svg('text', { x: sx(v), y: H - B + 16, 'text-anchor': 'middle', 'class': 'tick' });
      label.textContent = String(v);
      root.appendChild(label);
    });
    var xl = svg('text', { x: W - R, y: H - 2, 'text-anchor': 'end', 'class': 'tick' });
    xl.textContent = 'round';
    root.appendChild(xl);
    root.appendChild(svg('line', { x1: L, x2: W - R, y1: H - B, y2: H - B, 'class': 'axis' }));
    root.appendChild(svg('line', { x1: L, x2: L, y1: T, y2: H - B, 'class': 'axis' }));

    points.filter(function (p) { return p.failed; }).forEach(function (p) {
      root.appendChild(svg('line', { x1: sx(p.x), x2: sx(p.x), y1: T, y2: H - B, 'class': 'fail-mark' }));
    });

    // Successive rounds are joined; a round with no value breaks the line rather than bridging it.
    var d = '', pen = false;
    points.forEach(function (p) {
      if (p.y == null || !isFinite(p.y)) { pen = false; return; }
      d += (pen ? 'L' : 'M') + sx(p.x).toFixed(1) + ' ' + sy(p.y).toFixed(1);
      pen = true;
    });
    root.appendChild(svg('path', { d: d, 'class': 'line', stroke: opts.color }));

    valued.forEach(function (p) {
      var c = svg('circle', { cx: sx(p.x), cy: sy(p.y), r: p.failed ? 4 : 2.5, fill: p.failed ? '#b91c1c' : opts.color });
      var tip = svg('title', {});
      tip.textContent = 'round ' + p.x + ': ' + fmtNum(p.y, opts.digits) + (p.failed ? ' — failed: ' + (p.round.failure || '') : '');
      c.appendChild(tip);
      root.appendChild(c);
    });
  }

  // ---- refresh loop -------------------------------------------------------------------------

  function refreshJob() {
    if (!state.selected) return Promise.resolve();
    var id = encodeURIComponent(state.selected);
    return Promise.all([api('GET', '/jobs/' + id), api('GET', '/jobs/' + id + '/rounds')])
      .then(function (r) { renderJob(r[0], r[1]); });
  }

  function refresh() {
    if (!token() || state.busy) return;
    state.busy = true;
    api('GET', '/jobs')
      .then(function (jobs) {
        state.jobs = jobs.slice().sort(function (a, b) { return (b.createdAt || '').localeCompare(a.createdAt || ''); });
        if (state.selected && !state.jobs.some(function (j) { return j.id === state.selected; })) {
          state.selected = null;
          $('job').hidden = true;
        }
        renderJobs();
        return refreshJob();
      })
      .then(function () {
        notice(null);
        $('updated').textContent = 'updated ' + new Date().toLocaleTimeString();
      })
      .catch(function (e) {
        notice(e.status === 401 || e.status === 403 ? 'The admin token was not accepted: ' + e.message : e.message);
      })
      .then(function () { state.busy = false; });
  }

  function schedule() {
    clearInterval(state.timer);
    state.timer = null;
    if ($('auto').checked) state.timer = setInterval(function () { if (!document.hidden) refresh(); }, REFRESH_MS);
  }

  function act(action) {
    if (!state.selected) return;
    if (action === 'cancel' && !confirm('Cancel job ' + state.selected + '? This cannot be undone.')) return;
    api('POST', '/jobs/' + encodeURIComponent(state.selected) + '/' + action)
      .then(refresh)
      .catch(function (e) { notice(action + ' failed: ' + e.message); });
  }

  $('token-form').addEventListener('submit', function (ev) {
    ev.preventDefault();
    var t = $('token').value.trim();
    if (!t) return;
    sessionStorage.setItem(TOKEN_KEY, t);
    $('token').value = '';
    $('token').placeholder = 'token set for this tab';
    refresh();
  });
  $('forget').addEventListener('click', function () {
    sessionStorage.removeItem(TOKEN_KEY);
    $('token').placeholder = 'paste the admin token';
    location.reload();
  });
  $('auto').addEventListener('change', schedule);
  Array.prototype.forEach.call(document.querySelectorAll('#job [data-action]'), function (b) {
    b.addEventListener('click', function () { act(b.getAttribute('data-action')); });
  });
  document.addEventListener('visibilitychange', function () { if (!document.hidden) refresh(); });

  if (token()) $('token').placeholder = 'token set for this tab';
  schedule();
  refresh();
})();
