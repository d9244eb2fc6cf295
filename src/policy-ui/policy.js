// The policy team's console: the live pack and its rollout, each entry's figures
// (enforced or shadow), and a candidate pack's backtest. Talks to the gate's
// /v1/admin API with an admin token; every value from the server goes in as text.
'use strict';
(function () {
  const $ = (id) => document.getElementById(id);
  let token = sessionStorage.getItem('gate-admin-token') || '';

  async function api(method, path, body) {
    const response = await fetch(path, {
      method,
      headers: Object.assign({ authorization: 'Bearer ' + token }, body ? { 'content-type': 'application/json' } : {}),
      body,
    });
    const data = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error((data.error && data.error.message) || 'HTTP ' + response.status);
    return data;
  }

  function say(text) { $('status').textContent = text; }

  function cell(row, text, className) {
    const td = document.createElement('td');
    td.textContent = text === undefined || text === null ? '' : String(text);
    if (className) td.className = className;
    row.appendChild(td);
    return td;
  }

  function fill(tbody, rows) {
    tbody.replaceChildren(...rows);
  }

  async function showVersions() {
    const data = await api('GET', '/v1/admin/pack/versions');
    $('live-version').textContent = data.live ? data.live.version : 'none';
    $('live-key').textContent = data.live ? data.live.packHash.slice(0, 12) : '';
    $('rollout').textContent = data.rollout
      ? 'Rollout: ' + data.rollout.version + ' judges ' + data.rollout.percent + '% of sellers (since ' + data.rollout.at + ', by ' + data.rollout.who + ')'
      : 'No rollout in progress.';
    $('version-count').textContent = String(data.versions.length);
    fill($('versions').tBodies[0], data.versions.map((v) => {
      const row = document.createElement('tr');
      cell(row, v.version); cell(row, v.action); cell(row, v.at); cell(row, v.who); cell(row, v.patterns, 'num');
      return row;
    }));
  }

  function verdictText(counts) {
    return ['block', 'review', 'allow'].map((v) => v + ' ' + ((counts && counts[v]) || 0)).join(' · ');
  }

  async function showEntries() {
    const mode = $('mode').value;
    const query = new URLSearchParams({ mode });
    if ($('kind').value) query.set('kind', $('kind').value);
    if ($('brand').value.trim()) query.set('brand', $('brand').value.trim());
    const data = await api('GET', '/v1/admin/entries?' + query.toString());
    $('verdicts-head').textContent = mode === 'shadow' ? 'would have (week)' : 'verdicts (week)';
    $('extra-head').textContent = mode === 'shadow' ? 'verdicts changed' : 'overturned';
    fill($('entries').tBodies[0], data.entries.map((e) => {
      const row = document.createElement('tr');
      row.className = e.mode === 'shadow' ? 'shadow' : '';
      cell(row, e.kind);
      cell(row, e.id);
      cell(row, e.hits.hour + ' / ' + e.hits.day + ' / ' + e.hits.week, 'num');
      cell(row, verdictText(mode === 'shadow' ? e.wouldHave : e.verdicts));
      if (mode === 'shadow') cell(row, e.changed, 'num');
      else cell(row, e.overturned + ' of ' + e.blocks + (e.blocks ? ' (' + Math.round(e.overturnedShare * 100) + '%)' : ''), e.overturnedShare > 0.2 ? 'num high' : 'num');
      cell(row, (e.samples || []).join(', '), 'dim');
      return row;
    }));
    $('no-entries').hidden = data.entries.length > 0;
  }

  async function backtest(file) {
    say('Backtesting ' + file.name + '…');
    const result = await api('POST', '/v1/admin/pack/backtest', await file.text());
    $('backtest').hidden = false;
    $('backtest-summary').textContent = result.sample + ' listings of the sample replayed in ' + result.tookMillis + ' ms; ' + result.changed + ' would change.';
    const byTransition = (transition) => result.entries
      .filter((e) => e.transitions[transition])
      .map((e) => e.change + ' ' + (e.code ? e.code + ' ' + e.ref : '(scores)') + ' (' + e.transitions[transition] + ')');
    fill($('transitions').tBodies[0], Object.entries(result.transitions).map(([transition, t]) => {
      const row = document.createElement('tr');
      cell(row, transition);
      cell(row, t.count, 'num');
      cell(row, byTransition(transition).join(', '));
      cell(row, t.examples.join(', '), 'dim');
      return row;
    }));
    say('Backtest done.');
  }

  async function open() {
    $('signin').hidden = true;
    $('console').hidden = false;
    await Promise.all([showVersions(), showEntries()]);
    say('Signed in.');
  }

  $('signin').addEventListener('submit', (event) => {
    event.preventDefault();
    token = $('token').value.trim();
    sessionStorage.setItem('gate-admin-token', token);
    open().catch((error) => { say(error.message); $('signin').hidden = false; $('console').hidden = true; });
  });
  $('filters').addEventListener('submit', (event) => {
    event.preventDefault();
    showEntries().catch((error) => say(error.message));
  });
  $('backtest-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const file = $('candidate').files[0];
    if (file) backtest(file).catch((error) => say('Backtest failed: ' + error.message));
  });
  if (token) open().catch((error) => { say(error.message); $('signin').hidden = false; $('console').hidden = true; });
})();
