// The reviewer's workbench: one item at a time, evidence highlighted in the
// seller's own text, decisions from the keyboard (B block, A allow, S skip,
// H hold, U undo). Talks to the gate's /v1/review API with the reviewer's token.
'use strict';
(function () {
  const $ = (id) => document.getElementById(id);
  let token = sessionStorage.getItem('gate-reviewer-token') || '';
  let current = null;
  let lastDecided = null;
  // Actions run one after another: a key pressed while the last one is still
  // talking to the gate waits its turn instead of being dropped.
  let queue = Promise.resolve();

  async function api(method, path, body) {
    const response = await fetch(path, {
      method,
      headers: Object.assign({ authorization: 'Bearer ' + token }, body ? { 'content-type': 'application/json' } : {}),
      body: body ? JSON.stringify(body) : undefined,
    });
    const data = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error((data.error && data.error.message) || 'HTTP ' + response.status);
    return data;
  }

  function say(text) { $('status').textContent = text; }

  // Embeddings, overrides and isolates (UAX #9) in a seller's text would reorder what
  // follows them: "invoice\u202Efdp.exe" shows as "invoiceexe.pdf" (CVE-2021-42574,
  // "Trojan Source"). Each is shown as a visible, inert marker instead, so a reviewer
  // sees both the text's true order and that someone tried. LRM, RLM and ALM stay:
  // they only place neutral characters, and right-to-left listings need them.
  const BIDI_CONTROLS = /[\u202A-\u202E\u2066-\u2069]/g;
  const BIDI_NAMES = { '\u202A': 'LRE', '\u202B': 'RLE', '\u202C': 'PDF', '\u202D': 'LRO', '\u202E': 'RLO', '\u2066': 'LRI', '\u2067': 'RLI', '\u2068': 'FSI', '\u2069': 'PDI' };

  /** Seller text as nodes, with every bidi control replaced by a marker. */
  function sellerText(text) {
    const fragment = document.createDocumentFragment();
    let at = 0;
    for (const match of text.matchAll(BIDI_CONTROLS)) {
      fragment.appendChild(document.createTextNode(text.slice(at, match.index)));
      const marker = document.createElement('span');
      marker.className = 'bidi-control';
      const code = match[0].codePointAt(0).toString(16).toUpperCase();
      marker.textContent = '[' + BIDI_NAMES[match[0]] + ']';
      marker.title = 'U+' + code + ' in the seller\'s text';
      fragment.appendChild(marker);
      at = match.index + match[0].length;
    }
    fragment.appendChild(document.createTextNode(text.slice(at)));
    return fragment;
  }

  /**
   * Seller text in a <bdi>: its direction is its own (dir=auto) and it cannot reorder
   * what is around it, e.g. the ids and labels on the same line.
   */
  function isolated(content) {
    const bdi = document.createElement('bdi');
    bdi.append(typeof content === 'string' ? sellerText(content) : content);
    return bdi;
  }

  /** The field's text, isolated, with every reason's [start, end) wrapped in <mark>. */
  function highlighted(text, spans) {
    const fragment = document.createDocumentFragment();
    const sorted = spans.slice().sort((a, b) => a.start - b.start);
    let at = 0;
    for (const span of sorted) {
      if (span.start < at || span.end <= span.start) continue;
      fragment.appendChild(sellerText(text.slice(at, span.start)));
      const mark = document.createElement('mark');
      mark.append(sellerText(text.slice(span.start, span.end)));
      mark.title = span.code + ': ' + span.ref;
      fragment.appendChild(mark);
      at = span.end;
    }
    fragment.appendChild(sellerText(text.slice(at)));
    return isolated(fragment);
  }

  function spansFor(field) {
    return current.reasons.filter((r) => r.field === field && typeof r.start === 'number');
  }

  async function showStats() {
    try {
      const stats = await api('GET', '/v1/review/stats');
      const d = stats.depth;
      const waiting = d.high.waiting + d.normal.waiting + d.low.waiting + d.qa.waiting;
      const claimed = d.high.claimed + d.normal.claimed + d.low.claimed + d.qa.claimed;
      $('queue').textContent = 'Queue: ' + waiting + ' waiting, ' + claimed + ' claimed';
      $('mine').textContent = String(stats.decidedLastHour);
    } catch (error) { say('Stats unavailable: ' + error.message); }
  }

  // blob: URLs of the item on screen, released when the next one is shown.
  let imageUrls = [];

  /**
   * Each image comes through the gate's proxy (GET /review/image), fetched here with
   * the reviewer's token, never from the seller's host: the page's CSP would refuse
   * that anyway. One the proxy refuses is shown as its URL, as text.
   */
  function showImages(item) {
    for (const url of imageUrls) URL.revokeObjectURL(url);
    imageUrls = [];
    const images = $('images');
    images.replaceChildren();
    ((item.listing || {}).images || []).forEach((image, i) => {
      if (!image.url) return;
      const figure = document.createElement('figure');
      const caption = document.createElement('figcaption');
      caption.className = 'url';
      const shown = isolated(image.url);
      shown.dir = 'ltr'; // a URL reads left to right whatever its characters
      caption.append(shown);
      figure.appendChild(caption);
      images.appendChild(figure);
      fetch('/review/image?src=' + encodeURIComponent(image.url), { headers: { authorization: 'Bearer ' + token }, credentials: 'omit', referrerPolicy: 'no-referrer' })
        .then(async (response) => {
          if (!response.ok) {
            const data = await response.json().catch(() => ({}));
            throw new Error((data.error && data.error.details && data.error.details.reason) || 'HTTP ' + response.status);
          }
          const blob = await response.blob();
          if (current !== item) return;
          const url = URL.createObjectURL(blob);
          imageUrls.push(url);
          const img = document.createElement('img');
          img.src = url;
          img.alt = 'listing image ' + (i + 1);
          figure.insertBefore(img, caption);
        })
        .catch((error) => {
          if (current !== item) return;
          const why = document.createElement('span');
          why.className = 'image-refused';
          why.textContent = 'Image ' + (i + 1) + ' not shown (' + error.message + '): ';
          caption.prepend(why);
        });
    });
  }

  async function render(item) {
    current = item;
    $('empty').hidden = !!item;
    $('item').hidden = !item;
    if (!item) return;
    const listing = item.listing || {};
    $('listing-id').replaceChildren(sellerText(item.listingId));
    $('tier').textContent = item.tier + (item.source && item.source !== 'gate' ? ' (' + item.source + ')' : '');
    $('score').textContent = String(item.score);
    $('seller').replaceChildren(sellerText(item.sellerId));
    $('lease').textContent = new Date(item.leaseExpiresAt).toLocaleTimeString();
    $('lease').dateTime = item.leaseExpiresAt;
    // A complaint, an appeal or consumer reports: what the reviewer is asked to judge.
    const context = item.context || {};
    const lines = [];
    // Each line: our words, then the complainer's, seller's or reporters' own, isolated.
    if (context.complaint) lines.push(['Complaint by ' + context.complaint.holder + ' for ' + context.complaint.brandId + (context.complaint.takedown ? ' (listing already taken down)' : '') + ': ', isolated(context.complaint.reason)]);
    if (context.appeal) lines.push(['Appeal by the seller against a block by ' + context.appeal.blockedBy + ' at ' + context.appeal.blockedAt + ': ', isolated(context.appeal.reason), ' (allow overturns the block)']);
    if (context.contentNotKept) lines.push(['The gate keeps no copy of a listing it allowed, and this one was allowed when last checked: open it on the marketplace to judge it.']);
    if (context.reports) lines.push([context.reports.count + ' consumer report(s): ', ...context.reports.reasons.flatMap((reason, i) => (i === 0 ? [isolated(reason)] : [' | ', isolated(reason)]))]);
    $('context-block').hidden = lines.length === 0;
    $('context').replaceChildren(...lines.map((parts) => {
      const li = document.createElement('li');
      li.append(...parts);
      return li;
    }));
    $('title').replaceChildren(highlighted(listing.title || '', spansFor('title')));
    $('description-block').hidden = !listing.description;
    $('description').replaceChildren(highlighted(listing.description || '', spansFor('description')));
    const attributes = $('attributes-block');
    attributes.replaceChildren();
    for (const [key, value] of Object.entries(listing.attributes || {})) {
      const p = document.createElement('p');
      p.className = 'text';
      p.append(isolated(key), ': ', highlighted(value, spansFor('attributes.' + key)));
      attributes.appendChild(p);
    }
    showImages(item);
    const reasons = $('reasons');
    reasons.replaceChildren(...item.reasons.map((r) => {
      const li = document.createElement('li');
      // A ref can quote the seller (a listed seller id, a banked text's ref).
      li.append(r.code + ': ', isolated(String(r.ref)), r.field ? ' (' + r.field + ')' : '');
      return li;
    }));
    const history = $('history');
    history.replaceChildren();
    try {
      const h = await api('GET', '/v1/review/sellers/' + encodeURIComponent(item.sellerId) + '/history');
      if (h.history.length === 0) history.appendChild(Object.assign(document.createElement('li'), { textContent: 'No earlier decisions.' }));
      for (const entry of h.history.slice(0, 10)) {
        const li = document.createElement('li');
        li.append(entry.decision + ': ', isolated(String(entry.title)), ' (' + entry.at + ')');
        history.appendChild(li);
      }
    } catch (error) { history.appendChild(Object.assign(document.createElement('li'), { textContent: 'History unavailable.' })); }
    $('cluster-block').hidden = !item.cluster || item.cluster.length === 0;
    $('cluster-size').textContent = String((item.cluster || []).length);
    $('note').value = '';
    $('block').focus();
  }

  async function next() {
    const data = await api('GET', '/v1/review/next?count=1');
    await render(data.items[0] || null);
    await showStats();
  }

  function act(kind) {
    queue = queue.then(() => perform(kind));
    return queue;
  }

  async function perform(kind) {
    try {
      if (kind === 'undo') {
        if (!lastDecided) { say('Nothing to undo.'); return; }
        await api('POST', '/v1/review/' + encodeURIComponent(lastDecided) + '/undo');
        say('Undone: the item is back in the queue.');
        lastDecided = null;
        if (!current) await next();
        return;
      }
      if (!current) return;
      if (kind === 'skip') {
        await api('POST', '/v1/review/' + encodeURIComponent(current.reviewId) + '/release');
        say('Skipped.');
      } else if (kind === 'hold') {
        const held = await api('POST', '/v1/review/' + encodeURIComponent(current.reviewId) + '/hold');
        $('lease').textContent = new Date(held.leaseExpiresAt).toLocaleTimeString();
        say('Claim extended.');
        return;
      } else {
        const body = { decision: kind, note: $('note').value || undefined, applyToCluster: current.cluster && current.cluster.length > 0 ? $('apply-cluster').checked : undefined };
        if (kind === 'block') {
          body.confirm = { seller: $('confirm-seller').checked, identity: $('confirm-identity').checked, images: $('confirm-images').checked, text: $('confirm-text').checked };
        }
        const result = await api('POST', '/v1/review/' + encodeURIComponent(current.reviewId) + '/decision', body);
        lastDecided = current.reviewId;
        const together = result.cluster && result.cluster.decided.length > 0 ? ' and ' + result.cluster.decided.length + ' similar' : '';
        say((kind === 'block' ? 'Blocked ' : 'Allowed ') + current.listingId + together + '.');
      }
      await next();
    } catch (error) {
      say('Failed: ' + error.message);
    }
  }

  function start() {
    $('signin').hidden = true;
    $('workbench').hidden = false;
    next().catch((error) => say('Failed: ' + error.message));
  }

  $('signin').addEventListener('submit', async (event) => {
    event.preventDefault();
    token = $('token').value.trim();
    try {
      await api('GET', '/v1/review/stats');
      sessionStorage.setItem('gate-reviewer-token', token);
      start();
    } catch (error) { say('Sign-in failed: ' + error.message); }
  });
  $('refresh').addEventListener('click', () => act('refresh').then(next));
  for (const kind of ['block', 'allow', 'skip', 'hold', 'undo']) $(kind).addEventListener('click', () => act(kind));
  document.addEventListener('keydown', (event) => {
    if ($('workbench').hidden || event.target === $('note') || event.ctrlKey || event.metaKey || event.altKey) return;
    const kind = { b: 'block', a: 'allow', s: 'skip', h: 'hold', u: 'undo' }[event.key.toLowerCase()];
    if (kind) { event.preventDefault(); act(kind); }
  });
  if (token) start();
})();
