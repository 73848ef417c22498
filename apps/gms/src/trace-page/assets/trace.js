// The trace page: the spans of one trace id as a waterfall (one lane per service, queue time drawn as such), and the
// write states of the URNs and aspects its spans name, refreshed until settled. Every value from the server is put in
// the page as text (textContent), never as markup: span attributes are untrusted input.
'use strict';

const TOKEN_KEY = 'trace-page-token';
const KNOWN_SERVICES = ['gms', 'mce-consumer', 'mae-consumer'];
const traceId = decodeURIComponent(location.pathname.split('/').pop() || '');
const $ = (id) => document.getElementById(id);

function el(tag, props, children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(props || {})) {
    if (k === 'text') node.textContent = v;
    else if (k === 'class') node.className = v;
    else if (k === 'style') Object.assign(node.style, v);
    else node.setAttribute(k, v);
  }
  for (const child of children || []) node.append(child);
  return node;
}

function headers() {
  const token = sessionStorage.getItem(TOKEN_KEY);
  return token ? { authorization: `Bearer ${token}` } : {};
}

function say(text) {
  $('status').textContent = text;
}

async function getJson(url, init) {
  const res = await fetch(url, { ...init, headers: { accept: 'application/json', ...headers(), ...(init && init.headers) } });
  const body = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(`${res.status}: ${body.message || res.statusText}${res.status === 401 ? ' (enter a token above)' : ''}`);
  return body;
}

/** OTLP AnyValue as plain text. */
function valueText(v) {
  if (!v) return '';
  if ('stringValue' in v) return v.stringValue;
  if ('intValue' in v) return String(v.intValue);
  if ('doubleValue' in v) return String(v.doubleValue);
  if ('boolValue' in v) return String(v.boolValue);
  if ('arrayValue' in v) return `[${(v.arrayValue.values || []).map(valueText).join(', ')}]`;
  return JSON.stringify(v);
}

function attr(span, key) {
  const a = (span.attributes || []).find((x) => x.key === key);
  return a ? valueText(a.value) : undefined;
}

function flatten(otlp) {
  return (otlp.resourceSpans || []).flatMap((rs) => {
    const resource = rs.resource || { attributes: [] };
    const service = attr(resource, 'service.name') || 'unknown';
    return (rs.scopeSpans || []).flatMap((ss) =>
      (ss.spans || []).map((s) => ({
        ...s,
        service,
        start: Number(BigInt(s.startTimeUnixNano) / 1000n) / 1000,
        end: Number(BigInt(s.endTimeUnixNano) / 1000n) / 1000,
      })),
    );
  });
}

let selected;

function showDetails(span, bar) {
  if (selected) selected.classList.remove('selected');
  selected = bar;
  bar.classList.add('selected');
  const rows = [
    ['name', span.name],
    ['service', span.service],
    ['span id', span.spanId],
    ['parent', span.parentSpanId || '(root)'],
    ['duration', `${(span.end - span.start).toFixed(2)} ms`],
    ...(span.attributes || []).map((a) => [a.key, valueText(a.value)]),
    ...(span.events || []).map((e) => [`event ${e.name}`, (e.attributes || []).map((a) => `${a.key}=${valueText(a.value)}`).join(' ')]),
  ];
  $('details').replaceChildren(
    el(
      'dl',
      {},
      rows.flatMap(([k, v]) => [el('dt', { text: k }), el('dd', { text: v })]),
    ),
  );
}

function renderTimeline(spans) {
  const timeline = $('timeline');
  if (spans.length === 0) {
    timeline.replaceChildren(
      el('p', {
        class: 'hint',
        text: 'No spans stored for this trace id (yet). Spans are kept for writes sent with X-Enable-Trace-Log: true, and for the sampled share of others.',
      }),
    );
    return;
  }
  const queueMs = (s) => Number(attr(s, 'queue.duration_ms') || 0);
  const t0 = Math.min(...spans.map((s) => s.start - queueMs(s)));
  const t1 = Math.max(...spans.map((s) => s.end));
  const total = Math.max(t1 - t0, 1);
  const pct = (t) => `${(((t - t0) / total) * 100).toFixed(3)}%`;
  const services = [...new Set(spans.map((s) => s.service))].sort(
    (a, b) => spans.find((s) => s.service === a).start - spans.find((s) => s.service === b).start,
  );
  const lanes = services.map((service) => {
    const rows = spans
      .filter((s) => s.service === service)
      .sort((a, b) => a.start - b.start)
      .map((s) => {
        const cls = `bar ${KNOWN_SERVICES.includes(service) ? service : 'other'}${s.status && s.status.code === 2 ? ' error' : ''}`;
        const label = `${s.name} ${(s.end - s.start).toFixed(1)} ms`;
        const bar = el('button', {
          class: cls,
          type: 'button',
          title: label,
          'aria-label': label,
          style: { left: pct(s.start), width: `calc(${pct(s.end)} - ${pct(s.start)})` },
        });
        bar.dataset.spanId = s.spanId;
        bar.addEventListener('click', () => showDetails(s, bar));
        const q = queueMs(s);
        // The name beside its bar, on the side with more room (before the queue time, when on the left).
        const beside = t1 - s.end >= s.start - q - t0 ? { left: `calc(${pct(s.end)} + 4px)` } : { right: `calc(100% - ${pct(s.start - q)} + 4px)` };
        const row = [bar, el('span', { class: 'label', style: beside, text: label })];
        if (q > 0) {
          row.unshift(
            el('div', { class: 'queue', title: `queued ${q} ms`, style: { left: pct(s.start - q), width: `calc(${pct(s.start)} - ${pct(s.start - q)})` } }, [
              el('span', { class: 'queue-label', text: `queue ${q} ms` }),
            ]),
          );
        }
        return el('div', { class: 'row' }, row);
      });
    return el('div', { class: 'lane', 'data-service': service }, [el('h3', { text: service }), ...rows]);
  });
  timeline.replaceChildren(...lanes);
}

/** The URN -> aspects the spans name (the producers' entity.urn and aspect.name). */
function writesOf(spans) {
  const body = {};
  for (const s of spans) {
    const urn = attr(s, 'entity.urn');
    const aspect = attr(s, 'aspect.name');
    if (!urn || !aspect) continue;
    body[urn] = [...new Set([...(body[urn] || []), aspect])];
  }
  return body;
}

function renderStates(result) {
  const rows = Object.entries(result).flatMap(([urn, aspects]) =>
    Object.entries(aspects).map(([aspect, r]) =>
      el('tr', {}, [
        el('td', { text: urn }),
        el('td', { text: aspect }),
        el('td', { class: `state-${r.primaryStorage.writeStatus}`, text: r.primaryStorage.writeStatus, title: r.primaryStorage.writeMessage || '' }),
        el('td', { class: `state-${r.searchStorage.writeStatus}`, text: r.searchStorage.writeStatus, title: r.searchStorage.writeMessage || '' }),
      ]),
    ),
  );
  $('states').tBodies[0].replaceChildren(...rows);
}

const pending = (result) =>
  Object.values(result).some((aspects) =>
    Object.values(aspects).some((r) => r.primaryStorage.writeStatus === 'PENDING' || r.searchStorage.writeStatus === 'PENDING'),
  );

async function refresh() {
  if (!/^[0-9a-fA-F]{32}$/.test(traceId)) {
    say('Not a trace id: the address ends with the 32 hex digits of a trace id.');
    return;
  }
  // Spans are stored in batches and searchable about two seconds after they end: read them until they name a write.
  let spans = [];
  for (let attempt = 0; attempt < 8; attempt++) {
    spans = await loadSpans();
    if (Object.keys(writesOf(spans)).length > 0) break;
    await sleep(750);
  }
  const writes = writesOf(spans);
  if (Object.keys(writes).length === 0) {
    say(`${spans.length} spans; they name no write to trace.`);
    return;
  }
  // The trace endpoint holds its answer while a write is PENDING (waitMs): one request per round, no polling.
  for (let round = 0; round < 12; round++) {
    const result = await getJson(`/openapi/v1/trace/write/${traceId}?onlyIncludeErrors=false&waitMs=5000`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(writes),
    });
    renderStates(result);
    if (!pending(result)) break;
    say(`${spans.length} spans; still pending, waiting...`);
  }
  // Each app stores its spans in batches (about a second) and OpenSearch makes them searchable a second later: the
  // last consumer's spans come a few seconds after its write settled. Read until the count held for three seconds.
  for (let read = 0, stable = 0; read < 20 && stable < 3; read++) {
    await sleep(1000);
    const again = await loadSpans();
    stable = again.length === spans.length ? stable + 1 : 0;
    spans = again;
  }
  say(`${spans.length} spans across ${new Set(spans.map((s) => s.service)).size} services; settled.`);
  $('states').dataset.settled = 'true';
}

async function loadSpans() {
  const spans = flatten(await getJson(`/openapi/v1/trace/${traceId}/spans`));
  renderTimeline(spans);
  return spans;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function start() {
  $('trace-id').textContent = traceId;
  document.title = `Trace ${traceId}`;
  $('token').value = sessionStorage.getItem(TOKEN_KEY) || '';
  $('auth').addEventListener('submit', (e) => {
    e.preventDefault();
    sessionStorage.setItem(TOKEN_KEY, $('token').value.trim());
    run();
  });
  $('logout').addEventListener('click', () => {
    sessionStorage.removeItem(TOKEN_KEY);
    $('token').value = '';
  });
  run();
}

function run() {
  say('Loading...');
  refresh().catch((e) => say(String(e.message || e)));
}

document.addEventListener('DOMContentLoaded', start);
