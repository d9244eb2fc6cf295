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

  /** The field's text with every reason's [start, end) wrapped in <mark>. */
  function highlighted(text, spans) {
    const fragment = document.createDocumentFragment();
    const sorted = spans.slice().sort((a, b) => a.start - b.start);
    let at = 0;
    for (const span of sorted) {
      if (span.start < at || span.end <= span.start) continue;
      fragment.appendChild(document.createTextNode(text.slice(at, span.start)));
      const mark = document.createElement('mark');
      mark.textContent = text.slice(span.start, span.end);
      mark.title = span.code + ': ' + span.ref;
      fragment.appendChild(mark);
      at = span.end;
    }
    fragment.appendChild(document.createTextNode(text.slice(at)));
    return fragment;
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

  async function render(item) {
    current = item;
    $('empty').hidden = !!item;
    $('item').hidden = !item;
    if (!item) return;
    const listing = item.listing || {};
    $('listing-id').textContent = item.listingId;
    $('tier').textContent = item.tier + (item.source && item.source !== 'gate' ? ' (' + item.source + ')' : '');
    $('score').textContent = String(item.score);
    $('seller').textContent = item.sellerId;
    $('lease').textContent = new Date(item.leaseExpiresAt).toLocaleTimeString();
    $('lease').dateTime = item.leaseExpiresAt;
    // A complaint, an appeal or consumer reports: what the reviewer is asked to judge.
    const context = item.context || {};
    const lines = [];
    if (context.complaint) lines.push('Complaint by ' + context.complaint.holder + ' for ' + context.complaint.brandId + (context.complaint.takedown ? ' (listing already taken down)' : '') + ': ' + context.complaint.reason);
    if (context.appeal) lines.push('Appeal by the seller against a block by ' + context.appeal.blockedBy + ' at ' + context.appeal.blockedAt + ': ' + context.appeal.reason + ' (allow overturns the block)');
    if (context.reports) lines.push(context.reports.count + ' consumer report(s): ' + context.reports.reasons.join(' | '));
    $('context-block').hidden = lines.length === 0;
    $('context').replaceChildren(...lines.map((line) => Object.assign(document.createElement('li'), { textContent: line })));
    $('title').replaceChildren(highlighted(listing.title || '', spansFor('title')));
    $('description-block').hidden = !listing.description;
    $('description').replaceChildren(highlighted(listing.description || '', spansFor('description')));
    const attributes = $('attributes-block');
    attributes.replaceChildren();
    for (const [key, value] of Object.entries(listing.attributes || {})) {
      const p = document.createElement('p');
      p.className = 'text';
      p.append(key + ': ', highlighted(value, spansFor('attributes.' + key)));
      attributes.appendChild(p);
    }
    const images = $('images');
    images.replaceChildren();
    (listing.images || []).forEach((image, i) => {
      if (!image.url) return;
      const img = document.createElement('img');
      img.src = image.url;
      img.alt = 'listing image ' + (i + 1);
      images.appendChild(img);
    });
    const reasons = $('reasons');
    reasons.replaceChildren(...item.reasons.map((r) => {
      const li = document.createElement('li');
      li.textContent = r.code + ': ' + r.ref + (r.field ? ' (' + r.field + ')' : '');
      return li;
    }));
    const history = $('history');
    history.replaceChildren();
    try {
      const h = await api('GET', '/v1/review/sellers/' + encodeURIComponent(item.sellerId) + '/history');
      if (h.history.length === 0) history.appendChild(Object.assign(document.createElement('li'), { textContent: 'No earlier decisions.' }));
      for (const entry of h.history.slice(0, 10)) {
        history.appendChild(Object.assign(document.createElement('li'), { textContent: entry.decision + ': ' + entry.title + ' (' + entry.at + ')' }));
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
